/**
 * Fault matrix: 5xx bursts and connection resets mid-request, with the product's retry configuration
 * (8 attempts). Scripted per integration, so each test knows which call fails how often: bursts shorter
 * than the retries end UPDATED, one that outlasts them ends FAILED, in the report and in history.
 * test/integration/reconcile.test.ts already rides out random 5xx and resets without history.
 */
import { describe, expect, it } from "vitest";
import type { Emulator } from "../../../emulator/server.ts";
import { DEFAULT_MAX_ATTEMPTS } from "../../../lib/apigateway/client.ts";
import type { DesiredState } from "../../../lib/desired-state/state.ts";
import type { DynamoLease } from "../../../lib/history/lease.ts";
import type { DynamoHistory } from "../../../lib/history/store.ts";
import {
  type DriftedWorld,
  driftedWorld,
  faultApply,
  faultGateway,
  HTTP_API,
  mark,
  useFaultWorld,
} from "../../helpers/fault-matrix.ts";
import { expectNoDriftLost, readRun } from "../../helpers/no-drift-lost.ts";

let emulator: Emulator;
let example: DesiredState;
let history: DynamoHistory;
let lease: DynamoLease;
useFaultWorld((world) => {
  ({ emulator, example, history, lease } = world);
});

/** The emulator's 5xx error types (emulator/faults.ts). */
const SERVER_ERRORS = [
  [500, "InternalServerException"],
  [502, "BadGatewayException"],
  [503, "ServiceUnavailableException"],
  [504, "GatewayTimeoutException"],
] as const;

/** One apply with history and lease, then the invariant, with the next run once the faults are off. */
async function applyAndCheck(world: DriftedWorld) {
  const since = mark(emulator);
  const live = faultGateway();
  const run = (gateway = live) =>
    faultApply({
      world: { desired: world.desired },
      revision: "transient",
      gateway: gateway,
      history,
      lease,
    });
  const report = await run();
  const next = await expectNoDriftLost(report, {
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
  return { report, next: next! };
}

describe("5xx bursts", () => {
  it("updates through bursts shorter than the retries, fails the one that outlasts them, and converges next run", async () => {
    const world = driftedWorld(emulator, example, { bulk: 8, webSocketDrift: true });
    emulator.faults.failNext({
      operation: "GetIntegrations",
      apiId: HTTP_API,
      status: 500,
      errorType: "InternalServerException",
    });
    for (let i = 0; i < 7; i++) {
      const [status, errorType] = SERVER_ERRORS[i % SERVER_ERRORS.length]!;
      emulator.faults.failNext({
        operation: "UpdateIntegration",
        integrationId: `bulk00${i}`,
        times: 2,
        status,
        errorType,
      });
    }
    emulator.faults.failNext({
      operation: "UpdateIntegration",
      integrationId: "bulk007",
      times: DEFAULT_MAX_ATTEMPTS,
      status: 503,
      errorType: "ServiceUnavailableException",
    });

    const { report, next } = await applyAndCheck(world);

    expect(report.status).toBe("PARTIAL");
    expect(report.summary).toMatchObject({ UPDATED: 9, FAILED: 1 });
    expect(report.integrations.find((r) => r.integrationId === "bulk007")).toMatchObject({
      status: "FAILED",
      error: {
        name: "ServiceUnavailableException",
        message: `UpdateIntegration ${HTTP_API}/bulk007 failed: ServiceUnavailableException: ServiceUnavailableException`,
      },
    });
    // 1 listing retry, 2 per short burst, 7 for the one that ran out of attempts.
    expect(report.apiCalls.retries).toBe(1 + 7 * 2 + (DEFAULT_MAX_ATTEMPTS - 1));
    expect(next.status).toBe("RECONCILED");
    expect(next.integrations.filter((r) => r.status === "UPDATED").map((r) => r.integrationId)).toEqual([
      "bulk007",
    ]);
  });
});

describe("connection resets mid-request", () => {
  it("retries a request the service dropped unanswered, fails the one dropped every time, and converges next run", async () => {
    const world = driftedWorld(emulator, example, { bulk: 8, webSocketDrift: true });
    // Every update's first attempt is received in full and dropped without an answer, and now and then
    // any call; one integration's are dropped on every attempt.
    emulator.faults.configure({ resets: { probability: 0.1 } });
    for (let i = 0; i < 7; i++) {
      emulator.faults.failNext({ operation: "UpdateIntegration", integrationId: `bulk00${i}`, reset: true });
    }
    emulator.faults.failNext({
      operation: "UpdateIntegration",
      integrationId: "bulk007",
      times: DEFAULT_MAX_ATTEMPTS,
      reset: true,
    });

    const { report, next } = await applyAndCheck(world);

    expect(report.status).toBe("PARTIAL");
    expect(report.summary).toMatchObject({ UPDATED: 9, FAILED: 1 });
    const failed = report.integrations.find((r) => r.integrationId === "bulk007");
    // The SDK's HTTP handler names a reset (ECONNRESET, EPIPE, ETIMEDOUT) "TimeoutError"; the message says
    // what happened.
    expect(failed?.error).toEqual({
      name: "TimeoutError",
      message: `UpdateIntegration ${HTTP_API}/bulk007 failed: TimeoutError (ECONNRESET): socket hang up`,
    });
    expect(report.apiCalls.retries).toBeGreaterThanOrEqual(7 + DEFAULT_MAX_ATTEMPTS - 1);
    expect(emulator.calls.count({ operation: "UpdateIntegration", fault: "scripted" })).toBe(
      7 + DEFAULT_MAX_ATTEMPTS,
    );
    expect(next.integrations.filter((r) => r.status === "UPDATED").map((r) => r.integrationId)).toEqual([
      "bulk007",
    ]);
  });
});
