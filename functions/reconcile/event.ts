import { suggest } from "../../lib/desired-state/errors.ts";
import type { Mode } from "../../lib/plan/report.ts";

/**
 * What the function accepts: a manual invoke (`{"dryRun": true, "apiIds": [...], ...}`), the Input of an
 * EventBridge Scheduler schedule (`{"mode": "apply"}`), or an EventBridge scheduled-rule event.
 * Unknown fields are refused: a typo must not silently turn a dry run into an apply. Checked by hand, not
 * by a schema library: this runs in the function, whose cold start carries no validator (PRODUCT §7).
 */
/** As lib/desired-state/schema.ts's (not imported: the function's bundle keeps the validator out). */
const ACCOUNT_ID = /^\d{12}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

export interface ReconcileEvent {
  mode?: Mode;
  dryRun?: boolean;
  apiIds?: string[];
  integrationIds?: string[];
  maxDeletes?: number;
  maxUpdates?: number;
  prune?: boolean;
  /** One target of a fleet (PRODUCT §9), as the hub's state machine sends it for each. */
  target?: { account: string; region: string };
}

type Field = keyof ReconcileEvent;

const boolean = (v: unknown) => typeof v === "boolean";
const ids = (v: unknown) =>
  Array.isArray(v) && v.length > 0 && v.every((id) => typeof id === "string" && id.length > 0);
const whole = (v: unknown) => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
/** `{account, region}` and nothing else: a key unknown inside it is the field's problem, said once. */
const target = (v: unknown) =>
  typeof v === "object" &&
  v !== null &&
  !Array.isArray(v) &&
  Object.keys(v).every((k) => k === "account" || k === "region") &&
  typeof (v as { account?: unknown }).account === "string" &&
  ACCOUNT_ID.test((v as { account: string }).account) &&
  typeof (v as { region?: unknown }).region === "string" &&
  REGION.test((v as { region: string }).region);

/** Each field: what it takes, checked and said, so a refusal says what to send instead (as the CLI's flags do). */
const FIELD_RULES: Record<Field, { check: (v: unknown) => boolean; takes: string }> = {
  mode: { check: (v) => v === "plan" || v === "apply", takes: '"plan" or "apply"' },
  dryRun: { check: boolean, takes: "true or false" },
  apiIds: { check: ids, takes: "a non-empty array of API ids" },
  integrationIds: { check: ids, takes: "a non-empty array of integration ids" },
  maxDeletes: { check: whole, takes: "a whole number ≥ 0" },
  maxUpdates: { check: whole, takes: "a whole number ≥ 0" },
  prune: { check: boolean, takes: "true or false" },
  target: {
    check: target,
    takes:
      'a target of the fleet such as {"account": "123456789012", "region": "eu-west-1"} (a 12-digit account id and a Region, nothing else)',
  },
};
const FIELDS = Object.keys(FIELD_RULES) as Field[];

const ACCEPTED =
  'the function takes a schedule\'s input such as {"mode": "apply"}, an EventBridge scheduled-rule event, or a manual invoke such as {"dryRun": true}';

/** The run an event asks for: the event's fields, with its mode settled (dryRun folded into it). */
export type RunRequest = Omit<ReconcileEvent, "mode" | "dryRun"> & {
  mode: Mode;
  /** "schedule", "scheduled-rule", "manual" or "fleet" (the state machine's item), for the logs. */
  source: string;
};

export class InvalidEventError extends Error {
  override name = "InvalidEventError";
}

