/**
 * Figures 2 and 3: a throttled apply of many drifted integrations, ours and the peer's, each on a fresh
 * emulator with the same data and faults (a token bucket at the control-plane quota plus random 429s); the
 * peer meets the fault seed of our reported run.
 */
import { type Emulator, startEmulator } from "../emulator/server.ts";
import { createApiGatewayClient } from "../lib/apigateway/client.ts";
import { RateLimiter } from "../lib/apigateway/limiter.ts";
import { CallStats } from "../lib/apigateway/stats.ts";
import type { DesiredState } from "../lib/desired-state/state.ts";
import { documents } from "../lib/desired-state/state.ts";
import { floorSeconds } from "../lib/model/quota.ts";
import { reconcile } from "../lib/reconcile/reconcile.ts";
import { answeredCalls, callGaps, callMinimum, totalCalls } from "./minimum.ts";
import { PEER_PARALLELISM, runPeer } from "./peer.ts";
import { type Attempt, benchServices, lastFirstAttempt, traceAttempts, useEndpoint } from "./sdk.ts";
import { type Row, seconds } from "./table.ts";
import {
  desiredFiles,
  driftLeft,
  type IntegrationRef,
  loadGenerated,
  pickDrifted,
  type Shape,
  seedEmulator,
} from "./world.ts";

export interface ThrottledOptions {
  shape: Shape;
  /** The emulator's token bucket, and our limiter's setting: the documented quota unless scaled. */
  quota: { rate: number; burst: number };
  /** Share of calls answered 429 at random, on top of the bucket (another caller on the quota). */
  tooManyRequests: number;
  /**
   * Our apply runs this many times, each on a fresh emulator whose faults are seeded differently (seed,
   * seed + 1, ...; same data), and the run with the median ratio is reported. One seed replays the same
   * pattern of random 429s almost exactly, so repeats on one seed would only measure the machine.
   */
  repeats: number;
}

/** What reached an emulator, by outcome. */
function served(emulator: Emulator) {
  const all = emulator.calls.all();
  return {
    requests: all.length,
    ok: all.filter((c) => c.fault === undefined && (c.status ?? 0) < 300).length,
    bucket429: all.filter((c) => c.fault === "throttle").length,
    random429: all.filter((c) => c.fault === "tooManyRequests").length,
    other: all.filter((c) => c.fault === undefined && (c.status ?? 0) >= 300).length,
  };
}

async function faultedWorld(
  options: ThrottledOptions,
  state: DesiredState,
  drifted: IntegrationRef[],
  faultSeed: number,
) {
  const emulator = await startEmulator({ seed: faultSeed });
  seedEmulator(emulator, state, drifted);
  useEndpoint(emulator.url);
  // Configured last: a new throttle starts with a full bucket, as an idle account's does.
  emulator.faults.configure({
    throttle: { ratePerSecond: options.quota.rate, burst: options.quota.burst },
    tooManyRequests: { probability: options.tooManyRequests },
  });
  return emulator;
}

/** Samples the limiter's current rate: how often it halved and how much quota that left unused. */
function watchRate(limiter: RateLimiter) {
  const origin = performance.now();
  let previous = limiter.rate;
  let lowest = previous;
  const halvings: number[] = [];
  let unusedMs = 0;
  let last = origin;
  const timer = setInterval(() => {
    const now = performance.now();
    const rate = limiter.rate;
    if (rate < previous) halvings.push(Math.round(now - origin));
    unusedMs += (1 - rate / limiter.maxRate) * (now - last);
    lowest = Math.min(lowest, rate);
    previous = rate;
    last = now;
  }, 20);
  return () => {
    clearInterval(timer); // safe twice
    return { halvingsAtMs: halvings, lowestRate: lowest, unusedQuotaMs: unusedMs };
  };
}

