/**
 * One small codec per kind of integration field: how a value is compared, diffed, encoded in an
 * UpdateIntegration request (removal markers included), walked for secrets, and validated. fields.ts
 * gives each field its codec; nothing outside lib/model switches on what kind a field is.
 *
 * Every value a codec compares is normalised first: `undefined` is "not set", whatever the spelling (absent,
 * `null`, `""` for a scalar, `{}` for a map or structure: PRODUCT §4 treats an empty object as absent, so
 * a removal converges whether the service drops `{}` or echoes it back, service-facts #23).
 */
import type { z as Zod } from "zod";
import type { Diff } from "../diff/diff.ts";
import { childPointer } from "../diff/pointer.ts";
import type { Protocol } from "./service.ts";

/** What a field's meaning depends on besides its own value: the API's protocol and the integration's type. */
export interface FieldContext {
  protocol: Protocol;
  integrationType?: string;
  /** The integration's integrationSubtype: set for AWS service integrations (service-facts #11, #17). */
  subtype?: string;
}

export type Scalar = string | number;

/** What a codec needs to encode one drifted field of an UpdateIntegration request. */
export interface EncodeInput {
  /** The field's pointer, e.g. `/requestParameters`. */
  path: string;
  /** Normalised desired and live values. */
  want: unknown;
  have: unknown;
  /** True for a pointer the declaration ignores: its live value is kept, never removed. */
  ignored: (pointer: string) => boolean;
  context: FieldContext;
  /** How the field is unset when it has no server default (fields.ts `unset`). */
  unset: Unset;
}

/**
 * The value to send, and when part of the drift cannot be fixed in place, why (a person must act). A field
 * with `cannot` and no `send` is left out of the request.
 */
export interface Encoded {
  send?: unknown;
  cannot?: string;
}

/**
 * How a field with no server default is unset by UpdateIntegration. `emptyString`: sent as `""` (PRODUCT
 * §4; service-facts #20 for description); `never`: it cannot be unset in place (service-facts #21).
 */
export type Unset = "emptyString" | "never";

/**
 * Replaces one string inside a value. `name` is the key it sits under (a parameter name, a template's
 * content type, a structure member); undefined for a scalar field's own value.
 */
export type StringMapper = (name: string | undefined, value: string) => string;

export interface Codec<T = unknown> {
  /** Names the kind in documentation and in the README's encodings table. */
  readonly kind: string;
  /** The comparison form of a value; `undefined` when it is not set (before server defaults). */
  normalise(value: unknown): T | undefined;
  /** Field-level differences of two normalised values under `path`, in key order. */
  diff(path: string, expected: T | undefined, actual: T | undefined, out: Diff[]): void;
  /**
   * True when two values, not normalised, would diff as nothing once normalised: decided without building
   * either, because nearly every integration of a plan is in sync. Codecs whose normalise copies (maps,
   * structures) have it; a scalar's normalise allocates nothing, so it needs none.
   */
  same?(a: unknown, b: unknown): boolean;
  /** The request value that turns `have` into `want`. */
  encode(input: EncodeInput): Encoded;
  /**
   * `value`, found `tokens` below the field (a whole map, one status code's mappings, one string), with
   * every string leaf passed through `map` under its name. For redaction and secret collection.
   */
  mapStrings(tokens: readonly string[], value: unknown, map: StringMapper): unknown;
  /** The value's schema for the validator. Takes zod in, so that the model itself never loads it. */
  schema(z: typeof Zod, protocol: Protocol | "ANY"): Zod.ZodType;
  /**
   * Exactly what `schema(z, protocol)` accepts, checked by hand and without allocating: the loader's fast
   * path checks every declared value of every file with it, and only a file it refuses is validated by the
   * schema (for the schema's messages). A property test holds the two to the same answer.
   */
  accepts(value: unknown, protocol: Protocol): boolean;
}

// --- scalars ------------------------------------------------------------------------------------------

interface ScalarOptions<T extends Scalar> {
  kind: "string" | "enum" | "integer";
  values?: readonly T[];
  /** An enum whose values depend on the protocol (integrationType). */
  valuesByProtocol?: Record<Protocol, readonly T[]>;
  range?: Record<Protocol, { min: number; max: number }>;
}

