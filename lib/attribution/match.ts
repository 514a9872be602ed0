/**
 * The pure core of attribution (PRODUCT §8): which CloudTrail record, if any, explains each changed
 * integration. A record explains one when it is an API Gateway v2 integration write that succeeded, names
 * the integration, lies in its window, and was not made by the tool itself; of those, the newest wins.
 */
import { isSelf, type SelfIdentity } from "./identity.ts";
import type { TrailRecord } from "./record.ts";
import type { AttributionTarget, ChangedBy, IntegrationEventName } from "./types.ts";

/** CloudTrail's event history reaches back 90 days (LookupEvents, API reference). */
export const LOOKBACK_DAYS = 90;
const DAY_MS = 86_400_000;

export interface Window {
  /** Epoch milliseconds, inclusive, both. */
  start: number;
  end: number;
}

/** The key results and maps use for one integration. */
export function integrationKey(apiId: string, integrationId: string): string {
  return `${apiId}/${integrationId}`;
}

/**
 * What to look up for a result, in the order to look: a MISSING integration was deleted; any other was
 * written by an update or, failing one in the window, by its creation. An update always follows the
 * creation of the same integration (ids are not reused), so a matching update makes the creation moot.
 */
export function eventNamesFor(status: string): readonly IntegrationEventName[] {
  return status === "MISSING" ? ["DeleteIntegration"] : ["UpdateIntegration", "CreateIntegration"];
}

/**
 * The window a target's author is looked for in: from when it was last seen in sync (floored to the
 * second, as CloudTrail times are), never more than 90 days before `now`, to `until` (default `now`).
 */
export function windowFor(target: AttributionTarget, now: number, until: number = now): Window {
  const floor = now - LOOKBACK_DAYS * DAY_MS;
  const since = target.since === undefined ? Number.NaN : new Date(target.since).getTime();
  const start = Number.isFinite(since) ? Math.max(floor, Math.floor(since / 1000) * 1000) : floor;
  // A "since" ahead of the clock (skew between hosts) still looks at the last instant, not at nothing.
  return { start: Math.min(start, until), end: until };
}

/** True when `record` is a write of `target` inside `window` by someone other than the tool. */
export function explains(
  record: TrailRecord,
  target: AttributionTarget,
  window: Window,
  self: SelfIdentity,
): boolean {
  if (record.eventSource !== "apigateway.amazonaws.com") return false;
  if (!(eventNamesFor(target.status) as readonly string[]).includes(record.eventName)) return false;
  // A failed call (AccessDenied, BadRequest...) is recorded too, with errorCode: it changed nothing.
  if (record.errorCode !== undefined) return false;
  const params = record.requestParameters;
  // v1 REST API calls share the event names and name the API `restApiId` (service-facts #25).
  if (!params || params.apiId !== target.apiId || "restApiId" in params) return false;
  // CreateIntegration has no integration id in its path: the new id is only in the answer.
  const integrationId = params.integrationId ?? record.responseElements?.integrationId;
  if (integrationId !== target.integrationId) return false;
  if (record.at < window.start || record.at > window.end) return false;
  return !isSelf(
    {
      ...(record.userArn ? { arn: record.userArn } : {}),
      ...(record.sessionIssuerArn ? { sessionIssuerArn: record.sessionIssuerArn } : {}),
      ...(record.userAgent ? { userAgent: record.userAgent } : {}),
    },
    self,
  );
}

/** The `changedBy` a record gives. */
export function changedByOf(record: TrailRecord): ChangedBy {
  return {
    principal: record.userArn ?? record.invokedBy ?? record.principalId ?? record.identityType ?? "unknown",
    at: new Date(record.at).toISOString(),
    eventName: record.eventName,
    eventId: record.eventId,
    ...(record.sourceIpAddress ? { sourceIpAddress: record.sourceIpAddress } : {}),
    ...(record.userAgent ? { userAgent: record.userAgent } : {}),
  };
}

export interface MatchOptions {
  self: SelfIdentity;
  /** Epoch milliseconds. */
  now: number;
  until?: number;
}

/**
 * For each target, the newest record that explains it. Records of the same second keep their input order
 * (LookupEvents answers newest first), so the first of them wins. Targets nothing explains are absent.
 */
export function attribute(
  records: readonly TrailRecord[],
  targets: readonly AttributionTarget[],
  options: MatchOptions,
): Map<string, ChangedBy> {
  const out = new Map<string, ChangedBy>();
  for (const target of targets) {
    const window = windowFor(target, options.now, options.until);
    let best: TrailRecord | undefined;
    for (const record of records) {
      if ((best === undefined || record.at > best.at) && explains(record, target, window, options.self)) {
        best = record;
      }
    }
    if (best) out.set(integrationKey(target.apiId, target.integrationId), changedByOf(best));
  }
  return out;
}
