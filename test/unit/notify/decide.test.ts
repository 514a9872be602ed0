import { describe, expect, it } from "vitest";
import {
  type DetailType,
  decideNotifications,
  driftFingerprint,
  type NotifiedState,
  type NotifyResult,
} from "../../../lib/notify/decide.ts";

const run = (n: number) => ({ runId: `run-${n}`, desiredRevision: "abc123" });
const diffs = [{ path: "/timeoutInMillis", kind: "changed", expected: 30000, actual: 5000 }];
const alice = {
  principal: "arn:aws:sts::123456789012:assumed-role/Admin/alice",
  at: "2026-03-01T11:00:00.000Z",
  eventName: "UpdateIntegration",
  eventId: "e1",
};
const result = (status: string, extra: Partial<NotifyResult> = {}): NotifyResult => ({
  apiId: "api1",
  integrationId: "int1",
  status,
  diffs: status === "IN_SYNC" || status === "MISSING" ? [] : diffs,
  ...extra,
});

/** Runs the decision over successive runs, carrying the state as history would; the detail types sent. */
function runs(...statuses: (string | NotifyResult)[]): DetailType[][] {
  let state: ReadonlyMap<string, NotifiedState> = new Map();
  return statuses.map((s, i) => {
    const decision = decideNotifications(state, [typeof s === "string" ? result(s) : s], run(i + 1));
    state = decision.next;
    return decision.notifications.map((n) => n.detailType);
  });
}

describe(decideNotifications.name, () => {
  it("announces a drift seen on three runs in observe mode once as detected and once as unresolved, and its fix once", () => {
    const observed = result("DRIFTED", { observed: true });
    expect(runs(observed, observed, observed, "UPDATED", "IN_SYNC")).toEqual([
      ["Integration Drift Detected"],
      ["Integration Drift Unresolved"],
      [],
      ["Integration Drift Reverted"],
      [],
    ]);
  });

  it("announces a drift the apply fixed in the same run as reverted, with who changed it", () => {
    const decision = decideNotifications(new Map(), [result("UPDATED", { changedBy: alice })], run(7));
    expect(decision.notifications).toEqual([
      {
        detailType: "Integration Drift Reverted",
        detail: {
          apiId: "api1",
          integrationId: "int1",
          status: "UPDATED",
          diffs,
          changedBy: alice,
          runId: "run-7",
          desiredRevision: "abc123",
        },
      },
    ]);
    expect(decision.next).toEqual(new Map());
  });

  it("announces a standing drift outside observe mode (a dry run, a MISSING integration) once, as detected", () => {
    expect(runs("DRIFTED", "DRIFTED", "DRIFTED")).toEqual([["Integration Drift Detected"], [], []]);
    expect(runs("MISSING", "MISSING", "MISSING")).toEqual([["Integration Drift Detected"], [], []]);
  });

  it("announces a different drift of the same integration anew", () => {
    const other = result("DRIFTED", {
      diffs: [{ path: "/description", kind: "added", actual: "x" }],
      observed: true,
    });
    expect(runs("DRIFTED", other, other)).toEqual([
      ["Integration Drift Detected"],
      ["Integration Drift Detected"],
      ["Integration Drift Unresolved"],
    ]);
  });

  it("announces a failed fix as unresolved once, the same drift in a later plan not again", () => {
    const failed = result("FAILED", {
      error: { name: "GatewayError", message: "UpdateIntegration api1/int1 failed" },
    });
    expect(runs("DRIFTED", failed, failed, "DRIFTED", "UPDATED")).toEqual([
      ["Integration Drift Detected"],
      ["Integration Drift Unresolved"],
      [],
      [],
      ["Integration Drift Reverted"],
    ]);
    const first = decideNotifications(new Map(), [failed], run(1)).notifications[0]!;
    expect(first.detail.error).toEqual({
      name: "GatewayError",
      message: "UpdateIntegration api1/int1 failed",
    });
  });

  it("starts over after a drift went back in sync on its own", () => {
    expect(runs("DRIFTED", "IN_SYNC", "DRIFTED")).toEqual([
      ["Integration Drift Detected"],
      [],
      ["Integration Drift Detected"],
    ]);
  });

  it("keeps the state through runs that did not look (DEFERRED, SKIPPED)", () => {
    const observed = result("DRIFTED", { observed: true });
    expect(runs(observed, "DEFERRED", "SKIPPED_IN_USE", observed)).toEqual([
      ["Integration Drift Detected"],
      [],
      [],
      ["Integration Drift Unresolved"],
    ]);
  });

  it("treats an undeclared integration planned for pruning as drift and its prune as the fix", () => {
    const planned = result("UNMANAGED", { action: "delete", diffs: [] });
    expect(runs(planned, "UNMANAGED", "DELETED")).toEqual([
      ["Integration Drift Detected"],
      [],
      ["Integration Drift Reverted"],
    ]);
  });

  it("treats an undeclared integration an observed API would prune as drift: detected once, then unresolved once", () => {
    // Observe mode strips the delete (nothing is written) and marks the result observed.
    const held = result("UNMANAGED", { observed: true, diffs: [] });
    expect(runs(held, held, held, "UNMANAGED")).toEqual([
      ["Integration Drift Detected"],
      ["Integration Drift Unresolved"],
      [],
      [],
    ]);
  });

  it("decides for many integrations in (api, integration) order, leaving others' state alone", () => {
    const previous = new Map<string, NotifiedState>([["api0/old", { kind: "detected", drift: "f" }]]);
    const decision = decideNotifications(
      previous,
      [
        result("DRIFTED", { apiId: "b", integrationId: "1" }),
        result("MISSING", { apiId: "a", integrationId: "2" }),
        result("DRIFTED", { apiId: "a", integrationId: "1" }),
      ],
      run(1),
    );
    expect(decision.notifications.map((n) => `${n.detail.apiId}/${n.detail.integrationId}`)).toEqual([
      "a/1",
      "a/2",
      "b/1",
    ]);
    expect([...decision.next.keys()].sort()).toEqual(["a/1", "a/2", "api0/old", "b/1"]);
    expect(previous.size).toBe(1);
  });
});

describe(driftFingerprint.name, () => {
  it("ignores the order of diffs and the status of a failed fix, but not the drift's kind", () => {
    const two = [
      { path: "/a", kind: "changed", expected: 1, actual: 2 },
      { path: "/b", kind: "removed", expected: "x" },
    ];
    expect(driftFingerprint(result("DRIFTED", { diffs: two }))).toBe(
      driftFingerprint(result("FAILED", { diffs: [...two].reverse() })),
    );
    expect(driftFingerprint(result("MISSING", { diffs: [] }))).not.toBe(
      driftFingerprint(result("DRIFTED", { diffs: [] })),
    );
    expect(driftFingerprint(result("DRIFTED"))).toMatch(/^[0-9a-f]{32}$/);
  });
});
