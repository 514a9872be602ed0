/**
 * The product's field model (lib/model) against the emulator's own table of the service
 * (emulator/service-model.ts), which is written from the sources with no code or facts in common: which
 * fields exist, the protocols of each, every server default (value, protocol, integration type, subtype)
 * in both directions, the timeout ranges, enum values, removal encodings and what the emulator's table
 * says they do under its default behaviour, the subtype rules, the cross-field rules and the read-only
 * fields. Any disagreement fails the test unless `UNVERIFIED_DISAGREEMENTS` lists it with the reason it
 * may stand, and each of those must still be a disagreement (a stale entry fails too) and be named in the
 * README's list of what is unverified.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { BEHAVIOURS, type BehaviourName } from "../../../emulator/behaviour.ts";
import { applyUpdate, BadRequest, createIntegration, type Integration } from "../../../emulator/patch.ts";
import {
  defaultValue,
  type RemovalRule,
  removalRule,
  SERVICE_MODEL,
} from "../../../emulator/service-model.ts";
import type { DesiredIntegration } from "../../../lib/desired-state/schema.ts";
import { STATUS_CODE } from "../../../lib/model/codecs.ts";
import {
  FIELD_NAMES,
  type IntegrationField,
  rowOf,
  serverDefault,
  TIMEOUT_RANGE,
} from "../../../lib/model/fields.ts";
import {
  INTEGRATION_TYPES_BY_PROTOCOL,
  type Protocol,
  READ_ONLY_FIELDS,
} from "../../../lib/model/service.ts";
import { buildUpdate } from "../../../lib/plan/update.ts";

/** One way the two tables disagree: the field, and what differs (deterministic text, matched exactly). */
interface Disagreement {
  field: string;
  differs: string;
}

/**
 * Disagreements that may stand, each with why: both readings are unverified, or the product's reading is
 * the safer one where the service is unknown. The README's "What is unverified" list names each field.
 */
const UNVERIFIED_DISAGREEMENTS: readonly (Disagreement & { why: string })[] = [
  {
    field: "passthroughBehavior",
    differs: 'default on WEBSOCKET AWS_PROXY: product "WHEN_NO_MATCH", emulator none',
    why: "Unverified both ways: terraform's schema default WHEN_NO_MATCH is sent by terraform itself, and moto fills it only for AWS, HTTP and MOCK. The product's reading converges under both: a declared WHEN_NO_MATCH matches a proxy integration that shows none, and a declared null resets it to WHEN_NO_MATCH, a value every reading stores.",
  },
  {
    field: "passthroughBehavior",
    differs: 'default on WEBSOCKET HTTP_PROXY: product "WHEN_NO_MATCH", emulator none',
    why: "As for AWS_PROXY: no source reads back a proxy integration created without it, and the product's reading converges whether the service fills WHEN_NO_MATCH or nothing.",
  },
  {
    field: "payloadFormatVersion",
    differs:
      'default "1.0" verified in the product only (on WEBSOCKET AWS, WEBSOCKET AWS_PROXY, WEBSOCKET HTTP, WEBSOCKET HTTP_PROXY, WEBSOCKET MOCK)',
    why: 'The value agrees; only its sourcing differs. service-facts #22 counts AWS CLI examples and terraform tests as sources; the emulator notes that terraform sends "1.0" itself, so its tests do not show a service default. Nothing converges differently either way.',
  },
  {
    field: "integrationMethod",
    differs:
      'removal: the product refuses it (integrationMethod cannot be unset in place; declare its live value, or recreate the integration), the emulator\'s table removes it with "" (on HTTP AWS_PROXY+subtype, WEBSOCKET MOCK)',
    why: "Unverified: #21 says only that the reset is refused where the type requires a method; whether \"\" clears a MOCK's or an AWS service integration's method is the emulator's stringFields.emptyString reading. The product's refusal is the safe reading: FAILED with what to do, never a 400 or a NotConverged.",
  },
  {
    field: "integrationMethod",
    differs:
      "cross-field rule: the product refuses (declare integrationMethod), the emulator accepts (WEBSOCKET MOCK → WEBSOCKET HTTP method - payload 1.0 uri set; WEBSOCKET MOCK → WEBSOCKET HTTP_PROXY method - payload 1.0 uri set)",
    why: "Unverified: #21 says an HTTP or HTTP_PROXY integration's method cannot be reset; whether the service accepts a type change to one without a method is unknown, and the emulator's model does not check it. The product asks for the method at plan time instead of risking a 400.",
  },
];

