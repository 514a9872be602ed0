import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { injectDrift } from "../../emulator/seed.ts";
import type { Emulator } from "../../emulator/server.ts";
import { type DesiredState, documents, stateFromDocuments } from "../../lib/desired-state/state.ts";
import { type RunRequest, type RunServices, reconcile } from "../../lib/reconcile/reconcile.ts";
import { desiredInput, testServices } from "../helpers/run.ts";
import { addBulkDrift, liveGateway, startWorld } from "../helpers/world.ts";

const HTTP_API = "a1b2c3d4e5";
const WS_API = "w9x8y7z6v5";
const account = "123456789012";
const region = "eu-west-1";

let emulator: Emulator;
let desired: DesiredState;
let close: () => Promise<void>;
beforeEach(async () => {
  ({ emulator, desired, close } = await startWorld());
});
afterEach(async () => {
  await close();
  vi.unstubAllEnvs();
});

/** Drift on many integrations of the HTTP API: what the storm tests push through. */
function manyDrifted(n: number): DesiredState {
  const api = documents(desired).find((a) => a.doc.apiId === HTTP_API)!;
  const integrations = { ...api.doc.integrations };
  addBulkDrift(emulator, HTTP_API, integrations, n);
  return stateFromDocuments([{ file: api.file, doc: { ...api.doc, integrations } }]);
}

const run = (
  mode: "plan" | "apply",
  over: Partial<RunRequest> & { desired?: DesiredState; services?: Partial<RunServices> } = {},
  live = liveGateway(),
) => {
  const { desired: state, services, ...request } = over;
  return reconcile(
    { mode, ...request },
    desiredInput(state ?? desired, "test"),
    testServices(live.gateway, {
      apiCalls: () => live.stats.toRecord(),
      where: { account, region },
      ...services,
    }),
  );
};

