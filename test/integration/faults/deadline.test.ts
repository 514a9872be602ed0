/**
 * Fault matrix: the deadline reached mid-run, with history and the lease on dynalite. The run's clock
 * ticks one second per call the emulator receives: deterministic, yet over real HTTP.
 * test/integration/reconcile.test.ts checks the report alone; test/unit/reconcile/reconcile.test.ts the
 * deadline between reads; test/integration/lambda.test.ts a Lambda with no time left.
 */
import { describe, expect, it } from "vitest";
import type { Emulator } from "../../../emulator/server.ts";
import type { DesiredState } from "../../../lib/desired-state/state.ts";
import type { DynamoLease } from "../../../lib/history/lease.ts";
import type { DynamoHistory } from "../../../lib/history/store.ts";
import {
  type DriftedWorld,
  driftedWorld,
  faultApply,
  faultGateway,
  keyOf,
  mark,
  useFaultWorld,
  WS_API,
} from "../../helpers/fault-matrix.ts";
import { expectNoDriftLost, readRun } from "../../helpers/no-drift-lost.ts";

let emulator: Emulator;
let example: DesiredState;
let history: DynamoHistory;
let lease: DynamoLease;
useFaultWorld(
  (world) => {
    ({ emulator, example, history, lease } = world);
  },
  { compressJitter: false },
);

/** One apply, one call at a time, whose clock reads `t0` plus a second per call since it started. */
function applyWithDeadline(world: DriftedWorld, secondsOfWork: number) {
  const t0 = Date.now();
  const since = mark(emulator);
  const now = () => t0 + (emulator.calls.count() - since) * 1000;
  const live = faultGateway({ limiter: { rate: 1000, burst: 1000, concurrency: 1 } });
  const run = () =>
    faultApply({
      world: { desired: world.desired },
      revision: "deadline",
      gateway: live,
      history,
      lease,
      now,
      deadline: t0 + secondsOfWork * 1000 + 500,
      concurrency: 1,
    });
  return { run, live, since };
}

const next = (world: DriftedWorld) => () =>
  faultApply({
    world: { desired: world.desired },
    revision: "deadline",
    gateway: { gateway: faultGateway().gateway },
    history,
    lease,
  });

describe("the deadline reached mid-run", () => {
  it("defers the writes not started, records them DEFERRED, and the next run does only those", async () => {
    const world = driftedWorld(emulator, example, { bulk: 5, webSocketDrift: true });
    // 2 GetApi + 2 GetIntegrations, then room for 3 updates of the 7.
    const { run, live, since } = applyWithDeadline(world, 4 + 2);

    const report = await run();

    expect(report.status).toBe("PARTIAL");
    expect(report.summary).toMatchObject({ UPDATED: 3, DEFERRED: 4 });
    for (const r of report.integrations.filter((x) => x.status === "DEFERRED")) {
      expect(r.diffs.length, `${keyOf(r)} keeps its drift`).toBeGreaterThan(0);
    }
    const after = await expectNoDriftLost(report, {
      ...world,
      recorded: await readRun(history, report),
      writes: live.writes,
      emulator,
      since,
      next: next(world),
    });
    const deferred = report.integrations.filter((r) => r.status === "DEFERRED").map(keyOf);
    expect(after!.integrations.filter((r) => r.status === "UPDATED").map(keyOf)).toEqual(deferred);
  });

  it("defers an API it had no time to read, with every declared integration, and the next run converges", async () => {
    const world = driftedWorld(emulator, example, { bulk: 2, webSocketDrift: true });
    // 2 GetApi and the HTTP API's listing (the first read): then the deadline.
    const { run, live, since } = applyWithDeadline(world, 2);

    const report = await run();

    expect(report.status).toBe("PARTIAL");
    // The WebSocket API was never read: each declared integration is DEFERRED, its drift unknown yet.
    const unread = report.integrations.filter((r) => r.apiId === WS_API);
    expect(unread.map((r) => [r.integrationId, r.status, r.diffs])).toEqual([
      ["cnx1a2b", "DEFERRED", []],
      ["hbt7e8f", "DEFERRED", []],
      ["msg5c6d", "DEFERRED", []],
    ]);
    // The HTTP API was read, but its writes would start after the deadline.
    expect(report.summary).toMatchObject({ UPDATED: 0, DEFERRED: 5 });
    expect(emulator.calls.count({ operation: "UpdateIntegration" })).toBe(0);
    await expectNoDriftLost(report, {
      ...world,
      recorded: await readRun(history, report),
      writes: live.writes,
      emulator,
      since,
      next: next(world),
    });
  });
});
