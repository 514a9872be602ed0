import type { DesiredIntegration } from "../desired-state/schema.ts";
import {
  contextOf,
  FIELD_NAMES,
  type IntegrationField,
  normaliseField,
  rowOf,
  sameField,
} from "../model/fields.ts";
import type { LiveIntegration } from "../model/live.ts";
import type { Protocol } from "../model/service.ts";
import { childPointer, covers } from "./pointer.ts";

/**
 * One field-level difference. `kind` follows CloudFormation drift detection: `added` = live has it and
 * the file does not, `removed` = the file has it and live does not, `changed` = both have it, unequal.
 */
export interface Diff {
  /** RFC 6901 pointer into the integration, e.g. `/requestParameters/overwrite:header.x-env`. */
  path: string;
  kind: "added" | "removed" | "changed";
  expected?: unknown;
  actual?: unknown;
}

export interface DiffOptions {
  protocol: Protocol;
  /** JSON Pointers never reported (file-level and per-integration together); each covers all below it. */
  ignore?: readonly string[];
}

/** The fields a declaration owns: the ones it declares, in name order. */
export function declaredFields(desired: DesiredIntegration): IntegrationField[] {
  return FIELD_NAMES.filter((field) => Object.hasOwn(desired, field));
}

/** Each field's pointer, built once: a plan diffs every declared field of every integration. */
const FIELD_POINTERS = new Map(FIELD_NAMES.map((field) => [field, childPointer("", field)]));

/** True when one of `ignore` covers `pointer`. */
export function isIgnored(ignore: readonly string[], pointer: string): boolean {
  return ignore.some((p) => covers(p, pointer));
}

/**
 * The drift of one integration: differences in the fields the declaration owns, after defaults, minus the
 * ignored pointers. Sorted by path. Pure, and `diffIntegration(x, x)` is always empty. Each field is
 * compared by its codec (lib/model); a field its codec finds in sync without normalising is not built.
 */
export function diffIntegration(
  desired: DesiredIntegration,
  live: LiveIntegration,
  options: DiffOptions,
): Diff[] {
  const ignore = options.ignore ?? [];
  const context = contextOf(options.protocol, desired, live);
  const diffs: Diff[] = [];
  for (const field of FIELD_NAMES) {
    if (!Object.hasOwn(desired, field)) continue;
    const path = FIELD_POINTERS.get(field)!;
    if (ignore.length > 0 && isIgnored(ignore, path)) continue;
    if (sameField(field, desired[field], live[field])) continue;
    const expected = normaliseField(field, desired[field], context);
    const actual = normaliseField(field, live[field], context);
    rowOf(field).codec.diff(path, expected, actual, diffs);
  }
  return ignore.length === 0 ? diffs : diffs.filter((d) => !isIgnored(ignore, d.path));
}
