import { z } from "zod";
import { suggest } from "../../lib/desired-state/errors.ts";
import type { Mode } from "../../lib/plan/report.ts";

/**
 * What the function accepts: a manual invoke (`{"dryRun": true, "apiIds": [...], ...}`), the Input of an
 * EventBridge Scheduler schedule (`{"mode": "apply"}`), or an EventBridge scheduled-rule event.
 * Unknown fields are refused: a typo must not silently turn a dry run into an apply.
 */
const ManualEvent = z.strictObject({
  mode: z.enum(["plan", "apply"]).optional(),
  dryRun: z.boolean().optional(),
  apiIds: z.array(z.string().min(1)).min(1).optional(),
  integrationIds: z.array(z.string().min(1)).min(1).optional(),
  maxDeletes: z.int().min(0).optional(),
  maxUpdates: z.int().min(0).optional(),
  prune: z.boolean().optional(),
});
const FIELDS = Object.keys(ManualEvent.shape);

export type ReconcileEvent = z.infer<typeof ManualEvent>;

/** The run an event asks for. */
export interface RunRequest {
  mode: Mode;
  apiIds?: string[];
  integrationIds?: string[];
  maxDeletes?: number;
  maxUpdates?: number;
  prune?: boolean;
  /** "schedule", "scheduled-rule" or "manual", for the logs. */
  source: string;
}

export class InvalidEventError extends Error {
  override name = "InvalidEventError";
}

/** Parses an event, or throws InvalidEventError naming every problem and what to write instead. */
export function parseEvent(event: unknown, defaultMode: Mode): RunRequest {
  if (event === null || event === undefined) return { mode: defaultMode, source: "schedule" };
  if (isScheduledRule(event)) return { mode: defaultMode, source: "scheduled-rule" };
  const parsed = ManualEvent.safeParse(event);
  if (!parsed.success) {
    const problems = parsed.error.issues.flatMap((issue) => {
      if (issue.code === "unrecognized_keys") {
        return issue.keys.map((k) => {
          const guess = suggest(k, FIELDS);
          return `unknown field "${k}"${guess ? ` (did you mean ${guess}?)` : ""}; the event takes ${FIELDS.join(", ")}`;
        });
      }
      const where = issue.path.join(".") || "event";
      return [`${where}: ${issue.message}`];
    });
    throw new InvalidEventError(`invalid event: ${problems.join("; ")}`);
  }
  const e = parsed.data;
  if (e.dryRun === true && e.mode === "apply") {
    throw new InvalidEventError(
      'invalid event: "dryRun": true contradicts "mode": "apply"; send one of them',
    );
  }
  const mode: Mode = e.dryRun === true ? "plan" : (e.mode ?? defaultMode);
  const manual = Object.keys(e).some((k) => k !== "mode");
  return {
    mode,
    ...(e.apiIds ? { apiIds: e.apiIds } : {}),
    ...(e.integrationIds ? { integrationIds: e.integrationIds } : {}),
    ...(e.maxDeletes !== undefined ? { maxDeletes: e.maxDeletes } : {}),
    ...(e.maxUpdates !== undefined ? { maxUpdates: e.maxUpdates } : {}),
    ...(e.prune !== undefined ? { prune: e.prune } : {}),
    source: manual ? "manual" : "schedule",
  };
}

/** An EventBridge scheduled-rule event (no Input configured): it carries no options. */
function isScheduledRule(event: unknown): boolean {
  const e = event as Record<string, unknown>;
  return typeof e === "object" && e["detail-type"] === "Scheduled Event" && e.source === "aws.events";
}
