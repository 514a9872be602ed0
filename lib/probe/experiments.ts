/**
 * One small experiment per unsettled behaviour (PRODUCT §11): create an integration on a scratch API, send
 * one UpdateIntegration, read it back with GetIntegration and say which reading that shows, quoting the
 * service (the field read back, or its error). Plain data plus `interpret`, so `probe` without `--yes` can
 * print exactly what each one will send. An AWS service integration needs a role: the probe names a
 * placeholder one (`arn:aws:iam::<account>:role/apigw-drift-probe-placeholder`); whether the service
 * checks more than the ARN's shape at create time is not documented, and a refusal makes those
 * experiments "unknown" with the service's words.
 */
import type { LiveIntegration } from "../model/live.ts";
import type { Protocol } from "../model/service.ts";
import type { BehaviourName, Reading } from "./behaviours.ts";

/** What the experiments fill in from the account they run on. */
export interface Placeholders {
  account: string;
  region: string;
  /** `--vpc-link ID`: the tlsConfig experiment needs a private integration. */
  vpcLink?: { id: string; uri: string };
}

export interface UpdateExperiment {
  kind: "update";
  name: BehaviourName;
  /** Which scratch API it runs on. */
  protocol: Protocol;
  needs?: "vpcLink";
  /** CreateIntegration's body (wire names). */
  create(p: Placeholders): Record<string, unknown>;
  /** The one UpdateIntegration's body. */
  update(p: Placeholders): Record<string, unknown>;
  /** The fields read back and quoted as evidence. */
  shows: readonly string[];
  /** For the plan: how the read-back is told apart. */
  reads: string;
  /** Why the created integration cannot tell anything, if it cannot (the service dropped a field). */
  unready?(created: LiveIntegration): string | undefined;
  /** The reading the read-back shows; undefined when it shows none of them. */
  interpret(after: LiveIntegration, p: Placeholders): Reading | undefined;
  /** The reading a 400 BadRequestException to the update means; absent: a 400 is unexpected. */
  refused?: Reading;
}

export interface PageSizeExperiment {
  kind: "pageSize";
  name: "getIntegrations.maxPageSize";
  sizes: readonly number[];
}

export interface SkippedExperiment {
  kind: "skipped";
  name: BehaviourName;
  why: string;
}

export type Experiment = UpdateExperiment | PageSizeExperiment | SkippedExperiment;

const A = "append:header.x-probe-a";
const B = "append:header.x-probe-b";
const PROXY = {
  integrationType: "HTTP_PROXY",
  integrationMethod: "GET",
  integrationUri: "https://example.com/apigw-drift-probe",
  payloadFormatVersion: "1.0",
};
const MOCK = { integrationType: "MOCK" };
const JSON_TEMPLATE = "application/json";
const TEXT_TEMPLATE = "text/plain";

export const PLACEHOLDER_ROLE = "apigw-drift-probe-placeholder";
const roleOf = (p: Placeholders) => `arn:aws:iam::${p.account}:role/${PLACEHOLDER_ROLE}`;
const queueOf = (p: Placeholders) =>
  `https://sqs.${p.region}.amazonaws.com/${p.account}/apigw-drift-probe-placeholder`;
const sqsParameters = (p: Placeholders) => ({ QueueUrl: queueOf(p), MessageBody: "$request.body" });
const sqs = (p: Placeholders, extra: Record<string, string> = {}) => ({
  integrationType: "AWS_PROXY",
  integrationSubtype: "SQS-SendMessage",
  credentialsArn: roleOf(p),
  payloadFormatVersion: "1.0",
  requestParameters: { ...sqsParameters(p), ...extra },
});
/** An update of an AWS service integration that names what facts #17 says it must. */
const named = { integrationType: "AWS_PROXY", integrationSubtype: "SQS-SendMessage" };

const mapOf = (v: unknown): Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
const has = (v: unknown, key: string) => Object.hasOwn(mapOf(v), key);
const lacks =
  (field: string, ...keys: string[]) =>
  (created: LiveIntegration) => {
    const missing = keys.filter((k) => !has(created[field], k));
    return missing.length > 0
      ? `CreateIntegration stored ${field} without ${missing.join(", ")}: ${JSON.stringify(created[field]) ?? "absent"}`
      : undefined;
  };
