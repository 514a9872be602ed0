import { randomUUID } from "node:crypto";
import { subsetState } from "../desired-state/state.ts";
import { type Report, type RunStatus, summarise } from "../plan/report.ts";
import { mapPool } from "../reconcile/pool.ts";
import { type DesiredInput, type RunRequest, type RunServices, reconcile } from "../reconcile/reconcile.ts";
import { type FleetTarget, selectionFor, targetName } from "./targets.ts";

/** PRODUCT §9: `--json` on a fleet, one Report per target, each with its account and Region. */
export interface FleetReport {
  runId: string;
  /** The worst of the targets' statuses (FAILED > BLOCKED > PARTIAL > DRIFTED > RECONCILED > IN_SYNC). */
  status: RunStatus;
  reports: Report[];
  /** STS calls (AssumeRole, GetCallerIdentity), apart from the targets' API Gateway calls. */
  stsCalls?: Record<string, number>;
}

/** A target made ready to run: its own services (client, credentials, limiter, lease), and its end. */
export interface OpenedTarget {
  services: RunServices;
  close?(): Promise<void>;
}

export interface FleetOptions {
  runId?: string;
  /** Targets at once (fleet.yaml `concurrency`). */
  concurrency: number;
  /**
   * Builds one target's services: its credentials (an assumed role in another account), API Gateway
   * client and rate limiter, its guards' `where`, its lease and history. Throws when the target cannot be
   * reached (the role refused): that target is FAILED with the error, the others run.
   */
  open(target: FleetTarget & { account: string; region: string }, runId: string): Promise<OpenedTarget>;
  /** Records the report of a target that could not be opened, as a run does its own. */
  recordFailure?(report: Report): Promise<void>;
  /** Each target's own run id (a fresh UUID by default); the Lambda's one target keeps its invocation's. */
  targetRunId?: (target: FleetTarget) => string;
  /** Told as each target finishes (the CLI prints a line on stderr). */
  onTarget?(report: Report): void;
  now?: () => number;
}

const SEVERITY: readonly RunStatus[] = ["IN_SYNC", "RECONCILED", "DRIFTED", "PARTIAL", "BLOCKED", "FAILED"];

/** The worst status of a fleet's reports: its exit code is the one a single report of it would get. */
export function fleetStatus(reports: readonly Report[]): RunStatus {
  let worst = 0;
  for (const r of reports) worst = Math.max(worst, SEVERITY.indexOf(r.status));
  return SEVERITY[worst]!;
}

/**
 * Runs every target of a fleet (PRODUCT §9), `concurrency` at once, each with its own services: the
 * same reconcile as a single run (guards, lease, history per target), on that target's APIs only. One
 * target failing, however (its role refused, its guards, a crash), never stops the others. Reports come
 * in target order (account, Region), each with its `account` and `region`.
 */
export async function runFleet(
  request: RunRequest,
  desired: DesiredInput,
  targets: readonly FleetTarget[],
  options: FleetOptions,
): Promise<FleetReport> {
  const runId = options.runId ?? request.runId ?? randomUUID();
  const now = options.now ?? Date.now;
  const reports = await mapPool(targets, options.concurrency, async (target) => {
    const report = await runTarget(request, desired, target, options, now);
    options.onTarget?.(report);
    return report;
  });
  return { runId, status: fleetStatus(reports), reports };
}

async function runTarget(
  request: RunRequest,
  desired: DesiredInput,
  target: FleetTarget,
  options: FleetOptions,
  now: () => number,
): Promise<Report> {
  const runId = options.targetRunId?.(target) ?? randomUUID();
  const started = now();
  const place = {
    ...(target.account ? { account: target.account } : {}),
    ...(target.region ? { region: target.region } : {}),
  };
  const failed = async (message: string): Promise<Report> => {
    const report = failedReport({ runId, mode: request.mode, desired, started, now, message, place });
    await options.recordFailure?.(report).catch(() => undefined);
    return report;
  };
  if (!target.account || !target.region) {
    const ids = target.apis.map((a) => a.apiId).join(", ");
    return failed(
      target.account
        ? `APIs ${ids} name no region and the run has none: set AWS_REGION, or write region: in their files`
        : `APIs ${ids} name no account and the run's own account is unknown (STS GetCallerIdentity failed); check the credentials, or write account: in their files`,
    );
  }
  // Out of time (or interrupted) before this target started: its work waits for the next run.
  if (request.interrupt?.aborted || (request.deadline !== undefined && now() >= request.deadline)) {
    const chosen = selectionFor(target, request).integrationIds;
    const integrations = target.apis
      .filter((a) => !request.apiIds || request.apiIds.includes(a.apiId))
      .flatMap((a) =>
        a.integrationIds
          .filter((id) => !chosen || chosen.includes(id))
          .map((integrationId) => ({
            apiId: a.apiId,
            integrationId,
            status: "DEFERRED" as const,
            diffs: [],
          })),
      );
    return {
      ...failedReport({ runId, mode: request.mode, desired, started, now, message: "", place }),
      status: "PARTIAL",
      summary: summarise(integrations),
      integrations,
      errors: [{ message: `not started: the run stopped before target ${targetName(target)}` }],
    };
  }
  let opened: OpenedTarget;
  try {
    opened = await options.open({ ...target, account: target.account, region: target.region }, runId);
  } catch (error) {
    return failed((error as Error).message);
  }
  try {
    const apiIds = new Set(target.apis.map((a) => a.apiId));
    const report = await reconcile(
      { ...request, ...selectionFor(target, request), runId },
      { state: subsetState(desired.state, apiIds), revision: desired.revision },
      opened.services,
    );
    return { ...report, ...place };
  } catch (error) {
    return failed(`the run in ${targetName(target)} failed: ${(error as Error).message}`);
  } finally {
    await opened.close?.().catch(() => undefined);
  }
}

/** A target's report when it could not run at all: FAILED, nothing read, the reason as its error. */
function failedReport(o: {
  runId: string;
  mode: Report["mode"];
  desired: DesiredInput;
  started: number;
  now: () => number;
  message: string;
  place: { account?: string; region?: string };
}): Report {
  return {
    runId: o.runId,
    startedAt: new Date(o.started).toISOString(),
    finishedAt: new Date(o.now()).toISOString(),
    mode: o.mode,
    desiredRevision: o.desired.revision,
    status: "FAILED",
    summary: summarise([]),
    integrations: [],
    apiCalls: {},
    errors: [{ message: o.message }],
    warnings: [],
    ...o.place,
  };
}
