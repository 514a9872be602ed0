import type { DesiredStateError } from "./errors.ts";
import type { IgnoreEntry } from "./schema.ts";

/**
 * Ignore entries with an end date (PRODUCT §2): `{ path, reason?, until }`. An entry applies up to and
 * including its `until` day (UTC) and not after: from then on the field is owned again and shows as drift.
 * Which day it is comes from the run's clock, passed in; nothing here reads the time itself.
 */

/** An entry with `until`, as the desired state keeps it to warn when it expires. */
export interface DatedIgnore {
  /** The integration whose own `ignore` holds it; undefined for the file-level list. */
  integrationId?: string;
  /** The pointer ignored. */
  path: string;
  reason?: string;
  /** YYYY-MM-DD, UTC, inclusive. */
  until: string;
  /** Where the `until` stands in its file, e.g. `/ignore/1/until`. */
  pointer: string;
  /** Its position, when the state was read from the file itself (not from a build's embedded JSON). */
  line?: number;
  column?: number;
}

/** The UTC calendar day of an epoch-ms instant: the day `until` is compared with. */
export function utcDay(now: number): string {
  return new Date(now).toISOString().slice(0, 10);
}

/** The pointer an entry ignores. */
export function entryPath(entry: IgnoreEntry): string {
  return typeof entry === "string" ? entry : entry.path;
}

/** True when the entry has an `until` before `today` (both YYYY-MM-DD: they compare as text). */
export function isExpired(entry: IgnoreEntry | DatedIgnore, today: string): boolean {
  return typeof entry !== "string" && entry.until !== undefined && entry.until < today;
}

/** The pointers of the entries that still apply on `today`, in the order written. */
export function activeIgnores(entries: readonly IgnoreEntry[] | undefined, today: string): string[] {
  return (entries ?? []).filter((e) => !isExpired(e, today)).map(entryPath);
}

/** The dated entries of a document's two levels of `ignore`, with the pointer of each `until`. */
export function datedIgnores(doc: {
  ignore?: readonly IgnoreEntry[];
  integrations: Record<string, { ignore?: readonly IgnoreEntry[] }>;
}): DatedIgnore[] {
  const out: DatedIgnore[] = [];
  const collect = (list: readonly IgnoreEntry[] | undefined, at: string, integrationId?: string) => {
    (list ?? []).forEach((entry, index) => {
      if (typeof entry === "string" || entry.until === undefined) return;
      out.push({
        ...(integrationId !== undefined ? { integrationId } : {}),
        path: entry.path,
        ...(entry.reason !== undefined ? { reason: entry.reason } : {}),
        until: entry.until,
        pointer: `${at}/${index}/until`,
      });
    });
  };
  collect(doc.ignore, "/ignore");
  for (const [id, integration] of Object.entries(doc.integrations)) {
    // Integration ids are lowercase letters and digits: nothing to escape in the pointer.
    collect(integration.ignore, `/integrations/${id}/ignore`, id);
  }
  return out;
}

/** One API's expired entries, as the desired state lists them. */
export interface ApiIgnores {
  file: string;
  apiId: string;
  datedIgnores: readonly DatedIgnore[];
}

/**
 * A warning for every entry of `apis` that expired before `now`'s UTC day, located in its file: what
 * `validate` prints and what a run's report carries. Sorted by file and position.
 */
export function expiredIgnores(apis: readonly ApiIgnores[], now: number): DesiredStateError[] {
  const today = utcDay(now);
  const out: DesiredStateError[] = [];
  for (const api of apis) {
    for (const entry of api.datedIgnores) {
      if (!isExpired(entry, today)) continue;
      out.push({
        file: api.file,
        line: entry.line ?? 1,
        column: entry.column ?? 1,
        pointer: entry.pointer,
        message: expiredMessage(api.apiId, entry),
      });
    }
  }
  return out;
}

/**
 * `ignore /timeoutInMillis on integrations/abc1234 of API x expired on 2027-01-31 (reason: …); it is drift
 * again`, with what to do.
 */
export function expiredMessage(apiId: string, entry: DatedIgnore): string {
  const scope =
    entry.integrationId === undefined ? "every integration" : `integrations/${entry.integrationId}`;
  const reason = entry.reason === undefined ? "" : ` (reason: ${entry.reason})`;
  return `ignore ${entry.path} on ${scope} of API ${apiId} expired on ${entry.until}${reason}; it is drift again: remove the entry, or set a later until`;
}

/**
 * {@link expiredIgnores} as a run's report warnings: each message starts with where the entry stands
 * (`file:line:col`, or only the file when the state came without positions, as the Lambda's does).
 */
export function expiredWarnings(apis: readonly ApiIgnores[], now: number): { message: string }[] {
  const today = utcDay(now);
  return apis.flatMap((api) =>
    api.datedIgnores
      .filter((entry) => isExpired(entry, today))
      .map((entry) => ({
        message: `${api.file}${entry.line === undefined ? "" : `:${entry.line}:${entry.column ?? 1}`}: ${expiredMessage(api.apiId, entry)}`,
      })),
  );
}
