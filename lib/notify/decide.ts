/**
 * Which notifications a run sends (PRODUCT §8): one per integration whose state changed since the last run
 * that looked at it, so a standing drift is announced once. Pure: the caller keeps `next` (in history) and
 * hands it back as `previous` on the next run.
 *
 * - Drift (DRIFTED, MISSING, or an UNMANAGED integration planned for deletion) not announced yet, or a
 *   different drift than the one announced → "Integration Drift Detected".
 * - The same drift seen again in `mode: observe` (`observed`: the tool held its fix back) after it was
 *   announced as detected → "Integration Drift Unresolved", once. A dry run's standing drift is not
 *   announced again: the fix was never asked for.
 * - FAILED → "Integration Drift Unresolved", unless that same drift was already announced as unresolved.
 * - UPDATED (or DELETED, a prune: the tool's fix of an undeclared integration) → "Integration Drift
 *   Reverted"; the integration is back in sync, so its state is cleared.
 * - IN_SYNC clears the state silently; anything else (DEFERRED, SKIPPED_*, informational UNMANAGED) leaves
 *   it as it was: that run did not look.
 */
import { createHash } from "node:crypto";
import { integrationKey } from "../attribution/match.ts";
import type { ChangedBy } from "../attribution/types.ts";

export const DETAIL_TYPES = {
  detected: "Integration Drift Detected",
  unresolved: "Integration Drift Unresolved",
  reverted: "Integration Drift Reverted",
} as const;
export type NotificationKind = keyof typeof DETAIL_TYPES;
export type DetailType = (typeof DETAIL_TYPES)[NotificationKind];

/** A diff as the report carries it (already redacted). */
export interface DiffLike {
  path: string;
  kind: string;
  expected?: unknown;
  actual?: unknown;
}

/** What a decision needs of an integration result (PRODUCT §3's IntegrationResult fits). */
export interface NotifyResult {
  apiId: string;
  integrationId: string;
  status: string;
  diffs: readonly DiffLike[];
  /** "delete" on an UNMANAGED result means a prune is planned (`observed`, one held back): that is drift. */
  action?: string;
  changedBy?: ChangedBy;
  error?: { name: string; message: string };
  /** The API is in `mode: observe` and the fix was held back. */
  observed?: true;
}

/** What was last announced for an integration's open drift. */
export interface NotifiedState {
  kind: "detected" | "unresolved";
  /** driftFingerprint() of the drift announced: another drift is announced anew. */
  drift: string;
}

export interface RunInfo {
  runId: string;
  desiredRevision: string;
  /** Where the run acted, so a rule or a person can tell which account's integration drifted. */
  account?: string;
  region?: string;
}

/** The event's `detail`. */
export interface NotificationDetail {
  apiId: string;
  integrationId: string;
  status: string;
  diffs: DiffLike[];
  changedBy?: ChangedBy;
  runId: string;
  desiredRevision: string;
  /**
   * The integration's account and Region, where the run knew them (a fleet's targets share one bus in the
   * home account). An addition to PRODUCT §8's list.
   */
  account?: string;
  region?: string;
  /** For FAILED: what went wrong. An addition to PRODUCT §8's list. */
  error?: { name: string; message: string };
}

export interface Notification {
  detailType: DetailType;
  detail: NotificationDetail;
}

export interface Decision {
  /** In (apiId, integrationId) order. */
  notifications: Notification[];
  /** The state to keep for the next run: `previous` with this run's changes. */
  next: Map<string, NotifiedState>;
}

export function decideNotifications(
  previous: ReadonlyMap<string, NotifiedState>,
  results: readonly NotifyResult[],
  run: RunInfo,
): Decision {
  const next = new Map(previous);
  const notifications: Notification[] = [];
  const sorted = [...results].sort(
    (a, b) => compare(a.apiId, b.apiId) || compare(a.integrationId, b.integrationId),
  );
  for (const result of sorted) {
    const key = integrationKey(result.apiId, result.integrationId);
    const before = previous.get(key);
    const drift = driftFingerprint(result);
    const announce = (kind: NotificationKind) => notifications.push(notification(kind, result, run));
    if (isDrift(result)) {
      if (before === undefined || before.drift !== drift) {
        announce("detected");
        next.set(key, { kind: "detected", drift });
      } else if (before.kind === "detected" && result.observed) {
        announce("unresolved");
        next.set(key, { kind: "unresolved", drift });
      }
    } else if (result.status === "FAILED") {
      if (before?.kind !== "unresolved" || before.drift !== drift) announce("unresolved");
      next.set(key, { kind: "unresolved", drift });
    } else if (result.status === "UPDATED" || result.status === "DELETED") {
      announce("reverted");
      next.delete(key);
    } else if (result.status === "IN_SYNC") {
      next.delete(key);
    }
  }
  return { notifications, next };
}

/**
 * Identifies a drift by its kind and its (redacted) diffs, so the same drift seen again is recognised and
 * a failed fix of it counts as the same drift; the status itself is left out for that reason.
 */
export function driftFingerprint(result: NotifyResult): string {
  const kind =
    result.status === "MISSING" ? "missing" : result.status === "UNMANAGED" ? "unmanaged" : "drift";
  const diffs = [...result.diffs]
    .map((d) => [d.path, d.kind, d.expected ?? null, d.actual ?? null])
    .sort((a, b) => compare(String(a[0]), String(b[0])) || compare(String(a[1]), String(b[1])));
  return createHash("sha256")
    .update(JSON.stringify([kind, diffs]))
    .digest("hex")
    .slice(0, 32);
}

function isDrift(r: NotifyResult): boolean {
  return (
    r.status === "DRIFTED" ||
    r.status === "MISSING" ||
    // A planned prune, or one an observed API holds back (observe mode strips the delete, marks it observed).
    (r.status === "UNMANAGED" && (r.action === "delete" || r.observed === true))
  );
}

function notification(kind: NotificationKind, r: NotifyResult, run: RunInfo): Notification {
  return {
    detailType: DETAIL_TYPES[kind],
    detail: {
      apiId: r.apiId,
      integrationId: r.integrationId,
      status: r.status,
      diffs: r.diffs.map((d) => ({ ...d })),
      ...(r.changedBy ? { changedBy: r.changedBy } : {}),
      runId: run.runId,
      desiredRevision: run.desiredRevision,
      ...(run.account ? { account: run.account } : {}),
      ...(run.region ? { region: run.region } : {}),
      ...(r.error ? { error: r.error } : {}),
    },
  };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