const PROTOCOLS = ["HTTP", "WEBSOCKET"] as const;

/** An integration's context: where a default or a removal rule applies. */
interface Context {
  protocol: Protocol;
  integrationType: string;
  subtype: boolean;
}

const label = (c: Context) => `${c.protocol} ${c.integrationType}${c.subtype ? "+subtype" : ""}`;

/**
 * Every kind of integration there is: each protocol's types (the emulator's list, compared with the
 * product's below), and on HTTP APIs the AWS service integrations (AWS_PROXY with a subtype: the only type
 * that takes one, invariant subtype-needs-aws-proxy).
 */
const CONTEXTS: readonly Context[] = PROTOCOLS.flatMap((protocol) =>
  SERVICE_MODEL.integrationTypes[protocol].flatMap((integrationType) => [
    { protocol, integrationType, subtype: false },
    ...(protocol === "HTTP" && integrationType === "AWS_PROXY"
      ? [{ protocol, integrationType, subtype: true }]
      : []),
  ]),
);

const SUBTYPE = "SQS-SendMessage";
const QUEUE = "https://sqs.eu-west-1.amazonaws.com/123456789012/orders";
const SUBTYPE_PARAMETERS = { QueueUrl: QUEUE, MessageBody: "$request.body" };

const productContext = (c: Context) => ({
  protocol: c.protocol,
  integrationType: c.integrationType,
  ...(c.subtype ? { subtype: SUBTYPE } : {}),
});

/** The product's default rule for `field` in `c` (serverDefault's first match, with its `verified`). */
function productRule(field: IntegrationField, c: Context) {
  const rule = (rowOf(field).defaults?.[c.protocol] ?? []).find(
    (r) =>
      (!r.when?.integrationTypes || r.when.integrationTypes.includes(c.integrationType)) &&
      (r.when?.subtype === undefined || r.when.subtype === c.subtype),
  );
  expect(rule?.value, `${field} ${label(c)}`).toBe(serverDefault(field, productContext(c)));
  return rule;
}

function emulatorRule(field: string, c: Context) {
  const row = SERVICE_MODEL.fields[field as keyof typeof SERVICE_MODEL.fields];
  if (!row) return undefined;
  const hit = row.defaults[c.protocol]?.find(
    (r) =>
      (!r.integrationTypes || r.integrationTypes.includes(c.integrationType as never)) &&
      (r.subtype === undefined || (r.subtype === "present") === c.subtype),
  );
  expect(hit?.value, `${field} ${label(c)}`).toBe(
    defaultValue(row, c.protocol, c.integrationType, c.subtype),
  );
  return hit;
}

const show = (v: unknown) => (v === undefined ? "none" : JSON.stringify(v));

// --- the comparisons ----------------------------------------------------------------------------------

function compareFields(out: Disagreement[]): void {
  const emulator = Object.keys(SERVICE_MODEL.fields).sort();
  for (const field of FIELD_NAMES.filter((f) => !emulator.includes(f)))
    out.push({ field, differs: "exists in the product only" });
  for (const field of emulator.filter((f) => !FIELD_NAMES.includes(f as IntegrationField)))
    out.push({ field, differs: "exists in the emulator only" });
  for (const field of [...Object.keys(READ_ONLY_FIELDS), ...Object.keys(SERVICE_MODEL.readOnly)]) {
    if (FIELD_NAMES.includes(field as IntegrationField) || Object.hasOwn(SERVICE_MODEL.fields, field))
      out.push({ field, differs: "read-only on one side, declarable on the other" });
  }
  const readOnly = (names: string[]) => [...names].sort().join(", ");
  if (readOnly(Object.keys(READ_ONLY_FIELDS)) !== readOnly(Object.keys(SERVICE_MODEL.readOnly))) {
    out.push({
      field: "(read-only)",
      differs: `product ${readOnly(Object.keys(READ_ONLY_FIELDS))}, emulator ${readOnly(Object.keys(SERVICE_MODEL.readOnly))}`,
    });
  }
  for (const protocol of PROTOCOLS) {
    const product = [...INTEGRATION_TYPES_BY_PROTOCOL[protocol]].sort().join(", ");
    const emulated = [...SERVICE_MODEL.integrationTypes[protocol]].sort().join(", ");
    if (product !== emulated)
      out.push({
        field: "integrationType",
        differs: `${protocol} types: product ${product}, emulator ${emulated}`,
      });
  }
}