function scalar<T extends Scalar>(options: ScalarOptions<T>): Codec<T> {
  return {
    kind: options.kind,
    normalise: (value) => (value === undefined || value === null || value === "" ? undefined : (value as T)),
    diff(path, expected, actual, out) {
      if (expected === undefined && actual === undefined) return;
      if (expected === undefined) out.push({ path, kind: "added", actual });
      else if (actual === undefined) out.push({ path, kind: "removed", expected });
      else if (expected !== actual) out.push({ path, kind: "changed", expected, actual });
    },
    encode({ path, want, unset }) {
      // A field with a server default was normalised to it, so `want` is only undefined when there is none.
      if (want !== undefined) return { send: want };
      if (unset === "emptyString") return { send: "" };
      return {
        cannot: `${path.slice(1)} cannot be unset in place; declare its live value, or recreate the integration`,
      };
    },
    mapStrings: (_tokens, value, map) => (typeof value === "string" ? map(undefined, value) : value),
    accepts(value, protocol) {
      if (options.kind === "enum") {
        const values = options.valuesByProtocol ? options.valuesByProtocol[protocol] : options.values;
        return (values as readonly unknown[] | undefined)?.includes(value) === true;
      }
      if (options.kind === "string") return typeof value === "string";
      const range = options.range?.[protocol];
      return (
        typeof value === "number" &&
        Number.isSafeInteger(value) &&
        range !== undefined &&
        value >= range.min &&
        value <= range.max
      );
    },
    schema(z, protocol) {
      if (options.kind === "enum") {
        const values =
          protocol !== "ANY" && options.valuesByProtocol
            ? options.valuesByProtocol[protocol]
            : options.values;
        return z.enum(values as unknown as [string, ...string[]]);
      }
      if (options.kind === "string") return z.string();
      const ranges = Object.values(options.range ?? {});
      const { min, max } =
        protocol === "ANY" || !options.range
          ? {
              min: Math.min(...ranges.map((r) => r.min)),
              max: Math.max(...ranges.map((r) => r.max)),
            }
          : options.range[protocol];
      return z.int().min(min).max(max);
    },
  };
}

export const stringCodec = (): Codec<string> => scalar<string>({ kind: "string" });
export const enumCodec = <const T extends string>(
  values: readonly T[],
  valuesByProtocol?: Record<Protocol, readonly T[]>,
): Codec<T> => scalar<T>({ kind: "enum", values, ...(valuesByProtocol ? { valuesByProtocol } : {}) });
export const integerCodec = (range: Record<Protocol, { min: number; max: number }>): Codec<number> =>
  scalar<number>({ kind: "integer", range });

// --- maps ---------------------------------------------------------------------------------------------

export type StringMap = Record<string, string>;

interface StringMapOptions {
  kind: string;
  /**
   * How a live key the file lacks is removed: sent with `""` (request parameters, terraform's encoding), or
   * not at all (templates: `""` is a valid template body, service-facts #12; the whole desired map is sent).
   */
  removal: "emptyString" | "none";
  /** AWS service integrations refuse the `""` marker and need every parameter re-sent (#11, #17). */
  subtypeAware: boolean;
}

function stringMap(options: StringMapOptions): Codec<StringMap> {
  return {
    kind: options.kind,
    normalise: (value) =>
      isRecord(value) && Object.keys(value).length > 0 ? { ...(value as StringMap) } : undefined,
    same: sameMap,
    diff(path, expected, actual, out) {
      const e = expected ?? {};
      const a = actual ?? {};
      for (const key of unionKeys(e, a)) {
        const child = childPointer(path, key);
        if (!Object.hasOwn(e, key)) out.push({ path: child, kind: "added", actual: a[key] });
        else if (!Object.hasOwn(a, key)) out.push({ path: child, kind: "removed", expected: e[key] });
        else if (e[key] !== a[key])
          out.push({ path: child, kind: "changed", expected: e[key], actual: a[key] });
      }
    },
    encode({ path, want, have, ignored, context }) {
      const w = (want ?? {}) as StringMap;
      const h = (have ?? {}) as StringMap;
      const out: StringMap = {};
      for (const [k, v] of Object.entries(w)) if (!ignored(childPointer(path, k))) out[k] = v;
      const stuck: string[] = [];
      for (const [k, v] of Object.entries(h)) {
        // Ignored keys go back as they are, so the request is right whether the service merges or replaces.
        if (ignored(childPointer(path, k))) out[k] = v;
        else if (!Object.hasOwn(w, k)) {
          if (options.subtypeAware && context.subtype !== undefined) stuck.push(k);
          else if (options.removal === "emptyString") out[k] = "";
        }
      }
      if (stuck.length === 0) return { send: sortKeys(out) };
      const keys = stuck
        .sort()
        .map((k) => JSON.stringify(k))
        .join(", ");
      const cannot = `${path.slice(1)} ${keys} ${stuck.length === 1 ? "is" : "are"} live but not in the file, and a parameter of an AWS service integration (${context.subtype}) cannot be removed in place (the service refuses the "" marker that removes one). Declare ${stuck.length === 1 ? "the key" : "the keys"}, or delete and recreate the integration`;
      // Send the map only when it changes something besides the keys it cannot remove.
      const changes = Object.entries(out).some(([k, v]) => h[k] !== v);
      return changes ? { send: sortKeys(out), cannot } : { cannot };
    },
    mapStrings: mapKeyed,
    accepts: acceptsStringMap,
    schema: (z) => z.record(z.string().min(1), z.string()),
  };
}

