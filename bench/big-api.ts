/**
 * Figure 7, one large API: a single HTTP API with thousands of integrations, listed over several
 * GetIntegrations pages at the emulator's largest page size. The plan must find exactly the drift that was
 * injected (paging is where an integration goes missing or is read twice), in the minimum calls; the apply
 * of that drift, against the documented quota, must finish at the floor with no failed update and leave
 * nothing drifted.
 */
import { type Emulator, startEmulator } from "../emulator/server.ts";
import { createApiGatewayClient } from "../lib/apigateway/client.ts";
import { RateLimiter } from "../lib/apigateway/limiter.ts";
import { CallStats } from "../lib/apigateway/stats.ts";
import { type DesiredState, documents } from "../lib/desired-state/state.ts";
import { floorSeconds } from "../lib/model/quota.ts";
import type { Mode, Report } from "../lib/plan/report.ts";
import { reconcile } from "../lib/reconcile/reconcile.ts";
import { answeredCalls, callGaps, callMinimum, totalCalls } from "./minimum.ts";
import { benchServices, useEndpoint } from "./sdk.ts";
import { type Row, seconds } from "./table.ts";
import { desiredFiles, driftLeft, loadGenerated, pickDrifted, seedEmulator } from "./world.ts";

/** PRODUCT §7: a throttled apply within 1.15× its floor. */
const APPLY_TARGET = 1.15;

export interface BigApiOptions {
  integrations: number;
  drifted: number;
  seed: number;
  quota: { rate: number; burst: number };
}

async function run(mode: Mode, state: DesiredState, emulator: Emulator, options: BigApiOptions) {
  emulator.calls.reset();
  // A new throttle starts with a full bucket, as an idle account's does.
  emulator.faults.configure({ throttle: { ratePerSecond: options.quota.rate, burst: options.quota.burst } });
  const limiter = new RateLimiter(options.quota);
  const stats = new CallStats();
  const client = createApiGatewayClient({ limiter, stats });
  try {
    const started = performance.now();
    const report: Report = await reconcile(
      { mode, limits: { maxUpdates: options.drifted, maxDeletes: 0 } },
      { state, revision: "bench" },
      benchServices(client, limiter, stats),
    );
    const wallMs = performance.now() - started;
    const records = emulator.calls.all();
    return {
      wallMs,
      report,
      answered: answeredCalls(records),
      throttled: records.filter((r) => r.fault === "throttle").length,
      pages: records
        .filter((r) => r.operation === "GetIntegrations" && r.fault === undefined)
        .map((r) => ({ maxResults: r.query.maxResults, status: r.status })),
    };
  } finally {
    client.destroy();
  }
}

export async function bigApi(options: BigApiOptions) {
  const shape = { apis: 1, integrationsPerApi: options.integrations };
  const state = loadGenerated(desiredFiles(shape));
  const drifted = pickDrifted(state, options.drifted, options.seed);
  const injected = new Set(drifted.map((d) => d.integrationId));
  const emulator = await startEmulator({ seed: options.seed });
  seedEmulator(emulator, state, drifted);
  useEndpoint(emulator.url);
  try {
    const plan = await run("plan", state, emulator, options);
    const found = plan.report.integrations.filter((r) => r.status === "DRIFTED").map((r) => r.integrationId);
    const foundSet = new Set(found);
    const missed = [...injected].filter((id) => !foundSet.has(id));
    const extra = found.filter((id) => !injected.has(id));
    const listed = plan.report.integrations.length;
    const planMinimum = callMinimum({
      apiPositions: [0],
      integrationsPerApi: [options.integrations],
      updates: 0,
    });
    const planGaps = callGaps(plan.answered, planMinimum);
    const exact =
      missed.length === 0 &&
      extra.length === 0 &&
      found.length === injected.size &&
      listed === options.integrations &&
      plan.report.status === "DRIFTED";
    const planMet = exact && planGaps.length === 0;

    const apply = await run("apply", state, emulator, options);
    const applyMinimum = callMinimum({
      apiPositions: [0],
      integrationsPerApi: [options.integrations],
      updates: drifted.length,
    });
    const applyGaps = callGaps(apply.answered, applyMinimum);
    const least = totalCalls(applyMinimum);
    const floorMs = floorSeconds(least, options.quota) * 1000;
    const ratio = apply.wallMs / floorMs;
    const left = driftLeft(emulator, documents(state));
    const failed = apply.report.summary.FAILED;
    const applyMet =
      ratio <= APPLY_TARGET &&
      failed === 0 &&
      left === 0 &&
      apply.report.status === "RECONCILED" &&
      applyGaps.length === 0;
    const pageText = `${plan.pages.length} GetIntegrations pages of ≤ ${plan.pages[0]?.maxResults ?? "?"}`;

    const rows: Row[] = [
      {
        figure: `7. one API of ${options.integrations} integrations, ${drifted.length} drifted: plan`,
        ours: `${found.length} drifted, ${totalCalls(plan.answered)} calls`,
        reference: `${injected.size} injected, minimum ${totalCalls(planMinimum)}`,
        ratio: totalCalls(plan.answered) / totalCalls(planMinimum),
        target: "= injected, = 1.00",
        result: planMet ? "met" : "MISSED",
        reason: `${planMet ? "" : "missed: "}${pageText}; ${listed} integrations reported, ${missed.length} injected not found, ${extra.length} found not injected${planGaps.length ? `; calls against the minimum: ${planGaps.join(", ")}` : ""}`,
      },
      {
        figure: `7b. the same API: throttled apply (${options.quota.rate}/s burst ${options.quota.burst}) vs floor`,
        ours: seconds(apply.wallMs),
        reference: `floor ${seconds(floorMs)} (${least} calls)`,
        ratio,
        target: `≤ ${APPLY_TARGET}, 0 failed`,
        result: applyMet ? "met" : "MISSED",
        reason: `${applyMet ? "" : "missed: "}status ${apply.report.status}, ${failed} failed, ${left} left drifted after it; ${apply.throttled} requests refused by the emulator's bucket${applyGaps.length ? `; calls against the minimum: ${applyGaps.join(", ")}` : "; calls = the minimum"}`,
      },
    ];
    return {
      rows,
      raw: {
        options,
        plan: {
          wallMs: plan.wallMs,
          status: plan.report.status,
          summary: plan.report.summary,
          answered: plan.answered,
          minimum: planMinimum,
          pages: plan.pages,
          missed,
          extra,
        },
        apply: {
          wallMs: apply.wallMs,
          floorMs,
          ratio,
          status: apply.report.status,
          summary: apply.report.summary,
          apiCalls: apply.report.apiCalls,
          answered: apply.answered,
          minimum: applyMinimum,
          throttled: apply.throttled,
          driftLeft: left,
        },
      },
    };
  } finally {
    await emulator.close();
  }
}
