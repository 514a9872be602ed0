import { describe, expect, it } from "vitest";
import { type AfterRunDeps, type NotificationStates, notifyAfterRun } from "../../../lib/notify/after-run.ts";
import type { Notification, NotifiedState } from "../../../lib/notify/decide.ts";
import { driftFingerprint } from "../../../lib/notify/decide.ts";
import type { IntegrationResult } from "../../../lib/plan/report.ts";

const TIMEOUT = [{ path: "/timeoutInMillis", kind: "changed" as const, expected: 1, actual: 2 }];
const drifted = (integrationId: string): IntegrationResult => ({
  apiId: "api1",
  integrationId,
  status: "DRIFTED",
  diffs: TIMEOUT,
});
const report = (integrations: IntegrationResult[]) => ({
  runId: "run-1",
  desiredRevision: "abc",
  integrations,
});

function states(initial: Record<string, NotifiedState> = {}, fail: { load?: Error; save?: Error } = {}) {
  const saved: Parameters<NotificationStates["save"]>[0][] = [];
  const store: NotificationStates = {
    load: async () => {
      if (fail.load) throw fail.load;
      return new Map(Object.entries(initial));
    },
    save: async (changes) => {
      if (fail.save) throw fail.save;
      saved.push(changes);
    },
  };
  return { store, saved };
}

function deps(store: NotificationStates, send: AfterRunDeps["send"]): AfterRunDeps {
  return { states: store, send, now: () => Date.parse("2026-03-01T12:00:00Z") };
}
const sendAll: AfterRunDeps["send"] = async (n) => ({ sent: n.length, failed: [], calls: 1 });

describe(notifyAfterRun.name, () => {
  it("sends what changed and keeps the new states, clearing the reverted ones", async () => {
    const drift = driftFingerprint(drifted("b"));
    const { store, saved } = states({ "api1/b": { kind: "detected", drift } });
    const fixed: IntegrationResult = { ...drifted("b"), status: "UPDATED" };
    const outcome = await notifyAfterRun(report([drifted("a"), fixed]), deps(store, sendAll));
    expect(outcome.notifications.map((n) => [n.detailType, n.detail.integrationId])).toEqual([
      ["Integration Drift Detected", "a"],
      ["Integration Drift Reverted", "b"],
    ]);
    expect([outcome.sent, outcome.warnings]).toEqual([2, []]);
    expect(saved).toEqual([
      {
        put: new Map([
          [
            "api1/a",
            { kind: "detected", drift: driftFingerprint(drifted("a")), apiId: "api1", integrationId: "a" },
          ],
        ]),
        remove: [{ apiId: "api1", integrationId: "b" }],
      },
    ]);
  });

  it("writes nothing when nothing changed", async () => {
    const { store, saved } = states({
      "api1/a": { kind: "unresolved", drift: driftFingerprint(drifted("a")) },
    });
    const outcome = await notifyAfterRun(report([drifted("a")]), deps(store, sendAll));
    expect([outcome.notifications, saved]).toEqual([[], []]);
  });

  it("leaves the state of a notification it could not send as it was, so the next run sends it", async () => {
    const { store, saved } = states();
    const send: AfterRunDeps["send"] = async (n) => ({
      sent: 1,
      calls: 1,
      failed: [{ notification: n[1] as Notification, errorCode: "InternalFailure", errorMessage: "later" }],
    });
    const outcome = await notifyAfterRun(report([drifted("a"), drifted("b")]), deps(store, send));
    expect(outcome.warnings).toEqual([
      "1 of 2 notifications were not sent to EventBridge (InternalFailure: later); the next run sends them again",
    ]);
    expect([...saved[0]!.put.keys()]).toEqual(["api1/a"]);
  });

  it("counts a send that throws as every notification failed", async () => {
    const { store, saved } = states();
    const outcome = await notifyAfterRun(
      report([drifted("a")]),
      deps(store, async () => {
        throw Object.assign(new Error("socket hang up"), { name: "ECONNRESET" });
      }),
    );
    expect([outcome.sent, outcome.warnings, saved]).toEqual([
      0,
      [
        "1 of 1 notifications were not sent to EventBridge (ECONNRESET: socket hang up); the next run sends them again",
      ],
      [],
    ]);
  });

  it("sends nothing without the previous states, and warns when the new ones are not saved", async () => {
    let sent = 0;
    const counting: AfterRunDeps["send"] = async (n) => {
      sent += n.length;
      return { sent: n.length, failed: [], calls: 1 };
    };
    const unreadable = await notifyAfterRun(
      report([drifted("a")]),
      deps(
        states({}, { load: new Error("reading the notification states from table t failed: boom") }).store,
        counting,
      ),
    );
    expect([unreadable.warnings, sent]).toEqual([
      [
        "no notifications were sent: reading the notification states from table t failed: boom; the next run decides them again",
      ],
      0,
    ]);
    const unsaved = await notifyAfterRun(
      report([drifted("a")]),
      deps(states({}, { save: new Error("throttled") }).store, counting),
    );
    expect([unsaved.warnings, sent]).toEqual([
      ["the notification states were not saved (throttled); the next run may announce these changes again"],
      1,
    ]);
  });
});
