import { resolve } from "node:path";
import { readDesiredFolder } from "../desired-state/folder.ts";
import { historyFromEnvironment } from "../history/environment.ts";
import { HistoryBusyError } from "../history/errors.ts";
import { callerIdentity } from "../identity/caller.ts";
import { DEFAULT_LIMITS } from "../plan/guards.ts";
import type { Mode, Report } from "../plan/report.ts";
import { addProbeWarnings } from "../probe/load.ts";
import type { Lease } from "../reconcile/lease.ts";
import { type Progress, reconcile, type Where } from "../reconcile/reconcile.ts";
import { gitRevision } from "../reconcile/revision.ts";
import { createRuntime, type Runtime, type RuntimeConfig } from "../runtime/runtime.ts";
import { terminal } from "../text/escape.ts";
import { fleetTargets, runFleetCommand } from "./fleet.ts";
import type { HistoryDeps } from "./history.ts";
import { type CliIo, writeJson } from "./io.ts";
import { renderHuman, renderMarkdown } from "./render.ts";

export interface RunOptions {
  desired: string;
  api?: string[];
  integration?: string[];
  maxDeletes?: number;
  maxUpdates?: number;
  rate?: number;
  concurrency?: number;
  prune?: boolean;
  /** false with --no-history: nothing recorded (an apply still takes the lease). */
  history?: boolean;
  json?: boolean;
  markdown?: boolean;
  detailedExitcode?: boolean;
  account?: string;
  /** A probe --json result (or APIGW_DRIFT_PROBE_RESULT): warnings for updates it shows cannot work. */
  probeResult?: string;
  /** false with --no-attribution: no CloudTrail lookups. */
  attribution?: boolean;
  /** --attribution-pages: LookupEvents pages the run may read (default 20). */
  attributionPages?: number;
}

/** How the CLI builds a runtime; tests wrap it to watch what a run sends. */
export type RuntimeFactory = (config: RuntimeConfig) => Promise<Runtime>;

/** `plan` and `apply`: load, reconcile, render; the exit code follows PRODUCT §6. */
export async function runReconcile(
  mode: Mode,
  options: RunOptions,
  io: CliIo,
  runtimeFactory: RuntimeFactory = createRuntime,
  historyDeps: HistoryDeps = {},
): Promise<number> {
  const folder = resolve(io.cwd, options.desired);
  const state = await readDesiredFolder(options.desired, { cwd: io.cwd });
  const desired = { state, revision: io.env.DESIRED_REVISION ?? (await gitRevision(folder)) };
  const request = {
    mode,
    ...(io.interrupt ? { interrupt: io.interrupt } : {}),
    ...(options.api ? { apiIds: options.api } : {}),
    ...(options.integration ? { integrationIds: options.integration } : {}),
    ...(options.prune === false ? { prune: false } : {}),
    limits: {
      maxUpdates: options.maxUpdates ?? DEFAULT_LIMITS.maxUpdates,
      maxDeletes: options.maxDeletes ?? DEFAULT_LIMITS.maxDeletes,
    },
  };
  // An invalid desired state fails before anything touches AWS (PRODUCT §2): no client, no store.
  if (state.errors.length > 0) {
    const report = await reconcile(request, desired, OFFLINE);
    print(report, options, io);
    return exitCode(report, mode, options.detailedExitcode === true);
  }
  const claimed = options.account ?? io.env.APIGW_DRIFT_ACCOUNT;
  if (claimed !== undefined && !/^\d{12}$/.test(claimed)) {
    io.stderr(
      `apigw-drift: APIGW_DRIFT_ACCOUNT must be a 12-digit AWS account id, not "${terminal(claimed)}"\n`,
    );
    return 1;
  }
  // A plan with --no-history needs no store; an apply always takes the lease, recorded or not.
  const record = options.history !== false;
  const open = historyDeps.open ?? historyFromEnvironment;
  const config: RuntimeConfig = {
    rate: options.rate,
    concurrency: options.concurrency,
    redactionKey: io.env.APIGW_DRIFT_REDACTION_KEY,
    onRetry: (r) =>
      io.stderr(
        `retrying ${r.operation}${r.target ? ` ${terminal(r.target)}` : ""} (${terminal(r.reason)}): attempt ${r.attempt} of ${r.maxAttempts} in ${r.waitMs} ms\n`,
      ),
    ...(record || mode === "apply"
      ? { history: { open: () => open(io.env, io.cwd), use: record ? "record" : "lease" } as const }
      : {}),
    // The CLI's own writes are those of its STS caller's session (where.callerArn) or carry its user
    // agent: a colleague's console session of a role the CLI shares is still attributed.
    ...(options.attribution === false
      ? {}
      : {
          attribution: {
            scope: "session" as const,
            ...(options.attributionPages !== undefined ? { pageBudget: options.attributionPages } : {}),
          },
        }),
  };
  let runtime: Runtime;
  // A history store that cannot be opened (corrupt, a full disk, no permission) never hides the run: a
  // plan goes on without it and says so; an apply, which needs the store's lease, reports that it wrote
  // nothing. Either way the report is printed.
  let storeProblem: string | undefined;
  try {
    try {
      runtime = await runtimeFactory(config);
    } catch (error) {
      if (!config.history || error instanceof HistoryBusyError) throw error;
      storeProblem = (error as Error).message;
      runtime = await runtimeFactory({ ...config, history: undefined });
    }
  } catch (error) {
    io.stderr(`apigw-drift: ${terminal((error as Error).message)}\n`);
    return 1;
  }
  try {
    if (!(await hasRegion(runtime, io))) return 1;
    const where = await whereFromCredentials(runtime, options.account ?? io.env.APIGW_DRIFT_ACCOUNT);
    // A store that could not be opened: an apply takes no lease, so it writes nothing (in every target).
    const usable = storeProblem && mode === "apply" ? withoutLease(runtime, storeProblem) : runtime;
    // Files in several accounts or Regions (or fleet.yaml sending the run elsewhere): a fleet (PRODUCT §9).
    const targets = fleetTargets(state, where, request);
    if (targets) {
      const fleet = await runFleetCommand({
        mode,
        request,
        desired,
        targets,
        runtime: usable,
        where,
        options,
        io,
        ...(storeProblem && mode === "plan" ? { amend: (r: Report) => notRecorded(r, storeProblem) } : {}),
      });
      if (io.interrupt?.aborted) return 130;
      return exitCode(fleet, mode, options.detailedExitcode === true);
    }
    let report = await reconcile(
      request,
      desired,
      usable.services({ where, onProgress: progressPrinter(io) }),
    );
    if (storeProblem && mode === "plan") report = notRecorded(report, storeProblem);
    addProbeWarnings(report, state, options.probeResult ?? io.env.APIGW_DRIFT_PROBE_RESULT, io.cwd);
    print(report, options, io);
    // An interrupted run has printed and recorded what it did; its exit says it was interrupted.
    if (io.interrupt?.aborted) return 130;
    return exitCode(report, mode, options.detailedExitcode === true);
  } finally {
    await runtime.close();
  }
}

