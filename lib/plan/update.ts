import type { DesiredIntegration } from "../desired-state/schema.ts";
import { declaredFields, diffIntegration } from "../diff/diff.ts";
import { isRecord, type LiveIntegration, normaliseField, type StringMap } from "../diff/normalise.ts";
import { childPointer, covers } from "../diff/pointer.ts";
import { INTEGRATION_FIELDS, type IntegrationField, type Protocol } from "../facts/integration.ts";

/** The fields of an UpdateIntegration request, in wire names (apiId and integrationId travel separately). */
export type UpdateFields = Partial<Record<IntegrationField, unknown>>;

export interface UpdateOptions {
  protocol: Protocol;
  ignore?: readonly string[];
}

/**
 * The smallest UpdateIntegration request that makes `live` match `desired`: exactly the top-level fields
 * with (non-ignored) drift, or `undefined` when there is none. Removal encodings (facts/integration.ts
 * REMOVAL_ENCODINGS): a field unset with "" (or reset to its server default), a request parameter removed
 * with "", a responseParameters status code removed with {}, tlsConfig removed with {}. A drifted map is
 * sent whole as desired, with ignored keys carrying their live values, so the request is right whether the
 * service merges the map or replaces it.
 */
export function buildUpdate(
  desired: DesiredIntegration,
  live: LiveIntegration,
  options: UpdateOptions,
): UpdateFields | undefined {
  const ignore = options.ignore ?? [];
  const drifted = new Set(diffIntegration(desired, live, options).map((d) => d.path.split("/")[1]));
  if (drifted.size === 0) return undefined;
  const integrationType = desired.integrationType ?? live.integrationType;
  const update: UpdateFields = {};
  for (const field of declaredFields(desired)) {
    if (!drifted.has(field)) continue;
    const path = childPointer("", field);
    const ignored = (key: string) => ignore.some((p) => covers(p, childPointer(path, key)));
    const want = normaliseField(field, desired[field], options.protocol, integrationType);
    const have = normaliseField(field, live[field], options.protocol, integrationType);
    switch (INTEGRATION_FIELDS[field].kind) {
      case "stringMap":
        update[field] = mapUpdate(
          want as StringMap,
          have as StringMap,
          ignored,
          field === "requestParameters",
        );
        break;
      case "responseParameters":
        update[field] = responseUpdate(
          want as Record<string, StringMap>,
          have as Record<string, StringMap>,
          path,
          ignore,
        );
        break;
      case "tlsConfig":
        update[field] = want === undefined ? {} : overlay(want as Record<string, unknown>, have, ignored);
        break;
      default:
        // normaliseField already turned "not set" into the server default where there is one.
        update[field] = want ?? "";
    }
  }
  return update;
}

/** A string map as sent: desired keys, ignored keys as live has them, and ("" markers) for removed keys. */
function mapUpdate(
  want: StringMap,
  have: StringMap,
  ignored: (key: string) => boolean,
  markers: boolean,
): StringMap {
  const out: StringMap = {};
  for (const [k, v] of Object.entries(want)) if (!ignored(k)) out[k] = v;
  for (const [k, v] of Object.entries(have)) {
    if (ignored(k)) out[k] = v;
    else if (markers && !(k in want)) out[k] = "";
  }
  return sortKeys(out);
}

function responseUpdate(
  want: Record<string, StringMap>,
  have: Record<string, StringMap>,
  path: string,
  ignore: readonly string[],
): Record<string, StringMap> {
  const out: Record<string, StringMap> = {};
  for (const code of [...new Set([...Object.keys(want), ...Object.keys(have)])].sort()) {
    const codePath = childPointer(path, code);
    if (ignore.some((p) => covers(p, codePath))) continue;
    const ignored = (key: string) => ignore.some((p) => covers(p, childPointer(codePath, key)));
    const mappings = mapUpdate(want[code] ?? {}, have[code] ?? {}, ignored, false);
    // An empty map removes the status code (terraform's encoding); otherwise the code's map is sent whole.
    out[code] = mappings;
  }
  return out;
}

function overlay(want: Record<string, unknown>, have: unknown, ignored: (key: string) => boolean) {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(want)) if (!ignored(k)) out[k] = v;
  if (isRecord(have)) for (const [k, v] of Object.entries(have)) if (ignored(k)) out[k] = v;
  return out;
}

function sortKeys<T>(o: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