async function runOurs(
  options: ThrottledOptions,
  state: DesiredState,
  drifted: IntegrationRef[],
  faultSeed: number,
) {
  const emulator = await faultedWorld(options, state, drifted, faultSeed);
  const limiter = new RateLimiter({ rate: options.quota.rate, burst: options.quota.burst });
  const stats = new CallStats();
  const client = createApiGatewayClient({ limiter, stats });
  const trace = traceAttempts(client, "apigwDriftLimiter");
  trace.start();
  const started = performance.now();
  const stop = watchRate(limiter);
  try {
    const report = await reconcile(
      { mode: "apply", limits: { maxUpdates: drifted.length, maxDeletes: 0 } },
      { state, revision: "bench" },
      benchServices(client, limiter, stats),
    );
    const wallMs = performance.now() - started;
    const answers = served(emulator);
    return {
      faultSeed,
      wallMs,
      ratio: wallMs / (floorSeconds(answers.ok, options.quota) * 1000),
      status: report.status,
      summary: report.summary,
      apiCalls: report.apiCalls,
      failedUpdates: report.summary.FAILED,
      served: answers,
      /** Calls the emulator answered (not refused by the bucket or the random 429s), per operation. */
      answered: answeredCalls(emulator.calls.all()),
      limiter: stop(),
      tailMs: wallMs - lastFirstAttempt(trace.attempts),
      attempts: summariseAttempts(trace.attempts),
      driftLeft: driftLeft(emulator, documents(state)),
    };
  } finally {
    stop();
    client.destroy();
    await emulator.close();
  }
}

async function runTheirs(
  options: ThrottledOptions,
  state: DesiredState,
  drifted: IntegrationRef[],
  faultSeed: number,
) {
  const emulator = await faultedWorld(options, state, drifted, faultSeed);
  try {
    const peer = await runPeer(documents(state));
    const { trace, ...rest } = peer;
    return {
      faultSeed,
      ...rest,
      served: served(emulator),
      tailMs: peer.wallMs - lastFirstAttempt(trace.attempts),
      attempts: summariseAttempts(trace.attempts),
      driftLeft: driftLeft(emulator, documents(state)),
    };
  } finally {
    await emulator.close();
  }
}

function summariseAttempts(attempts: readonly Attempt[]) {
  return {
    sent: attempts.length,
    retries: attempts.filter((a) => a.attempt > 1).length,
    throttled: attempts.filter((a) => a.outcome === "throttled").length,
  };
}