/** Parses an event, or throws InvalidEventError naming every problem and what to write instead. */
export function parseEvent(event: unknown, defaultMode: Mode): RunRequest {
  if (event === null || event === undefined) return { mode: defaultMode, source: "schedule" };
  if (typeof event !== "object" || Array.isArray(event)) {
    const hint = event === "plan" || event === "apply" ? `send {"mode": "${event}"}` : ACCEPTED;
    throw new InvalidEventError(`invalid event: expected a JSON object, not ${kind(event)}; ${hint}`);
  }
  if (isScheduledRule(event)) return { mode: defaultMode, source: "scheduled-rule" };
  const foreign = foreignEnvelope(event as Record<string, unknown>);
  if (foreign)
    throw new InvalidEventError(`invalid event: ${foreign} is not a reconcile request; ${ACCEPTED}`);
  const e = checked(event as Record<string, unknown>);
  if (e.dryRun === true && e.mode === "apply") {
    throw new InvalidEventError(
      'invalid event: "dryRun": true contradicts "mode": "apply"; send one of them',
    );
  }
  const mode: Mode = e.dryRun === true ? "plan" : (e.mode ?? defaultMode);
  const manual = Object.keys(e).some((k) => k !== "mode" && k !== "target");
  return {
    mode,
    ...(e.apiIds ? { apiIds: e.apiIds } : {}),
    ...(e.integrationIds ? { integrationIds: e.integrationIds } : {}),
    ...(e.maxDeletes !== undefined ? { maxDeletes: e.maxDeletes } : {}),
    ...(e.maxUpdates !== undefined ? { maxUpdates: e.maxUpdates } : {}),
    ...(e.prune !== undefined ? { prune: e.prune } : {}),
    ...(e.target ? { target: e.target } : {}),
    source: manual ? "manual" : e.target ? "fleet" : "schedule",
  };
}

/**
 * The event's own fields, each checked: one message per bad field (what it takes), in the fields' order,
 * then one per unknown field (with a guess) and the field list once. A field given as `undefined` counts
 * as not given.
 */
function checked(event: Record<string, unknown>): ReconcileEvent {
  const out: Record<string, unknown> = {};
  const bad: string[] = [];
  for (const field of FIELDS) {
    if (!Object.hasOwn(event, field)) continue;
    const value = event[field];
    if (value !== undefined && !FIELD_RULES[field].check(value)) {
      bad.push(`${field} takes ${FIELD_RULES[field].takes}, not ${show(value)}`);
    }
    out[field] = value;
  }
  const unknown: string[] = [];
  for (const k of Object.keys(event)) {
    if ((FIELDS as string[]).includes(k)) continue;
    const guess = suggest(k, FIELDS);
    unknown.push(`unknown field "${k}"${guess ? ` (did you mean ${guess}?)` : ""}`);
  }
  const problems = [
    ...bad,
    ...unknown,
    ...(unknown.length > 0 ? [`the event takes ${FIELDS.join(", ")}`] : []),
  ];
  if (problems.length > 0) throw new InvalidEventError(`invalid event: ${problems.join("; ")}`);
  return out as ReconcileEvent;
}

/** An EventBridge scheduled-rule event (no Input configured): it carries no options. */
function isScheduledRule(event: object): boolean {
  const e = event as Record<string, unknown>;
  return e["detail-type"] === "Scheduled Event" && e.source === "aws.events";
}

/** Names an event another AWS service sent (a wrong trigger), rather than listing its every field as unknown. */
function foreignEnvelope(e: Record<string, unknown>): string | undefined {
  if (typeof e.source === "string" && typeof e["detail-type"] === "string") {
    return `an EventBridge event ("${e["detail-type"]}" from ${e.source})`;
  }
  if (Array.isArray(e.Records)) {
    const first = e.Records[0] as Record<string, unknown> | undefined;
    const from = first?.eventSource ?? first?.EventSource;
    return `a batch of records${typeof from === "string" ? ` from ${from}` : ""}`;
  }
  if (typeof e.requestContext === "object" && e.requestContext !== null) return "an HTTP request event";
  return undefined;
}

function kind(value: unknown): string {
  if (Array.isArray(value)) return `an array (${show(value)})`;
  return `a ${typeof value} (${show(value)})`;
}

function show(value: unknown): string {
  const text = typeof value === "number" ? String(value) : (JSON.stringify(value) ?? String(value));
  return text.length > 60 ? `${text.slice(0, 59)}…` : text;
}
