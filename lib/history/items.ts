import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import type { ChangedBy } from "../attribution/types.ts";
import type { Diff } from "../diff/diff.ts";
import {
  type IntegrationResult,
  type IntegrationStatus,
  type Mode,
  type Report,
  type ReportError,
  type RunStatus,
  summarise,
} from "../plan/report.ts";
import { fitDiffs } from "./fit.ts";
import { eventKeys, runKeys } from "./keys.ts";
import { clip, itemBytes, MAX_ITEM_BYTES, utf8Bytes } from "./size.ts";
import { TTL_ATTRIBUTE } from "./table.ts";

type Item = Record<string, AttributeValue>;

/**
 * One integration result that was not IN_SYNC, as history keeps it. Every field is always present
 * (`null` when empty), so `history --json` has one shape; `truncated` appears only when the diffs were
 * cut to fit DynamoDB's item limit.
 */
export interface DriftEvent {
  runId: string;
  /** The run's startedAt. */
  at: string;
  mode: Mode;
  desiredRevision: string;
  apiId: string;
  integrationId: string;
  status: IntegrationStatus;
  action: "update" | "delete" | null;
  /** As in the report: already redacted. */
  diffs: Diff[];
  error: { name: string; message: string } | null;
  /** Who last wrote the integration (PRODUCT §8), when attribution found it; null otherwise. */
  changedBy: ChangedBy | null;
  truncated?: string;
  /** Where the run acted (PRODUCT §9); absent on events recorded before fleets. */
  account?: string;
  region?: string;
}

/** One run, as history keeps it: the report without its results, and how many events it recorded. */
export type RunRecord = Omit<Report, "integrations"> & {
  events: number;
  truncated?: string;
};

export interface ItemOptions {
  retentionDays: number;
}

const DAY_SECONDS = 86_400;
// Room left for keys, names and the other attributes; a plain event is well under 2 KB without diffs.
const SAFETY_BYTES = 4 * 1024;
const MAX_ERROR_MESSAGE_BYTES = 8 * 1024;
const MAX_RUN_ERRORS_BYTES = 64 * 1024;
// A user agent is the caller's to choose (CloudTrail keeps up to 1 KB of it): bounded here too.
const MAX_USER_AGENT_BYTES = 1024;

/**
 * The items a report becomes: one drift event per result that is drift (see isDriftEvent), then the run record (last,
 * so that a run record in the table means its events were written first). Pure and deterministic: the
 * same report always gives the same items.
 */
export function reportItems(report: Report, options: ItemOptions): { events: Item[]; run: Item } {
  const at = canonicalInstant(report.startedAt, "startedAt");
  const expiresAt = Math.floor(Date.parse(at) / 1000) + options.retentionDays * DAY_SECONDS;
  // Keyed by integration: one BatchWriteItem refuses two requests for one key, so a result listed twice
  // (which a report should never have) is written once, as its last entry says.
  const byKey = new Map<string, Item>();
  for (const r of report.integrations) {
    if (!isDriftEvent(r)) continue;
    const item = eventItem(report, r, at, expiresAt);
    byKey.set(`${item.pk?.S} ${item.sk?.S}`, item);
  }
  const events = [...byKey.values()];
  return { events, run: runItem(report, at, expiresAt, events.length) };
}

/**
 * Whether a result is drift worth remembering: anything but IN_SYNC, except the informational ones an
 * unchanged world repeats on every run (an undeclared integration the file does not prune, one skipped as
 * managed or in use). PRODUCT §5 says "not IN_SYNC"; without this, a clean second run would add events.
 */
export function isDriftEvent(r: IntegrationResult): boolean {
  if (r.status === "IN_SYNC" || r.status === "SKIPPED_MANAGED" || r.status === "SKIPPED_IN_USE") return false;
  return r.status !== "UNMANAGED" || r.action === "delete";
}

