/**
 * LookupEvents over stored records, validated as the CloudTrail API reference describes it (see the README's
 * CloudTrail table for the source of each check): at most one lookup attribute, MaxResults 1..50 (default
 * 50), StartTime not after EndTime, both inclusive, the last 90 days only, newest first, a NextToken bound
 * to the parameters it was issued for.
 */
import { AwsJsonError } from "./aws-json.ts";
import type { StoredRecord } from "./cloudtrail-records.ts";

/** The LookupAttributeKey enum of the SDK model. */
export const ATTRIBUTE_KEYS = [
  "EventId",
  "EventName",
  "ReadOnly",
  "Username",
  "ResourceType",
  "ResourceName",
  "EventSource",
  "AccessKeyId",
] as const;
type AttributeKey = (typeof ATTRIBUTE_KEYS)[number];

export interface LookupOptions {
  /** Epoch milliseconds. */
  now: number;
  retentionDays: number;
}

const DAY_MS = 86_400_000;

/** One page of LookupEvents. `records` newest first. @throws AwsJsonError for what the service refuses. */
export function lookupEvents(
  records: readonly StoredRecord[],
  body: Record<string, unknown>,
  options: LookupOptions,
): { Events: Record<string, unknown>[]; NextToken?: string } {
  const attribute = lookupAttribute(body.LookupAttributes);
  const start = epochSeconds(body.StartTime, "StartTime");
  const end = epochSeconds(body.EndTime, "EndTime");
  if (start !== undefined && end !== undefined && start > end) {
    throw new AwsJsonError(400, "InvalidTimeRangeException", "Start time must be before end time.");
  }
  const category = body.EventCategory;
  if (category !== undefined && category !== "insight") {
    throw new AwsJsonError(
      400,
      "InvalidEventCategoryException",
      `Event category ${String(category)} is not valid.`,
    );
  }
  const max = body.MaxResults ?? 50;
  if (typeof max !== "number" || !Number.isInteger(max) || max < 1 || max > 50) {
    throw new AwsJsonError(400, "InvalidMaxResultsException", "MaxResults must be between 1 and 50.");
  }
  const query = JSON.stringify([attribute ?? null, start ?? null, end ?? null, category ?? null]);
  const after = body.NextToken === undefined ? undefined : decodeToken(body.NextToken, query);
  // Insights events are a category of their own; the emulator records none.
  if (category === "insight") return { Events: [] };
  const oldest = options.now - options.retentionDays * DAY_MS;
  const matching = records.filter(
    (r) =>
      r.at >= oldest &&
      (start === undefined || r.at >= start * 1000) &&
      (end === undefined || r.at <= end * 1000) &&
      (attribute === undefined || matches(r, attribute)) &&
      (after === undefined || r.at < after.at || (r.at === after.at && r.seq < after.seq)),
  );
  const page = matching.slice(0, max);
  const last = page.at(-1);
  return {
    Events: page.map(toEvent),
    ...(last && matching.length > max ? { NextToken: encodeToken(query, last) } : {}),
  };
}

function lookupAttribute(value: unknown): { key: AttributeKey; value: string } | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value))
    throw new AwsJsonError(400, "SerializationException", "LookupAttributes must be a list");
  if (value.length === 0) return undefined;
  if (value.length > 1) {
    // SDK model: "Currently the list can contain only one item." The wording is ours.
    throw new AwsJsonError(
      400,
      "InvalidLookupAttributesException",
      "You can specify only one lookup attribute.",
    );
  }
  const { AttributeKey: key, AttributeValue: text } = value[0] as Record<string, unknown>;
  if (!ATTRIBUTE_KEYS.includes(key as AttributeKey)) {
    throw new AwsJsonError(
      400,
      "InvalidLookupAttributesException",
      `Lookup attribute key ${String(key)} is not one of ${ATTRIBUTE_KEYS.join(", ")}.`,
    );
  }
  if (typeof text !== "string" || text === "") {
    throw new AwsJsonError(400, "InvalidLookupAttributesException", "AttributeValue is required.");
  }
  // SDK model: at most 2000 characters, where '_', ' ', ',' and '\n' count as two.
  const length = [...text].reduce((n, ch) => n + ("_ ,\n".includes(ch) ? 2 : 1), 0);
  if (length > 2000) {
    throw new AwsJsonError(
      400,
      "InvalidLookupAttributesException",
      "AttributeValue exceeds 2000 characters.",
    );
  }
  return { key: key as AttributeKey, value: text };
}

function matches(r: StoredRecord, { key, value }: { key: AttributeKey; value: string }): boolean {
  switch (key) {
    case "EventId":
      return r.eventId === value;
    case "EventName":
      return r.eventName === value;
    case "EventSource":
      return r.eventSource === value;
    case "ReadOnly":
      return String(r.readOnly) === value;
    case "AccessKeyId":
      return r.accessKeyId === value;
    case "Username":
      return r.username === value;
    case "ResourceType":
      return r.resources.some((x) => x.ResourceType === value);
    case "ResourceName":
      return r.resources.some((x) => x.ResourceName === value);
  }
}

/** The SDK sends timestamps as epoch seconds (a JSON number, fractional for milliseconds). */
function epochSeconds(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new AwsJsonError(400, "SerializationException", `${name} must be a timestamp in epoch seconds`);
  }
  return value;
}

function toEvent(r: StoredRecord): Record<string, unknown> {
  return {
    EventId: r.eventId,
    EventName: r.eventName,
    ReadOnly: String(r.readOnly),
    ...(r.accessKeyId ? { AccessKeyId: r.accessKeyId } : {}),
    EventTime: r.at / 1000,
    EventSource: r.eventSource,
    ...(r.username ? { Username: r.username } : {}),
    Resources: r.resources,
    CloudTrailEvent: r.text,
  };
}

function encodeToken(query: string, last: StoredRecord): string {
  return Buffer.from(JSON.stringify({ q: query, at: last.at, seq: last.seq })).toString("base64url");
}

function decodeToken(token: unknown, query: string): { at: number; seq: number } {
  const invalid = new AwsJsonError(
    400,
    "InvalidNextTokenException",
    "The NextToken is not valid, or was issued for a request with other parameters.",
  );
  if (typeof token !== "string") throw invalid;
  try {
    const parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as Record<string, unknown>;
    if (parsed.q !== query || typeof parsed.at !== "number" || typeof parsed.seq !== "number") throw invalid;
    return { at: parsed.at, seq: parsed.seq };
  } catch {
    throw invalid;
  }
}
