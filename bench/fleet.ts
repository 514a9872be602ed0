/**
 * Figure 6 (issue 14), a fleet: 3 accounts × 4 Regions, each target its own API Gateway quota (a token
 * bucket of its own at the emulator, plus random 429s), applied through the fleet runner as the CLI runs
 * it: the other accounts' targets through STS AssumeRole, each target with its own client and limiter.
 * Held against the largest target's floor (its minimum calls at its quota) and the sum of the targets'
 * minimum calls; STS calls are counted apart.
 */

import { Worker } from "node:worker_threads";
import { stringify } from "yaml";
import { MAX_PAGE_SIZE } from "../emulator/pagination.ts";
import { PAGE_SIZE } from "../lib/apigateway/gateway.ts";
import type { DesiredApi } from "../lib/desired-state/state.ts";
import { documents, stateFromDocuments } from "../lib/desired-state/state.ts";
import { StsCalls } from "../lib/fleet/credentials.ts";
import { openTarget } from "../lib/fleet/open.ts";
import { runFleet } from "../lib/fleet/run.ts";
import { groupTargets, targetName } from "../lib/fleet/targets.ts";
import { floorSeconds } from "../lib/model/quota.ts";
import { GET_API_LIMIT } from "../lib/reconcile/apis.ts";
import { createRuntime } from "../lib/runtime/runtime.ts";
import { useEndpoint } from "./sdk.ts";
import { type Row, seconds } from "./table.ts";
import { desiredState, loadGenerated, pickDrifted, type Shape } from "./world.ts";

export interface FleetOptions {
  accounts: number;
  regions: readonly string[];
  /** Each target's APIs and integrations; `drifted` is per target. */
  shape: Shape;
  quota: { rate: number; burst: number };
  tooManyRequests: number;
}

const ACCOUNT = (a: number) => String(100000000000 + a * 111111111111).padStart(12, "0");
const ROLE = "arn:aws:iam::{account}:role/apigw-drift-spoke";

/** The fleet's files and targets, generated the same in the run's thread and in the world's worker. */
export function fleetDocs(options: FleetOptions) {
  const { shape } = options;
  const home = { account: ACCOUNT(0), region: options.regions[0]! };
  const places = Array.from({ length: options.accounts }, (_, a) =>
    options.regions.map((region) => ({ account: ACCOUNT(a), region })),
  ).flat();
  // One file per API, each naming its target; apiIds unique across the fleet, as the loader requires.
  const docs: DesiredApi[] = places.flatMap((t, k) =>
    documents(desiredState(shape)).map(({ doc }) => {
      const apiId = `t${String(k).padStart(2, "0")}${doc.apiId}`;
      return {
        file: `desired-state/${apiId}.yaml`,
        doc: { ...doc, apiId, account: t.account, region: t.region },
      };
    }),
  );
  const drifted = new Map<string, ReturnType<typeof pickDrifted>>();
  const targets = places.map((t, k) => {
    const state = stateFromDocuments(
      docs.filter((d) => d.doc.account === t.account && d.doc.region === t.region),
    );
    const name = targetName(t);
    drifted.set(name, pickDrifted(state, shape.drifted, shape.seed + k));
    return { ...t, name, state };
  });
  return { home, docs, targets, drifted };
}

/**
 * The figure: the fleet, then its first target alone on the same data (what one target's run costs here,
 * 429s and all), so the table shows both the target of issue 14 and what the fleet itself adds.
 */
