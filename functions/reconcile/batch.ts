/**
 * The event-driven path (PRODUCT §8): what one SQS batch of CloudTrail integration writes asks for, and
 * which of its records come back as batch item failures. Pure: the handler (app.ts) runs the one targeted
 * apply this plans and hands its report back here.
 *
 * - A write of a declared integration → that integration is reconciled (GetIntegration, no listing),
 *   `changedBy` taken from the event itself (the newest write per integration: duplicates coalesce).
 * - A CreateIntegration (or UpdateIntegration) of an undeclared integration on an API whose file prunes →
 *   a stray the run reads and prunes, with every guard (managed, in use, observe, maxDeletes, the lease).
 * - Writes by the tool itself (its role, or its user agent), of APIs git does not declare, of undeclared
 *   integrations on APIs that do not prune, deletions of undeclared ones, failed calls → ignored (logged).
 * - A record that is not such an event → failed back, so it rests in the dead-letter queue after
 *   maxReceiveCount instead of vanishing.
 */
import { classify } from "../../lib/apigateway/errors.ts";
import { isSelf, type SelfIdentity } from "../../lib/attribution/identity.ts";
import { changedByOf, integrationKey } from "../../lib/attribution/match.ts";
import type { ChangedBy } from "../../lib/attribution/types.ts";
import type { DesiredState } from "../../lib/desired-state/state.ts";
import type { IntegrationResult, Report } from "../../lib/plan/report.ts";
import type { ParsedMessage } from "./sqs.ts";

/** A record the batch does nothing for, and why (for the logs). */
export interface IgnoredRecord {
  messageId: string;
  reason: string;
  apiId?: string;
  integrationId?: string;
  eventName?: string;
  principal?: string;
}

export interface BatchPlan {
  /** The run's selection: the APIs, the declared integrations, the strays to prune. */
  apiIds: string[];
  integrationIds: string[];
  strays: { apiId: string; integrationId: string }[];
  /** Who made each write, from the events (the newest per integration). */
  changedBy: Map<string, ChangedBy>;
  /** The messages behind each integration the run looks at, by integrationKey. */
  messages: Map<string, string[]>;
  ignored: IgnoredRecord[];
  /** Records failed back whatever the run does. */
  malformed: { messageId: string; reason: string }[];
}

export function planBatch(
  parsed: readonly ParsedMessage[],
  state: DesiredState,
  self: SelfIdentity,
  options: { prune?: boolean } = {},
): BatchPlan {
  const apis = new Map(state.apis.map((a) => [a.apiId, a]));
  const plan: BatchPlan = {
    apiIds: [],
    integrationIds: [],
    strays: [],
    changedBy: new Map(),
    messages: new Map(),
    ignored: [],
    malformed: [],
  };
  const newest = new Map<string, { at: number; by: ChangedBy }>();
  for (const message of parsed) {
    if (message.kind === "malformed") {
      plan.malformed.push({ messageId: message.messageId, reason: message.reason });
      continue;
    }
    if (message.kind === "ignored") {
      plan.ignored.push({
        messageId: message.messageId,
        reason: message.reason,
        ...(message.record ? { eventName: message.record.eventName } : {}),
        ...(message.record?.userArn ? { principal: message.record.userArn } : {}),
      });
      continue;
    }
    const { write } = message;
    const { record } = write;
    const about = {
      messageId: write.messageId,
      apiId: write.apiId,
      integrationId: write.integrationId,
      eventName: write.eventName,
      ...(record.userArn ? { principal: record.userArn } : {}),
    };
    const caller = {
      ...(record.userArn ? { arn: record.userArn } : {}),
      ...(record.sessionIssuerArn ? { sessionIssuerArn: record.sessionIssuerArn } : {}),
      ...(record.userAgent ? { userAgent: record.userAgent } : {}),
    };
    if (isSelf(caller, self)) {
      plan.ignored.push({ ...about, reason: "the tool's own write" });
      continue;
    }
    const api = apis.get(write.apiId);
    if (!api) {
      plan.ignored.push({ ...about, reason: "the API has no desired-state file" });
      continue;
    }
    const declared = api.integrationIds.includes(write.integrationId);
    if (!declared) {
      if (write.eventName === "DeleteIntegration") {
        plan.ignored.push({ ...about, reason: "an undeclared integration was deleted" });
        continue;
      }
      if (!api.prune || options.prune === false) {
        plan.ignored.push({
          ...about,
          reason: "the integration is not declared and the file does not prune",
        });
        continue;
      }
    }
    const key = integrationKey(write.apiId, write.integrationId);
    if (!plan.messages.has(key)) {
      plan.messages.set(key, []);
      if (!plan.apiIds.includes(write.apiId)) plan.apiIds.push(write.apiId);
      if (declared) plan.integrationIds.push(write.integrationId);
      else plan.strays.push({ apiId: write.apiId, integrationId: write.integrationId });
    }
    plan.messages.get(key)!.push(write.messageId);
    const seen = newest.get(key);
    // Newest wins; of one second (CloudTrail's resolution), the later message.
    if (!seen || record.at >= seen.at) newest.set(key, { at: record.at, by: changedByOf(record) });
  }
  for (const [key, { by }] of newest) plan.changedBy.set(key, by);
  return plan;
}

/**
 * The messages to fail back after the run: every record when the run could not start (a held lease, a
 * guard), and otherwise the malformed ones and those of each integration the run did not finish: DEFERRED
 * (the deadline), or FAILED on a read or on an error a retry may cure (throttling, 5xx, network). A FAILED
 * write the service refused for good is recorded in history and not retried.
 */
export function batchFailures(
  plan: BatchPlan,
  report: Pick<Report, "status" | "integrations">,
  all: readonly string[],
): string[] {
  if (report.status === "FAILED") return [...all];
  const results = new Map(report.integrations.map((r) => [integrationKey(r.apiId, r.integrationId), r]));
  const failed = new Set(plan.malformed.map((m) => m.messageId));
  for (const [key, messages] of plan.messages) {
    const result = results.get(key);
    // A stray already gone, or one the read could not find, has no result: nothing left to do.
    if (!result) continue;
    if (unfinished(result)) for (const id of messages) failed.add(id);
  }
  return all.filter((id) => failed.has(id));
}

function unfinished(r: IntegrationResult): boolean {
  if (r.status === "DEFERRED") return true;
  if (r.status !== "FAILED") return false;
  if (!r.action) return true;
  const failure = classify({ name: r.error?.name });
  return failure === "throttling" || failure === "transient" || r.error?.name === "AbortError";
}