function eventItem(report: Report, r: IntegrationResult, at: string, expiresAt: number): Item {
  const item: Item = {
    ...strings(eventKeys({ at, apiId: r.apiId, integrationId: r.integrationId, runId: report.runId })),
    type: { S: "event" },
    runId: { S: report.runId },
    at: { S: at },
    mode: { S: report.mode },
    desiredRevision: { S: report.desiredRevision },
    apiId: { S: r.apiId },
    integrationId: { S: r.integrationId },
    status: { S: r.status },
    ...placeOf(report),
    [TTL_ATTRIBUTE]: { N: String(expiresAt) },
  };
  if (r.action) item.action = { S: r.action };
  if (r.changedBy) item.changedBy = { S: JSON.stringify(changedByOf(r.changedBy)) };
  if (r.error) {
    item.error = {
      M: { name: { S: r.error.name }, message: { S: clip(r.error.message, MAX_ERROR_MESSAGE_BYTES) } },
    };
  }
  const budget = MAX_ITEM_BYTES - itemBytes(item) - SAFETY_BYTES;
  const { json, note } = fitDiffs(r.diffs, budget);
  item.diffs = { S: json };
  if (note) item.truncated = { S: note };
  return item;
}

function runItem(report: Report, at: string, expiresAt: number, events: number): Item {
  const errors = JSON.stringify(report.errors);
  const cut = utf8Bytes(errors) > MAX_RUN_ERRORS_BYTES;
  const item: Item = {
    ...strings(runKeys({ startedAt: at, runId: report.runId })),
    type: { S: "run" },
    runId: { S: report.runId },
    startedAt: { S: at },
    finishedAt: { S: report.finishedAt },
    mode: { S: report.mode },
    desiredRevision: { S: report.desiredRevision },
    status: { S: report.status },
    summary: { M: numbers(report.summary) },
    apiCalls: { M: numbers(report.apiCalls) },
    errors: { S: cut ? JSON.stringify(fitErrors(report.errors)) : errors },
    warnings: { S: JSON.stringify(fitErrors(report.warnings ?? [])) },
    events: { N: String(events) },
    ...placeOf(report),
    [TTL_ATTRIBUTE]: { N: String(expiresAt) },
  };
  if (report.scope) item.scope = { S: JSON.stringify(report.scope) };
  if (cut) {
    item.truncated = {
      S: `errors cut to fit the item: ${report.errors.length} in the report; its output and logs have them all`,
    };
  }
  return item;
}

/** The account and Region attributes of a report's items, when it names them (PRODUCT §9). */
function placeOf(report: Report): Item {
  return {
    ...(report.account ? { account: { S: report.account } } : {}),
    ...(report.region ? { region: { S: report.region } } : {}),
  };
}

/** The first errors that fit, each message clipped. */
function fitErrors<T extends { message: string }>(errors: readonly T[]): T[] {
  const kept: T[] = [];
  let size = 2;
  for (const e of errors) {
    const clipped = { ...e, message: clip(e.message, 2048) };
    size += utf8Bytes(JSON.stringify(clipped)) + 1;
    if (size > MAX_RUN_ERRORS_BYTES) break;
    kept.push(clipped);
  }
  return kept;
}

/** A drift event from its item. Throws on an item that is not one, naming its key. */
export function eventFromItem(item: Item): DriftEvent {
  const event: DriftEvent = {
    runId: str(item, "runId"),
    at: str(item, "at"),
    mode: str(item, "mode") as Mode,
    desiredRevision: str(item, "desiredRevision"),
    apiId: str(item, "apiId"),
    integrationId: str(item, "integrationId"),
    status: str(item, "status") as IntegrationStatus,
    action: (item.action?.S as DriftEvent["action"]) ?? null,
    diffs: JSON.parse(str(item, "diffs")) as Diff[],
    error: item.error?.M
      ? { name: item.error.M.name?.S ?? "Error", message: item.error.M.message?.S ?? "" }
      : null,
    changedBy: readChangedBy(item.changedBy?.S),
  };
  if (item.truncated?.S) event.truncated = item.truncated.S;
  if (item.account?.S) event.account = item.account.S;
  if (item.region?.S) event.region = item.region.S;
  return event;
}

