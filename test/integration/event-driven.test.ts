/**
 * The event-driven path and notifications through the function's own handler and runtime (PRODUCT §8),
 * over real HTTP: the API Gateway emulator (its writes feeding the CloudTrail emulator), dynalite for
 * history and the lease, the EventBridge emulator for notifications. The SQS batches carry EventBridge
 * events built from the very CloudTrail records the console-style changes left.
 */
import { QueryCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import {
  type CloudTrailEmulator,
  type CloudTrailRecord,
  startCloudTrailEmulator,
} from "../../emulator/cloudtrail.ts";
import { type EventBridgeEmulator, startEventBridgeEmulator } from "../../emulator/eventbridge.ts";
import type { Emulator } from "../../emulator/server.ts";
import type { HandlerDeps } from "../../functions/reconcile/app.ts";
import { createReconcileHandler } from "../../functions/reconcile/app.ts";
import { createFunctionDeps } from "../../functions/reconcile/runtime.ts";
import { type DesiredState, documents, stateFromDocuments } from "../../lib/desired-state/state.ts";
import { DynamoLease } from "../../lib/history/lease.ts";
import { DynamoHistory } from "../../lib/history/store.ts";
import { historyTable, startDynalite } from "../helpers/dynalite.ts";
import { captureOutput, jsonLines, lambdaContext } from "../helpers/lambda-harness.ts";
import {
  ALICE,
  ALICE_KEY,
  consoleCreate,
  consoleUpdate,
  eventBridgeEvent,
  FUNCTION_KEY,
  FUNCTION_ROLE,
  PRINCIPALS,
  sqsBatch,
} from "../helpers/trail.ts";
import { startWorld } from "../helpers/world.ts";

const API = "a1b2c3d4e5";
const ID = "lmb7k2q";
const REVISION = "0123456789abcdef0123456789abcdef01234567";

let dynamo: Awaited<ReturnType<typeof startDynalite>>;
let emulator: Emulator;
let trail: CloudTrailEmulator;
let bus: EventBridgeEmulator;
let closeWorld: () => Promise<void>;
let state: DesiredState;
/** The example desired state, as the world was seeded from it. */
let example: DesiredState;
let table: string;
let deps: HandlerDeps;

beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo.close();
});

beforeEach(async () => {
  trail = await startCloudTrailEmulator({ principals: PRINCIPALS, throttle: false });
  bus = await startEventBridgeEmulator();
  let desired: DesiredState;
  ({ emulator, desired, close: closeWorld } = await startWorld({ onWrite: trail.onWrite }));
  state = desired;
  example = desired;
  table = await historyTable(dynamo.client);
  vi.stubEnv("AWS_ENDPOINT_URL_CLOUDTRAIL", trail.url);
  vi.stubEnv("AWS_ENDPOINT_URL_EVENTBRIDGE", bus.url);
  vi.stubEnv("AWS_ENDPOINT_URL_DYNAMODB", dynamo.endpoint);
  // The function's own credentials: CloudTrail records its writes under its role's session.
  vi.stubEnv("AWS_ACCESS_KEY_ID", FUNCTION_KEY);
  vi.stubEnv("POWERTOOLS_METRICS_DISABLED", "true");
  // Quiet, but for the tests that read the logs (listening()).
  vi.stubEnv("POWERTOOLS_LOG_LEVEL", "SILENT");
  deps = functionDeps();
});

/** The function's dependencies as its cold start builds them, with this test's desired state. */
function functionDeps(): HandlerDeps {
  const built = createFunctionDeps({
    DRIFT_HISTORY_TABLE: table,
    RECONCILE_MODE: "apply",
    APIGW_DRIFT_ROLE_ARN: FUNCTION_ROLE,
  });
  built.desired = async () => ({ state, revision: REVISION });
  return built;
}

/** A cold start whose logger writes INFO and up, for a test that reads the logs. */
function listening(): void {
  vi.stubEnv("POWERTOOLS_LOG_LEVEL", "INFO");
  deps = functionDeps();
}
afterEach(async () => {
  await (await deps.runtime()).close();
  await closeWorld();
  await trail.close();
  await bus.close();
  vi.unstubAllEnvs();
});

const handler = () => createReconcileHandler(deps);
const byArn = (arn: string) => (r: CloudTrailRecord) => (r.userIdentity as { arn: string }).arn === arn;

/** An integration alice creates by hand on the orders API, which git does not declare; its id. */
const aliceCreatesAStray = () =>
  consoleCreate(emulator.url, ALICE_KEY, {
    ApiId: API,
    IntegrationType: "HTTP_PROXY",
    IntegrationMethod: "GET",
    IntegrationUri: "https://stray.example.com",
    PayloadFormatVersion: "1.0",
  });

/** The desired state with the orders API's file changed. */
function withOrders(change: Record<string, unknown>): DesiredState {
  return stateFromDocuments(
    documents(example).map((d) => (d.doc.apiId === API ? { ...d, doc: { ...d.doc, ...change } } : d)),
  );
}