function compareProtocols(out: Disagreement[]): void {
  for (const field of FIELD_NAMES) {
    const row = SERVICE_MODEL.fields[field];
    if (!row) continue;
    const product = [...rowOf(field).protocols].sort().join(", ");
    const emulated = [...row.protocols].sort().join(", ");
    if (product !== emulated)
      out.push({ field, differs: `protocols: product ${product}, emulator ${emulated}` });
  }
}

/**
 * Every context, both ways: a value one side fills and the other does not is a disagreement too, and so
 * is a default one side calls verified and the other not (the README's tables mark what is unverified).
 */
function compareDefaults(out: Disagreement[]): void {
  for (const field of FIELD_NAMES) {
    const sourcing = new Map<string, string[]>();
    for (const c of CONTEXTS) {
      const product = productRule(field, c);
      const emulated = emulatorRule(field, c);
      if (product?.value !== emulated?.value) {
        out.push({
          field,
          differs: `default on ${label(c)}: product ${show(product?.value)}, emulator ${show(emulated?.value)}`,
        });
      } else if (product && emulated && product.verified !== emulated.verified) {
        const what = `default ${show(product.value)} verified in the ${product.verified ? "product" : "emulator"} only`;
        sourcing.set(what, [...(sourcing.get(what) ?? []), label(c)]);
      }
    }
    for (const [what, contexts] of sourcing)
      out.push({ field, differs: `${what} (on ${contexts.join(", ")})` });
  }
}

/** The kinds of value each side reads: the product's codec kind against the emulator's wire type. */
const WIRE_OF_KIND: Record<string, string> = {
  string: "string",
  enum: "enum",
  integer: "integer",
  "parameter map": "stringMap",
  "template map": "stringMap",
  "response map": "responseParameters",
  structure: "tlsConfig",
};

/** Enum values (per protocol for integrationType), timeout ranges, status codes and structure members. */
function compareValues(out: Disagreement[]): void {
  for (const field of FIELD_NAMES) {
    const wire = SERVICE_MODEL.fields[field]?.wire;
    if (!wire) continue;
    const codec = rowOf(field).codec;
    if (WIRE_OF_KIND[codec.kind] !== wire.type)
      out.push({ field, differs: `kind: product ${codec.kind}, emulator ${wire.type}` });
    if (wire.type === "enum") {
      const product = [...(codec.schema(z, "ANY") as z.ZodEnum).options].sort().join(", ");
      const emulated = [...wire.values].sort().join(", ");
      if (product !== emulated)
        out.push({ field, differs: `values: product ${product}, emulator ${emulated}` });
    }
    if (wire.type === "integer") {
      for (const protocol of PROTOCOLS) {
        const product = TIMEOUT_RANGE[protocol];
        const emulated = wire.ranges[protocol];
        if (product.min !== emulated.min || product.max !== emulated.max) {
          out.push({
            field,
            differs: `${protocol} range: product ${product.min}-${product.max}, emulator ${emulated.min}-${emulated.max}`,
          });
        }
        // The validator's schema is built from the same range.
        const schema = codec.schema(z, protocol);
        expect(schema.safeParse(product.max).success && !schema.safeParse(product.max + 1).success).toBe(
          true,
        );
      }
    }
    if (wire.type === "responseParameters") {
      const codes = Array.from({ length: 900 }, (_, i) => String(100 + i));
      const product = codes.filter((code) => STATUS_CODE.test(code));
      const emulated = codes.filter(
        (code) => Number(code) >= wire.statusCodes.min && Number(code) <= wire.statusCodes.max,
      );
      if (product.join() !== emulated.join()) {
        out.push({
          field,
          differs: `status codes: product ${product[0]}-${product.at(-1)}, emulator ${emulated[0]}-${emulated.at(-1)}`,
        });
      }
    }
    if (wire.type === "tlsConfig") {
      const product = Object.keys((codec.schema(z, "HTTP") as z.ZodObject).shape)
        .sort()
        .join(", ");
      if (product !== [...wire.members].sort().join(", "))
        out.push({ field, differs: `members: product ${product}, emulator ${wire.members.join(", ")}` });
    }
  }
}

