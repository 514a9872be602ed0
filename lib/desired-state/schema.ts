import { z } from "zod";
import {
  FIELD_NAMES,
  type FIELDS,
  type FieldValue,
  type IntegrationField,
  isIntegrationField,
  rowOf,
  supports,
} from "../model/fields.ts";
import { PROTOCOLS, type Protocol } from "../model/service.ts";

/**
 * The desired-state file format: ONE source for the TypeScript types, the validator and the JSON Schema
 * committed under `schema/`. Per-protocol rules that JSON Schema can express (which fields, which
 * integration types, timeout ranges) live here; rules across fields live in `rules.ts`.
 */

export const API_ID = /^[a-z0-9]{1,64}$/;
export const INTEGRATION_ID = /^[a-z0-9]{1,64}$/;
export const ACCOUNT_ID = /^\d{12}$/;
export const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
/** A non-empty RFC 6901 pointer. */
export const POINTER = /^(\/([^~/]|~[01])*)+$/;
/** Protocol used when a file's own protocol is unreadable: every field, the widest ranges. */
export type SchemaProtocol = Protocol | "ANY";

/** The modes of an API: `enforce` fixes drift; `observe` only reports and records it (PRODUCT §2). */
export const API_MODES = ["enforce", "observe"] as const;
export type ApiMode = (typeof API_MODES)[number];

/** The keys of an ignore entry written as a map; for "did you mean" and messages. */
export const IGNORE_ENTRY_KEYS = ["path", "reason", "until"] as const;

/**
 * An ignore entry: a JSON Pointer, or a map naming one with why it is ignored and the last day it is
 * (`until`: a UTC calendar date, inclusive; from the day after, the field is owned again).
 */
const ignoreEntry = z.union([
  z.string().regex(POINTER),
  z.strictObject({
    path: z.string().regex(POINTER).meta({ description: "The JSON Pointer ignored." }),
    reason: z
      .string()
      .min(1)
      .optional()
      .meta({ description: "Why it is ignored: shown when the entry expires." }),
    until: z.iso.date().optional().meta({
      description:
        "The last day the entry applies (YYYY-MM-DD, UTC, inclusive); after it the field is drift again.",
    }),
  }),
]);

/** An ignore entry as the validated document holds it. */
export type IgnoreEntry = z.infer<typeof ignoreEntry>;

const ignoreList = (scope: string) =>
  z.array(ignoreEntry).meta({
    description: `JSON Pointers never reported nor applied, for ${scope}; a pointer covers all below it. An entry may be a map of path, reason and until (YYYY-MM-DD, UTC): after that day it no longer applies.`,
  });

/**
 * A field as a file declares it: its value (`FieldValue`, from its codec), or `null` for "must be absent"
 * where the model allows it (an integration always has a type, so that one cannot be null).
 */
type Declared<F extends IntegrationField> = (typeof FIELDS)[F]["nullable"] extends true
  ? FieldValue<F> | null
  : FieldValue<F>;

/** One integration's declaration, every field of every protocol: the type the core works with. */
export type DesiredIntegration = { [F in IntegrationField]?: Declared<F> } & { ignore?: IgnoreEntry[] };

/**
 * The schema of one integration's declaration for `protocol`: only its fields, each from its codec in the
 * field model (types, enums and ranges of that protocol), with the model's description for editors.
 */
export function integrationSchema(protocol: SchemaProtocol) {
  const shape: Record<string, z.ZodType> = {};
  for (const field of FIELD_NAMES) {
    if (protocol !== "ANY" && !supports(field, protocol)) continue;
    const row = rowOf(field);
    const value = row.codec.schema(z, protocol).meta({ description: row.description });
    shape[field] = row.nullable ? value.nullable().optional() : value.optional();
  }
  shape.ignore = ignoreList("this integration").optional();
  return z.strictObject(shape) as unknown as z.ZodObject<Record<keyof DesiredIntegration, z.ZodType>> &
    z.ZodType<DesiredIntegration>;
}

const documentBase = z.strictObject({
  apiId: z.string().regex(API_ID).meta({ description: "The API's identifier (GetApis' apiId)." }),
  protocol: z
    .enum(PROTOCOLS)
    .meta({ description: "HTTP or WEBSOCKET; must match the live API's protocolType." }),
  account: z
    .string()
    .regex(ACCOUNT_ID)
    .optional()
    .meta({ description: "Guard: the 12-digit AWS account that owns the API (quote it)." }),
  region: z.string().regex(REGION).optional().meta({ description: "Guard: the AWS Region of the API." }),
  prune: z.boolean().optional().meta({
    description: "Delete live integrations this file does not list (never API-Gateway-managed ones).",
  }),
  mode: z.enum(API_MODES).optional().meta({
    description:
      "enforce (default) fixes drift; observe only reports and records it, and never writes to this API.",
  }),
  ignore: ignoreList("every integration of this API").optional(),
});

