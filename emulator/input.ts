/**
 * What the service checks while reading a CreateIntegration / UpdateIntegration body, before the model in
 * patch.ts: that the body is a JSON object whose members have the wire types of service-model.ts (a
 * restJson1 server refuses those while deserialising), that read-only members are not sent, and that the
 * members belong to the API's protocol.
 */
import { FIELDS, type FieldName, isFieldName, type Protocol, READ_ONLY, type Wire } from "./service-model.ts";

export class BadRequest extends Error {
  override name = "BadRequestException";
}

/** Parses a request body; an empty body is `{}`, as the SDK sends for a body with no members. */
export function parseJsonObject(raw: string): Record<string, unknown> {
  if (raw.trim() === "") return {};
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    // Unverified: the service's wording for a malformed body is not documented.
    throw new BadRequest("Could not parse request body into json");
  }
  if (!isObject(value)) throw new BadRequest("Request body must be a JSON object");
  return value;
}

/** An integration body as the model reads it: only known members, each of its wire type. */
export type IntegrationInput = Partial<Record<FieldName, unknown>>;

/**
 * Checks member types and protocols of a CreateIntegration / UpdateIntegration body and returns the
 * members the model acts on: `null` and `undefined` dropped (JSON null is an absent member in restJson1),
 * members the SDK model lacks dropped (a restJson1 server ignores them, unverified), members the protocol
 * drops (passthroughBehavior on HTTP APIs) dropped. `""` passes every string type: it is the removal
 * encoding, and the model decides what it means.
 * @throws BadRequest for a read-only member, a wrong type or enum value, a field of the other protocol,
 *   an out-of-range timeout or a bad status code.
 */
export function readIntegrationInput(protocol: Protocol, body: Record<string, unknown>): IntegrationInput {
  const input: IntegrationInput = {};
  for (const [field, value] of Object.entries(body)) {
    if (value === null || value === undefined) continue;
    // Own keys only: a member named "constructor" or "__proto__" must not resolve on Object.prototype.
    if (Object.hasOwn(READ_ONLY, field)) {
      // Unverified wording.
      throw new BadRequest(`${field} is read-only and cannot be set`);
    }
    if (!isFieldName(field)) continue;
    const row = FIELDS[field];
    checkWire(field, row.wire, value, protocol);
    if (!row.protocols.includes(protocol)) {
      if (row.droppedOn?.includes(protocol)) continue;
      // API reference: "Supported only for ... APIs"; refusing it (and the wording) is unverified.
      if (value !== "" && !isEmptyObject(value)) {
        throw new BadRequest(`${field} is not supported for ${protocol} APIs`);
      }
      continue;
    }
    input[field] = value;
  }
  return input;
}

function checkWire(field: string, wire: Wire, value: unknown, protocol: Protocol): void {
  // Unverified wording: a restJson1 deserialiser's message is not documented.
  const bad = (): never => {
    throw new BadRequest(`Invalid value for ${field}: ${JSON.stringify(value)}`);
  };
  switch (wire.type) {
    case "string":
      if (typeof value !== "string") bad();
      return;
    case "enum":
      if (typeof value !== "string" || (value !== "" && !wire.values.includes(value))) bad();
      return;
    case "integer": {
      if (typeof value !== "number" || !Number.isInteger(value)) bad();
      const { min, max } = wire.ranges[protocol];
      if ((value as number) < min || (value as number) > max) {
        // Unverified wording.
        throw new BadRequest(`Timeout must be between ${min} milliseconds and ${max} milliseconds.`);
      }
      return;
    }
    case "stringMap":
      if (!isStringMap(value)) bad();
      return;
    case "responseParameters":
      if (!isObject(value) || !Object.values(value).every(isStringMap)) bad();
      for (const code of Object.keys(value as object)) {
        const n = /^\d{3}$/.test(code) ? Number(code) : Number.NaN;
        if (!(n >= wire.statusCodes.min && n <= wire.statusCodes.max)) {
          // Unverified wording.
          throw new BadRequest(`Invalid status code ${code} in responseParameters`);
        }
      }
      return;
    case "tlsConfig": {
      // Members the model lacks are ignored, as everywhere in restJson1; patch.ts keeps only known ones.
      const name = isObject(value) ? value[wire.members[0]] : undefined;
      if (!isObject(value) || !(name === undefined || name === null || typeof name === "string")) bad();
      return;
    }
  }
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function isEmptyObject(v: unknown): boolean {
  return isObject(v) && Object.keys(v).length === 0;
}

function isStringMap(v: unknown): v is Record<string, string> {
  return isObject(v) && Object.values(v).every((s) => typeof s === "string");
}
