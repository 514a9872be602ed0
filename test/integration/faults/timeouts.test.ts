/**
 * Fault matrix: answers slower than the client's request timeout. The client gives up after
 * `requestTimeoutMs` and retries as transient; the emulator, like the service, still carries out the
 * abandoned request after its latency, so an answer is lost and the SDK's retry is the same request again
 * (identical bodies: applying it twice changes nothing).
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
  mark,
  settle,
  useFaultWorld,
  waitFor,
} from "../../helpers/fault-matrix.ts";
import { expectNoDriftLost, readRun } from "../../helpers/no-drift-lost.ts";

let emulator: Emulator;
let example: DesiredState;
let history: DynamoHistory;
let lease: DynamoLease;
useFaultWorld((world) => {
  ({ emulator, example, history, lease } = world);
});

const TIMEOUT_MS = 150;

function runner(world: DriftedWorld) {
  return (gateway: ReturnType<typeof faultGateway>) =>
    faultApply({ world: { desired: world.desired }, revision: "slow", gateway: gateway, history, lease });
}

describe("answers slower than the request timeout", () => {
  it("abandons a slow update, retries it, and ends UPDATED", async () => {
    const world = driftedWorld(emulator, example, { bulk: 6 });
    const run = runner(world);
    // The first wave of updates is slow; once all of them have arrived, the service is fast again.
    emulator.faults.configure({ latency: { ms: TIMEOUT_MS * 3, operations: ["UpdateIntegration"] } });
    const fastAgain = waitFor(() => emulator.calls.count({ operation: "UpdateIntegration" }) >= 6).then(() =>
      emulator.faults.configure({ latency: undefined }),
    );
    const since = mark(emulator);
    const live = faultGateway({ requestTimeoutMs: TIMEOUT_MS });

    const report = await run(live);
    await fastAgain;
    await settle(emulator);

    expect(report.status).toBe("RECONCILED");
    expect(report.summary.UPDATED).toBe(6);
    expect(report.apiCalls).toMatchObject({ UpdateIntegration: 6, retries: 6 });
    // The abandoned first attempts were carried out too, late: twice the same request per integration.
    expect(emulator.calls.count({ operation: "UpdateIntegration", status: 200 })).toBe(12);
    await expectNoDriftLost(report, {
      ...world,
      recorded: await readRun(history, report),
      writes: live.writes,
      emulator,
      since,
      answersMayBeLost: true,
      next: () => run(faultGateway()),
    });
  });

  it("fails an update that is always too slow, naming the timeout, and the next run converges", async () => {
    const world = driftedWorld(emulator, example, { bulk: 3 });
    const run = runner(world);
    emulator.faults.configure({ latency: { ms: TIMEOUT_MS * 2, operations: ["UpdateIntegration"] } });
    const since = mark(emulator);
    // Three attempts (a client option) rather than the default eight, to keep the test short.
    const live = faultGateway({ requestTimeoutMs: TIMEOUT_MS, maxAttempts: 3 });

    const report = await run(live);

    expect(report.status).toBe("PARTIAL");
    expect(report.summary.FAILED).toBe(3);
    for (const r of report.integrations.filter((x) => x.status === "FAILED")) {
      expect(r.error).toEqual({
        name: "TimeoutError",
        message: `UpdateIntegration ${r.apiId}/${r.integrationId} failed: TimeoutError (ETIMEDOUT): @smithy/node-http-handler - [ERROR] a request has exceeded the configured ${TIMEOUT_MS} ms requestTimeout.`,
      });
    }
    expect(report.apiCalls).toMatchObject({ UpdateIntegration: 3, retries: 6 });
    emulator.faults.clear();
    // FAILED says "not known to be done": the service carried the abandoned requests out after all, so
    // the next run may well find nothing left to do. Either way it converges.
    await settle(emulator);
    await expectNoDriftLost(report, {
      ...world,
      recorded: await readRun(history, report),
      writes: live.writes,
      emulator,
      since,
      answersMayBeLost: true,
      next: () => run(faultGateway()),
    });
  });
});
