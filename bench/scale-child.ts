/**
 * One plan at one size, in its own process so its peak RSS is its own (no emulator, no earlier figure).
 * The parent runs it bundled by esbuild, as the Lambda runs, so Node's TypeScript stripping is not counted.
 *
 *   scale-child <integrations>
 *
 * The desired state is built from validated JSON texts, as the Lambda builds it from the state its build
 * embedded (stateFromTexts), then reconcile() runs in plan mode over a gateway that answers the reads in
 * process. Prints one JSON object on stdout.
 */
import type { DesiredState } from "../lib/desired-state/state.ts";
import { createRedactor } from "../lib/diff/redact.ts";
import { reconcile } from "../lib/reconcile/reconcile.ts";
import { MemoryGateway } from "./memory-gateway.ts";
import { desiredState, pickDrifted, scaleShape } from "./world.ts";

const DRIFTED_SHARE = 0.05;

const maxRssBytes = () => process.resourceUsage().maxRSS * 1024;
const cpuMs = (since: NodeJS.CpuUsage) => {
  const { user, system } = process.cpuUsage(since);
  return (user + system) / 1000;
};

async function planOnce(state: DesiredState, integrations: number) {
  const drifted = pickDrifted(state, Math.round(integrations * DRIFTED_SHARE), 1);
  const gateway = new MemoryGateway(state, drifted);
  const started = process.cpuUsage();
  const wall = performance.now();
  const report = await reconcile(
    { mode: "plan", limits: { maxUpdates: integrations, maxDeletes: 0 } },
    { state, revision: "bench" },
    {
      gateway,
      apiCalls: () => ({}),
      where: {},
      redact: createRedactor(),
      now: Date.now,
      concurrency: 8,
    },
  );
  const plan = { cpuMs: cpuMs(started), wallMs: performance.now() - wall };
  if (report.summary.DRIFTED !== drifted.length || report.status !== "DRIFTED") {
    throw new Error(
      `the plan found ${report.summary.DRIFTED} of ${drifted.length} drifted (${report.status})`,
    );
  }
  return {
    cost: { ...plan, drifted: drifted.length, results: report.integrations.length },
    calls: gateway.calls,
    report,
  };
}

const integrations = Number(process.argv[2]);
if (!Number.isInteger(integrations) || integrations < 1) {
  throw new Error("usage: scale-child <integrations>");
}

// No warm-up: a scheduled run is often a cold start, and pays its compilation like this.
const baselineRss = maxRssBytes();
const state = desiredState(scaleShape(integrations));
const dataRss = maxRssBytes();
const { cost: plan, calls, report } = await planOnce(state, integrations);
const peakRss = maxRssBytes();
// What the run really holds at its end (the desired state and the report, both still referenced here),
// once garbage is gone: the rest of the peak is how far V8 let the heap grow before collecting.
(globalThis as { gc?: () => void }).gc?.();
const liveHeap = process.memoryUsage().heapUsed;
process.stdout.write(
  `${JSON.stringify({
    integrations,
    apis: state.apis.length,
    plan,
    cpuMs: plan.cpuMs,
    calls,
    baselineRss,
    dataRss,
    peakRss,
    liveHeap,
    reported: report.integrations.length,
  })}\n`,
);
