/**
 * Notifications over real HTTP: decided from successive runs' results, sent through the SDK's standard
 * configuration (AWS_ENDPOINT_URL_EVENTBRIDGE) to the EventBridge emulator, failed entries retried.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type EventBridgeEmulator, startEventBridgeEmulator } from "../../emulator/eventbridge.ts";
import { decideNotifications, type NotifiedState, type NotifyResult } from "../../lib/notify/decide.ts";
import { createEventBridgeClient, sendNotifications } from "../../lib/notify/send.ts";

let bus: EventBridgeEmulator;
const fast = { sleep: async () => {}, random: () => 0 };

beforeEach(async () => {
  bus = await startEventBridgeEmulator();
  vi.stubEnv("AWS_ENDPOINT_URL_EVENTBRIDGE", bus.url);
  vi.stubEnv("AWS_REGION", "eu-west-1");
  vi.stubEnv("AWS_ACCESS_KEY_ID", "test");
  vi.stubEnv("AWS_SECRET_ACCESS_KEY", "test");
});

afterEach(async () => {
  vi.unstubAllEnvs();
  await bus.close();
});

const drifted = (integrationId: string, status = "DRIFTED"): NotifyResult => ({
  apiId: "api1",
  integrationId,
  status,
  // An API in observe mode: a drift seen again is announced as unresolved (PRODUCT §8).
  ...(status === "DRIFTED" ? { observed: true as const } : {}),
  diffs:
    status === "DRIFTED" || status === "UPDATED"
      ? [{ path: "/timeoutInMillis", kind: "changed", expected: 30000, actual: 5000 }]
      : [],
  ...(status === "UPDATED"
    ? {
        changedBy: {
          principal: "arn:aws:iam::123456789012:user/bob",
          at: "2026-03-01T11:00:00.000Z",
          eventName: "UpdateIntegration",
          eventId: "e9",
        },
      }
    : {}),
});

describe("notifications over HTTP", () => {
  it("sends one Detected for a drift seen on three runs and one Reverted for its fix", async () => {
    const client = createEventBridgeClient();
    let state: ReadonlyMap<string, NotifiedState> = new Map();
    const statuses = ["DRIFTED", "DRIFTED", "DRIFTED", "UPDATED"];
    for (const [i, status] of statuses.entries()) {
      const decision = decideNotifications(state, [drifted("int1", status)], {
        runId: `run-${i + 1}`,
        desiredRevision: "abc",
        account: "123456789012",
        region: "eu-west-1",
      });
      state = decision.next;
      const report = await sendNotifications(client, decision.notifications, fast);
      expect(report.failed).toEqual([]);
    }
    const events = bus.events();
    expect(events.map((e) => [e.source, e.detailType, e.bus])).toEqual([
      ["apigw-drift", "Integration Drift Detected", "default"],
      ["apigw-drift", "Integration Drift Unresolved", "default"],
      ["apigw-drift", "Integration Drift Reverted", "default"],
    ]);
    expect(events.filter((e) => e.detailType === "Integration Drift Detected")).toHaveLength(1);
    expect(events[2]!.detail).toEqual({
      apiId: "api1",
      integrationId: "int1",
      status: "UPDATED",
      diffs: [{ path: "/timeoutInMillis", kind: "changed", expected: 30000, actual: 5000 }],
      changedBy: {
        principal: "arn:aws:iam::123456789012:user/bob",
        at: "2026-03-01T11:00:00.000Z",
        eventName: "UpdateIntegration",
        eventId: "e9",
      },
      runId: "run-4",
      desiredRevision: "abc",
      account: "123456789012",
      region: "eu-west-1",
    });
    client.destroy();
  });

  it("batches by 10 and resends the entries the bus failed, until every one is in", async () => {
    bus.failEntries({ errorCode: "ThrottlingException", errorMessage: "Rate exceeded", times: 3 });
    bus.failEntries({
      errorCode: "InternalFailure",
      times: 2,
      match: (e) => String(e.Detail).includes('"int7"'),
    });
    const client = createEventBridgeClient();
    const { notifications } = decideNotifications(
      new Map(),
      Array.from({ length: 12 }, (_, i) => drifted(`int${i}`)),
      { runId: "run-1", desiredRevision: "abc" },
    );
    const report = await sendNotifications(client, notifications, fast);
    expect(report).toEqual({ sent: 12, failed: [], calls: 4 });
    expect(bus.calls.all().map((c) => (c.body as { Entries: unknown[] }).Entries.length)).toEqual([
      10, 2, 4, 1,
    ]);
    expect(
      bus
        .events()
        .map((e) => e.detail.integrationId)
        .sort(),
    ).toEqual(notifications.map((n) => n.detail.integrationId).sort());
    client.destroy();
  });

  it("reports what it could not send once the attempts run out", async () => {
    bus.failEntries({
      errorCode: "InternalFailure",
      errorMessage: "later",
      times: 10,
      match: (e) => String(e.Detail).includes('"int1"'),
    });
    const client = createEventBridgeClient();
    const { notifications } = decideNotifications(new Map(), [drifted("int0"), drifted("int1")], {
      runId: "r",
      desiredRevision: "abc",
    });
    const report = await sendNotifications(client, notifications, { ...fast, maxAttempts: 3 });
    expect(report.sent).toBe(1);
    expect(
      report.failed.map((f) => [f.notification.detail.integrationId, f.errorCode, f.errorMessage]),
    ).toEqual([["int1", "InternalFailure", "later"]]);
    expect(bus.calls.all()).toHaveLength(3);
    client.destroy();
  });

  it("rides out a failed call through the SDK's retry", async () => {
    bus.failNext({ status: 500, errorType: "InternalException", message: "boom" });
    const client = createEventBridgeClient();
    const { notifications } = decideNotifications(new Map(), [drifted("int0")], {
      runId: "r",
      desiredRevision: "abc",
    });
    expect(await sendNotifications(client, notifications, fast)).toEqual({ sent: 1, failed: [], calls: 1 });
    expect(bus.calls.all().map((c) => c.status)).toEqual([500, 200]);
    client.destroy();
  });
});