/** A run record from its item. Throws on an item that is not one, naming its key. */
export function runFromItem(item: Item): RunRecord {
  // Every status, zeros included, as in the report.
  const summary = { ...summarise([]), ...fromNumbers(item.summary?.M) };
  const run: RunRecord = {
    runId: str(item, "runId"),
    startedAt: str(item, "startedAt"),
    finishedAt: str(item, "finishedAt"),
    mode: str(item, "mode") as Mode,
    desiredRevision: str(item, "desiredRevision"),
    status: str(item, "status") as RunStatus,
    summary,
    apiCalls: fromNumbers(item.apiCalls?.M),
    errors: JSON.parse(item.errors?.S ?? "[]") as ReportError[],
    warnings: JSON.parse(item.warnings?.S ?? "[]") as Report["warnings"],
    events: Number(item.events?.N ?? 0),
  };
  const scope = readScope(item.scope?.S);
  if (scope) run.scope = scope;
  if (item.truncated?.S) run.truncated = item.truncated.S;
  if (item.account?.S) run.account = item.account.S;
  if (item.region?.S) run.region = item.region.S;
  return run;
}

/** The fields of PRODUCT §8's changedBy, in their order: what history stores of one. */
function changedByOf(c: ChangedBy): ChangedBy {
  return {
    principal: c.principal,
    at: c.at,
    eventName: c.eventName,
    eventId: c.eventId,
    ...(c.sourceIpAddress !== undefined ? { sourceIpAddress: c.sourceIpAddress } : {}),
    ...(c.userAgent !== undefined ? { userAgent: clip(c.userAgent, MAX_USER_AGENT_BYTES) } : {}),
  };
}

/**
 * A stored changedBy, read defensively: the table may hold what another version (or a clipped user agent)
 * wrote. Anything without a principal, time, event name and id is left out rather than trusted.
 */
function readChangedBy(text: string | undefined): ChangedBy | null {
  if (text === undefined) return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== "object" || value === null) return null;
  const v = value as Record<string, unknown>;
  const str = (k: string) => (typeof v[k] === "string" ? (v[k] as string) : undefined);
  const [principal, at, eventName, eventId] = [str("principal"), str("at"), str("eventName"), str("eventId")];
  if (!principal || !at || !eventName || !eventId) return null;
  const sourceIpAddress = str("sourceIpAddress");
  const userAgent = str("userAgent");
  return {
    principal,
    at,
    eventName,
    eventId,
    ...(sourceIpAddress !== undefined ? { sourceIpAddress } : {}),
    ...(userAgent !== undefined ? { userAgent } : {}),
  };
}

function readScope(text: string | undefined): Report["scope"] | undefined {
  if (text === undefined) return undefined;
  try {
    const value = JSON.parse(text) as Report["scope"];
    return typeof value === "object" && value !== null ? value : undefined;
  } catch {
    return undefined;
  }
}

/** An ISO-8601 instant in the one form keys sort by (`toISOString`: UTC, milliseconds, `Z`). */
export function canonicalInstant(value: string, what: string): string {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new Error(`the report's ${what} "${value}" is not an ISO-8601 time`);
  return new Date(ms).toISOString();
}

function strings(values: Record<string, string>): Item {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, { S: v }]));
}

function numbers(values: Record<string, number>): Item {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, { N: String(v) }]));
}

function fromNumbers(map: Item | undefined): Record<string, number> {
  return Object.fromEntries(Object.entries(map ?? {}).map(([k, v]) => [k, Number(v.N ?? 0)]));
}

function str(item: Item, name: string): string {
  const value = item[name]?.S;
  if (value === undefined) {
    throw new Error(
      `history item ${item.pk?.S ?? "?"} / ${item.sk?.S ?? "?"} has no "${name}": it was not written by apigw-drift`,
    );
  }
  return value;
}