/**
 * Whether the SDK's standard configuration names a Region (AWS_REGION, or the profile's region); without
 * one no call can be made, and a run would fail every call with the SDK's "Region is missing": say so
 * once, before any call, and what to set.
 */
export async function hasRegion(
  runtime: Pick<Runtime, "region">,
  io: Pick<CliIo, "stderr">,
): Promise<boolean> {
  if (await runtime.region()) return true;
  io.stderr(
    "apigw-drift: no AWS Region is set; set AWS_REGION (for example AWS_REGION=eu-west-1) or a region in your AWS profile. Nothing was read or changed\n",
  );
  return false;
}

/**
 * Where the run acts: the account from the credentials (STS GetCallerIdentity), the Region from the SDK's
 * configuration, and the account the caller claims, which the run only cross-checks.
 */
export async function whereFromCredentials(runtime: Runtime, claimed: string | undefined): Promise<Where> {
  const region = await runtime.region();
  const base = { ...(region ? { region } : {}), ...(claimed ? { claimedAccount: claimed } : {}) };
  try {
    const caller = await callerIdentity();
    return { ...base, account: caller.account, callerArn: caller.arn };
  } catch (error) {
    return { ...base, accountUnknown: `STS GetCallerIdentity failed: ${terminal((error as Error).message)}` };
  }
}

/** The lease of a store that could not be opened: an apply takes none, so it writes nothing. */
function unavailableLease(problem: string): Lease {
  const refuse = async (): Promise<never> => {
    throw new Error(problem);
  };
  return { acquire: refuse, renew: refuse, release: async () => {} };
}

/** The runtime with every run's (and every fleet target's) lease refused for `problem`. */
function withoutLease(runtime: Runtime, problem: string): Runtime {
  const forTarget = runtime.forTarget;
  return {
    ...runtime,
    redact: runtime.redact,
    services: (options) => ({ ...runtime.services(options), lease: unavailableLease(problem) }),
    region: () => runtime.region(),
    close: () => runtime.close(),
    ...(forTarget ? { forTarget: (target) => withoutLease(forTarget(target), problem) } : {}),
  };
}

/** A plan's report when the store could not be opened: nothing was recorded, and it says how to plan. */
function notRecorded(report: Report, problem: string): Report {
  return {
    ...report,
    status: report.status === "FAILED" || report.status === "BLOCKED" ? report.status : "PARTIAL",
    errors: [
      ...report.errors,
      { message: `drift history was not recorded: ${problem}; plan with --no-history to leave history out` },
    ],
  };
}

/** The services of a run that must not call AWS; reconcile fails an invalid desired state before any call. */
const offline = () => Promise.reject(new Error("an invalid desired state makes no AWS call"));
const OFFLINE = {
  gateway: {
    apiPages: () => ({ [Symbol.asyncIterator]: () => ({ next: offline }) }),
    getApi: offline,
    listIntegrations: offline,
    getIntegration: offline,
    listRoutes: offline,
    updateIntegration: offline,
    deleteIntegration: offline,
  },
  apiCalls: () => ({}),
  where: {},
  redact: (value: string) => value,
  now: Date.now,
  concurrency: 1,
};

export function print(report: Report, options: { json?: boolean; markdown?: boolean }, io: CliIo): void {
  if (options.json) writeJson(report, io);
  else if (options.markdown) io.stdout(renderMarkdown(report));
  else io.stdout(renderHuman(report, { color: io.color === true }));
}

/** plan: 0 unless the run failed; with --detailed-exitcode 0 in sync, 2 drift, 1 error. apply: 0 only when done. */
export function exitCode(report: Pick<Report, "status">, mode: Mode, detailed: boolean): number {
  if (mode === "apply") return report.status === "RECONCILED" || report.status === "IN_SYNC" ? 0 : 1;
  if (report.status === "IN_SYNC") return 0;
  if (report.status === "DRIFTED") return detailed ? 2 : 0;
  return 1;
}

/** Progress on stderr, at most every two seconds, only for runs long enough to need it. */
function progressPrinter(io: CliIo): (p: Progress) => void {
  let last = Date.now();
  return (p) => {
    const now = Date.now();
    if (now - last < 2_000 || p.done === p.total) return;
    last = now;
    io.stderr(`${p.phase === "apply" ? "writing" : "reading APIs"} ${p.done}/${p.total}\n`);
  };
}
