import { type ReportEvent, readChangedBy, readDiffs, type ShownDiff } from "./events.ts";
import { compare } from "./order.ts";
import { type RevertRow, revertsByApi } from "./reverts.ts";

/** Statuses that mean a run saw the integration drifted (DEFERRED means it was not looked at). */
export const SIGHTINGS: ReadonlySet<string> = new Set([
  "DRIFTED",
  "UPDATED",
  "FAILED",
  "MISSING",
  "DELETED",
  "UNMANAGED",
]);

/** The chart shows this many APIs by name; the rest share one series. */
export const MAX_SERIES = 8;
/** Rows of "the integrations that drift most". */
export const MAX_DRIFTING = 20;
const MAX_PATHS = 5;
const MAX_SHOWN_DIFFS = 3;
const MAX_PRINCIPALS = 3;
const DAY_MS = 86_400_000;

export interface ViewOptions {
  /** The clock, in epoch ms: the report never reads one itself. */
  now: number;
  /** The window, epoch ms, inclusive. */
  since: number;
  until: number;
  /** Where history was read, for the page's header. */
  source: string;
  /** The API the report was narrowed to, if any. */
  apiId?: string;
}

export interface ReportView {
  generatedAt: string;
  since: string;
  until: string;
  source: string;
  apiFilter?: string;
  /** Drift sightings in the window (events of a SIGHTINGS status). */
  sightings: number;
  apis: number;
  integrations: number;
  chart: ChartView;
  drifting: IntegrationRow[];
  /** Integrations that drifted but did not make the table. */
  driftingMore: number;
  changers: ChangerRow[];
  /** Sightings whose event carries no `changedBy`, and how many integrations they cover. */
  unattributed: { sightings: number; integrations: number };
  reverts: RevertRow[];
}

export interface ChartView {
  /** Days per bucket: 1, or 7 (or 30) for long windows, so the chart stays legible. */
  bucketDays: number;
  /** Each bucket's first day, `yyyy-mm-dd` (UTC). */
  buckets: string[];
  series: Series[];
}

/** One line of the chart: integrations seen drifting per bucket, for one API (or the rest together). */
export interface Series {
  label: string;
  apiIds: string[];
  values: number[];
  sightings: number;
}

export interface IntegrationRow {
  apiId: string;
  integrationId: string;
  sightings: number;
  /** UPDATED events: times apply reverted it. */
  reverts: number;
  firstSeen: string;
  lastSeen: string;
  lastStatus: string;
  paths: { path: string; count: number }[];
  morePaths: number;
  /** Principals newest first; "unknown" last when some sightings carry no attribution. */
  changedBy: string[];
  /** The newest sighting's diffs. */
  latest: ShownDiff[];
  moreLatest: number;
}

export interface ChangerRow {
  principal: string;
  /** Distinct changes (CloudTrail events) seen behind drift. */
  changes: number;
  integrations: number;
  apis: string[];
  /** The newest change, ISO-8601 (the CloudTrail time, or the sighting's when the event has none). */
  last: string;
  eventNames: string[];
}

/**
 * The report's content from drift events, pure and deterministic: events outside the window (or of
 * another API than `apiId`) are left out, everything is sorted by count, then by id.
 */
export function buildReportView(events: readonly ReportEvent[], options: ViewOptions): ReportView {
  const inWindow = events
    .filter((e) => {
      const at = Date.parse(e.at);
      return at >= options.since && at <= options.until && (!options.apiId || e.apiId === options.apiId);
    })
    .sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || compare(a.runId, b.runId));
  const sightings = inWindow.filter((e) => SIGHTINGS.has(e.status));
  const byIntegration = groupBy(sightings, (e) => `${e.apiId}\u0000${e.integrationId}`);
  const rows = [...byIntegration.values()]
    .map(integrationRow)
    .sort(
      (a, b) =>
        b.sightings - a.sightings ||
        b.reverts - a.reverts ||
        compare(b.lastSeen, a.lastSeen) ||
        compareIds(a, b),
    );
  const unattributed = sightings.filter((e) => !readChangedBy(e.changedBy));
  return {
    generatedAt: iso(options.now),
    since: iso(options.since),
    until: iso(options.until),
    source: options.source,
    ...(options.apiId ? { apiFilter: options.apiId } : {}),
    sightings: sightings.length,
    apis: new Set(sightings.map((e) => e.apiId)).size,
    integrations: byIntegration.size,
    chart: chart(sightings, options),
    drifting: rows.slice(0, MAX_DRIFTING),
    driftingMore: Math.max(0, rows.length - MAX_DRIFTING),
    changers: changers(sightings),
    unattributed: {
      sightings: unattributed.length,
      integrations: new Set(unattributed.map((e) => `${e.apiId}\u0000${e.integrationId}`)).size,
    },
    reverts: revertsByApi(inWindow, Math.min(options.now, options.until)),
  };
}

/** Buckets of whole UTC days from the window's first day, sized so a long window stays readable. */
export function chartBuckets(since: number, until: number): { bucketDays: number; starts: number[] } {
  const first = Math.floor(since / DAY_MS) * DAY_MS;
  const days = Math.floor((until - first) / DAY_MS) + 1;
  const bucketDays = days <= 92 ? 1 : days <= 2 * 366 ? 7 : 30;
  const count = Math.ceil(days / bucketDays);
  return { bucketDays, starts: Array.from({ length: count }, (_, i) => first + i * bucketDays * DAY_MS) };
}

