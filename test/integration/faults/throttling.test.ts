/**
 * Fault matrix: 429 storms. The emulator's token bucket (the account's quota, shrunk) plus a high share
 * of random 429s, on an apply that updates and prunes, with history and the lease on dynalite.
 * test/integration/reconcile.test.ts already proves a 30% storm ends with zero failed updates and the
 * limiter slowing down; this adds pruning next to managed and in-use integrations, history, and the
 * next run.
 */
import { describe, expect, it } from "vitest";
import type { Emulator } from "../../../emulator/server.ts";
import type { DesiredState } from "../../../lib/desired-state/state.ts";
import type { DynamoLease } from "../../../lib/history/lease.ts";
import type { DynamoHistory } from "../../../lib/history/store.ts";
import { driftedWorld, faultApply, faultGateway, mark, useFaultWorld } from "../../helpers/fault-matrix.ts";
import { expectNoDriftLost, readRun } from "../../helpers/no-drift-lost.ts";

let emulator: Emulator;
let example: DesiredState;
let history: DynamoHistory;
let lease: DynamoLease;
useFaultWorld((world) => {
  ({ emulator, example, history, lease } = world);
});

describe("a 429 storm", () => {
  it("updates or fails each drifted integration once, prunes only strays, records it all, and the next run converges", async () => {
    const world = driftedWorld(emulator, example, { bulk: 12, webSocketDrift: true, prune: { strays: 3 } });
    emulator.faults.configure({
      throttle: { ratePerSecond: 40, burst: 5 },
      tooManyRequests: { probability: 0.5 },
    });
    const since = mark(emulator);
    const live = faultGateway({ limiter: { rate: 400, burst: 20, concurrency: 8 } });
    const run = (gateway = live) =>
      faultApply({ world: { desired: world.desired }, revision: "storm", gateway: gateway, history, lease });

    const report = await run();

    expect(report.apiCalls.throttled).toBeGreaterThan(10);
    // Every throttled attempt is retried, except the last of an integration that ran out of attempts.
    expect(report.apiCalls.retries).toBeGreaterThanOrEqual(
      report.apiCalls.throttled! - report.summary.FAILED,
    );
    expect(live.limiter.rate, "the limiter slowed down").toBeLessThan(400);
    // Most of it goes through even at 50% random 429s; what does not is FAILED, never lost.
    expect(report.summary.UPDATED).toBeGreaterThan(world.drifted.length / 2);
    expect(report.summary).toMatchObject({ SKIPPED_MANAGED: 1, SKIPPED_IN_USE: 1 });
    await expectNoDriftLost(report, {
      ...world,
      recorded: await readRun(history, report),
      writes: live.writes,
      emulator,
      since,
      next: () => {
        emulator.faults.clear();
        return run(faultGateway());
      },
    });
  });
});
