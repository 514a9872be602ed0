import { resolve } from "node:path";
import type { Gateway } from "../apigateway/gateway.ts";
import { readDesiredFolder } from "../desired-state/folder.ts";
import type { DesiredState } from "../desired-state/load.ts";
import { createRedactor } from "../diff/redact.ts";
import { type HistoryContext, historyFromEnvironment } from "../history/environment.ts";
import { DEFAULT_LIMITS } from "../plan/guards.ts";
import type { Mode, Report } from "../plan/report.ts";
import { type Progress, reconcile } from "../reconcile/reconcile.ts";
import { gitRevision } from "../reconcile/revision.ts";
import { jsonText, terminal } from "../text/escape.ts";
import { type AwsContext, type AwsOptions, createAwsContext } from "./aws.ts";
import type { HistoryDeps } from "./history.ts";
import type { CliIo } from "./io.ts";
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
  /** false with --no-history: no store, no lease. */
  history?: boolean;
  json?: boolean;
  markdown?: boolean;
  detailedExitcode?: boolean;
  account?: string;
}

/** `plan` and `apply`: load, reconcile, render; the exit code follows PRODUCT §6. */
export async function runReconcile(
  mode: Mode,
  options: RunOptions,
  io: CliIo,
  aws: (o: AwsOptions) => AwsContext = createAwsContext,
  historyDeps: HistoryDeps = {},
): Promise<number> {
  const desired = await readDesiredFolder(options.desired, { cwd: io.cwd });
  let store: HistoryContext | undefined;
  if (options.history !== false && desired.errors.length === 0) {
    try {
      store = await (historyDeps.open ?? historyFromEnvironment)(io.env, io.cwd);
    } catch (error) {
      io.stderr(`apigw-drift: ${terminal((error as Error).message)}\n`);
      return 1;
    }
  }
  try {
    return await run(mode, options, io, desired, aws, store);
  } finally {
    await store?.close();
  }
}

async function run(
  mode: Mode,
  options: RunOptions,
  io: CliIo,
  desired: DesiredState,
  aws: (o: AwsOptions) => AwsContext,
  store: HistoryContext | undefined,
): Promise<number> {
  // An invalid desired state fails before anything touches AWS (PRODUCT §2): not even a client is built.
  const context =
    desired.errors.length === 0 ? aws({ rate: options.rate, concurrency: options.concurrency }) : undefined;
  const report = await reconcile({
    history: store?.history,
    lease: store?.lease,
    mode,
    desired,
    // resolve, not a join: `--desired /abs/path` is that path, not one below the working directory.
    desiredRevision: io.env.DESIRED_REVISION ?? (await gitRevision(resolve(io.cwd, options.desired))),
    gateway: context?.gateway ?? OFFLINE,
    apiCalls: () => context?.stats.toRecord() ?? {},
    concurrency: options.concurrency,
    apiIds: options.api,
    integrationIds: options.integration,
    prune: options.prune === false ? false : undefined,
    limits: {
      maxUpdates: options.maxUpdates ?? DEFAULT_LIMITS.maxUpdates,
      maxDeletes: options.maxDeletes ?? DEFAULT_LIMITS.maxDeletes,
    },
    account: options.account ?? io.env.APIGW_DRIFT_ACCOUNT,
    region: await context?.region(),
    redact: createRedactor(io.env.APIGW_DRIFT_REDACTION_KEY),
    onProgress: progressPrinter(io),
  });
  print(report, options, io);
  return exitCode(report, mode, options.detailedExitcode === true);
}

/** The gateway of a run that must not call AWS; reconcile fails an invalid desired state before any call. */
const offline = () => Promise.reject(new Error("an invalid desired state makes no AWS call"));
const OFFLINE: Gateway = {
  listApis: offline,
  getApi: offline,
  listIntegrations: offline,
  getIntegration: offline,
  listRoutes: offline,
  updateIntegration: offline,
  deleteIntegration: offline,
};

export function print(report: Report, options: { json?: boolean; markdown?: boolean }, io: CliIo): void {
  if (options.json) io.stdout(`${jsonText(report)}\n`);
  else if (options.markdown) io.stdout(renderMarkdown(report));
  else io.stdout(renderHuman(report, { color: io.color === true }));
}

/** plan: 0 unless the run failed; with --detailed-exitcode 0 in sync, 2 drift, 1 error. apply: 0 only when done. */
export function exitCode(report: Report, mode: Mode, detailed: boolean): number {
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
    io.stderr(
      `${p.phase === "apply" ? "writing" : p.phase === "read" ? "reading APIs" : "checking APIs"} ${p.done}/${p.total}\n`,
    );
  };
}