// --- removals -----------------------------------------------------------------------------------------

/** A live integration of each context, as the emulator's model creates it (its defaults filled in). */
const BASE: Record<string, Record<string, unknown>> = {
  "HTTP AWS_PROXY": {
    integrationType: "AWS_PROXY",
    integrationUri: "arn:aws:lambda:eu-west-1:123456789012:function:orders",
    payloadFormatVersion: "2.0",
  },
  "HTTP AWS_PROXY+subtype": {
    integrationType: "AWS_PROXY",
    integrationSubtype: SUBTYPE,
    requestParameters: SUBTYPE_PARAMETERS,
  },
  "HTTP HTTP_PROXY": {
    integrationType: "HTTP_PROXY",
    integrationUri: "https://orders.example.com",
    integrationMethod: "ANY",
  },
  "WEBSOCKET AWS": {
    integrationType: "AWS",
    integrationUri: "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/f/invocations",
  },
  "WEBSOCKET AWS_PROXY": {
    integrationType: "AWS_PROXY",
    integrationUri: "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/f/invocations",
  },
  "WEBSOCKET HTTP": {
    integrationType: "HTTP",
    integrationUri: "https://chat.example.com",
    integrationMethod: "POST",
  },
  "WEBSOCKET HTTP_PROXY": {
    integrationType: "HTTP_PROXY",
    integrationUri: "https://chat.example.com",
    integrationMethod: "POST",
  },
  "WEBSOCKET MOCK": { integrationType: "MOCK" },
};

/**
 * For each field: the live value to remove (with what it needs beside it), and the declaration that
 * removes it: `null` for a field, the map without one key for a map (a map is never unset whole).
 */
function removal(field: IntegrationField, c: Context): { live: Record<string, unknown>; desired: unknown } {
  const base = BASE[label(c)]!;
  const lambda = c.integrationType === "AWS_PROXY" && !c.subtype;
  switch (field) {
    case "connectionId":
      return { live: { connectionType: "VPC_LINK", connectionId: "vl-old" }, desired: null };
    case "connectionType":
      return { live: { connectionType: "VPC_LINK", connectionId: "vl-old" }, desired: null };
    case "contentHandlingStrategy":
      return { live: { contentHandlingStrategy: "CONVERT_TO_TEXT" }, desired: null };
    case "credentialsArn":
      return { live: { credentialsArn: "arn:aws:iam::123456789012:role/old" }, desired: null };
    case "description":
      return { live: { description: "old" }, desired: null };
    case "integrationMethod":
      // A Lambda integration takes POST only (lambda-post): removing it means "the default".
      return { live: { integrationMethod: lambda ? "POST" : "GET" }, desired: null };
    case "integrationSubtype":
      return { live: {}, desired: null };
    case "integrationType":
      return { live: {}, desired: null };
    case "integrationUri":
      return {
        live: { integrationUri: String(base.integrationUri ?? "https://old.example.com") },
        desired: null,
      };
    case "passthroughBehavior":
      return { live: { passthroughBehavior: "NEVER" }, desired: null };
    case "payloadFormatVersion":
      return {
        live: { payloadFormatVersion: lambda && c.protocol === "HTTP" ? "2.0" : "1.0" },
        desired: null,
      };
    case "requestParameters": {
      const keep = c.subtype
        ? SUBTYPE_PARAMETERS
        : c.protocol === "HTTP"
          ? { "overwrite:header.x-keep": "'1'" }
          : { "integration.request.header.x-keep": "'1'" };
      const extra = c.subtype
        ? { DelaySeconds: "5" }
        : c.protocol === "HTTP"
          ? { "overwrite:header.x-old": "'1'" }
          : { "integration.request.header.x-old": "'1'" };
      return { live: { requestParameters: { ...keep, ...extra } }, desired: keep };
    }
    case "requestTemplates":
      return {
        live: { requestTemplates: { "application/json": "{}", "text/plain": "old" } },
        desired: { "application/json": "{}" },
      };
    case "responseParameters":
      return {
        live: {
          responseParameters: {
            "200": { "overwrite:header.x-keep": "'1'" },
            "404": { "overwrite:statuscode": "410" },
          },
        },
        desired: { "200": { "overwrite:header.x-keep": "'1'" } },
      };
    case "templateSelectionExpression":
      return { live: { templateSelectionExpression: "$request.body.action" }, desired: null };
    case "timeoutInMillis":
      return { live: { timeoutInMillis: 1000 }, desired: null };
    case "tlsConfig":
      return {
        live: {
          connectionType: "VPC_LINK",
          connectionId: "vl-old",
          tlsConfig: { serverNameToVerify: "old.example" },
        },
        desired: null,
      };
  }
}