/** requestParameters: keys removed with `""` (terraform resourceIntegrationUpdate; service-facts #10). */
export const parameterMapCodec = (): Codec<StringMap> =>
  stringMap({ kind: "parameter map", removal: "emptyString", subtypeAware: true });
/** requestTemplates: the whole desired map, never a `""` marker (service-facts #12). */
export const templateMapCodec = (): Codec<StringMap> =>
  stringMap({ kind: "template map", removal: "none", subtypeAware: false });

export type ResponseMap = Record<string, StringMap>;

/** API reference, ResponseParameters: keys are status codes from 200 to 599. */
export const STATUS_CODE = /^[2-5]\d\d$/;

/**
 * responseParameters: status code → mappings. A status code with no mappings is the same as none. Each
 * drifted code's mappings are sent whole; a live code the file lacks is removed with `{}` (terraform
 * resourceIntegrationUpdate: "Parameters are removed by setting the associated value to {}").
 */
export const responseMapCodec = (): Codec<ResponseMap> => {
  const inner = stringMap({ kind: "mappings", removal: "none", subtypeAware: false });
  return {
    kind: "response map",
    normalise(value) {
      if (!isRecord(value)) return undefined;
      const out: ResponseMap = {};
      for (const [code, mappings] of Object.entries(value)) {
        const m = inner.normalise(mappings);
        if (m) out[code] = m;
      }
      return Object.keys(out).length > 0 ? out : undefined;
    },
    same(a, b) {
      // A status code with no mappings is the same as none, on either side.
      const x = isRecord(a) ? a : NONE;
      const y = isRecord(b) ? b : NONE;
      for (const code in x) {
        if (Object.hasOwn(x, code) && !sameMap(x[code], Object.hasOwn(y, code) ? y[code] : undefined))
          return false;
      }
      for (const code in y) {
        if (Object.hasOwn(y, code) && !Object.hasOwn(x, code) && !sameMap(undefined, y[code])) return false;
      }
      return true;
    },
    diff(path, expected, actual, out) {
      const e = expected ?? {};
      const a = actual ?? {};
      for (const code of unionKeys(e, a)) inner.diff(childPointer(path, code), e[code], a[code], out);
    },
    encode({ path, want, have, ignored }) {
      const w = (want ?? {}) as ResponseMap;
      const h = (have ?? {}) as ResponseMap;
      const out: ResponseMap = {};
      for (const code of unionKeys(w, h)) {
        const codePath = childPointer(path, code);
        // An ignored status code goes back as live has it, as an ignored request parameter does.
        if (ignored(codePath)) {
          if (h[code]) out[code] = { ...h[code] };
          continue;
        }
        const mappings: StringMap = {};
        for (const [k, v] of Object.entries(w[code] ?? {}))
          if (!ignored(childPointer(codePath, k))) mappings[k] = v;
        for (const [k, v] of Object.entries(h[code] ?? {}))
          if (ignored(childPointer(codePath, k))) mappings[k] = v;
        // An empty map removes the status code.
        out[code] = sortKeys(mappings);
      }
      return { send: out };
    },
    mapStrings(tokens, value, map) {
      if (tokens.length >= 1) return mapKeyed(tokens.slice(1), value, map);
      if (!isRecord(value)) return value;
      return Object.fromEntries(Object.entries(value).map(([code, m]) => [code, mapKeyed([], m, map)]));
    },
    accepts(value) {
      if (!isRecord(value)) return false;
      for (const code in value) {
        if (!Object.hasOwn(value, code)) continue;
        if (!STATUS_CODE.test(code) || !acceptsStringMap(value[code])) return false;
      }
      return true;
    },
    schema: (z) => z.record(z.string().regex(STATUS_CODE), z.record(z.string().min(1), z.string())),
  };
};