describe("an SQS batch of CloudTrail integration writes", () => {
  it("fixes exactly the declared integration it names twice, in 3 API Gateway calls, named from the event, and ignores an unknown API", async () => {
    await consoleUpdate(emulator.url, ALICE_KEY, { ApiId: API, IntegrationId: ID, TimeoutInMillis: 12_345 });
    const record = trail.records().find(byArn(ALICE))!;
    const unknown = {
      ...record,
      eventID: "99999999-0000-4000-8000-000000000009",
      requestParameters: { ...(record.requestParameters as object), apiId: "zz9yy8xx7w" },
    };
    const batch = sqsBatch([eventBridgeEvent(record), eventBridgeEvent(record), eventBridgeEvent(unknown)]);
    emulator.calls.reset();
    trail.calls.reset();
    listening();

    const { value, output } = await captureOutput(() => handler()(batch, lambdaContext()));
    const { batchItemFailures, report } = value!;

    expect(batchItemFailures).toEqual([]);
    expect(emulator.calls.operations()).toEqual(["GetApi", "GetIntegration", "UpdateIntegration"]);
    const changedBy = {
      principal: ALICE,
      at: new Date(record.eventTime).toISOString(),
      eventName: "UpdateIntegration",
      eventId: record.eventID,
      sourceIpAddress: "127.0.0.1",
      userAgent: record.userAgent,
    };
    expect(report.integrations).toEqual([
      {
        apiId: API,
        integrationId: ID,
        status: "UPDATED",
        action: "update",
        diffs: [{ path: "/timeoutInMillis", kind: "changed", expected: 10000, actual: 12345 }],
        changedBy,
      },
    ]);
    expect(report).toMatchObject({ status: "RECONCILED", scope: { apiIds: [API], integrationIds: [ID] } });
    expect(emulator.getIntegration(API, ID)?.timeoutInMillis).toBe(10_000);
    // From the event itself: CloudTrail was never asked.
    expect(trail.calls.all()).toEqual([]);

    const logs = jsonLines(output);
    expect(logs.find((l) => l.message === "integration")).toMatchObject({ integrationId: ID, changedBy });
    expect(logs.filter((l) => l.message === "event ignored")).toEqual([
      expect.objectContaining({
        messageId: "m3",
        apiId: "zz9yy8xx7w",
        reason: "the API has no desired-state file",
        principal: ALICE,
      }),
    ]);
    const events = await new DynamoHistory({ client: dynamo.client, tableName: table }).events({
      integrationId: ID,
    });
    expect(events.items.map((e) => [e.status, e.changedBy?.principal])).toEqual([["UPDATED", ALICE]]);
    // Its fix is announced: nothing was announced before, so the drift and its revert in one.
    expect(bus.events().map((e) => [e.detailType, e.detail.integrationId])).toEqual([
      ["Integration Drift Reverted", ID],
    ]);
  });

  it("fails every record back and writes nothing while another apply holds the lease", async () => {
    await consoleUpdate(emulator.url, ALICE_KEY, { ApiId: API, IntegrationId: ID, TimeoutInMillis: 12_345 });
    await consoleUpdate(emulator.url, ALICE_KEY, {
      ApiId: API,
      IntegrationId: "prx3m9a",
      TimeoutInMillis: 9_000,
    });
    const records = trail.records().filter(byArn(ALICE));
    await new DynamoLease({ client: dynamo.client, tableName: table }).acquire("another-run", 60_000);
    emulator.calls.reset();

    const { batchItemFailures, report } = await handler()(
      sqsBatch(records.map(eventBridgeEvent)),
      lambdaContext(),
    );

    expect(batchItemFailures).toEqual([{ itemIdentifier: "m1" }, { itemIdentifier: "m2" }]);
    expect(report.status).toBe("FAILED");
    expect(report.errors[0]?.message).toMatch(/^another apply run \(another-run\) holds the lease until /);
    expect(emulator.calls.operations().filter((op) => !op.startsWith("Get"))).toEqual([]);
    expect(emulator.getIntegration(API, ID)?.timeoutInMillis).toBe(12_345);
  });

  it("prunes an integration created by hand on a pruning API, ignores the function's own writes, and fails back what is not an event", async () => {
    state = withOrders({ prune: true });
    const stray = await aliceCreatesAStray();
    await consoleUpdate(emulator.url, FUNCTION_KEY, { ApiId: API, IntegrationId: ID, Description: "own" });
    const created = trail.records().find(byArn(ALICE))!;
    const own = trail.records().find(byArn(PRINCIPALS[FUNCTION_KEY]!.arn))!;
    emulator.calls.reset();
    listening();

    const { value, output } = await captureOutput(() =>
      handler()(sqsBatch([eventBridgeEvent(created), eventBridgeEvent(own), "not json"]), lambdaContext()),
    );

    expect(value!.batchItemFailures).toEqual([{ itemIdentifier: "m3" }]);
    expect(value!.report.integrations).toEqual([
      {
        apiId: API,
        integrationId: stray,
        status: "DELETED",
        action: "delete",
        diffs: [],
        changedBy: expect.objectContaining({ principal: ALICE, eventName: "CreateIntegration" }),
      },
    ]);
    expect(emulator.calls.operations()).toEqual([
      "GetApi",
      "GetIntegration",
      "GetRoutes",
      "DeleteIntegration",
    ]);
    const logs = jsonLines(output);
    expect(logs.filter((l) => l.message === "event ignored").map((l) => [l.messageId, l.reason])).toEqual([
      ["m2", "the tool's own write"],
    ]);
    expect(logs.find((l) => l.message === "event refused")).toMatchObject({
      messageId: "m3",
      reason: "the body is not JSON",
    });
  });

  it("leaves an undeclared integration alone on an API that does not prune, and does not run at all", async () => {
    const stray = await aliceCreatesAStray();
    emulator.calls.reset();
    const { batchItemFailures, report } = await handler()(
      sqsBatch([eventBridgeEvent(trail.records().find(byArn(ALICE))!)]),
      lambdaContext(),
    );
    expect([batchItemFailures, report.status, report.integrations]).toEqual([[], "IN_SYNC", []]);
    expect(emulator.calls.operations()).toEqual([]);
    expect(emulator.getIntegration(API, stray)).toBeDefined();
  });
});

