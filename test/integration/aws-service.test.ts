/**
 * AWS service integrations (integrationSubtype) through the CLI over real HTTP against the emulator, under
 * the readings of the behaviours that decide what an update of one must carry (PRODUCT §4, service-facts
 * #11, #17, #21): drifted SQS-SendMessage and EventBridge-PutEvents integrations are updated with requests
 * that name the subtype and the type and carry every request parameter, never a "" one; a live-only
 * parameter ends FAILED naming the key, with the rest of the drift fixed; a changed subtype is refused at
 * plan and never sent.
 */
import { describe, expect, it } from "vitest";
import type { Behaviour } from "../../emulator/behaviour.ts";
import { resultFor, useEmulatorCli } from "../helpers/emulator-cli.ts";

const API = "o4r5d6e7r8";
const QUEUE = "https://sqs.eu-west-1.amazonaws.com/123456789012/orders";
const SQS = "sqs1a2b";
const EVENTS = "evb3c4d";

/** What the file declares, and the emulator holds before any drift. */
const SQS_DECLARED = {
  integrationType: "AWS_PROXY",
  integrationSubtype: "SQS-SendMessage",
  credentialsArn: "arn:aws:iam::123456789012:role/orders-sqs",
  description: "orders to the queue",
  timeoutInMillis: 10000,
  requestParameters: {
    QueueUrl: QUEUE,
    MessageBody: "$request.body",
    MessageGroupId: "$request.header.x-group",
  },
};
const EVENTS_DECLARED = {
  integrationType: "AWS_PROXY",
  integrationSubtype: "EventBridge-PutEvents",
  credentialsArn: "arn:aws:iam::123456789012:role/orders-events",
  timeoutInMillis: 5000,
  requestParameters: {
    Detail: "$request.body",
    DetailType: "order.placed",
    Source: "shop.orders",
    EventBusName: "orders",
  },
};

const FILE = `# yaml-language-server: $schema=../schema/desired-state.schema.json
apiId: ${API}
protocol: HTTP
account: "123456789012"
region: eu-west-1
integrations:
  ${SQS}:
    integrationType: AWS_PROXY
    integrationSubtype: SQS-SendMessage
    credentialsArn: arn:aws:iam::123456789012:role/orders-sqs
    description: orders to the queue
    timeoutInMillis: 10000
    requestParameters:
      QueueUrl: ${QUEUE}
      MessageBody: $request.body
      MessageGroupId: $request.header.x-group
  ${EVENTS}:
    integrationType: AWS_PROXY
    integrationSubtype: EventBridge-PutEvents
    credentialsArn: arn:aws:iam::123456789012:role/orders-events
    timeoutInMillis: 5000
    requestParameters:
      Detail: $request.body
      DetailType: order.placed
      Source: shop.orders
      EventBusName: orders
`;

/** The message of lib/model/codecs.ts for a live request parameter of an AWS service integration. */
const LIVE_ONLY_DELAY =
  'requestParameters "DelaySeconds" is live but not in the file, and a parameter of an AWS service integration (SQS-SendMessage) cannot be removed in place (the service refuses the "" marker that removes one). Declare the key, or delete and recreate the integration';

const { start: startEmulator, emulator, writeFile, run: cli, updates, mark } = useEmulatorCli();

async function start(behaviour: Partial<Behaviour> = {}, file = FILE): Promise<void> {
  const e = await startEmulator(behaviour);
  e.addApi({ apiId: API, name: "orders", protocolType: "HTTP" });
  e.addIntegration(API, { integrationId: SQS, ...SQS_DECLARED });
  e.addIntegration(API, { integrationId: EVENTS, ...EVENTS_DECLARED });
  await writeFile(`${API}.yaml`, file);
}

/** No request of the run, of any operation, carried a "" request parameter to an AWS service integration. */
function expectNoEmptyParameter(): void {
  const subtypeIds = new Set([SQS, EVENTS]);
  const carrying = emulator()
    .calls.all()
    .filter((c) => c.integrationId !== undefined && subtypeIds.has(c.integrationId))
    .filter((c) => {
      const parameters = (c.body as { requestParameters?: Record<string, string> } | undefined)
        ?.requestParameters;
      return Object.values(parameters ?? {}).includes("");
    });
  expect(carrying).toEqual([]);
  expect(emulator().calls.count({ operation: "UpdateIntegration", status: 400 })).toBe(0);
}