/** One desired-state file, any protocol. */
export type DesiredDocument = z.infer<typeof documentBase> & {
  integrations: Record<string, DesiredIntegration>;
};

/** The schema of a whole desired-state file for `protocol`. */
export function documentSchema(protocol: SchemaProtocol) {
  let schema = built.get(protocol);
  if (!schema) {
    schema = buildDocumentSchema(protocol);
    built.set(protocol, schema);
  }
  return schema;
}

/**
 * Built once per protocol: zod compiles a schema's checks on its first parse, so a schema built per file
 * cost as much again as the parse itself (50,000 integrations in 200 files: 76 MB of allocation).
 */
const built = new Map<SchemaProtocol, ReturnType<typeof buildDocumentSchema>>();

function buildDocumentSchema(protocol: SchemaProtocol) {
  return documentBase.extend({
    protocol: (protocol === "ANY" ? z.enum(PROTOCOLS) : z.literal(protocol)).meta({
      description: "HTTP or WEBSOCKET; must match the live API's protocolType.",
    }),
    integrations: z
      .record(z.string().regex(INTEGRATION_ID), integrationSchema(protocol))
      .meta({ description: "Integrations keyed by integrationId; only the fields declared are owned." }),
  });
}

/**
 * Exactly what `documentSchema(protocol)` accepts, for plain data (what the loader's fast parser returns),
 * checked by hand and without building anything: the loader's fast path runs it over every file, and a
 * file it refuses goes the schema's way, for the schema's messages. A key this does not know is refused
 * (a field added to the schema and not here costs speed, never correctness); a test holds the keys it
 * knows to the schema's, and a property test holds both to the same answer.
 */
export function acceptsDocument(value: unknown, protocol: Protocol): boolean {
  if (!isPlainRecord(value)) return false;
  let required = 0;
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    const v = value[key];
    switch (key) {
      case "apiId":
        if (typeof v !== "string" || !API_ID.test(v)) return false;
        required += 1;
        break;
      case "protocol":
        if (v !== protocol) return false;
        required += 1;
        break;
      case "account":
        if (v !== undefined && (typeof v !== "string" || !ACCOUNT_ID.test(v))) return false;
        break;
      case "region":
        if (v !== undefined && (typeof v !== "string" || !REGION.test(v))) return false;
        break;
      case "prune":
        if (v !== undefined && typeof v !== "boolean") return false;
        break;
      case "mode":
        if (v !== undefined && !(API_MODES as readonly unknown[]).includes(v)) return false;
        break;
      case "ignore":
        if (v !== undefined && !acceptsIgnore(v)) return false;
        break;
      case "integrations":
        if (!isPlainRecord(v)) return false;
        for (const id in v) {
          if (!Object.hasOwn(v, id)) continue;
          if (!INTEGRATION_ID.test(id) || !acceptsIntegration(v[id], protocol)) return false;
        }
        required += 1;
        break;
      default:
        return false;
    }
  }
  return required === 3;
}

/** The keys acceptsDocument knows, for the test that holds them to the schema's. */
export const ACCEPTED_DOCUMENT_KEYS = [
  "apiId",
  "protocol",
  "account",
  "region",
  "prune",
  "mode",
  "ignore",
  "integrations",
];

/** What `integrationSchema(protocol)` accepts (see acceptsDocument). */
export function acceptsIntegration(value: unknown, protocol: Protocol): boolean {
  if (!isPlainRecord(value)) return false;
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    const v = value[key];
    if (key === "ignore") {
      if (v !== undefined && !acceptsIgnore(v)) return false;
      continue;
    }
    if (!isIntegrationField(key) || !supports(key, protocol)) return false;
    if (v === undefined) continue;
    const row = rowOf(key);
    if (v === null ? !row.nullable : !row.codec.accepts(v, protocol)) return false;
  }
  return true;
}

/**
 * An ignore list of pointers. An entry written as a map (path, reason, until) is refused here, not checked:
 * the schema's date rule is zod's own, and such a file takes the precise path anyway (an `until` needs
 * its position, for the warning when it expires).
 */
function acceptsIgnore(list: unknown): boolean {
  if (!Array.isArray(list)) return false;
  for (const p of list) if (typeof p !== "string" || !POINTER.test(p)) return false;
  return true;
}

function isPlainRecord(v: unknown): v is Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** The JSON Schema for editors: one branch per protocol, so completion offers only that protocol's fields. */
export function desiredStateJsonSchema(): Record<string, unknown> {
  const union = z.discriminatedUnion("protocol", [documentSchema("HTTP"), documentSchema("WEBSOCKET")]);
  return {
    ...z.toJSONSchema(union, { target: "draft-2020-12" }),
    $id: "https://github.com/apigw-drift/apigw-drift/schema/desired-state.schema.json",
    title: "apigw-drift desired state",
    description: "Desired settings of one API Gateway v2 API's integrations. Generated by `npm run schema`.",
  };
}