describe("reconcile against the emulator over HTTP", () => {
  it("finds drift, fixes it with one UpdateIntegration each and the listings, and converges", async () => {
    injectDrift(emulator, documents(desired));
    const plan = await run("plan");
    expect(plan.status).toBe("DRIFTED");
    const drifted = plan.integrations.filter((r) => r.status === "DRIFTED").map((r) => r.integrationId);
    expect(drifted.sort()).toEqual(["cnx1a2b", "lmb7k2q", "msg5c6d", "prx3m9a"]);

    emulator.calls.reset();
    const apply = await run("apply");
    expect(apply.status).toBe("RECONCILED");
    expect(emulator.calls.operations().sort()).toEqual(
      [
        "GetApi",
        "GetApi",
        "GetIntegrations",
        "GetIntegrations",
        ...drifted.map(() => "UpdateIntegration"),
      ].sort(),
    );
    expect(apply.apiCalls).toEqual({
      GetApi: 2,
      GetIntegrations: 2,
      UpdateIntegration: 4,
      throttled: 0,
      retries: 0,
    });
    expect((await run("plan")).status).toBe("IN_SYNC");
  });

  it("never sends DeleteIntegration for a managed or route-targeted integration when pruning", async () => {
    const managed = emulator.addIntegration(HTTP_API, {
      integrationType: "AWS_PROXY",
      integrationUri: "arn:aws:lambda:eu-west-1:123456789012:function:quick-create",
      payloadFormatVersion: "2.0",
      apiGatewayManaged: true,
    });
    const routed = emulator.addIntegration(HTTP_API, {
      integrationType: "HTTP_PROXY",
      integrationUri: "https://in-use.example.com",
      integrationMethod: "GET",
    });
    const stray = emulator.addIntegration(HTTP_API, {
      integrationType: "HTTP_PROXY",
      integrationUri: "https://old.example.com",
      integrationMethod: "GET",
    });
    emulator.addRoute(HTTP_API, { routeKey: "GET /x", target: `integrations/${routed.integrationId}` });
    const pruning = stateFromDocuments(
      documents(desired).map((a) =>
        a.doc.apiId === HTTP_API ? { ...a, doc: { ...a.doc, prune: true } } : a,
      ),
    );
    const report = await run("apply", { desired: pruning });
    const status = (id: string) => report.integrations.find((r) => r.integrationId === id)?.status;
    expect(status(managed.integrationId)).toBe("SKIPPED_MANAGED");
    expect(status(routed.integrationId)).toBe("SKIPPED_IN_USE");
    expect(status(stray.integrationId)).toBe("DELETED");
    expect(emulator.calls.filter({ operation: "DeleteIntegration" }).map((c) => c.integrationId)).toEqual([
      stray.integrationId,
    ]);
    expect(emulator.calls.count({ operation: "GetRoutes" })).toBe(1);
    expect(report.status).toBe("RECONCILED");
  });

  it("finishes a 429 storm (token bucket plus 30% random 429s) with zero failed updates", async () => {
    const state = manyDrifted(30);
    emulator.faults.configure({
      throttle: { ratePerSecond: 40, burst: 5 },
      tooManyRequests: { probability: 0.3 },
    });
    const live = liveGateway({ rate: 200, burst: 20, concurrency: 8 });
    const report = await run("apply", { desired: state }, live);
    expect(report.summary.FAILED).toBe(0);
    expect(report.summary.UPDATED).toBe(30 + 0);
    expect(report.status).toBe("RECONCILED");
    expect(report.apiCalls.throttled).toBeGreaterThan(0);
    expect(report.apiCalls.retries).toBeGreaterThanOrEqual(report.apiCalls.throttled!);
    expect(live.limiter.rate).toBeLessThan(200);
    // Each drifted integration was updated once: throttled attempts never changed state twice.
    const successes = emulator.calls
      .filter({ operation: "UpdateIntegration" })
      .filter((c) => c.status === 200);
    expect(successes).toHaveLength(30);
  });

  it("rides out 5xx answers and connection resets", async () => {
    const state = manyDrifted(12);
    emulator.faults.configure({ serverErrors: { probability: 0.25 }, resets: { probability: 0.15 } });
    const report = await run("apply", { desired: state });
    expect(report.summary).toMatchObject({ UPDATED: 12, FAILED: 0 });
    expect(report.apiCalls.retries).toBeGreaterThan(0);
  });

  it("does not retry a 400", async () => {
    injectDrift(emulator, documents(desired));
    emulator.faults.failNext({
      operation: "UpdateIntegration",
      integrationId: "lmb7k2q",
      status: 400,
      errorType: "BadRequestException",
      message: "Invalid integration",
    });
    const report = await run("apply");
    const failed = report.integrations.find((r) => r.integrationId === "lmb7k2q");
    expect(failed?.status).toBe("FAILED");
    expect(failed?.error).toEqual({
      name: "BadRequestException",
      message: `UpdateIntegration ${HTTP_API}/lmb7k2q failed: BadRequestException: Invalid integration`,
    });
    expect(emulator.calls.count({ operation: "UpdateIntegration", integrationId: "lmb7k2q" })).toBe(1);
    expect(report.status).toBe("PARTIAL");
    expect(report.summary.UPDATED).toBe(3);
  });

  it("blocks a plan over the blast radius with zero writes", async () => {
    injectDrift(emulator, documents(desired));
    emulator.calls.reset();
    const report = await run("apply", { limits: { maxUpdates: 2, maxDeletes: 5 } });
    expect(report.status).toBe("BLOCKED");
    expect(emulator.calls.operations().filter((op) => op !== "GetApi" && op !== "GetIntegrations")).toEqual(
      [],
    );
  });

  it("reports a declared integration that is not live as MISSING, and never creates it", async () => {
    emulator.removeIntegration(WS_API, "hbt7e8f");
    const report = await run("apply");
    expect(report.integrations.find((r) => r.integrationId === "hbt7e8f")?.status).toBe("MISSING");
    expect(report.status).toBe("PARTIAL");
    expect(emulator.calls.count({ operation: "CreateIntegration" })).toBe(0);
  });

  it("defers the writes it has not started when the deadline passes", async () => {
    const state = manyDrifted(6);
    // A clock that ticks with every call the service sees: deterministic, yet over real HTTP.
    const now = () => emulator.calls.count() * 1000;
    const live = liveGateway({ rate: 1000, burst: 1000, concurrency: 1 });
    const report = await run(
      "apply",
      { desired: state, deadline: 4500, services: { now, concurrency: 1 } },
      live,
    );
    expect(report.summary.UPDATED).toBe(3);
    expect(report.summary.DEFERRED).toBe(3);
    expect(report.status).toBe("PARTIAL");
    expect(emulator.calls.count({ operation: "UpdateIntegration" })).toBe(3);
  });

  it("reads a targeted integration with one GetIntegration", async () => {
    emulator.calls.reset();
    const report = await run("plan", { integrationIds: ["lmb7k2q"] });
    expect(report.integrations.map((r) => r.integrationId)).toEqual(["lmb7k2q"]);
    expect(emulator.calls.operations()).toEqual(["GetApi", "GetIntegration"]);
  });
});
