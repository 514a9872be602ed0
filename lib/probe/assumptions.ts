/**
 * What the product assumes of each unsettled behaviour, found by asking the product itself: for each
 * behaviour, one small integration the behaviour matters to, planned by the product's own planner and
 * encoded by the field model (lib/probe/judge.ts), then judged under each reading. The readings under
 * which the product's request does what its plan says are what it assumes; a probe observation outside
 * them is a disagreement. Two behaviours are not about an update: their assumption is read off the code
 * that makes it (page size) or named with the code that holds it (the limiter), and a test checks both.
 */
import { PAGE_SIZE } from "../apigateway/gateway.ts";
import type { DesiredIntegration } from "../desired-state/schema.ts";
import type { LiveIntegration } from "../model/live.ts";
import type { Protocol } from "../model/service.ts";
import {
  BASELINE,
  BEHAVIOUR_NAMES,
  BEHAVIOUR_READINGS,
  type BehaviourName,
  type Reading,
  type Readings,
} from "./behaviours.ts";
import { judgeUpdate } from "./judge.ts";

/** One integration the behaviour matters to: what the file says, what is live. */
export interface Scenario {
  protocol: Protocol;
  desired: DesiredIntegration;
  live: LiveIntegration;
  /** The code that makes the product's request here. */
  where: string;
}

export interface Assumption {
  /** The readings under which the product does what it plans; empty: none does. */
  readings: readonly Reading[];
  /** Where in the product the assumption lives. */
  where: string;
}

const PROXY = {
  integrationType: "HTTP_PROXY",
  integrationMethod: "GET",
  integrationUri: "https://example.com",
  payloadFormatVersion: "1.0",
} as const;
const SQS_PARAMETERS = { QueueUrl: "$request.header.queue", MessageBody: "$request.body" };
const SQS = {
  integrationType: "AWS_PROXY",
  integrationSubtype: "SQS-SendMessage",
  credentialsArn: "arn:aws:iam::123456789012:role/sqs",
  payloadFormatVersion: "1.0",
  requestParameters: SQS_PARAMETERS,
} as const;
const MOCK = { integrationType: "MOCK" } as const;
const live = (fields: Record<string, unknown>): LiveIntegration => ({ integrationId: "probe01", ...fields });
const http = (
  desired: Record<string, unknown>,
  fields: Record<string, unknown>,
  where: string,
): Scenario => ({
  protocol: "HTTP",
  desired: desired as DesiredIntegration,
  live: live(fields),
  where,
});
const ws = (desired: Record<string, unknown>, fields: Record<string, unknown>, where: string): Scenario => ({
  ...http(desired, fields, where),
  protocol: "WEBSOCKET",
});