/** A string field after `""` was sent: gone, stored as "", or (undefined) still what it was. */
const emptied = (after: unknown, cleared: Reading): Reading | undefined =>
  after === undefined || after === null ? cleared : after === "" ? "stored" : undefined;

export const EXPERIMENTS: readonly Experiment[] = [
  {
    kind: "update",
    name: "requestParameters.patch",
    protocol: "HTTP",
    create: () => ({ ...PROXY, requestParameters: { [A]: "$request.header.a", [B]: "$request.header.b" } }),
    update: () => ({ requestParameters: { [B]: "$request.header.c" } }),
    shows: ["requestParameters"],
    reads: `${A} kept: merge; gone: replace`,
    unready: lacks("requestParameters", A, B),
    interpret: (after) => {
      const map = mapOf(after.requestParameters);
      if (map[B] !== "$request.header.c") return undefined;
      return has(map, A) ? "merge" : "replace";
    },
  },
  {
    kind: "update",
    name: "requestParameters.emptyString",
    protocol: "HTTP",
    create: () => ({ ...PROXY, requestParameters: { [A]: "$request.header.a", [B]: "$request.header.b" } }),
    update: () => ({ requestParameters: { [A]: "", [B]: "$request.header.b" } }),
    shows: ["requestParameters"],
    reads: `${A} gone: removes; "": stored; a 400: rejected`,
    unready: lacks("requestParameters", A, B),
    interpret: (after) => {
      const map = mapOf(after.requestParameters);
      if (!has(map, A)) return "removes";
      return map[A] === "" ? "stored" : undefined;
    },
    refused: "rejected",
  },
  {
    kind: "update",
    name: "requestTemplates.patch",
    protocol: "WEBSOCKET",
    create: () => ({
      ...MOCK,
      requestTemplates: { [JSON_TEMPLATE]: '{"statusCode": 200}', [TEXT_TEMPLATE]: "a" },
    }),
    update: () => ({ requestTemplates: { [TEXT_TEMPLATE]: "b" } }),
    shows: ["requestTemplates"],
    reads: `${JSON_TEMPLATE} kept: merge; gone: replace`,
    unready: lacks("requestTemplates", JSON_TEMPLATE, TEXT_TEMPLATE),
    interpret: (after) => {
      const map = mapOf(after.requestTemplates);
      if (map[TEXT_TEMPLATE] !== "b") return undefined;
      return has(map, JSON_TEMPLATE) ? "merge" : "replace";
    },
  },
  {
    kind: "update",
    name: "responseParameters.emptyObject",
    protocol: "HTTP",
    create: () => ({
      ...PROXY,
      responseParameters: {
        "404": { "append:header.x-probe-a": "$response.header.a" },
        "500": { "append:header.x-probe-b": "$response.header.b" },
      },
    }),
    update: () => ({ responseParameters: { "404": {} } }),
    shows: ["responseParameters"],
    reads: "404 gone: removes; 404 {}: stored; a 400: rejected",
    unready: lacks("responseParameters", "404", "500"),
    interpret: (after) => {
      const map = mapOf(after.responseParameters);
      if (!has(map, "404")) return "removes";
      return Object.keys(mapOf(map["404"])).length === 0 ? "stored" : undefined;
    },
    refused: "rejected",
  },
  {
    kind: "update",
    name: "description.emptyString",
    protocol: "HTTP",
    create: () => ({ ...PROXY, description: "apigw-drift probe" }),
    update: () => ({ description: "" }),
    shows: ["description"],
    reads: 'description gone: clears; "": stored; a 400: rejected',
    interpret: (after) => emptied(after.description, "clears"),
    refused: "rejected",
  },
  {
    kind: "update",
    name: "stringFields.emptyString",
    protocol: "WEBSOCKET",
    create: () => ({ ...MOCK, templateSelectionExpression: "\\$default" }),
    update: () => ({ templateSelectionExpression: "" }),
    shows: ["templateSelectionExpression"],
    reads: 'templateSelectionExpression gone: clears; "": stored; a 400: rejected (one field stands for all)',
    interpret: (after) => emptied(after.templateSelectionExpression, "clears"),
    refused: "rejected",
  },
  {
    kind: "update",
    name: "subtype.updateWithoutSubtype",
    protocol: "HTTP",
    create: (p) => sqs(p),
    update: (p) => ({ requestParameters: sqsParameters(p) }),
    shows: ["integrationSubtype", "requestParameters"],
    reads: "answered: accepted; a 400: rejected",
    interpret: () => "accepted",
    refused: "rejected",
  },
  {
    kind: "update",
    name: "subtype.emptyStringParameter",
    protocol: "HTTP",
    create: (p) => sqs(p, { MessageGroupId: "apigw-drift-probe" }),
    update: (p) => ({ ...named, requestParameters: { ...sqsParameters(p), MessageGroupId: "" } }),
    shows: ["requestParameters"],
    reads: "answered: accepted; a 400: rejected",
    unready: lacks("requestParameters", "MessageGroupId"),
    interpret: () => "accepted",
    refused: "rejected",
  },
  {
    kind: "update",
    name: "subtype.change",
    protocol: "HTTP",
    create: (p) => sqs(p),
    update: (p) => ({
      integrationType: "AWS_PROXY",
      integrationSubtype: "SQS-PurgeQueue",
      requestParameters: { QueueUrl: queueOf(p) },
    }),
    shows: ["integrationSubtype"],
    reads: "SQS-PurgeQueue read back: accepted; a 400 (for any reason: the evidence says which): rejected",
    interpret: (after) => (after.integrationSubtype === "SQS-PurgeQueue" ? "accepted" : undefined),
    refused: "rejected",
  },
  {
    kind: "update",
    name: "subtype.requiredParametersOnUpdate",
    protocol: "HTTP",
    create: (p) => sqs(p),
    update: () => ({ ...named, description: "apigw-drift probe" }),
    shows: ["description", "requestParameters"],
    reads: "answered: stored (the stored parameters suffice); a 400: sent (every update must carry them)",
    interpret: () => "stored",
    refused: "sent",
  },
  {
    kind: "update",
    name: "tlsConfig.emptyObject",
    protocol: "HTTP",
    needs: "vpcLink",
    create: (p) => ({
      ...PROXY,
      integrationMethod: "ANY",
      connectionType: "VPC_LINK",
      connectionId: p.vpcLink?.id,
      integrationUri: p.vpcLink?.uri,
      tlsConfig: { serverNameToVerify: "probe.example.com" },
    }),
    update: () => ({ tlsConfig: {} }),
    shows: ["tlsConfig"],
    reads: "tlsConfig gone: removes; {}: stored; a 400: rejected",
    unready: (created) =>
      mapOf(created.tlsConfig).serverNameToVerify === "probe.example.com"
        ? undefined
        : `CreateIntegration stored no tlsConfig: ${JSON.stringify(created.tlsConfig) ?? "absent"}`,
    interpret: (after) => {
      if (after.tlsConfig === undefined || after.tlsConfig === null) return "removes";
      return Object.keys(mapOf(after.tlsConfig)).length === 0 ? "stored" : undefined;
    },
    refused: "rejected",
  },
  { kind: "pageSize", name: "getIntegrations.maxPageSize", sizes: [500, 100, 50, 25] },
  {
    kind: "skipped",
    name: "throttle.refusedSpendsQuota",
    why: "not probed: telling it apart means exceeding the account's shared 10 requests/s on purpose, which every other caller in the account and Region would feel",
  },
];

/** The placeholder VPC link target when `--vpc-link` comes without a URI: an NLB listener ARN of the account. */
export function placeholderListener(p: { account: string; region: string }): string {
  return `arn:aws:elasticloadbalancing:${p.region}:${p.account}:listener/net/apigw-drift-probe/0000000000000000/0000000000000000`;
}