export async function fleet(options: FleetOptions) {
  const whole = await fleetRun(options);
  const alone = await fleetRun({ ...options, accounts: 1, regions: options.regions.slice(0, 1) });
  const ratio = whole.raw.wallMs / alone.raw.wallMs;
  const row: Row = {
    figure: "8c. the fleet's wall time vs its first target's run alone (same data and faults)",
    ours: seconds(whole.raw.wallMs),
    reference: `alone ${seconds(alone.raw.wallMs)}`,
    ratio,
    target: "—",
    result: "info",
    reason: `what running ${whole.raw.targets.length} targets at once adds to one: each target's own quota makes a fleet take about as long as one target, not the sum; the random 429s cost each target quota of its own (refused calls are paced as spending a token, service-facts #24), ${alone.raw.targets[0]?.retries ?? 0} retries alone`,
  };
  return { rows: [...whole.rows, row], raw: { fleet: whole.raw, alone: alone.raw } };
}

async function fleetRun(options: FleetOptions) {
  const { shape, quota } = options;
  const { home, docs, targets, drifted } = fleetDocs(options);
  const state = loadGenerated(docs.map((d) => ({ path: d.file, bytes: Buffer.from(stringify(d.doc)) })));
  const world = new Worker(new URL("./fleet-world.ts", import.meta.url), { workerData: options });
  const urls = await new Promise<{ apigateway: string; sts: string }>((resolve, reject) => {
    world.once("message", resolve);
    world.once("error", reject);
  });
  useEndpoint(urls.apigateway);
  process.env.AWS_ENDPOINT_URL_STS = urls.sts;
  process.env.AWS_REGION = home.region;

  const runtime = await createRuntime({ rate: quota.rate });
  const calls = new StsCalls();
  const runId = "00000000-bench-fleet";
  try {
    const started = performance.now();
    const startedAt = Date.now();
    const result = await runFleet(
      { mode: "apply", limits: { maxUpdates: shape.drifted, maxDeletes: 0 } },
      { state, revision: "bench" },
      groupTargets(state.apis, home),
      {
        runId,
        concurrency: targets.length,
        open: (t) =>
          openTarget(t, { runtime, home, runId, sts: calls, fleet: { roleArn: ROLE, concurrency: 12 } }),
      },
    );
    const wallMs = performance.now() - started;

    // The least each target can do: one GetApis page, its GetIntegrations pages, one update per drift.
    const pageSize = Math.min(Number(PAGE_SIZE), MAX_PAGE_SIZE);
    world.postMessage("inspect");
    const seen = await new Promise<{
      targets: {
        target: string;
        requests: number;
        foreign: number;
        driftLeft: number;
        firstAt: number;
        lastAt: number;
      }[];
      stsRequests: number;
    }>((resolve) => world.once("message", resolve));
    const perTarget = result.reports.map((r) => {
      const name = targetName(r);
      const apis = docs.filter((d) => `${d.doc.account}/${d.doc.region}` === name);
      // A run of one or two APIs reads each with GetApi instead of listing (lib/reconcile/apis.ts).
      const minimum =
        (apis.length <= GET_API_LIMIT ? apis.length : Math.ceil(apis.length / pageSize)) +
        apis.reduce(
          (n, d) => n + Math.max(1, Math.ceil(Object.keys(d.doc.integrations).length / pageSize)),
          0,
        ) +
        (drifted.get(name)?.length ?? 0);
      const { throttled = 0, retries = 0, ...ops } = r.apiCalls;
      const made = Object.values(ops).reduce((a, b) => a + b, 0);
      const at = seen.targets.find((t) => t.target === name);
      return {
        target: name,
        status: r.status,
        minimum,
        made,
        throttled,
        retries,
        failedUpdates: r.summary.FAILED,
        driftLeft: at?.driftLeft ?? Number.NaN,
        floorMs: floorSeconds(minimum, quota) * 1000,
        requests: at?.requests ?? 0,
        firstCallMs: (at?.firstAt ?? startedAt) - startedAt,
        lastCallMs: (at?.lastAt ?? startedAt) - startedAt,
        foreignKeys: at?.foreign ?? Number.NaN,
      };
    });
    const largestFloorMs = Math.max(...perTarget.map((t) => t.floorMs));
    const attemptsFloorMs = Math.max(...perTarget.map((t) => floorSeconds(t.requests, quota) * 1000));
    const minimum = perTarget.reduce((n, t) => n + t.minimum, 0);
    const made = perTarget.reduce((n, t) => n + t.made, 0);
    const failed = perTarget.reduce((n, t) => n + t.failedUpdates, 0);
    const left = perTarget.reduce((n, t) => n + t.driftLeft, 0);
    const foreign = perTarget.reduce((n, t) => n + t.foreignKeys, 0);
    // A quick run's targets fit in their bursts: no floor to hold them against.
    const ratio = largestFloorMs > 0 ? wallMs / largestFloorMs : null;
    const problems = [
      ...(result.status === "RECONCILED" ? [] : [`fleet status ${result.status}`]),
      ...(failed > 0 ? [`${failed} failed updates`] : []),
      ...(left > 0 ? [`${left} integrations still drifted`] : []),
      ...(foreign > 0 ? [`${foreign} calls carried another target's key or Region`] : []),
    ];
    const label = `${options.accounts}×${options.regions.length} targets of ${shape.apis}×${shape.integrationsPerApi}, ${shape.drifted} drifted each`;
    const rows: Row[] = [
      {
        figure: `8. fleet apply, ${label}, each at its own ${quota.rate}/s burst ${quota.burst} (+${options.tooManyRequests * 100}% 429s)`,
        ours: seconds(wallMs),
        reference: `largest target's floor ${seconds(largestFloorMs)}`,
        ratio,
        target: "≤ 1.20, 0 failed",
        result: ratio !== null && ratio <= 1.2 && problems.length === 0 ? "met" : "MISSED",
        ...(problems.length > 0 || ratio === null || ratio > 1.2
          ? {
              reason: `fleet: ratio ${ratio?.toFixed(3) ?? "—"}${problems.length ? `; ${problems.join(", ")}` : ""}; counting the attempts the random 429s refused (paced as spending quota, service-facts #24), the largest target's floor is ${seconds(attemptsFloorMs)}${attemptsFloorMs > 0 ? ` (ratio ${(wallMs / attemptsFloorMs).toFixed(2)})` : ""}`,
            }
          : {}),
      },
      {
        figure: "8b. the fleet's API Gateway calls vs the sum of its targets' minimums",
        ours: `${made} calls`,
        reference: `minimum ${minimum}`,
        ratio: made / minimum,
        target: "= 1.00",
        result: made === minimum ? "met" : "MISSED",
        reason: `STS apart: ${calls.AssumeRole} AssumeRole, ${calls.GetCallerIdentity} GetCallerIdentity (one of each per target in another account); retries ${perTarget.reduce((n, t) => n + t.retries, 0)}, throttled ${perTarget.reduce((n, t) => n + t.throttled, 0)}`,
      },
    ];
    return {
      rows,
      raw: {
        options,
        wallMs,
        largestFloorMs,
        attemptsFloorMs,
        ratio,
        status: result.status,
        calls: { made, minimum },
        sts: calls.toRecord(),
        stsRequests: seen.stsRequests,
        targets: perTarget,
      },
    };
  } finally {
    await runtime.close();
    await world.terminate();
  }
}

/** Issue 14's figure: 12 targets (3 accounts × 4 Regions), 20 APIs × 50 integrations each, 5% drifted. */
export const FULL_FLEET: FleetOptions = {
  accounts: 3,
  regions: ["eu-west-1", "us-east-1", "ap-south-1", "eu-central-1"],
  shape: { apis: 20, integrationsPerApi: 50, drifted: 50, seed: 14 },
  quota: { rate: 10, burst: 40 },
  tooManyRequests: 0.05,
};
export const QUICK_FLEET: FleetOptions = {
  accounts: 2,
  regions: ["eu-west-1", "us-east-1"],
  shape: { apis: 2, integrationsPerApi: 10, drifted: 2, seed: 14 },
  quota: { rate: 200, burst: 10 },
  tooManyRequests: 0.05,
};
