import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { HistoryError } from "./errors.ts";
import { AFTER, monthOf } from "./keys.ts";
import { BY_API_INDEX, BY_TIME_INDEX } from "./table.ts";

/** Which drift events to read; all fields optional. `since`/`until` are ISO-8601 instants, inclusive. */
export interface EventQuery {
  apiId?: string;
  integrationId?: string;
  since?: string;
  until?: string;
  /** Only what runs in this account (and Region) recorded (PRODUCT §9). */
  account?: string;
  region?: string;
  /** Events per page (default 50). */
  limit?: number;
  /** From the previous page, to read the next one. */
  cursor?: string;
}

/** Which run records to read. */
export type RunQuery = Pick<EventQuery, "since" | "until" | "limit" | "cursor" | "account" | "region">;

/** One page, newest first; `cursor` is absent on the last page. */
export interface Page<T> {
  items: T[];
  cursor?: string;
}

/** One Query: a partition of the table or an index, a sort-key range, newest first. */
export interface Partition {
  index?: string;
  pkName: string;
  pk: string;
  skName: string;
  from: string;
  to: string;
  /** Only events of this API (a by-integration query that names the API too). */
  apiId?: string;
}

export const DEFAULT_LIMIT = 50;
const DAY_MS = 86_400_000;
// The walk starts a day ahead of the clock, so events stamped by a machine whose clock runs ahead show.
const SKEW_DAYS = 1;

/**
 * The Queries that answer a drift-event query, in the order they are read: by integration on the table,
 * by API on `byApi`, otherwise the `byTime` month buckets from `until` back to `since` (or back to the
 * retention, when `since` is absent: older items have expired).
 */
export function planEvents(q: EventQuery, now: number, retentionDays: number): Partition[] {
  const { since, until } = bounds(q);
  if (q.integrationId) {
    return [
      {
        pkName: "pk",
        pk: `INTEGRATION#${q.integrationId}`,
        skName: "sk",
        from: `EVENT#${since ?? ""}`,
        to: `EVENT#${until ?? ""}${AFTER}`,
        ...(q.apiId ? { apiId: q.apiId } : {}),
      },
    ];
  }
  const from = since ?? "0";
  const to = `${until ?? ""}${AFTER}`;
  if (q.apiId) {
    return [{ index: BY_API_INDEX, pkName: "byApiPk", pk: `API#${q.apiId}`, skName: "byApiSk", from, to }];
  }
  return months(since, until, now, retentionDays).map((month) => ({
    index: BY_TIME_INDEX,
    pkName: "byTimePk",
    pk: `EVENT#${month}`,
    skName: "byTimeSk",
    from,
    to,
  }));
}

/** The Queries for run records: the `byTime` run buckets, newest month first. */
export function planRuns(q: RunQuery, now: number, retentionDays: number): Partition[] {
  const { since, until } = bounds(q);
  return months(since, until, now, retentionDays).map((month) => ({
    index: BY_TIME_INDEX,
    pkName: "byTimePk",
    pk: `RUN#${month}`,
    skName: "byTimeSk",
    from: since ?? "0",
    to: `${until ?? ""}${AFTER}`,
  }));
}

function bounds(q: { since?: string; until?: string }): { since?: string; until?: string } {
  const since = q.since === undefined ? undefined : instant(q.since, "since");
  const until = q.until === undefined ? undefined : instant(q.until, "until");
  if (since && until && since > until) {
    throw new HistoryError(`since (${since}) is after until (${until}): nothing can match`);
  }
  return { since, until };
}

function instant(value: string, what: string): string {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new HistoryError(`${what} "${value}" is not an ISO-8601 date or time`);
  return new Date(ms).toISOString();
}

/** UTC months from `until`'s back to `since`'s, newest first. */
function months(
  since: string | undefined,
  until: string | undefined,
  now: number,
  retention: number,
): string[] {
  const last = monthOf(until ?? new Date(now + SKEW_DAYS * DAY_MS).toISOString());
  const first = monthOf(since ?? new Date(now - (retention + SKEW_DAYS) * DAY_MS).toISOString());
  const out: string[] = [];
  let [year, month] = last.split("-").map(Number) as [number, number];
  for (let m = last; m >= first; m = `${year}-${String(month).padStart(2, "0")}`) {
    out.push(m);
    [year, month] = month === 1 ? [year - 1, 12] : [year, month - 1];
  }
  return out;
}

/** Where a page stopped: the query it belongs to, the clock it was planned with, the partition and key. */
export interface CursorState {
  query: string;
  now: number;
  partition: number;
  key?: Record<string, AttributeValue>;
}

/** The fingerprint a cursor carries, so it is never used with another query. */
export function queryFingerprint(kind: "events" | "runs", q: EventQuery): string {
  return JSON.stringify([
    kind,
    q.apiId ?? null,
    q.integrationId ?? null,
    q.since ?? null,
    q.until ?? null,
    ...(q.account || q.region ? [q.account ?? null, q.region ?? null] : []),
  ]);
}

export function encodeCursor(state: CursorState): string {
  return Buffer.from(JSON.stringify(state), "utf8").toString("base64url");
}

export function decodeCursor(cursor: string, query: string): CursorState {
  let state: CursorState | undefined;
  try {
    state = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as CursorState;
  } catch {
    state = undefined;
  }
  if (!state || typeof state.partition !== "number" || typeof state.now !== "number") {
    throw new HistoryError("the cursor is not one apigw-drift history gave out; start again without it");
  }
  if (state.query !== query) {
    throw new HistoryError("the cursor belongs to another query (other filters); start again without it");
  }
  return state;
}

/** A page size: a whole number ≥ 1. */
export function pageLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1) {
    throw new HistoryError(`limit must be a whole number ≥ 1, not ${limit}`);
  }
  return limit;
}
