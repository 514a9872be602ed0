import type { DesiredIntegration } from "../desired-state/schema.ts";
import { type DiffOptions, diffIntegration } from "../diff/diff.ts";
import type { LiveIntegration } from "../model/live.ts";
import { buildUpdate } from "../plan/update.ts";
import type { BehaviourName, Readings } from "./behaviours.ts";
import { simulateUpdate } from "./simulate.ts";

/** What the product's planned update of one integration would do under some readings. */
export type Verdict =
  /** It does what the plan says: no drift left but what the plan itself said it cannot fix. */
  | { ok: true }
  /** The service would refuse the whole request, because of this behaviour's reading of this field. */
  | { ok: false; refused: { behaviour: BehaviourName; field: string } }
  /** It goes through, and these top-level fields still differ though the plan meant to fix them. */
  | { ok: false; unfixed: string[] };

/**
 * Plans the update of `live` to `desired` with the product's own planner (lib/plan/update.ts buildUpdate,
 * which encodes through the field model's codecs), sends it through the readings' model (simulate.ts),
 * and diffs the outcome with the product's own diff: the verdict on the product's encoding, not on a
 * guess of it.
 */
export function judgeUpdate(
  desired: DesiredIntegration,
  live: LiveIntegration,
  options: DiffOptions,
  readings: Readings,
): Verdict {
  const planned = buildUpdate(desired, live, options);
  if (!planned?.fields) return { ok: true };
  const outcome = simulateUpdate(live, planned.fields, readings);
  if ("refused" in outcome) return { ok: false, refused: outcome.refused };
  const stuck = new Set<string>(planned.cannot.map((c) => c.field));
  const after = { ...outcome.after, integrationId: live.integrationId } as LiveIntegration;
  const unfixed = [
    ...new Set(diffIntegration(desired, after, options).map((d) => d.path.split("/")[1] ?? "")),
  ].filter((field) => !stuck.has(field));
  return unfixed.length === 0 ? { ok: true } : { ok: false, unfixed: unfixed.sort() };
}
