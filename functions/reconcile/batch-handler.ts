/**
 * The handler's side of the event-driven path: parse the SQS batch, plan it (batch.ts), run one targeted
 * apply for what it names, and answer Lambda's partial batch response, so a record the run could not
 * finish is redelivered, never dropped (PRODUCT §8).
 */
import { randomUUID } from "node:crypto";
import type { Context } from "aws-lambda";
import { TOOL_USER_AGENT } from "../../lib/apigateway/client.ts";
import { type SelfIdentity, selfIdentity } from "../../lib/attribution/identity.ts";
import { type Report, summarise } from "../../lib/plan/report.ts";
import type { HandlerDeps, Invocation } from "./app.ts";
import { batchFailures, planBatch } from "./batch.ts";
import { parseBatch, type SqsBatch } from "./sqs.ts";

/** Lambda's partial batch response (ReportBatchItemFailures), with the run's report beside it. */
export interface BatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
  report: Report;
}

export async function handleBatch(
  batch: SqsBatch,
  context: Context,
  deps: HandlerDeps,
  run: (request: Invocation, context: Context) => Promise<Report>,
): Promise<BatchResponse> {
  const { logger } = deps;
  const desired = await deps.desired();
  const plan = planBatch(parseBatch(batch), desired.state, await ownIdentity(deps));
  for (const ignored of plan.ignored) logger.info("event ignored", { ...ignored });
  for (const m of plan.malformed) logger.warn("event refused", { messageId: m.messageId, reason: m.reason });
  const mode = deps.config.RECONCILE_MODE;
  const report =
    plan.messages.size === 0
      ? idle(mode, desired.revision, deps.now ?? Date.now)
      : await run(
          {
            mode,
            source: "event",
            apiIds: plan.apiIds,
            integrationIds: plan.integrationIds,
            strays: plan.strays,
            // Who changed it comes with the event: no LookupEvents call.
            attribution: { lookup: false, known: plan.changedBy },
            readEach: true,
          },
          context,
        );
  const all = batch.Records.map((r) => r.messageId);
  const failures = batchFailures(plan, report, all);
  if (failures.length > 0) {
    logger.warn("records failed back for redelivery", {
      messageIds: failures,
      status: report.status,
      errors: report.errors,
    });
  }
  logger.info("batch finished", {
    records: all.length,
    integrations: plan.messages.size,
    ignored: plan.ignored.length,
    failed: failures.length,
  });
  return { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })), report };
}

/**
 * The function's own identity: its role (every session of it) and the tool's user agent. Without the role
 * (STS unreachable), the user agent alone still tells the tool's writes; the rule already drops the role's.
 */
async function ownIdentity(deps: HandlerDeps): Promise<SelfIdentity> {
  let arns: readonly string[] = [];
  try {
    arns = (await deps.self?.()) ?? [];
  } catch (error) {
    deps.logger.warn("own identity unknown", { error: (error as Error).message });
  }
  return selfIdentity(arns, { scope: "role", userAgentMarker: TOOL_USER_AGENT });
}

/** The report of a batch with nothing to reconcile: no run, nothing recorded. */
function idle(mode: Report["mode"], revision: string, now: () => number): Report {
  const at = new Date(now()).toISOString();
  return {
    runId: randomUUID(),
    startedAt: at,
    finishedAt: at,
    mode,
    desiredRevision: revision,
    status: "IN_SYNC",
    summary: summarise([]),
    integrations: [],
    apiCalls: {},
    errors: [],
    warnings: [],
  };
}
