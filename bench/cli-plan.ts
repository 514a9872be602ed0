/**
 * Figure 6, the CLI's plan as a user runs it: the built CLI (dist/cli.mjs, rebuilt when older than lib/) run
 * by the project's pinned Node (node_modules/.bin/node) on Node's default heap (no NODE_OPTIONS, no flag),
 * as a child process, over desired-state YAML files on disk, against the emulator in this process
 * enforcing the documented quota (10/s, burst 40): `plan --json --no-history --no-attribution
 * --detailed-exitcode`, the plan's own cost against its API Gateway call minimum; then once with
 * attribution on, as a plan runs by default, against a CloudTrail emulator at its quota: what it adds.
 *
 * The child's peak RSS and CPU time are the kernel's accounting of that process (getrusage through
 * GNU time's wait4, `/usr/bin/time -f %M %U %S`), so nothing is added to the process measured; without
 * GNU time, a preloaded module reports `process.resourceUsage()` at exit instead (the README says which
 * ran). Wall time is measured here, from spawn to exit, and held against the quota floor of the run's
 * call minimum (PRODUCT §4). Linearity compares CPU per integration at two sizes: wall time is set by the
 * quota, CPU by the product.
 */
import { execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { startCloudTrailEmulator } from "../emulator/cloudtrail.ts";
import { startEmulator } from "../emulator/server.ts";
import { startStsEmulator } from "../emulator/sts.ts";
import { documents } from "../lib/desired-state/state.ts";
import { floorSeconds } from "../lib/model/quota.ts";
import type { Report } from "../lib/plan/report.ts";
import { ensureCliBundle } from "../test/helpers/cli-bundle.ts";
import { answeredCalls, callGaps, callMinimum, requestedCalls, totalCalls } from "./minimum.ts";
import { LINEAR_ENOUGH, RSS_BUDGET } from "./scale.ts";
import { mib, type Row, seconds } from "./table.ts";
import { desiredFiles, loadGenerated, pickDrifted, seedEmulator } from "./world.ts";

const execFileAsync = promisify(execFile);
const GNU_TIME = "/usr/bin/time";
/** PRODUCT §7: within 1.1× the floor of the plan's minimum calls. */
const WALL_TARGET = 1.1;
/** The blast-radius default a plan of more updates warns about (lib/plan/guards.ts DEFAULT_LIMITS). */
const MAX_UPDATES = 100;

export interface CliPlanOptions {
  /** The figure's fleet, and the smaller one linearity compares it with; APIs of the same size. */
  apis: number;
  smallApis: number;
  integrationsPerApi: number;
  driftedShare: number;
  seed: number;
  /** The emulator's token bucket: the documented quota unless scaled for a quick run. */
  quota: { rate: number; burst: number };
  /** Runs at the large size (the median's wall, the worst peak), and at the small one. */
  repeats: number;
  tmp: string;
}

/** What one run of the CLI cost, as the kernel counted it. */
interface Measured {
  exitCode: number;
  stdout: string;
  stderr: string;
  wallMs: number;
  maxRssBytes: number;
  cpuMs: number;
  userMs: number;
  systemMs: number;
  /** "gnu-time" or "resourceUsage-preload". */
  how: string;
}

/** The pinned Node of package.json's devDependencies, as `npx node` and the scripts run it. */
export function pinnedNode(): string {
  const node = resolve("node_modules/.bin/node");
  if (!existsSync(node)) throw new Error("node_modules/.bin/node is missing: run npm ci first");
  return node;
}

/** Written once into the figure's folder: reports the process's own rusage at exit, for hosts without GNU time. */
const PRELOAD = `const out = process.env.BENCH_RUSAGE_OUT;
process.on("exit", () => {
  const u = process.resourceUsage();
  process.getBuiltinModule("node:fs").writeFileSync(out, JSON.stringify({ maxRSS: u.maxRSS, user: u.userCPUTime, system: u.systemCPUTime }));
});
`;

/** Runs `node args…` in `cwd` with exactly `env`, measured. */
async function measured(
  node: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
): Promise<Measured> {
  const usage = join(cwd, `rusage-${process.hrtime.bigint()}.txt`);
  const gnu = existsSync(GNU_TIME);
  let command: string;
  let argv: string[];
  if (gnu) {
    command = GNU_TIME;
    argv = ["-f", "%M %U %S", "-o", usage, node, ...args];
  } else {
    const preload = join(cwd, "rusage-preload.mjs");
    await writeFile(preload, PRELOAD);
    command = node;
    argv = ["--import", preload, ...args];
  }
  const started = performance.now();
  const child = spawn(command, argv, {
    cwd,
    env: gnu ? env : { ...env, BENCH_RUSAGE_OUT: usage },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on("data", (d: Buffer) => out.push(d));
  child.stderr.on("data", (d: Buffer) => err.push(d));
  const exitCode = await new Promise<number>((done, fail) => {
    child.on("error", fail);
    child.on("close", (code) => done(code ?? -1));
  });
  const wallMs = performance.now() - started;
  const text = (await readFile(usage, "utf8")).trim();
  let maxRssBytes: number;
  let userMs: number;
  let systemMs: number;
  if (gnu) {
    // GNU time writes "Command exited with non-zero status N" first when the command fails.
    const [kib, user, system] = text.split("\n").at(-1)!.split(" ").map(Number) as [number, number, number];
    maxRssBytes = kib * 1024;
    userMs = user * 1000;
    systemMs = system * 1000;
  } else {
    const u = JSON.parse(text) as { maxRSS: number; user: number; system: number };
    maxRssBytes = u.maxRSS * 1024;
    userMs = u.user / 1000;
    systemMs = u.system / 1000;
  }
  return {
    exitCode,
    stdout: Buffer.concat(out).toString("utf8"),
    stderr: Buffer.concat(err).toString("utf8"),
    wallMs,
    maxRssBytes,
    cpuMs: userMs + systemMs,
    userMs,
    systemMs,
    how: gnu ? "gnu-time" : "resourceUsage-preload",
  };
}

/**
 * The environment of a user's shell pointed at the emulators (API Gateway; STS, which the CLI asks who its
 * credentials are; CloudTrail, which attribution asks who changed what): no NODE_OPTIONS, no AWS profile.
 */
function cliEnv(
  endpoints: { apigateway: string; sts: string; cloudtrail?: string },
  dir: string,
): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: dir,
    AWS_ENDPOINT_URL_APIGATEWAYV2: endpoints.apigateway,
    AWS_ENDPOINT_URL_STS: endpoints.sts,
    ...(endpoints.cloudtrail ? { AWS_ENDPOINT_URL_CLOUDTRAIL: endpoints.cloudtrail } : {}),
    AWS_REGION: "eu-west-1",
    AWS_ACCESS_KEY_ID: "bench",
    AWS_SECRET_ACCESS_KEY: "bench",
    AWS_CONFIG_FILE: join(dir, "no-aws-config"),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, "no-aws-credentials"),
    // As CI passes the commit: no git process inside the measured one.
    DESIRED_REVISION: "bench",
  };
}

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** One fleet size: its files on disk, an emulator holding it with 1% drift, `repeats` plans. */
async function fleet(
  node: string,
  cli: string,
  apis: number,
  repeats: number,
  options: CliPlanOptions & { stsUrl: string; attributionRun: boolean },
) {
  const shape = { apis, integrationsPerApi: options.integrationsPerApi };
  const integrations = apis * options.integrationsPerApi;
  const dir = join(options.tmp, `cli-${integrations}`);
  const desired = join(dir, "desired-state");
  await mkdir(desired, { recursive: true });
  const files = desiredFiles(shape);
  for (const f of files) await writeFile(join(desired, f.path.replace(/^desired-state\//, "")), f.bytes);
  const state = loadGenerated(files);
  const drifted = pickDrifted(state, Math.round(integrations * options.driftedShare), options.seed);
  const expected = new Set(drifted.map((d) => `${d.apiId}/${d.integrationId}`));
  const docs = documents(state);
  const minimum = callMinimum({
    apiPositions: docs.map((_, i) => i),
    integrationsPerApi: docs.map(({ doc }) => Object.keys(doc.integrations).length),
    updates: 0,
  });
  const emulator = await startEmulator({ seed: options.seed });
  seedEmulator(emulator, state, drifted);
  // Who made the drift: one console UpdateIntegration per drifted integration in the last hour, for the
  // attribution run; CloudTrail's documented 2 LookupEvents a second (burst 2, unverified).
  const trail = await startCloudTrailEmulator({ accountId: "123456789012" });
  const hourAgo = Date.now() - 3_600_000;
  for (const [i, d] of drifted.entries()) {
    trail.seed({
      eventName: "UpdateIntegration",
      eventTime: hourAgo + i * 1000,
      requestParameters: { apiId: d.apiId, integrationId: d.integrationId },
    });
  }
  const runs = [];
  let attribution: Awaited<ReturnType<typeof attributionRun>> | undefined;
  try {
    for (let i = 0; i < repeats; i++) {
      emulator.calls.reset();
      // A new throttle starts with a full bucket, as an idle account's does.
      emulator.faults.configure({
        throttle: { ratePerSecond: options.quota.rate, burst: options.quota.burst },
      });
      const spawnedAt = Date.now();
      const run = await measured(
        node,
        [cli, ...PLAN_ARGS, "--no-attribution"],
        cliEnv({ apigateway: emulator.url, sts: options.stsUrl }, dir),
        dir,
      );
      let report: Report | undefined;
      try {
        report = JSON.parse(run.stdout) as Report;
      } catch {
        throw new Error(
          `the CLI printed no report (exit ${run.exitCode}): ${run.stderr.trim().split("\n").slice(-3).join(" / ")}`,
        );
      }
      const records = emulator.calls.all();
      const exitedAt = spawnedAt + run.wallMs;
      // Where the wall time went, from the emulator's clock: before the first call (start, read and validate
      // the files), between the first and the last call (the quota's part), after the last (the report).
      const phases = {
        beforeFirstCallMs: (records[0]?.at ?? exitedAt) - spawnedAt,
        callsMs: (records.at(-1)?.at ?? exitedAt) - (records[0]?.at ?? exitedAt),
        afterLastCallMs: exitedAt - (records.at(-1)?.at ?? exitedAt),
      };
      const found = new Set(
        report.integrations.filter((r) => r.status === "DRIFTED").map((r) => `${r.apiId}/${r.integrationId}`),
      );
      const exact = found.size === expected.size && [...expected].every((k) => found.has(k));
      const { stdout: _, stderr, ...cost } = run;
      runs.push({
        ...cost,
        stderrTail: stderr.trim().split("\n").slice(-2),
        status: report.status,
        summary: report.summary,
        warnings: report.warnings ?? [],
        errors: report.errors,
        reportApiCalls: report.apiCalls,
        requested: requestedCalls(records),
        answered: answeredCalls(records),
        throttled: records.filter((r) => r.fault === "throttle").length,
        phases,
        exact,
      });
    }
    if (options.attributionRun) {
      attribution = await attributionRun(node, cli, dir, {
        emulator,
        trail,
        stsUrl: options.stsUrl,
        quota: options.quota,
      });
    }
  } finally {
    await emulator.close();
    await trail.close();
  }
  return {
    integrations,
    apis,
    drifted: drifted.length,
    minimum,
    least: totalCalls(minimum),
    runs,
    attribution,
  };
}

/** The plan as the figure measures it; the measured runs add --no-attribution, the attribution run not. */
const PLAN_ARGS = ["plan", "--json", "--no-history", "--detailed-exitcode", "--desired", "desired-state"];
/** CloudTrail's LookupEvents quota (API reference: 2 per second per account and Region). */
const LOOKUP_QUOTA = { rate: 2, burst: 2 };

/**
 * One plan with attribution on, as a user's plan runs by default (PRODUCT §8): its wall time against the
 * measured runs', the LookupEvents it sent, and how many drifted integrations it named an author for.
 */
async function attributionRun(
  node: string,
  cli: string,
  dir: string,
  world: {
    emulator: Awaited<ReturnType<typeof startEmulator>>;
    trail: Awaited<ReturnType<typeof startCloudTrailEmulator>>;
    stsUrl: string;
    quota: { rate: number; burst: number };
  },
) {
  world.emulator.calls.reset();
  world.emulator.faults.configure({
    throttle: { ratePerSecond: world.quota.rate, burst: world.quota.burst },
  });
  world.trail.calls.reset();
  const run = await measured(
    node,
    [cli, ...PLAN_ARGS],
    cliEnv({ apigateway: world.emulator.url, sts: world.stsUrl, cloudtrail: world.trail.url }, dir),
    dir,
  );
  const report = JSON.parse(run.stdout) as Report;
  const lookups = world.trail.calls.all();
  const answered = lookups.filter((c) => c.status === 200).length;
  const lastGatewayCall = world.emulator.calls.all().at(-1)?.at;
  return {
    wallMs: run.wallMs,
    exitCode: run.exitCode,
    lookups: lookups.length,
    lookupsAnswered: answered,
    lookupsThrottled: lookups.length - answered,
    /** From the last API Gateway call to the last LookupEvents: the attribution step's own time. */
    lookupSpanMs: lookups.length > 0 && lastGatewayCall ? lookups.at(-1)!.at - lastGatewayCall : 0,
    attributed: report.integrations.filter((r) => r.changedBy !== undefined).length,
    drifted: report.integrations.filter((r) => r.status === "DRIFTED").length,
    warnings: (report.warnings ?? []).map((w) => w.message),
  };
}

/**
 * A CLI that only starts (`--version` loads every module the bundle imports): its CPU and peak RSS,
 * medians of `repeats`, the fixed part of every run.
 */
async function startupCost(node: string, cli: string, dir: string, repeats: number) {
  const runs: Measured[] = [];
  for (let i = 0; i < repeats; i++) {
    const nowhere = "http://127.0.0.1:9";
    runs.push(
      await measured(node, [cli, "--version"], cliEnv({ apigateway: nowhere, sts: nowhere }, dir), dir),
    );
  }
  return { cpuMs: median(runs.map((r) => r.cpuMs)), maxRssBytes: median(runs.map((r) => r.maxRssBytes)) };
}

export async function cliPlan(options: CliPlanOptions) {
  const node = pinnedNode();
  // Rebuilt by scripts/build.mjs (the package's own build) when older than lib/, as the CLI tests do.
  const cli = ensureCliBundle();
  const sts = await startStsEmulator({ defaultAccount: "123456789012" });
  let large: Awaited<ReturnType<typeof fleet>>;
  let small: Awaited<ReturnType<typeof fleet>>;
  try {
    large = await fleet(node, cli, options.apis, options.repeats, {
      ...options,
      stsUrl: sts.url,
      attributionRun: true,
    });
    small = await fleet(node, cli, options.smallApis, options.repeats, {
      ...options,
      stsUrl: sts.url,
      attributionRun: false,
    });
  } finally {
    await sts.close();
  }
  const started = await startupCost(node, cli, options.tmp, options.repeats);
  const startup = started.cpuMs;
  const nodeVersion = (await execFileAsync(node, ["--version"])).stdout.trim();

  const worst = large.runs.reduce((a, b) => (b.maxRssBytes > a.maxRssBytes ? b : a));
  const rssMet = worst.maxRssBytes < RSS_BUDGET;
  const floorMs = floorSeconds(large.least, options.quota) * 1000;
  const wallMs = median(large.runs.map((r) => r.wallMs));
  const wallRatio = wallMs / floorMs;
  const mid = [...large.runs].sort((a, b) => a.wallMs - b.wallMs)[Math.floor(large.runs.length / 2)]!;
  const wallMet = wallRatio <= WALL_TARGET;
  const cpuLarge = median(large.runs.map((r) => r.cpuMs));
  const cpuSmall = median(small.runs.map((r) => r.cpuMs));
  const growth = cpuLarge / large.integrations / (cpuSmall / small.integrations);
  const marginal = (cpuLarge - startup) / large.integrations / ((cpuSmall - startup) / small.integrations);
  const linearMet = growth <= LINEAR_ENOUGH;
  const gaps = [large, small].flatMap((f) =>
    f.runs.flatMap((r, i) =>
      callGaps(r.answered, f.minimum).map((g) => `${f.integrations} run ${i + 1}: ${g}`),
    ),
  );
  const callsMet = gaps.length === 0;
  const statusRun = large.runs[0]!;
  const limitWarning = statusRun.warnings.find((w) => /maxUpdates/.test(w.message));
  const overLimit = large.drifted > MAX_UPDATES;
  const statusMet =
    large.runs.every((r) => r.status === "DRIFTED" && r.exitCode === 2 && r.exact) &&
    small.runs.every((r) => r.status === "DRIFTED" && r.exitCode === 2 && r.exact) &&
    (!overLimit || limitWarning !== undefined);
  const k = (n: number) => `${n / 1000}k`;
  const label = `${options.apis}×${options.integrationsPerApi}`;
  const rssList = large.runs.map((r) => mib(r.maxRssBytes)).join(", ");
  const how =
    worst.how === "gnu-time"
      ? "GNU time's %M (the kernel's ru_maxrss of the CLI process)"
      : "process.resourceUsage().maxRSS at exit (a preloaded module; no GNU time here)";
  const quotaText = `${options.quota.rate}/s burst ${options.quota.burst}`;
  const throttledText = large.runs.map((r) => r.throttled).join(", ");

  const rows: Row[] = [
    {
      figure: `6. CLI plan ${k(large.integrations)} (${label}, ${large.drifted} drifted), default heap: peak RSS`,
      ours: mib(worst.maxRssBytes),
      reference: `budget ${mib(RSS_BUDGET)}`,
      ratio: worst.maxRssBytes / RSS_BUDGET,
      target: "< 1",
      result: rssMet ? "met" : "MISSED",
      reason: `${rssMet ? "" : "over budget: "}worst of ${large.runs.length} runs (${rssList}), by ${how}; dist/cli.mjs run by ${nodeVersion} (node_modules/.bin/node) with no NODE_OPTIONS and no flag, \`plan --json --no-history --no-attribution --detailed-exitcode\` over ${large.apis} YAML files; the same CLI only starting (--version) peaks at ${mib(started.maxRssBytes)}; ${mib(median(small.runs.map((r) => r.maxRssBytes)))} at ${k(small.integrations)}`,
    },
    {
      figure: `6b. CLI plan ${k(large.integrations)}: wall time vs quota floor (${quotaText})`,
      ours: seconds(wallMs),
      reference: `floor ${seconds(floorMs)} (${large.least} calls)`,
      ratio: wallRatio,
      target: `≤ ${WALL_TARGET}`,
      result: wallMet ? "met" : "MISSED",
      reason: `${wallMet ? "" : "missed: "}median of ${large.runs.length} (${large.runs.map((r) => seconds(r.wallMs)).join(", ")}), spawn to exit; the median run spent ${seconds(mid.phases.beforeFirstCallMs)} before its first call (starting, reading and validating the files), ${seconds(mid.phases.callsMs)} from the first call to the last (floor from a full bucket: ${seconds(floorMs)}), ${seconds(mid.phases.afterLastCallMs)} after it (the last plan, the report); requests the emulator's bucket refused (429) per run: ${throttledText}`,
    },
    {
      figure: `6c. CLI plan: CPU per integration, ${k(large.integrations)} vs ${k(small.integrations)}`,
      ours: `${cpuLarge.toFixed(0)} ms at ${k(large.integrations)}`,
      reference: `${cpuSmall.toFixed(0)} ms at ${k(small.integrations)}`,
      ratio: growth,
      target: `≤ ${LINEAR_ENOUGH} (1 = linear)`,
      result: linearMet ? "met" : "MISSED",
      reason: `CPU (user + system) of the whole CLI process, median of ${options.repeats}; starting alone (--version) costs ${startup.toFixed(0)} ms, and without it the ratio is ${marginal.toFixed(2)}`,
    },
    {
      figure: `6d. CLI plan ${k(large.integrations)}: calls answered vs minimum`,
      ours: `${totalCalls(statusRun.answered)} calls`,
      reference: `minimum ${large.least}`,
      ratio: totalCalls(statusRun.answered) / large.least,
      target: "= 1.00",
      result: callsMet ? "met" : "MISSED",
      reason: callsMet
        ? `every run at both sizes: ${Object.entries(large.minimum)
            .map(([op, n]) => `${op} ${n}`)
            .join(
              ", ",
            )} at ${k(large.integrations)} (one GetApis page lists all ${large.apis} APIs); refused requests and their retries aside`
        : `calls against the minimum: ${gaps.join("; ")}`,
    },
    {
      figure: `6e. CLI plan ${k(large.integrations)}: status, exit code (--detailed-exitcode), warning`,
      ours: `${statusRun.status}, exit ${statusRun.exitCode}${limitWarning ? ", warns" : ""}`,
      reference: `${large.drifted} drifted > maxUpdates ${MAX_UPDATES}`,
      ratio: null,
      target: "DRIFTED, exit 2, warns",
      result: statusMet ? "met" : "MISSED",
      reason: `${statusMet ? "" : "missed: "}${limitWarning ? `warning: "${limitWarning.message}"` : "no warning names maxUpdates"}; drifted set equal to the injected one in every run: ${[...large.runs, ...small.runs].every((r) => r.exact)}`,
    },
  ];
  const attributed = large.attribution!;
  const lookupFloorMs = floorSeconds(attributed.lookupsAnswered, LOOKUP_QUOTA) * 1000;
  rows.push({
    figure: `6f. the same plan with attribution (CloudTrail ${LOOKUP_QUOTA.rate}/s burst ${LOOKUP_QUOTA.burst}): time it adds`,
    ours: `+${seconds(attributed.wallMs - wallMs)}`,
    reference: `LookupEvents floor ${seconds(lookupFloorMs)} (${attributed.lookupsAnswered} calls)`,
    ratio: lookupFloorMs > 0 ? (attributed.wallMs - wallMs) / lookupFloorMs : null,
    target: "—",
    result: "info",
    reason: `one run without --no-attribution (attribution is on by default, PRODUCT §8), ${seconds(attributed.wallMs)} spawn to exit against the measured runs' median; ${attributed.attributed} of ${attributed.drifted} drifted integrations named an author (CloudTrail held one console UpdateIntegration for each, pages of 50 newest first, the page budget 20); LookupEvents sent ${attributed.lookups}, refused ${attributed.lookupsThrottled}; ${seconds(attributed.lookupSpanMs)} from the last API Gateway call to the last lookup; exit ${attributed.exitCode}${attributed.warnings.length > 0 ? `; warnings: ${attributed.warnings.map((w) => JSON.stringify(w)).join(" ")}` : ""}`,
  });
  return {
    rows,
    raw: {
      node: nodeVersion,
      benchNode: process.version,
      measuredBy: worst.how,
      quota: options.quota,
      floorMs,
      wallMs,
      wallRatio,
      startup: started,
      cpuGrowth: growth,
      cpuGrowthWithoutStartup: marginal,
      large,
      small,
    },
  };
}