type Encoding = RemovalRule["encoding"] | "the map without the key";

/** What the product does to remove the field: the encoding it sends, the default it resets to, or refuses. */
type ProductRemoval =
  | { sends: Encoding }
  | { resets: unknown }
  | { refuses: string }
  | { nothing: "the live value is the default" };

function productRemoval(
  field: IntegrationField,
  c: Context,
  live: Integration,
  desired: unknown,
): ProductRemoval {
  const row = rowOf(field);
  if (desired === null && !row.nullable) return { refuses: "the field cannot be declared null" };
  const declaration = { [field]: desired } as DesiredIntegration;
  const planned = buildUpdate(declaration, live, { protocol: c.protocol });
  if (!planned) return { nothing: "the live value is the default" };
  const sent = planned.fields?.[field];
  if (sent === undefined) {
    expect(planned.cannot.length, `${field} ${label(c)}`).toBeGreaterThan(0);
    return { refuses: planned.cannot.map((x) => x.message).join("; ") };
  }
  const filled = serverDefault(field, productContext(c));
  if (filled !== undefined && sent === filled) return { resets: filled };
  if (sent === "") return { sends: '""' };
  const values = Object.values(sent as object);
  if (values.length === 0) return { sends: "{}" };
  if (values.includes("")) return { sends: 'key:""' };
  if (values.some((v) => typeof v === "object" && v !== null && Object.keys(v).length === 0))
    return { sends: "code:{}" };
  return { sends: "the map without the key" };
}

/** A behaviour's default reading, in the table's words (removes / stored / rejected / keeps). */
function reading(name: BehaviourName): string {
  const value = String(BEHAVIOURS[name].default);
  if (value === "clears" || value === "accepted" || value === "replace") return "removes";
  if (value === "merge") return "keeps";
  return value;
}

/** What the emulator's table says an encoding does to the field in `c`, under the default behaviour. */
function emulatorEffect(field: IntegrationField, c: Context, encoding: Encoding): string {
  const row = SERVICE_MODEL.fields[field];
  if (encoding === "the map without the key") {
    const patch = row.patch;
    if (patch === "set") return "removes";
    if (patch === "mergePerKey" || patch === "mergePerStatusCode") return "keeps";
    return reading(patch);
  }
  const rule = removalRule(row, encoding, c.integrationType, c.subtype);
  if (!rule) return "stores it as a value";
  if (rule.effect === "removes" || rule.effect === "rejected" || rule.effect === "stored") return rule.effect;
  return reading(rule.effect);
}

/** The encoding a refused removal would have needed: the codec's own marker. */
const MARKER: Record<string, Encoding> = {
  string: '""',
  enum: '""',
  integer: '""',
  "parameter map": 'key:""',
  "template map": "the map without the key",
  "response map": "code:{}",
  structure: "{}",
};

