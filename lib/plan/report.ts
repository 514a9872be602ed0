import type { ChangedBy } from "../attribution/types.ts";
import type { Diff } from "../diff/diff.ts";

/** What happened (or would happen) to one integration. */
export const INTEGRATION_STATUSES = [
  "IN_SYNC",
  "DRIFTED",
  "UPDATED",
  "FAILED",
  "MISSING",
  "UNMANAGED",
  "DELETED",
  "SKIPPED_MANAGED",
  "SKIPPED_IN_USE",
  "DEFERRED",
] as const;
export type IntegrationStatus = (typeof INTEGRATION_STATUSES)[number];

export type RunStatus = "IN_SYNC" | "DRIFTED" | "RECONCILED" | "PARTIAL" | "BLOCKED" | "FAILED";
export type Mode = "plan" | "apply";

export interface IntegrationResult {
  apiId: string;
  integrationId: string;
  status: IntegrationStatus;
  /** Redacted: safe to print, log and store. */
  diffs: Diff[];
  /** The write planned (plan) or attempted (apply), if any. An addition to PRODUCT §3's shape. */
  action?: "update" | "delete";
  /**
   * The API is in `mode: observe` and a write was held back: drift reported, never fixed; an undeclared
   * integration that prune would delete, kept. An addition to PRODUCT §3's shape.
   */
  observed?: true;
  /**
   * Who last wrote the integration, from CloudTrail (PRODUCT §8): on drifted, MISSING and fixed results
   * when attribution found the write; absent otherwise. Its strings are untrusted (escape before printing).
   */
  changedBy?: ChangedBy;
  error?: { name: string; message: string };
}

export interface ReportError {
  file?: string;
  line?: number;
  column?: number;
  pointer?: string;
  /** The API an error is about, when it is about one. An addition to PRODUCT §3's shape. */
  apiId?: string;
  message: string;
}

/** Something a person should know that did not stop the run (PRODUCT §4: a plan over the limits). */
export interface ReportWarning {
  message: string;
}

/** PRODUCT §3: the CLI's `--json`, the Lambda's return value, and what history records. */
export interface Report {
  runId: string;
  startedAt: string;
  finishedAt: string;
  mode: Mode;
  /** The git SHA of the desired state enforced, or "unknown". */
  desiredRevision: string;
  status: RunStatus;
  summary: Record<IntegrationStatus, number>;
  integrations: IntegrationResult[];
  /** Calls per operation, plus "throttled" and "retries". */
  apiCalls: Record<string, number>;
  errors: ReportError[];
  warnings: ReportWarning[];
  /**
   * Where the run acted (PRODUCT §9): set on each report of a fleet, and on what history records; a run
   * of one target prints its report without them, as before fleets.
   */
  account?: string;
  region?: string;
  /**
   * What a targeted run was limited to (`--api`, `--integration`, an event-driven batch); absent when it
   * looked at every declared integration. History keeps it, so a later run knows which integrations this
   * one saw (attribution windows). An addition to PRODUCT §3's shape.
   */
  scope?: RunScope;
}

/** The selection of a targeted run. */
export interface RunScope {
  apiIds?: string[];
  integrationIds?: string[];
}

/** A count of every status, zeros included, so consumers never meet a missing key. */
export function summarise(results: readonly IntegrationResult[]): Record<IntegrationStatus, number> {
  const summary = Object.fromEntries(INTEGRATION_STATUSES.map((s) => [s, 0])) as Record<
    IntegrationStatus,
    number
  >;
  for (const r of results) summary[r.status] += 1;
  return summary;
}

/** True when the result is drift that is still there: something a plan would act on or report. */
export function isOutstanding(r: IntegrationResult): boolean {
  return (
    r.status === "DRIFTED" || r.status === "MISSING" || (r.status === "UNMANAGED" && r.action === "delete")
  );
}

/**
 * The run's status from its results (PRODUCT §3). `blocked` and `failed` come from guards the caller ran:
 * FAILED = the run could not start; BLOCKED = the blast-radius guard refused the plan.
 */
export function runStatus(
  mode: Mode,
  results: readonly IntegrationResult[],
  outcome: { failed?: boolean; blocked?: boolean; incomplete?: boolean } = {},
): RunStatus {
  if (outcome.failed) return "FAILED";
  if (outcome.blocked) return "BLOCKED";
  const has = (...statuses: IntegrationStatus[]) => results.some((r) => statuses.includes(r.status));
  if (mode === "plan") {
    if (outcome.incomplete || has("FAILED", "DEFERRED")) return "PARTIAL";
    return results.some(isOutstanding) ? "DRIFTED" : "IN_SYNC";
  }
  if (outcome.incomplete || has("FAILED", "DEFERRED") || results.some(isOutstanding)) return "PARTIAL";
  return has("UPDATED", "DELETED") ? "RECONCILED" : "IN_SYNC";
}

/** Results in the report's deterministic order: api, then integration. */
export function compareResults(a: IntegrationResult, b: IntegrationResult): number {
  return a.apiId < b.apiId
    ? -1
    : a.apiId > b.apiId
      ? 1
      : a.integrationId < b.integrationId
        ? -1
        : a.integrationId > b.integrationId
          ? 1
          : 0;
}

/**
 * Report errors in a deterministic order, whatever order the work finished in: by file, line, column,
 * pointer (as the loader orders its errors), apiId, then message; an error without a field sorts after
 * those with one (run-wide errors last).
 */
export function compareReportErrors(a: ReportError, b: ReportError): number {
  return (
    compareOptional(a.file, b.file) ||
    compareOptional(a.line, b.line) ||
    compareOptional(a.column, b.column) ||
    compareOptional(a.pointer, b.pointer) ||
    compareOptional(a.apiId, b.apiId) ||
    compareOptional(a.message, b.message)
  );
}

function compareOptional<T extends string | number>(a: T | undefined, b: T | undefined): number {
  if (a === b) return 0;
  if (a === undefined) return 1;
  if (b === undefined) return -1;
  return a < b ? -1 : 1;
}
