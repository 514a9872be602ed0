import { describe, expect, it } from "vitest";
import { inSyncSince, lastSeenInSync, RUNS_READ } from "../../../lib/history/in-sync.ts";
import type { DriftEvent, RunRecord } from "../../../lib/history/items.ts";
import type { EventQuery, RunQuery } from "../../../lib/history/query.ts";
import { summarise } from "../../../lib/plan/report.ts";

const T = (h: number) => `2026-03-01T${String(h).padStart(2, "0")}:00:00.000Z`;
const target = { apiId: "api1", integrationId: "int1" };

function run(runId: string, startedAt: string, extra: Partial<RunRecord> = {}): RunRecord {
  return {
    runId,
    startedAt,
    finishedAt: startedAt,
    mode: "plan",
    desiredRevision: "r",
    status: "DRIFTED",
    summary: { ...summarise([]), IN_SYNC: 3 },
    apiCalls: {},
    errors: [],
    warnings: [],
    events: 0,
    ...extra,
  };
}

function event(
  runId: string,
  status: DriftEvent["status"],
  apiId = "api1",
  integrationId = "int1",
): DriftEvent {
  return {
    runId,
    at: T(0),
    mode: "plan",
    desiredRevision: "r",
    apiId,
    integrationId,
    status,
    action: null,
    diffs: [],
    error: null,
    changedBy: null,
  };
}

describe(inSyncSince.name, () => {
  it("is the start of the newest run that looked at it and recorded no drift event for it", () => {
    const runs = [run("r3", T(3)), run("r2", T(2)), run("r1", T(1))];
    expect(inSyncSince(runs, [event("r3", "DRIFTED"), event("r2", "DRIFTED")], target)).toBe(T(1));
  });

  it("is the start of the run that fixed it: its own write is the tool's, skipped anyway", () => {
    const runs = [run("r3", T(3)), run("r2", T(2)), run("r1", T(1))];
    expect(inSyncSince(runs, [event("r3", "DRIFTED"), event("r2", "UPDATED")], target)).toBe(T(2));
    expect(inSyncSince(runs, [event("r3", "MISSING"), event("r2", "DELETED")], target)).toBe(T(2));
  });

  it("walks through failed, deferred and missing sightings: the drift was still there", () => {
    const runs = [run("r4", T(4)), run("r3", T(3)), run("r2", T(2)), run("r1", T(1))];
    const events = [event("r4", "FAILED"), event("r3", "DEFERRED"), event("r2", "MISSING")];
    expect(inSyncSince(runs, events, target)).toBe(T(1));
  });

  it("skips runs that did not look at it: another selection, or nothing read at all", () => {
    const runs = [
      run("r5", T(5), { scope: { integrationIds: ["other"] } }),
      run("r4", T(4), { scope: { apiIds: ["api2"] } }),
      run("r3", T(3), { status: "FAILED", summary: summarise([]) }),
      run("r2", T(2), { scope: { apiIds: ["api1"], integrationIds: ["int1"] } }),
    ];
    expect(inSyncSince(runs, [], target)).toBe(T(2));
  });

  it("reads only the integration's own events: another API's integration of the same id is not it", () => {
    const runs = [run("r2", T(2)), run("r1", T(1))];
    expect(inSyncSince(runs, [event("r2", "DRIFTED", "api2")], target)).toBe(T(2));
  });

  it("is undefined when every run read saw it drifted, or there is none", () => {
    expect(inSyncSince([run("r1", T(1))], [event("r1", "DRIFTED")], target)).toBeUndefined();
    expect(inSyncSince([], [], target)).toBeUndefined();
  });
});

describe(lastSeenInSync.name, () => {
  it("reads the runs before this one once, then each integration's events since the oldest of them", async () => {
    const queries: unknown[] = [];
    const reader = {
      runs: async (q: RunQuery) => {
        queries.push(["runs", q]);
        return { items: [run("r2", T(2)), run("r1", T(1))] };
      },
      events: async (q: EventQuery) => {
        queries.push(["events", q]);
        return { items: q.integrationId === "int1" ? [event("r2", "DRIFTED")] : [] };
      },
    };
    const since = await lastSeenInSync(
      reader,
      [target, { apiId: "api1", integrationId: "int2" }],
      Date.parse(T(3)),
    );
    expect([...since]).toEqual([
      ["api1/int1", T(1)],
      ["api1/int2", T(2)],
    ]);
    expect(queries).toEqual([
      ["runs", { until: "2026-03-01T02:59:59.999Z", limit: RUNS_READ }],
      ["events", { apiId: "api1", integrationId: "int1", since: T(1), limit: RUNS_READ + 10 }],
      ["events", { apiId: "api1", integrationId: "int2", since: T(1), limit: RUNS_READ + 10 }],
    ]);
  });

  it("knows nothing, and reads no events, when no run was recorded", async () => {
    const reader = {
      runs: async () => ({ items: [] }),
      events: async (): Promise<never> => {
        throw new Error("not read");
      },
    };
    expect([...(await lastSeenInSync(reader, [target], 0))]).toEqual([["api1/int1", undefined]]);
    expect([...(await lastSeenInSync(reader, [], 0))]).toEqual([]);
  });
});
