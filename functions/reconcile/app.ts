import { randomUUID } from "node:crypto";
import type { Logger } from "@aws-lambda-powertools/logger";
import { type Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import type { Context } from "aws-lambda";
import type { Report } from "../../lib/plan/report.ts";
import type { AttributionRequest } from "../../lib/reconcile/attribute.ts";
import { type DesiredInput, reconcile } from "../../lib/reconcile/reconcile.ts";
import type { Runtime } from "../../lib/runtime/runtime.ts";
import { type BatchResponse, handleBatch } from "./batch-handler.ts";
import { type FunctionConfig, whereFromArn } from "./config.ts";
import { parseEvent, type RunRequest } from "./event.ts";
import { isSqsBatch, type SqsBatch } from "./sqs.ts";
import { isListTargets, listTargets, reconcileTarget, type TargetList } from "./target.ts";

/** Calls still in flight this long before the function's timeout are abandoned. */
export const ABORT_MARGIN_MS = 15_000;

/** What one invocation needs; the Lambda entry builds it once per cold start (runtime.ts), tests their own. */
export interface HandlerDeps {
  config: FunctionConfig;
  /** The desired state bundled with the function and its revision (loaded once, then reused). */
  desired: () => Promise<DesiredInput>;
  /**
   * The composition root's runtime (lib/runtime), built at the first invocation and reused by warm ones:
   * the same clients, fresh call counts per run.
   */
  runtime: () => Promise<Runtime>;
  logger: Logger;
  metrics: Metrics;
  now?: () => number;
  /**
   * The ARNs that are the function itself (its role), for the event-driven path's "not by its own role";
   * resolved once per cold start (the template's APIGW_DRIFT_ROLE_ARN, else STS GetCallerIdentity).
   */
  self?: () => Promise<readonly string[]>;
}

/** A run the function makes: an event's request, plus what the event-driven path adds. */
export interface Invocation extends RunRequest {
  strays?: { apiId: string; integrationId: string }[];
  attribution?: AttributionRequest;
  /** Read every named integration with GetIntegration, never by listing (the event-driven path). */
  readEach?: boolean;
}

/**
 * The function's logic, without middy: parse the event, run the same reconcile as the CLI with the
 * deadline from the context, log and measure the outcome, return the report. Tests call this directly.
 */
export function createReconcileHandler(deps: HandlerDeps): ReconcileHandler {
  const run = (request: Invocation, context: Context) => runInvocation(request, context, deps);
  return (async (event: unknown, context: Context): Promise<Report | BatchResponse> => {
    // An SQS batch of CloudTrail events (the event-driven path); any other batch of records is refused.
    if (isSqsBatch(event)) return handleBatch(event, context, deps, run);
    return run(parseEvent(event, deps.config.RECONCILE_MODE), context);
  }) as ReconcileHandler;
}

/** An SQS batch gets a partial batch response; every other event, its run's report. */
export interface ReconcileHandler {
  (event: SqsBatch, context: Context): Promise<BatchResponse>;
  (event: unknown, context: Context): Promise<Report>;
}

/** One run: the same reconcile as the CLI, with the deadline from the context; logged, measured, notified. */
async function runInvocation(request: Invocation, context: Context, deps: HandlerDeps): Promise<Report> {
  const now = deps.now ?? Date.now;
  // Before the run starts: a runtime that cannot be built (the redaction key unreadable) stops the
  // invocation, with nothing written.
  const runtime = await deps.runtime();
  const runId = randomUUID();
  deps.logger.appendKeys({ runId });
  const desired = await deps.desired();
  deps.logger.info("run starting", {
    mode: request.mode,
    source: request.source,
    desiredRevision: desired.revision,
  });
  const started = now();
  const remaining = context.getRemainingTimeInMillis();
  // Nothing new starts DEADLINE_MARGIN_MS before the end; calls still in flight at ABORT_MARGIN_MS before
  // it are abandoned (their intents stay open for the next run to settle), leaving time to record history.
  const margin = Math.min(ABORT_MARGIN_MS, deps.config.DEADLINE_MARGIN_MS / 2);
  const stop = new AbortController();
  const timer = setTimeout(
    () => stop.abort(new Error("the function's time is nearly up")),
    Math.max(0, remaining - margin),
  );
  timer.unref?.();
  const run = {
    mode: request.mode,
    runId,
    ...(request.apiIds ? { apiIds: request.apiIds } : {}),
    ...(request.integrationIds ? { integrationIds: request.integrationIds } : {}),
    ...(request.prune === false ? { prune: false } : {}),
    ...(request.strays && request.strays.length > 0 ? { strays: request.strays } : {}),
    ...(request.attribution ? { attribution: request.attribution } : {}),
    limits: {
      maxUpdates: request.maxUpdates ?? deps.config.MAX_UPDATES,
      maxDeletes: request.maxDeletes ?? deps.config.MAX_DELETES,
    },
    deadline: started + remaining - deps.config.DEADLINE_MARGIN_MS,
  };
  const home = whereFromArn(context.invokedFunctionArn);
  // One target of the hub's state machine (PRODUCT §9): its APIs only, in its account and Region.
  const report = await (request.target
    ? reconcileTarget({ target: request.target, request: run, desired, runtime, home, signal: stop.signal })
    : reconcile(run, desired, {
        ...runtime.services({ where: home, signal: stop.signal }),
        now,
        ...(request.readEach ? { targetedReadLimit: Number.POSITIVE_INFINITY } : {}),
      })
  ).finally(() => clearTimeout(timer));
  // After the run is recorded: notifications on change only (PRODUCT §8); a failure is a warning.
  if (runtime.notify) {
    const notified = await runtime.notify(report, home);
    for (const message of notified.warnings) {
      deps.logger.warn("notifications", { warning: message });
      report.warnings.push({ message });
    }
    if (notified.sent > 0) deps.logger.info("notifications sent", { sent: notified.sent });
  }
  record(report, now() - started, deps);
  return report;
}

/**
 * The deployed entry: the reconcile handler, and the hub state machine's first state (`{"listTargets":
 * true}` → the fleet's targets, PRODUCT §9), which reads no API and writes nothing.
 */
export function createFunctionHandler(deps: HandlerDeps) {
  const reconcileHandler = createReconcileHandler(deps);
  return async (event: unknown, context: Context): Promise<Report | BatchResponse | TargetList> => {
    if (!isListTargets(event)) return reconcileHandler(event, context);
    return listTargets(await deps.desired(), whereFromArn(context.invokedFunctionArn));
  };
}

/** Logs what needs a person (diffs are already redacted) and emits the run's metrics. */
function record(report: Report, durationMs: number, { logger, metrics }: HandlerDeps): void {
  for (const r of report.integrations) {
    if (r.status === "IN_SYNC" || r.status === "UNMANAGED" || r.status.startsWith("SKIPPED")) continue;
    const log = r.status === "FAILED" || r.status === "MISSING" ? logger.warn : logger.info;
    log.call(logger, "integration", { ...r });
  }
  // Under "error", not spread: Powertools drops a top-level "message" key as reserved.
  for (const e of report.errors) logger.error("run error", { error: e });
  const s = report.summary;
  const drifted = report.integrations.filter((r) => r.diffs.length > 0 || r.status === "MISSING").length;
  metrics.addMetric("Drifted", MetricUnit.Count, drifted);
  metrics.addMetric("Updated", MetricUnit.Count, s.UPDATED);
  metrics.addMetric("Failed", MetricUnit.Count, s.FAILED);
  metrics.addMetric("Missing", MetricUnit.Count, s.MISSING);
  metrics.addMetric("Deleted", MetricUnit.Count, s.DELETED);
  metrics.addMetric("Deferred", MetricUnit.Count, s.DEFERRED);
  metrics.addMetric("Throttled", MetricUnit.Count, report.apiCalls.throttled ?? 0);
  metrics.addMetric("RunFailed", MetricUnit.Count, report.status === "FAILED" ? 1 : 0);
  // A blocked run fixes nothing anywhere: someone must look (too much drift at once, or many stray
  // integrations on a pruning API), so it gets an alarm of its own.
  metrics.addMetric("RunBlocked", MetricUnit.Count, report.status === "BLOCKED" ? 1 : 0);
  metrics.addMetric("Duration", MetricUnit.Milliseconds, durationMs);
  logger.info("run finished", {
    status: report.status,
    mode: report.mode,
    desiredRevision: report.desiredRevision,
    summary: report.summary,
    apiCalls: report.apiCalls,
  });
}