/** The integration each update behaviour is judged on (the probe's own experiment, seen from the product). */
export const SCENARIOS: { readonly [N in BehaviourName]?: Scenario } = {
  "requestParameters.patch": http(
    { ...PROXY, requestParameters: { "append:header.a": "$request.header.a2" } },
    {
      ...PROXY,
      requestParameters: { "append:header.a": "$request.header.a", "append:header.b": "$request.header.b" },
    },
    'lib/model/codecs.ts parameterMapCodec: the whole desired map, a removed key sent with ""',
  ),
  "requestParameters.emptyString": http(
    { ...PROXY, requestParameters: { "append:header.a": "$request.header.a" } },
    {
      ...PROXY,
      requestParameters: { "append:header.a": "$request.header.a", "append:header.b": "$request.header.b" },
    },
    'lib/model/codecs.ts parameterMapCodec: a removed key sent with ""',
  ),
  "requestTemplates.patch": ws(
    { ...MOCK, requestTemplates: { "text/plain": "b" } },
    { ...MOCK, requestTemplates: { "application/json": "{}", "text/plain": "a" } },
    "lib/model/codecs.ts templateMapCodec: the whole desired map, no removal marker",
  ),
  "responseParameters.emptyObject": http(
    { ...PROXY, responseParameters: { "500": { "append:header.x-b": "$response.header.b" } } },
    {
      ...PROXY,
      responseParameters: {
        "404": { "append:header.x-a": "$response.header.a" },
        "500": { "append:header.x-b": "$response.header.b" },
      },
    },
    "lib/model/codecs.ts responseMapCodec: a removed status code sent with {}; {} read back as absent",
  ),
  "description.emptyString": http(
    { ...PROXY, description: null },
    { ...PROXY, description: "apigw-drift probe" },
    'lib/model/fields.ts description.unset: "" (a stored "" reads as absent)',
  ),
  "stringFields.emptyString": ws(
    { ...MOCK, templateSelectionExpression: null },
    { ...MOCK, templateSelectionExpression: "\\$default" },
    'lib/model/fields.ts templateSelectionExpression.unset: "" (a stored "" reads as absent)',
  ),
  "subtype.updateWithoutSubtype": http(
    { ...SQS, description: "b" },
    { ...SQS, description: "a" },
    "lib/model/fields.ts integrationSubtype.resendOnSubtypeUpdate: every update names the subtype again",
  ),
  "subtype.emptyStringParameter": http(
    { ...SQS, description: "b" },
    { ...SQS, description: "a", requestParameters: { ...SQS_PARAMETERS, MessageGroupId: "probe" } },
    'lib/model/codecs.ts parameterMapCodec (subtypeAware): never a "" on an AWS service integration; the key is reported as not removable',
  ),
  "subtype.change": http(
    {
      ...SQS,
      integrationSubtype: "SQS-PurgeQueue",
      requestParameters: { QueueUrl: SQS_PARAMETERS.QueueUrl },
    },
    { ...SQS },
    "lib/model/fields.ts integrationSubtype.immutable: a changed subtype is reported, never sent",
  ),
  "subtype.requiredParametersOnUpdate": http(
    { ...SQS, description: "b" },
    { ...SQS, description: "a" },
    "lib/model/fields.ts requestParameters.resendOnSubtypeUpdate: every update re-sends them",
  ),
  "tlsConfig.emptyObject": http(
    { ...PROXY, connectionType: "VPC_LINK", connectionId: "vl1", tlsConfig: null },
    {
      ...PROXY,
      connectionType: "VPC_LINK",
      connectionId: "vl1",
      tlsConfig: { serverNameToVerify: "a.example.com" },
    },
    "lib/model/codecs.ts structureCodec: removed with {}; {} read back as absent",
  ),
};

/** The product's assumption about `name`. */
export function assumptionOf(name: BehaviourName): Assumption {
  if (name === "getIntegrations.maxPageSize") {
    return {
      readings: BEHAVIOUR_READINGS[name].filter((size) => size >= Number(PAGE_SIZE)),
      where: `lib/apigateway/gateway.ts PAGE_SIZE ${PAGE_SIZE} (refused: it goes on at the service's default page)`,
    };
  }
  if (name === "throttle.refusedSpendsQuota") {
    // Pacing as if a refusal spends a token never sends past the quota: right under either reading, a
    // little slower than needed when the service charges nothing for it.
    return {
      readings: [true, false],
      where:
        "lib/apigateway/limiter.ts RateLimiter.record: a throttled answer keeps its token spent (refusedSpendsQuota: true)",
    };
  }
  const scenario = SCENARIOS[name]!;
  const readings = (BEHAVIOUR_READINGS[name] as readonly Reading[]).filter(
    (reading) =>
      judgeUpdate(
        scenario.desired,
        scenario.live,
        { protocol: scenario.protocol },
        withReading(name, reading),
      ).ok,
  );
  return { readings, where: scenario.where };
}

/** Every behaviour's assumption, in name order of behaviours.ts. */
export function assumptions(): Record<BehaviourName, Assumption> {
  return Object.fromEntries(BEHAVIOUR_NAMES.map((n) => [n, assumptionOf(n)])) as Record<
    BehaviourName,
    Assumption
  >;
}

/** The baseline with one behaviour set to `reading`. */
export function withReading(name: BehaviourName, reading: Reading): Readings {
  return { ...BASELINE, [name]: reading } as Readings;
}