export async function throttled(options: ThrottledOptions) {
  const { shape, quota } = options;
  const state = loadGenerated(desiredFiles(shape));
  const drifted = pickDrifted(state, shape.drifted, shape.seed);
  const runs: Awaited<ReturnType<typeof runOurs>>[] = [];
  for (let i = 0; i < options.repeats; i++) runs.push(await runOurs(options, state, drifted, shape.seed + i));
  const byRatio = [...runs].sort((a, b) => a.ratio - b.ratio);
  const ours = byRatio[Math.floor(byRatio.length / 2)]!;
  // The peer meets the same pattern of faults as the reported run of ours.
  const peer = await runTheirs(options, state, drifted, ours.faultSeed);

  const apis = documents(state);
  const minimum = callMinimum({
    apiPositions: apis.map((_, i) => i),
    integrationsPerApi: apis.map(({ doc }) => Object.keys(doc.integrations).length),
    updates: drifted.length,
  });
  const least = totalCalls(minimum);
  const gapsPerRun = runs.map((r) => callGaps(r.answered, minimum));
  const callsMet = gapsPerRun.every((g) => g.length === 0);
  const floorMs = floorSeconds(ours.served.ok, quota) * 1000;
  const ratio = ours.ratio;
  const spread =
    runs.length > 1
      ? `; ratios of the ${runs.length} fault seeds ${runs.map((r) => `${r.faultSeed}: ${r.ratio.toFixed(2)}`).join(", ")}`
      : "";
  const quotaText = `${quota.rate}/s burst ${quota.burst}`;
  const halvings = ours.limiter.halvingsAtMs;
  const reasons = [
    `${ours.served.random429} random 429s (refused before the emulator's bucket: they spend none of its quota)`,
    halvings.length > 0
      ? `the limiter halved its rate ${halvings.length}× (at ${halvings.map((t) => seconds(t)).join(", ")}; lowest ${ours.limiter.lowestRate.toFixed(1)}/s), leaving ≈${seconds(ours.limiter.unusedQuotaMs)} of quota unused`
      : "the limiter never slowed down",
    `after the last new call the run waited ${seconds(ours.tailMs)} on retry backoff`,
    `bucket 429s: ${ours.served.bucket429}`,
  ];
  const timeMet = ratio <= 1.15 && ours.failedUpdates === 0;
  const updatesMet = runs.every(
    (r) => r.failedUpdates === 0 && r.driftLeft === 0 && r.status === "RECONCILED",
  );
  const failedAll = runs.map((r) => r.failedUpdates);
  const peerCalls = peer.served.requests;
  const peerLeft = `${peer.failedUpdates} failed updates, ${peer.failedReads} failed reads, ${peer.driftLeft} left drifted`;
  const median = runs.length > 1 ? ` (median of ${runs.length} fault seeds)` : "";

  const rows: Row[] = [
    {
      figure: `2. throttled apply, ${drifted.length} drifted, ${quotaText}, +${options.tooManyRequests * 100}% 429s${median}`,
      ours: seconds(ours.wallMs),
      reference: `floor ${seconds(floorMs)} (${ours.served.ok} calls)`,
      ratio,
      target: "≤ 1.15",
      result: timeMet ? "met" : "MISSED",
      reason: `${timeMet ? "" : "missed: "}${reasons.join("; ")}${spread}`,
    },
    {
      figure: "2b. throttled apply: failed updates",
      ours: `${ours.failedUpdates} (${ours.apiCalls.throttled ?? 0} throttled, ${ours.apiCalls.retries ?? 0} retries)`,
      reference: `${drifted.length} updates`,
      ratio: null,
      target: "0 failed",
      result: updatesMet ? "met" : "MISSED",
      ...(updatesMet
        ? {}
        : {
            reason: `failed updates per run ${failedAll.join(", ")}; reported run: status ${ours.status}, ${ours.driftLeft} integrations left drifted`,
          }),
    },
    {
      figure: "2c. throttled apply: calls answered (429s and their retries aside)",
      ours: `${totalCalls(ours.answered)} calls`,
      reference: `minimum ${least}`,
      ratio: totalCalls(ours.answered) / least,
      target: "= 1.00",
      result: callsMet ? "met" : "MISSED",
      reason: callsMet
        ? `every run: ${Object.entries(minimum)
            .map(([op, n]) => `${op} ${n}`)
            .join(
              ", ",
            )}; the reported run's ${ours.served.bucket429 + ours.served.random429} refused requests were retried`
        : `calls against the minimum, per run: ${gapsPerRun.map((g, i) => `seed ${runs[i]!.faultSeed}: ${g.join(", ") || "none"}`).join("; ")}`,
    },
    {
      figure: `3a. peer (GetIntegration each, parallelism ${PEER_PARALLELISM}, SDK retry ${peer.maxAttempts} attempts): requests`,
      ours: `${ours.served.requests}`,
      reference: `peer ${peerCalls}`,
      ratio: ours.served.requests / peerCalls,
      target: "≤ 1",
      result: ours.served.requests <= peerCalls ? "met" : "MISSED",
    },
    {
      figure: "3b. peer: wall time",
      ours: seconds(ours.wallMs),
      reference: `peer ${seconds(peer.wallMs)}`,
      ratio: ours.wallMs / peer.wallMs,
      target: "—",
      result: "info",
      reason: `peer: ${peer.served.ok} calls served, ${peer.served.bucket429 + peer.served.random429} answered 429, ${peer.attempts.retries} retries; ${peerLeft}${peer.driftLeft > 0 ? " (a run that gives up finishes sooner)" : ""}`,
    },
    {
      figure: "3c. peer: failed updates / drift left",
      ours: `${ours.failedUpdates} / ${ours.driftLeft}`,
      reference: `peer ${peer.failedUpdates} / ${peer.driftLeft}`,
      ratio: null,
      target: "ours 0 / 0",
      result: updatesMet ? "met" : "MISSED",
    },
  ];
  return {
    rows,
    raw: {
      shape,
      quota,
      tooManyRequests: options.tooManyRequests,
      drifted: drifted.length,
      floorMs,
      ratio,
      minimum,
      minimumCalls: least,
      /** Every run of ours; `reported` is the one with the median ratio. */
      runs,
      reported: runs.indexOf(ours),
      peer,
    },
  };
}
