import type { DesiredIntegration } from "../desired-state/schema.ts";
import { type Diff, type DiffOptions, declaredFields, diffIntegration, isIgnored } from "../diff/diff.ts";
import { childPointer } from "../diff/pointer.ts";
import {
  contextOf,
  FIELD_NAMES,
  type IntegrationField,
  normaliseField,
  rowOf,
  serverDefault,
} from "../model/fields.ts";
import { violations } from "../model/invariants.ts";
import type { LiveIntegration } from "../model/live.ts";

/** The fields of an UpdateIntegration request, in wire names (apiId and integrationId travel separately). */
export type UpdateFields = Partial<Record<IntegrationField, unknown>>;

/** What a drifted integration's fix looks like: the request, and what no request can fix in place. */
export interface PlannedUpdate {
  /** The UpdateIntegration fields, when something can be fixed by one. */
  fields?: UpdateFields;
  /** The fields whose drift cannot be fixed in place, and why (the integration must be recreated or the file changed). */
  cannot: { field: IntegrationField; message: string }[];
}

/**
 * The smallest UpdateIntegration request that makes `live` match `desired`: exactly the top-level fields
 * with (non-ignored) drift, each encoded by its field's codec (lib/model: removal markers, whole maps,
 * ignored keys sent back as live has them), or `undefined` when there is no drift. `diffs` are the
 * integration's diffs when the caller has them already: an integration is diffed once.
 *
 * An AWS service integration (integrationSubtype set) is re-validated by the service on every update, so
 * the request also names the fields the model marks `resendOnSubtypeUpdate` (subtype, type, the whole
 * request parameters) as live has them (service-facts #17).
 */
export function buildUpdate(
  desired: DesiredIntegration,
  live: LiveIntegration,
  options: DiffOptions,
  diffs: readonly Diff[] = diffIntegration(desired, live, options),
): PlannedUpdate | undefined {
  const drifted = new Set(diffs.map((d) => d.path.split("/")[1]));
  if (drifted.size === 0) return undefined;
  const ignore = options.ignore ?? [];
  const context = contextOf(options.protocol, desired, live);
  const fields: UpdateFields = {};
  const cannot: PlannedUpdate["cannot"] = [];
  for (const field of declaredFields(desired)) {
    if (!drifted.has(field)) continue;
    const row = rowOf(field);
    const want = normaliseField(field, desired[field], context);
    const have = normaliseField(field, live[field], context);
    if (row.immutable) {
      const values = `live ${JSON.stringify(have) ?? "none"}, the file ${JSON.stringify(want) ?? "none"}`;
      cannot.push({
        field,
        message: `${field} cannot be changed in place (${values}): ${row.immutable.remedy}`,
      });
      continue;
    }
    const encoded = row.codec.encode({
      path: childPointer("", field),
      want,
      have,
      ignored: (pointer) => isIgnored(ignore, pointer),
      context,
      unset: row.unset.how,
    });
    if (encoded.cannot) cannot.push({ field, message: encoded.cannot });
    if (encoded.send !== undefined) fields[field] = encoded.send;
  }
  if (Object.keys(fields).length === 0) return { cannot };
  // The integration the update would leave behind must keep the service's cross-field rules, or the
  // service refuses the whole request: a rule it would newly break is said now, and nothing is sent.
  const before = new Set(violations(live, options.protocol).map((v) => v.rule));
  const broken = violations(predict(desired, live, context), options.protocol).filter(
    (v) => !before.has(v.rule),
  );
  if (broken.length > 0) {
    return {
      cannot: [
        ...cannot,
        ...broken.map((v) => ({
          field: v.field,
          message: `this update would be refused: ${v.message}`,
        })),
      ],
    };
  }
  if (contextOf(options.protocol, undefined, live).subtype !== undefined) {
    for (const field of FIELD_NAMES) {
      if (!rowOf(field).resendOnSubtypeUpdate || Object.hasOwn(fields, field)) continue;
      const value = rowOf(field).codec.normalise(live[field]);
      if (value !== undefined) fields[field] = value;
    }
  }
  return { fields, cannot };
}

/** The integration as it would be once the declaration is applied: live, with each declared field as declared. */
function predict(
  desired: DesiredIntegration,
  live: LiveIntegration,
  context: ReturnType<typeof contextOf>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...live };
  for (const field of declaredFields(desired)) {
    const value = normaliseField(field, desired[field], context);
    if (value === undefined) delete out[field];
    else out[field] = value;
  }
  for (const field of FIELD_NAMES) {
    const filled = serverDefault(field, contextOf(context.protocol, undefined, out));
    if (out[field] === undefined && filled !== undefined) out[field] = filled;
  }
  return out;
}
