import { z } from "zod";
import { suggest } from "../../lib/desired-state/errors.ts";
import type { Mode } from "../../lib/plan/report.ts";

/**
 * What the function accepts: a manual invoke (`{"dryRun": true, "apiIds": [...], ...}`), the Input of an
 * EventBridge Scheduler schedule (`{"mode": "apply"}`), or an EventBridge scheduled-rule event.
 * Unknown fields are refused: a typo must not silently turn a dry run into an apply.
 */
/** As lib/desired-state/schema.ts's (not imported: the function's bundle keeps the validator out). */
const ACCOUNT_ID = /^\d{12}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

const ManualEvent = z.strictObject({
  mode: z.enum(["plan", "apply"]).optional(),
  dryRun: z.boolean().optional(),
  apiIds: z.array(z.string().min(1)).min(1).optional(),
  integrationIds: z.array(z.string().min(1)).min(1).optional(),
  maxDeletes: z.int().min(0).optional(),
  maxUpdates: z.int().min(0).optional(),
  prune: z.boolean().optional(),
  /** One target of a fleet (PRODUCT §9), as the hub's state machine sends it for each. */
  target: z
    .strictObject({ account: z.string().regex(ACCOUNT_ID), region: z.string().regex(REGION) })
    .optional(),
});
const FIELDS = Object.keys(ManualEvent.shape);

export type ReconcileEvent = z.infer<typeof ManualEvent>;

/** What each field takes, so a refusal says what to send instead (as the CLI's flags do). */
const TAKES: Record<keyof ReconcileEvent, string> = {
  mode: '"plan" or "apply"',
  dryRun: "true or false",
  apiIds: "a non-empty array of API ids",
  integrationIds: "a non-empty array of integration ids",
  maxDeletes: "a whole number ≥ 0",
  maxUpdates: "a whole number ≥ 0",
  prune: "true or false",
  target:
    'a target of the fleet such as {"account": "123456789012", "region": "eu-west-1"} (a 12-digit account id and a Region, nothing else)',
};

const ACCEPTED =
  'the function takes a schedule\'s input such as {"mode": "apply"}, an EventBridge scheduled-rule event, or a manual invoke such as {"dryRun": true}';

/** The run an event asks for. */
export interface RunRequest {
  mode: Mode;
  apiIds?: string[];
  integrationIds?: string[];
  maxDeletes?: number;
  maxUpdates?: number;
  prune?: boolean;
  /** Only this target's APIs, in its account (the fleet.yaml role) and Region. */
  target?: { account: string; region: string };
  /** "schedule", "scheduled-rule", "manual" or "fleet" (the state machine's item), for the logs. */
  source: string;
}

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
  const parsed = ManualEvent.safeParse(event);
  if (!parsed.success)
    throw new InvalidEventError(`invalid event: ${problems(parsed.error, event).join("; ")}`);
  const e = parsed.data;
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

/** One message per unknown field (with a guess), one per bad field (what it takes), the field list once. */
function problems(error: z.ZodError, event: object): string[] {
  const unknown: string[] = [];
  const bad = new Map<string, string>();
  for (const issue of error.issues) {
    // A key unknown inside a field (target's) is that field's problem, said once with what it takes.
    if (issue.code === "unrecognized_keys" && issue.path.length === 0) {
      for (const k of issue.keys) {
        const guess = suggest(k, FIELDS);
        unknown.push(`unknown field "${k}"${guess ? ` (did you mean ${guess}?)` : ""}`);
      }
      continue;
    }
    const field = String(issue.path[0] ?? "");
    if (bad.has(field)) continue;
    const takes = TAKES[field as keyof ReconcileEvent];
    const value = (event as Record<string, unknown>)[field];
    bad.set(field, takes ? `${field} takes ${takes}, not ${show(value)}` : `${field}: ${issue.message}`);
  }
  return [
    ...bad.values(),
    ...unknown,
    ...(unknown.length > 0 ? [`the event takes ${FIELDS.join(", ")}`] : []),
  ];
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
