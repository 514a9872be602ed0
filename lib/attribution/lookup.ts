/**
 * The LookupEvents driver (PRODUCT §8, service-facts #26): one lookup attribute per request, so it asks by
 * EventName — UpdateIntegration, then CreateIntegration, then DeleteIntegration, each only while some
 * integration still needs it — newest first in pages of 50 between the widest window's start and end,
 * matching records client-side (match.ts). It stops an event name once every integration needing it is
 * attributed or its pages are older than every remaining window, and the whole run at a page budget. It
 * never throws: a denied or unavailable CloudTrail leaves the rest unattributed, with a warning that says
 * why and what to grant.
 */
import { type CloudTrailClient, LookupEventsCommand } from "@aws-sdk/client-cloudtrail";
import { classify } from "../apigateway/errors.ts";
import type { SelfIdentity } from "./identity.ts";
import { attribute, eventNamesFor, integrationKey, type Window, windowFor } from "./match.ts";
import { parseRecord, type TrailRecord } from "./record.ts";
import type { AttributionTarget, ChangedBy, IntegrationEventName } from "./types.ts";

/** Pages per run, unless told otherwise (PRODUCT §8). */
export const DEFAULT_PAGE_BUDGET = 20;
/** The largest page LookupEvents serves (API reference). */
export const PAGE_SIZE = 50;
const ORDER: readonly IntegrationEventName[] = [
  "UpdateIntegration",
  "CreateIntegration",
  "DeleteIntegration",
];
const LISTED = 5;

export interface LookupOptions {
  self: SelfIdentity;
  /** LookupEvents pages this run may ask for in all. Default 20. */
  pageBudget?: number;
  /** Epoch milliseconds. Default Date.now. */
  now?: () => number;
  /** The windows' end (epoch ms). Default: now. */
  until?: number;
  /** Stops between pages (a Lambda deadline, an interrupt); the rest stays unattributed. */
  signal?: AbortSignal;
}

export interface AttributionResult {
  /** By integrationKey(apiId, integrationId); integrations nothing explained are absent. */
  changedBy: Map<string, ChangedBy>;
  /** For people: why some integrations were not looked up in full, and what to do. */
  warnings: string[];
  /** LookupEvents pages answered. */
  pages: number;
  /** Targets whose lookup did not finish (budget, error, abort): absent from changedBy for that reason. */
  unsearched: AttributionTarget[];
  /** Records skipped because their CloudTrailEvent was not a usable record. */
  malformed: number;
}

/** Attributes each target's last write by someone other than the tool. */
export async function lookupChanges(
  client: CloudTrailClient,
  targets: readonly AttributionTarget[],
  options: LookupOptions,
): Promise<AttributionResult> {
  const now = (options.now ?? Date.now)();
  const budget = options.pageBudget ?? DEFAULT_PAGE_BUDGET;
  const windows = new Map(targets.map((t) => [t, windowFor(t, now, options.until)]));
  const changedBy = new Map<string, ChangedBy>();
  const state = { pages: 0, malformed: 0 };
  const done = (t: AttributionTarget) => changedBy.has(integrationKey(t.apiId, t.integrationId));
  let stop: string | undefined;
  for (const name of ORDER) {
    let need = targets.filter((t) => eventNamesFor(t.status).includes(name) && !done(t));
    let token: string | undefined;
    while (need.length > 0 && !stop) {
      if (options.signal?.aborted) stop = "stopped before it finished (the run is ending)";
      else if (state.pages >= budget) stop = `stopped at its page budget (${budget} LookupEvents pages)`;
      if (stop) break;
      const span = widest(need.map((t) => windows.get(t)!));
      let page: { records: TrailRecord[]; next?: string };
      try {
        page = await lookupPage(client, name, span, token, state);
      } catch (error) {
        stop = failure(error);
        break;
      }
      for (const [key, value] of attribute(page.records, need, {
        self: options.self,
        now,
        ...until(options),
      })) {
        changedBy.set(key, value);
      }
      need = need.filter((t) => !done(t));
      // Pages are newest first: once one reaches past every remaining window's start, older pages cannot help.
      const oldest = page.records.at(-1)?.at ?? Number.POSITIVE_INFINITY;
      const earliest = Math.min(...need.map((t) => windows.get(t)!.start));
      if (!page.next || oldest < earliest) break;
      token = page.next;
    }
  }
  const unsearched = stop ? targets.filter((t) => !done(t)) : [];
  const warnings = stop && unsearched.length > 0 ? [warning(stop, unsearched, targets.length)] : [];
  return { changedBy, warnings, pages: state.pages, unsearched, malformed: state.malformed };
}

async function lookupPage(
  client: CloudTrailClient,
  name: IntegrationEventName,
  span: Window,
  token: string | undefined,
  state: { pages: number; malformed: number },
): Promise<{ records: TrailRecord[]; next?: string }> {
  const out = await client.send(
    new LookupEventsCommand({
      LookupAttributes: [{ AttributeKey: "EventName", AttributeValue: name }],
      StartTime: new Date(span.start),
      EndTime: new Date(span.end),
      MaxResults: PAGE_SIZE,
      ...(token ? { NextToken: token } : {}),
    }),
  );
  state.pages += 1;
  const records: TrailRecord[] = [];
  for (const event of out.Events ?? []) {
    const record = parseRecord(event.CloudTrailEvent);
    if (record) records.push(record);
    else state.malformed += 1;
  }
  return { records, ...(out.NextToken ? { next: out.NextToken } : {}) };
}

function widest(windows: readonly Window[]): Window {
  return { start: Math.min(...windows.map((w) => w.start)), end: Math.max(...windows.map((w) => w.end)) };
}

function until(options: LookupOptions): { until?: number } {
  return options.until === undefined ? {} : { until: options.until };
}

/** Why a lookup stopped, from the SDK error left after its retries. */
function failure(error: unknown): string {
  const e = error as { name?: string; code?: string; message?: string };
  const name = e?.name && e.name !== "Error" ? e.name : (e?.code ?? "Error");
  const cause = `${name}: ${e?.message ?? String(error)}`;
  // awsJson services answer AccessDeniedException with 400, which classify() would call a bad request.
  switch (name === "AccessDeniedException" ? "access-denied" : classify(error)) {
    case "access-denied":
      return (
        `was skipped: these credentials may not call cloudtrail:LookupEvents (${cause}). ` +
        `Grant cloudtrail:LookupEvents on Resource "*" (it cannot be scoped to a resource), or turn ` +
        `attribution off with --no-attribution`
      );
    case "throttling":
      return `stopped: CloudTrail kept throttling LookupEvents after every retry (${cause}); another caller may share its 2 requests/s`;
    default:
      return `stopped: CloudTrail LookupEvents failed (${cause})`;
  }
}

function warning(stop: string, unsearched: readonly AttributionTarget[], total: number): string {
  const keys = unsearched.slice(0, LISTED).map((t) => integrationKey(t.apiId, t.integrationId));
  const more = unsearched.length > LISTED ? ` and ${unsearched.length - LISTED} more` : "";
  return (
    `CloudTrail attribution ${stop}; ${unsearched.length} of ${total} changed integrations stay ` +
    `unattributed: ${keys.join(", ")}${more}.`
  );
}