function compareRemovals(out: Disagreement[]): void {
  const grouped = new Map<string, { field: string; contexts: string[] }>();
  for (const field of FIELD_NAMES) {
    for (const c of CONTEXTS) {
      if (!rowOf(field).protocols.includes(c.protocol)) continue;
      if (field === "integrationSubtype" && !c.subtype) continue;
      const { live: extra, desired } = removal(field, c);
      const live = createIntegration(c.protocol, "abc1234", { ...BASE[label(c)], ...extra });
      const product = productRemoval(field, c, live, desired);
      let differs: string | undefined;
      if ("sends" in product) {
        const effect = emulatorEffect(field, c, product.sends);
        const rule =
          product.sends === '""'
            ? removalRule(SERVICE_MODEL.fields[field], '""', c.integrationType, c.subtype)
            : undefined;
        if (effect !== "removes")
          differs = `removal: the product sends ${product.sends}, which the emulator's table says ${effect}`;
        else if (rule && rule.verified !== rowOf(field).unset.verified)
          differs = `removal with "": verified in the ${rule.verified ? "emulator" : "product"} only`;
      } else if ("refuses" in product) {
        const encoding = MARKER[rowOf(field).codec.kind]!;
        const effect = emulatorEffect(field, c, encoding);
        if (effect === "removes")
          differs = `removal: the product refuses it (${product.refuses}), the emulator's table removes it with ${encoding}`;
      } else if ("resets" in product) {
        // Reset to the default: a plain value, which every field takes. The defaults are compared above.
      } else {
        expect(live[field], `${field} ${label(c)}`).toBe(serverDefault(field, productContext(c)));
      }
      if (differs === undefined) continue;
      const key = `${field}\n${differs}`;
      const entry = grouped.get(key) ?? { field, contexts: [] };
      entry.contexts.push(label(c));
      grouped.set(key, entry);
    }
  }
  for (const [key, { field, contexts }] of grouped) {
    out.push({ field, differs: `${key.split("\n")[1]} (on ${contexts.join(", ")})` });
  }
}

// --- AWS service integrations and cross-field rules -----------------------------------------------------

/**
 * The fields an UpdateIntegration of an AWS service integration must carry: the emulator's table refuses
 * an update without each (tried one at a time), the product re-sends them (resendOnSubtypeUpdate). The
 * product may send more (terraform sends integrationType too): the emulator must accept that request.
 */
function compareSubtypeUpdates(out: Disagreement[]): void {
  const live = createIntegration("HTTP", "abc1234", { ...BASE["HTTP AWS_PROXY+subtype"] });
  const product = FIELD_NAMES.filter((f) => rowOf(f).resendOnSubtypeUpdate);
  const full: Record<string, unknown> = { timeoutInMillis: 1000 };
  for (const f of product) full[f] = live[f];
  expect(() => applyUpdate("HTTP", live, full)).not.toThrow();
  for (const field of FIELD_NAMES) {
    if (field === "timeoutInMillis" || !Object.hasOwn(full, field)) continue;
    const { [field]: _, ...without } = full;
    let required = false;
    try {
      applyUpdate("HTTP", live, without);
    } catch (error) {
      if (!(error instanceof BadRequest)) throw error;
      required = true;
    }
    if (required && !product.includes(field))
      out.push({
        field,
        differs: "the emulator refuses a subtype update without it; the product does not re-send it",
      });
  }
  const immutable = FIELD_NAMES.filter((f) => rowOf(f).immutable);
  const refusesChange = FIELD_NAMES.filter((f) => {
    const patch = SERVICE_MODEL.fields[f].patch;
    return patch in BEHAVIOURS && String(BEHAVIOURS[patch as BehaviourName].default) === "rejected";
  });
  if (immutable.join() !== refusesChange.join()) {
    out.push({
      field: "integrationSubtype",
      differs: `cannot change in place: product ${immutable.join(", ")}, emulator ${refusesChange.join(", ")}`,
    });
  }
}

/**
 * The cross-field rules (lib/model/invariants.ts, applied by buildUpdate to the integration an update
 * would leave behind) against the emulator's model of UpdateIntegration, on every pair of a live
 * integration and a declaration of type, subtype, method, payload format and URI: the product refuses at
 * plan exactly the updates the emulator would refuse, or the difference is listed.
 */