/** The behaviours that decide what an update of an AWS service integration must carry, each reading. */
const READINGS: [string, Partial<Behaviour>][] = [
  ["the default readings", {}],
  ["requestParameters.patch=replace", { "requestParameters.patch": "replace" }],
  ["subtype.requiredParametersOnUpdate=stored", { "subtype.requiredParametersOnUpdate": "stored" }],
];

describe.each(READINGS)("AWS service integrations through the CLI, under %s", (_, behaviour) => {
  it("updates drifted SQS-SendMessage and EventBridge-PutEvents integrations with the subtype, the type and every parameter, and converges", async () => {
    await start(behaviour);
    emulator().overwriteIntegration(API, SQS, {
      description: "edited by hand",
      requestParameters: { ...SQS_DECLARED.requestParameters, MessageBody: "$request.body.message" },
    });
    emulator().overwriteIntegration(API, EVENTS, {
      timeoutInMillis: 29000,
      requestParameters: { ...EVENTS_DECLARED.requestParameters, Detail: "$request.body.detail" },
    });

    const plan = await cli("plan", "--detailed-exitcode");
    expect(plan.code).toBe(2);
    expect(resultFor(plan.report, SQS)).toEqual({
      apiId: API,
      integrationId: SQS,
      status: "DRIFTED",
      action: "update",
      diffs: [
        { path: "/description", kind: "changed", expected: "orders to the queue", actual: "edited by hand" },
        {
          path: "/requestParameters/MessageBody",
          kind: "changed",
          expected: "$request.body",
          actual: "$request.body.message",
        },
      ],
    });
    expect(resultFor(plan.report, EVENTS)).toEqual({
      apiId: API,
      integrationId: EVENTS,
      status: "DRIFTED",
      action: "update",
      diffs: [
        {
          path: "/requestParameters/Detail",
          kind: "changed",
          expected: "$request.body",
          actual: "$request.body.detail",
        },
        { path: "/timeoutInMillis", kind: "changed", expected: 5000, actual: 29000 },
      ],
    });

    const sent = mark();
    const apply = await cli("apply");
    expect(apply.code).toBe(0);
    expect(apply.report.status).toBe("RECONCILED");
    expect([SQS, EVENTS].map((id) => resultFor(apply.report, id).status)).toEqual(["UPDATED", "UPDATED"]);
    expect(sent().sort()).toEqual(["GetApi", "GetIntegrations", "UpdateIntegration", "UpdateIntegration"]);
    expect(updates(SQS)).toEqual([
      {
        integrationSubtype: "SQS-SendMessage",
        integrationType: "AWS_PROXY",
        description: "orders to the queue",
        requestParameters: {
          MessageBody: "$request.body",
          MessageGroupId: "$request.header.x-group",
          QueueUrl: QUEUE,
        },
      },
    ]);
    expect(updates(EVENTS)).toEqual([
      {
        integrationSubtype: "EventBridge-PutEvents",
        integrationType: "AWS_PROXY",
        timeoutInMillis: 5000,
        requestParameters: {
          Detail: "$request.body",
          DetailType: "order.placed",
          EventBusName: "orders",
          Source: "shop.orders",
        },
      },
    ]);
    expect(emulator().getIntegration(API, SQS)).toMatchObject(SQS_DECLARED);
    expect(emulator().getIntegration(API, EVENTS)).toMatchObject(EVENTS_DECLARED);

    const again = await cli("plan", "--detailed-exitcode");
    expect(again.code).toBe(0);
    expect(again.report.status).toBe("IN_SYNC");
    expectNoEmptyParameter();
  });

  it("re-sends every request parameter with a drifted timeout alone", async () => {
    await start(behaviour);
    emulator().overwriteIntegration(API, SQS, { timeoutInMillis: 3000 });
    const apply = await cli("apply");
    expect(resultFor(apply.report, SQS).status).toBe("UPDATED");
    expect(updates(SQS)).toEqual([
      {
        integrationSubtype: "SQS-SendMessage",
        integrationType: "AWS_PROXY",
        timeoutInMillis: 10000,
        requestParameters: SQS_DECLARED.requestParameters,
      },
    ]);
    expect((await cli("plan")).report.status).toBe("IN_SYNC");
    expectNoEmptyParameter();
  });

  it("fails a live-only parameter naming the key, and sends no update for it alone", async () => {
    await start(behaviour);
    emulator().overwriteIntegration(API, SQS, {
      requestParameters: { ...SQS_DECLARED.requestParameters, DelaySeconds: "5" },
    });
    const plan = await cli("plan");
    expect(resultFor(plan.report, SQS)).toEqual({
      apiId: API,
      integrationId: SQS,
      status: "DRIFTED",
      diffs: [{ path: "/requestParameters/DelaySeconds", kind: "added", actual: "5" }],
      error: { name: "CannotFixInPlace", message: LIVE_ONLY_DELAY },
    });

    const sent = mark();
    const apply = await cli("apply");
    expect(apply.code).toBe(1);
    expect(apply.report.status).toBe("PARTIAL");
    expect(resultFor(apply.report, SQS)).toMatchObject({
      status: "FAILED",
      error: { name: "CannotFixInPlace", message: LIVE_ONLY_DELAY },
    });
    expect(sent()).toEqual(["GetApi", "GetIntegrations"]);
    expect(emulator().getIntegration(API, SQS)?.requestParameters).toEqual({
      ...SQS_DECLARED.requestParameters,
      DelaySeconds: "5",
    });
    expectNoEmptyParameter();
  });

  it("fixes the other drift beside a live-only parameter, and still fails it naming the key", async () => {
    await start(behaviour);
    emulator().overwriteIntegration(API, SQS, {
      timeoutInMillis: 3000,
      requestParameters: { ...SQS_DECLARED.requestParameters, DelaySeconds: "5" },
    });
    const sent = mark();
    const apply = await cli("apply");
    expect(apply.report.status).toBe("PARTIAL");
    expect(resultFor(apply.report, SQS)).toEqual({
      apiId: API,
      integrationId: SQS,
      status: "FAILED",
      action: "update",
      diffs: [
        { path: "/requestParameters/DelaySeconds", kind: "added", actual: "5" },
        { path: "/timeoutInMillis", kind: "changed", expected: 10000, actual: 3000 },
      ],
      error: { name: "CannotFixInPlace", message: LIVE_ONLY_DELAY },
    });
    expect(sent()).toEqual(["GetApi", "GetIntegrations", "UpdateIntegration"]);
    // The parameters go as live has them: the key that cannot be removed stays, and nothing is "".
    expect(updates(SQS)).toEqual([
      {
        integrationSubtype: "SQS-SendMessage",
        integrationType: "AWS_PROXY",
        timeoutInMillis: 10000,
        requestParameters: { ...SQS_DECLARED.requestParameters, DelaySeconds: "5" },
      },
    ]);
    expect(emulator().getIntegration(API, SQS)).toMatchObject({
      timeoutInMillis: 10000,
      requestParameters: { ...SQS_DECLARED.requestParameters, DelaySeconds: "5" },
    });
    const again = await cli("plan");
    expect(resultFor(again.report, SQS)).toMatchObject({
      status: "DRIFTED",
      diffs: [{ path: "/requestParameters/DelaySeconds", kind: "added", actual: "5" }],
    });
    expectNoEmptyParameter();
  });
});