describe("notifications after each run", () => {
  const notified = async () =>
    (
      await dynamo.client.send(
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: "pk = :pk",
          ExpressionAttributeValues: { ":pk": { S: "NOTIFIED" } },
        }),
      )
    ).Items ?? [];

  it("announces a drift seen on three consecutive runs once as detected, and its fix once as reverted", async () => {
    await consoleUpdate(emulator.url, ALICE_KEY, { ApiId: API, IntegrationId: ID, TimeoutInMillis: 12_345 });
    // Observed, so the scheduled runs see the drift and leave it.
    state = withOrders({ mode: "observe" });
    for (let run = 0; run < 3; run++) {
      const report = await handler()({ mode: "apply" }, lambdaContext());
      expect(report.integrations.find((r) => r.integrationId === ID)).toMatchObject({
        status: "DRIFTED",
        observed: true,
        changedBy: { principal: ALICE },
      });
    }
    const detected = bus.events().filter((e) => e.detailType === "Integration Drift Detected");
    expect(detected).toHaveLength(1);
    expect(detected[0]).toMatchObject({
      source: "apigw-drift",
      bus: "default",
      detail: {
        apiId: API,
        integrationId: ID,
        status: "DRIFTED",
        diffs: [{ path: "/timeoutInMillis", kind: "changed", expected: 10000, actual: 12345 }],
        changedBy: { principal: ALICE, eventName: "UpdateIntegration" },
        desiredRevision: REVISION,
      },
    });
    expect(bus.events().map((e) => e.detailType)).toEqual([
      "Integration Drift Detected",
      "Integration Drift Unresolved",
    ]);
    expect((await notified()).map((i) => [i.sk?.S, i.kind?.S])).toEqual([[`${API}#${ID}`, "unresolved"]]);

    // Enforced again: the next run fixes it.
    state = withOrders({});
    const fixed = await handler()({ mode: "apply" }, lambdaContext());
    expect(fixed.integrations.find((r) => r.integrationId === ID)?.status).toBe("UPDATED");
    const reverted = bus.events().filter((e) => e.detailType === "Integration Drift Reverted");
    expect(reverted).toHaveLength(1);
    // Which account's integration it was: the function's own, from its ARN, on a run of one target.
    expect(reverted[0]!.detail).toMatchObject({
      integrationId: ID,
      status: "UPDATED",
      runId: fixed.runId,
      account: "123456789012",
      region: "eu-west-1",
    });
    expect(bus.events()).toHaveLength(3);
    expect(await notified()).toEqual([]);
    // In sync from now on: nothing more to say.
    await handler()({ mode: "apply" }, lambdaContext());
    expect(bus.events()).toHaveLength(3);
  });

  it("turns a notification EventBridge refuses into a warning, and sends it at the next run", async () => {
    emulator.overwriteIntegration(API, ID, { timeoutInMillis: 12_345 });
    state = withOrders({ mode: "observe" });
    bus.failEntries({ errorCode: "AccessDeniedException", errorMessage: "not allowed", times: 1 });
    listening();
    const { value, output } = await captureOutput(() => handler()({ mode: "apply" }, lambdaContext()));
    expect(value!.warnings).toEqual([
      {
        message:
          "1 of 1 notifications were not sent to EventBridge (AccessDeniedException: not allowed); the next run sends them again",
      },
    ]);
    // Observed drift stays: an apply that leaves drift is PARTIAL.
    expect(value!.status).toBe("PARTIAL");
    expect(jsonLines(output).find((l) => l.message === "notifications")).toMatchObject({
      level: "WARN",
      warning: value!.warnings[0]!.message,
    });
    expect(bus.events()).toEqual([]);
    expect(await notified()).toEqual([]);

    const next = (await captureOutput(() => handler()({ mode: "apply" }, lambdaContext()))).value!;
    expect(next.warnings).toEqual([]);
    expect(bus.events().map((e) => e.detailType)).toEqual(["Integration Drift Detected"]);
  });
});