function compareInvariants(out: Disagreement[]): void {
  const grouped = new Map<string, { field: string; cases: string[] }>();
  for (const from of CONTEXTS) {
    const live = createIntegration(from.protocol, "abc1234", { ...BASE[label(from)] });
    for (const to of CONTEXTS.filter((c) => c.protocol === from.protocol)) {
      for (const integrationMethod of [null, "POST", "GET"]) {
        for (const payloadFormatVersion of [null, "1.0", "2.0"]) {
          for (const integrationUri of [null, "https://new.example.com"]) {
            const declaration: Record<string, unknown> = {
              integrationType: to.integrationType,
              integrationMethod,
              payloadFormatVersion,
              integrationUri,
            };
            if (from.protocol === "HTTP") declaration.integrationSubtype = to.subtype ? SUBTYPE : null;
            if (to.subtype) declaration.requestParameters = SUBTYPE_PARAMETERS;
            const planned = buildUpdate(declaration as DesiredIntegration, live, { protocol: from.protocol });
            if (!planned) continue;
            const invariant = planned.cannot.filter((x) =>
              x.message.startsWith("this update would be refused"),
            );
            // Refusals of one field (a subtype changed, a field that cannot be unset) are compared above.
            if (planned.cannot.length > invariant.length) continue;
            // What the product sends; where it refuses, the request that declaration asks for.
            const request = planned.fields ?? naturalRequest(declaration, live);
            let emulator: string | undefined;
            try {
              applyUpdate(from.protocol, live, JSON.parse(JSON.stringify(request)));
            } catch (error) {
              if (!(error instanceof BadRequest)) throw error;
              emulator = error.message;
            }
            const product = invariant.map((x) => x.field).join(", ");
            if ((product === "") === (emulator === undefined)) continue;
            const shown = (v: unknown) => (v === null ? "-" : String(v));
            const differs =
              product === ""
                ? `cross-field rule: the emulator refuses ("${emulator}"), the product sends it`
                : `cross-field rule: the product refuses (declare ${product}), the emulator accepts`;
            const key = `${product}\n${differs}`;
            const entry = grouped.get(key) ?? { field: product || "(none)", cases: [] };
            entry.cases.push(
              `${label(from)} → ${label(to)} method ${shown(integrationMethod)} payload ${shown(payloadFormatVersion)} uri ${integrationUri ? "set" : "-"}`,
            );
            grouped.set(key, entry);
          }
        }
      }
    }
  }
  for (const [key, { field, cases }] of grouped) {
    out.push({ field, differs: `${key.split("\n")[1]} (${cases.join("; ")})` });
  }
}

/** The fields of `declaration` that differ from `live`, as declared, `null` sent as the "" marker. */
function naturalRequest(declaration: Record<string, unknown>, live: Integration): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(declaration)) {
    if (value === null) {
      if (live[field] !== undefined) out[field] = "";
    } else if (JSON.stringify(value) !== JSON.stringify(live[field])) out[field] = value;
  }
  if (live.integrationSubtype !== undefined) {
    out.integrationSubtype ??= live.integrationSubtype;
    out.requestParameters ??= live.requestParameters;
  }
  return out;
}

function disagreements(): Disagreement[] {
  const out: Disagreement[] = [];
  compareFields(out);
  compareProtocols(out);
  compareDefaults(out);
  compareValues(out);
  compareRemovals(out);
  compareSubtypeUpdates(out);
  compareInvariants(out);
  return out;
}

const key = (d: Disagreement) => `${d.field}: ${d.differs}`;

describe("the product's field model and the emulator's table", () => {
  it("agree, except where a listed disagreement says why it may stand", () => {
    const found = disagreements().map(key);
    const listed = UNVERIFIED_DISAGREEMENTS.map(key);
    expect({
      unlisted: found.filter((d) => !listed.includes(d)),
      stale: listed.filter((d) => !found.includes(d)),
    }).toEqual({
      unlisted: [],
      stale: [],
    });
  });

  it("gives every listed disagreement a reason, and the README's unverified list names it", () => {
    const readme = readFileSync("README.md", "utf8");
    const section = /\n### What is unverified[^\n]*\n([\s\S]*?)\n##/.exec(readme)?.[1] ?? "";
    expect(section.length).toBeGreaterThan(0);
    for (const d of UNVERIFIED_DISAGREEMENTS) {
      expect(d.why.length, key(d)).toBeGreaterThan(30);
      expect(section, key(d)).toContain(`\`${d.field}\``);
    }
  });
});
