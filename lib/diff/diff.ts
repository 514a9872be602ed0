import type { DesiredIntegration } from "../desired-state/schema.ts";
import {
  INTEGRATION_FIELDS,
  type IntegrationField,
  isIntegrationField,
  type Protocol,
} from "../facts/integration.ts";
import { isRecord, type LiveIntegration, normaliseField } from "./normalise.ts";
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

/** The fields a declaration owns: the ones it declares, in a stable order. */
export function declaredFields(desired: DesiredIntegration): IntegrationField[] {
  return (Object.keys(desired) as (keyof DesiredIntegration)[]).filter(isIntegrationField).sort();
}

/**
 * The drift of one integration: differences in the fields the declaration owns, after defaults, minus the
 * ignored pointers. Sorted by path. Pure, and `diffIntegration(x, x)` is always empty.
 */
export function diffIntegration(
  desired: DesiredIntegration,
  live: LiveIntegration,
  options: DiffOptions,
): Diff[] {
  const ignore = options.ignore ?? [];
  const integrationType = desired.integrationType ?? live.integrationType;
  const diffs: Diff[] = [];
  for (const field of declaredFields(desired)) {
    const path = childPointer("", field);
    if (ignore.some((p) => covers(p, path))) continue;
    const expected = normaliseField(field, desired[field], options.protocol, integrationType);
    const actual = normaliseField(field, live[field], options.protocol, integrationType);
    const kind = INTEGRATION_FIELDS[field].kind;
    if (kind === "stringMap" || kind === "responseParameters") {
      diffMap(
        path,
        expected as Record<string, unknown>,
        actual as Record<string, unknown>,
        kind !== "stringMap",
        diffs,
      );
    } else diffValue(path, expected, actual, diffs);
  }
  return diffs.filter((d) => !ignore.some((p) => covers(p, d.path)));
}

/** Maps are owned whole and compared key by key; `nested` maps (responseParameters) one level deeper. */
function diffMap(
  path: string,
  expected: Record<string, unknown>,
  actual: Record<string, unknown>,
  nested: boolean,
  out: Diff[],
): void {
  for (const key of unionKeys(expected, actual)) {
    const child = childPointer(path, key);
    const e = expected[key];
    const a = actual[key];
    if (nested)
      diffMap(child, (e as Record<string, unknown>) ?? {}, (a as Record<string, unknown>) ?? {}, false, out);
    else diffValue(child, e, a, out);
  }
}

function diffValue(path: string, expected: unknown, actual: unknown, out: Diff[]): void {
  if (expected === undefined && actual === undefined) return;
  if (expected === undefined) out.push({ path, kind: "added", actual });
  else if (actual === undefined) out.push({ path, kind: "removed", expected });
  else if (isRecord(expected) && isRecord(actual)) {
    for (const key of unionKeys(expected, actual))
      diffValue(childPointer(path, key), expected[key], actual[key], out);
  } else if (!sameValue(expected, actual)) out.push({ path, kind: "changed", expected, actual });
}

function unionKeys(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
}

function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((v, i) => sameValue(v, b[i]));
  return a === b;
}