// --- structures ---------------------------------------------------------------------------------------

/**
 * A small structure of optional string members (tlsConfig). Members with no value are dropped, and a
 * structure with none left is not set. Removed with `{}` (terraform expandTLSConfig sends an empty
 * TlsConfigInput); whether the service then drops it or echoes `{}` is unsettled (service-facts #23), and
 * both read as "not set" here.
 */
export const structureCodec = (members: readonly string[]): Codec<Record<string, string>> => ({
  kind: "structure",
  normalise(value) {
    if (!isRecord(value)) return undefined;
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(value))
      if (v !== null && v !== "" && v !== undefined) out[k] = v as string;
    return Object.keys(out).length > 0 ? out : undefined;
  },
  same(a, b) {
    // Members with no value are dropped on both sides, as normalise drops them.
    const set = (v: unknown) => v !== null && v !== "" && v !== undefined;
    let members = 0;
    if (isRecord(a)) {
      for (const k in a) {
        if (!Object.hasOwn(a, k) || !set(a[k])) continue;
        members += 1;
        if (!isRecord(b) || !Object.hasOwn(b, k) || b[k] !== a[k]) return false;
      }
    }
    if (isRecord(b)) for (const k in b) if (Object.hasOwn(b, k) && set(b[k])) members -= 1;
    return members === 0;
  },
  diff(path, expected, actual, out) {
    if (expected === undefined && actual === undefined) return;
    if (expected === undefined) out.push({ path, kind: "added", actual });
    else if (actual === undefined) out.push({ path, kind: "removed", expected });
    else {
      for (const key of unionKeys(expected, actual)) {
        const child = childPointer(path, key);
        if (!Object.hasOwn(expected, key)) out.push({ path: child, kind: "added", actual: actual[key] });
        else if (!Object.hasOwn(actual, key))
          out.push({ path: child, kind: "removed", expected: expected[key] });
        else if (expected[key] !== actual[key])
          out.push({ path: child, kind: "changed", expected: expected[key], actual: actual[key] });
      }
    }
  },
  encode({ path, want, have, ignored }) {
    if (want === undefined) return { send: {} };
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(want as object)) if (!ignored(childPointer(path, k))) out[k] = v;
    if (isRecord(have))
      for (const [k, v] of Object.entries(have)) if (ignored(childPointer(path, k))) out[k] = v;
    return { send: out };
  },
  mapStrings: mapKeyed,
  accepts(value) {
    if (!isRecord(value)) return false;
    for (const k in value) {
      if (!Object.hasOwn(value, k)) continue;
      const v = value[k];
      if (!members.includes(k) || !(v === undefined || v === null || typeof v === "string")) return false;
    }
    return true;
  },
  schema: (z) =>
    z.strictObject(Object.fromEntries(members.map((m) => [m, z.string().nullable().optional()]))),
});

// --- helpers ------------------------------------------------------------------------------------------

const NONE: Record<string, unknown> = Object.freeze({});

/** What `z.record(z.string().min(1), z.string())` accepts. */
function acceptsStringMap(value: unknown): boolean {
  if (!isRecord(value)) return false;
  for (const k in value)
    if (Object.hasOwn(value, k) && (k === "" || typeof value[k] !== "string")) return false;
  return true;
}

/**
 * A string map's `same`: both unset (not a map, or empty), or the same keys with equal values. Counts the
 * keys instead of listing them, so an in-sync map costs no allocation.
 */
function sameMap(a: unknown, b: unknown): boolean {
  const x = isRecord(a) ? a : NONE;
  const y = isRecord(b) ? b : NONE;
  let keys = 0;
  for (const k in x) {
    if (!Object.hasOwn(x, k)) continue;
    keys += 1;
    if (!Object.hasOwn(y, k) || x[k] !== y[k]) return false;
  }
  for (const k in y) if (Object.hasOwn(y, k)) keys -= 1;
  return keys === 0;
}

/** mapStrings of a one-level keyed value: the whole object, or (one token below) one of its strings. */
function mapKeyed(tokens: readonly string[], value: unknown, map: StringMapper): unknown {
  if (tokens.length >= 1) return typeof value === "string" ? map(tokens[0], value) : value;
  if (!isRecord(value)) return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, typeof v === "string" ? map(k, v) : v]),
  );
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function unionKeys(a: object, b: object): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
}

function sortKeys<T>(o: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
