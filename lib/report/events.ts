/**
 * What the HTML report reads from a drift event, typed loosely on purpose: history items come from a
 * table other versions of apigw-drift (and other tools with write access) may have written, so every field
 * beyond the keys is read defensively and a malformed one is left out rather than trusted.
 */
export interface ReportEvent {
  runId: string;
  /** The run's startedAt (ISO-8601). */
  at: string;
  apiId: string;
  integrationId: string;
  status: string;
  action?: string | null;
  diffs?: unknown;
  /** PRODUCT §8: who last wrote the integration, when attribution found it. Absent in older history. */
  changedBy?: unknown;
}

/** PRODUCT §8's `changedBy`, as far as an event's value for it can be read. */
export interface ChangedBy {
  principal: string;
  at?: string;
  eventName?: string;
  eventId?: string;
  sourceIpAddress?: string;
  userAgent?: string;
}

/** One difference as the report shows it: values already as short JSON text. */
export interface ShownDiff {
  path: string;
  kind: string;
  expected?: string;
  actual?: string;
}

/** The longest value shown in a table cell; the rest is cut with an ellipsis. */
export const MAX_VALUE_CHARS = 80;

/** `changedBy` when it has a principal (a non-empty string); undefined for anything else. */
export function readChangedBy(value: unknown): ChangedBy | undefined {
  if (!isRecord(value)) return undefined;
  const principal = typeof value.principal === "string" ? value.principal.trim() : "";
  if (!principal) return undefined;
  const out: ChangedBy = { principal };
  for (const key of ["at", "eventName", "eventId", "sourceIpAddress", "userAgent"] as const) {
    const v = value[key];
    if (typeof v === "string" && v.trim()) out[key] = v;
  }
  if (out.at !== undefined && Number.isNaN(Date.parse(out.at))) delete out.at;
  return out;
}

/** The diffs of an event that have a string path; values as JSON text cut to MAX_VALUE_CHARS. */
export function readDiffs(value: unknown): ShownDiff[] {
  if (!Array.isArray(value)) return [];
  const out: ShownDiff[] = [];
  for (const d of value) {
    if (!isRecord(d) || typeof d.path !== "string") continue;
    const shown: ShownDiff = { path: d.path, kind: typeof d.kind === "string" ? d.kind : "changed" };
    if ("expected" in d && d.expected !== undefined) shown.expected = shortJson(d.expected);
    if ("actual" in d && d.actual !== undefined) shown.actual = shortJson(d.actual);
    out.push(shown);
  }
  return out;
}

function shortJson(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS - 1)}…` : text;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