function chart(sightings: readonly ReportEvent[], options: ViewOptions): ChartView {
  const { bucketDays, starts } = chartBuckets(options.since, options.until);
  const width = bucketDays * DAY_MS;
  const first = starts[0]!;
  const byApi = groupBy(sightings, (e) => e.apiId);
  const ranked = [...byApi.entries()].sort(([a, x], [b, y]) => y.length - x.length || compare(a, b));
  const named = ranked.slice(0, MAX_SERIES);
  const rest = ranked.slice(MAX_SERIES);
  const groups = named.map(([apiId, list]) => ({ label: apiId, apiIds: [apiId], list }));
  if (rest.length > 0) {
    groups.push({
      label: `${rest.length} other API${rest.length === 1 ? "" : "s"}`,
      apiIds: rest.map(([apiId]) => apiId),
      list: rest.flatMap(([, list]) => list),
    });
  }
  const series = groups.map(({ label, apiIds, list }) => {
    const seen = starts.map(() => new Set<string>());
    for (const e of list) {
      const i = Math.floor((Date.parse(e.at) - first) / width);
      seen[i]?.add(`${e.apiId}\u0000${e.integrationId}`);
    }
    return { label, apiIds, values: seen.map((s) => s.size), sightings: list.length };
  });
  return { bucketDays, buckets: starts.map((ms) => iso(ms).slice(0, 10)), series };
}

function integrationRow(list: ReportEvent[]): IntegrationRow {
  const first = list[0]!;
  const last = list.at(-1)!;
  const pathCounts = new Map<string, number>();
  for (const e of list) {
    for (const path of new Set(readDiffs(e.diffs).map((d) => d.path))) {
      pathCounts.set(path, (pathCounts.get(path) ?? 0) + 1);
    }
  }
  const paths = [...pathCounts.entries()]
    .map(([path, count]) => ({ path, count }))
    .sort((a, b) => b.count - a.count || compare(a.path, b.path));
  const newestWithDiffs = [...list].reverse().find((e) => readDiffs(e.diffs).length > 0);
  const latest = newestWithDiffs ? readDiffs(newestWithDiffs.diffs) : [];
  return {
    apiId: first.apiId,
    integrationId: first.integrationId,
    sightings: list.length,
    reverts: list.filter((e) => e.status === "UPDATED").length,
    firstSeen: first.at,
    lastSeen: last.at,
    lastStatus: last.status,
    paths: paths.slice(0, MAX_PATHS),
    morePaths: Math.max(0, paths.length - MAX_PATHS),
    changedBy: principalsOf(list),
    latest: latest.slice(0, MAX_SHOWN_DIFFS),
    moreLatest: Math.max(0, latest.length - MAX_SHOWN_DIFFS),
  };
}

/** Distinct principals behind an integration's sightings, newest change first. */
function principalsOf(list: readonly ReportEvent[]): string[] {
  const newest = new Map<string, string>();
  let unknown = false;
  for (const e of list) {
    const by = readChangedBy(e.changedBy);
    if (!by) {
      unknown = true;
      continue;
    }
    const at = by.at ?? e.at;
    if ((newest.get(by.principal) ?? "") < at) newest.set(by.principal, at);
  }
  const names = [...newest.entries()]
    .sort(([a, x], [b, y]) => compare(y, x) || compare(a, b))
    .map(([principal]) => principal);
  const shown = names.slice(0, MAX_PRINCIPALS);
  if (names.length > MAX_PRINCIPALS) shown.push(`${names.length - MAX_PRINCIPALS} more`);
  if (unknown) shown.push("unknown");
  return shown;
}

function changers(sightings: readonly ReportEvent[]): ChangerRow[] {
  const rows = new Map<
    string,
    { changes: Set<string>; integrations: Set<string>; apis: Set<string>; last: string; names: Set<string> }
  >();
  for (const e of sightings) {
    const by = readChangedBy(e.changedBy);
    if (!by) continue;
    const row = rows.get(by.principal) ?? {
      changes: new Set(),
      integrations: new Set(),
      apis: new Set(),
      last: "",
      names: new Set(),
    };
    rows.set(by.principal, row);
    // One console change is seen again by every run until it is reverted: count it once.
    row.changes.add(by.eventId ?? `${e.apiId}\u0000${e.integrationId}\u0000${by.at ?? e.at}`);
    row.integrations.add(`${e.apiId}\u0000${e.integrationId}`);
    row.apis.add(e.apiId);
    const at = by.at ?? e.at;
    if (at > row.last) row.last = at;
    if (by.eventName) row.names.add(by.eventName);
  }
  return [...rows.entries()]
    .map(([principal, r]) => ({
      principal,
      changes: r.changes.size,
      integrations: r.integrations.size,
      apis: [...r.apis].sort(),
      last: r.last,
      eventNames: [...r.names].sort(),
    }))
    .sort((a, b) => b.changes - a.changes || compare(a.principal, b.principal));
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}

function compareIds(a: { apiId: string; integrationId: string }, b: typeof a): number {
  return compare(a.apiId, b.apiId) || compare(a.integrationId, b.integrationId);
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