describe("a changed subtype", () => {
  const CHANGED = FILE.replace(
    "integrationSubtype: SQS-SendMessage",
    "integrationSubtype: SQS-ReceiveMessage",
  );
  const REFUSAL =
    'integrationSubtype cannot be changed in place (live "SQS-SendMessage", the file "SQS-ReceiveMessage"): delete the integration and create it with the new subtype, or declare the live one';

  it("is refused at plan, naming what to do, and FAILED in apply without a call", async () => {
    await start({}, CHANGED);
    const plan = await cli("plan", "--detailed-exitcode");
    expect(plan.code).toBe(2);
    expect(resultFor(plan.report, SQS)).toEqual({
      apiId: API,
      integrationId: SQS,
      status: "DRIFTED",
      diffs: [
        {
          path: "/integrationSubtype",
          kind: "changed",
          expected: "SQS-ReceiveMessage",
          actual: "SQS-SendMessage",
        },
      ],
      error: { name: "CannotFixInPlace", message: REFUSAL },
    });
    const sent = mark();
    const apply = await cli("apply");
    expect(resultFor(apply.report, SQS)).toMatchObject({
      status: "FAILED",
      error: { name: "CannotFixInPlace", message: REFUSAL },
    });
    expect(resultFor(apply.report, EVENTS).status).toBe("IN_SYNC");
    expect(sent()).toEqual(["GetApi", "GetIntegrations"]);
    expect(emulator().getIntegration(API, SQS)?.integrationSubtype).toBe("SQS-SendMessage");
  });
});
