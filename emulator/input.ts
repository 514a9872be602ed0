/**
 * What the service checks before and after the model in patch.ts: that a body is a JSON object whose
 * members have the Smithy model's types and enum values (a restJson1 server rejects those while
 * deserialising), and the cross-field rules service-facts #7 and #8 record. patch.ts owns the rest
 * (read-only fields, fields of the other protocol, timeout range, responseParameters keys).
 */
import {
  CONNECTION_TYPES,
  CONTENT_HANDLING_STRATEGIES,
  INTEGRATION_FIELDS,
  INTEGRATION_METHODS,
  INTEGRATION_TYPES,
  type IntegrationField,
  PASSTHROUGH_BEHAVIORS,
  PAYLOAD_FORMAT_VERSIONS,
  READ_ONLY_FIELDS,
} from "../lib/facts/integration.ts";
import { badRequest } from "./errors.ts";
import type { Integration } from "./patch.ts";

/** Parses a request body; an empty body is `{}`, as the SDK sends for a body with no members. */
export function parseJsonObject(raw: string): Record<string, unknown> {
  if (raw.trim() === "") return {};
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    // Unverified: the service's wording for a malformed body is not documented.
    throw badRequest("Could not parse request body into json");
  }
  if (!isObject(value)) throw badRequest("Request body must be a JSON object");
  return value;
}

/**
 * Allowed values of enum-like members. connectionType, integrationType, passthroughBehavior and
 * contentHandlingStrategy are Smithy enums; integrationMethod and payloadFormatVersion are plain strings
 * in the model, and checking them here is an assumption (unverified). `""` passes: it is the removal
 * marker, and patch.ts decides what removing means.
 */
const ALLOWED: Partial<Record<IntegrationField, readonly string[]>> = {
  connectionType: CONNECTION_TYPES,
  contentHandlingStrategy: CONTENT_HANDLING_STRATEGIES,
  integrationMethod: INTEGRATION_METHODS,
  integrationType: INTEGRATION_TYPES,
  passthroughBehavior: PASSTHROUGH_BEHAVIORS,
  payloadFormatVersion: PAYLOAD_FORMAT_VERSIONS,
};

/**
 * Checks member types of a CreateIntegration / UpdateIntegration body and returns the input for patch.ts:
 * `null` members dropped (JSON null is an absent member in restJson1), and members the model lacks dropped
 * (a restJson1 server ignores them), except read-only ones, which patch.ts refuses with a message.
 */
export function integrationInput(body: Record<string, unknown>): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(body)) {
    if (value === null) continue;
    if (Object.hasOwn(READ_ONLY_FIELDS, field)) input[field] = value;
    if (!Object.hasOwn(INTEGRATION_FIELDS, field)) continue;
    input[field] = value;
    const kind = INTEGRATION_FIELDS[field as IntegrationField].kind;
    const bad = (): never => {
      throw badRequest(`Invalid value for ${field}: ${JSON.stringify(value)}`);
    };
    if (kind === "string" || kind === "enum") {
      if (typeof value !== "string") bad();
      const allowed = ALLOWED[field as IntegrationField];
      if (allowed && value !== "" && !allowed.includes(value as string)) bad();
    } else if (kind === "stringMap") {
      if (!isObject(value) || !Object.values(value).every((v) => typeof v === "string")) bad();
    } else if (kind === "responseParameters") {
      if (!isObject(value) || !Object.values(value).every((m) => isStringMap(m))) bad();
    } else if (kind === "tlsConfig") {
      if (!isObject(value) || !["string", "undefined"].includes(typeof value.serverNameToVerify)) bad();
    }
    // integers: patch.ts checks timeoutInMillis, the only one, with the service's range message.
  }
  return input;
}

/** Members whose change can break a cross-field rule; an update touching none is not re-checked. */
const COMBINATION_FIELDS = [
  "integrationType",
  "integrationSubtype",
  "integrationMethod",
  "payloadFormatVersion",
];

/**
 * Rules on the stored result of a create or update.
 * - service-facts #7: a Lambda AWS_PROXY integration (no integrationSubtype) takes only POST; the message is
 *   the service's, as quoted in terraform-provider-aws #42391.
 * - service-facts #8: payloadFormatVersion 2.0 only on AWS_PROXY (API reference: "For all other
 *   integrations, 1.0 is the only supported value."); the message is ours (unverified).
 * Only checked when the request names one of the fields, so drift injected elsewhere does not block
 * unrelated updates.
 */
export function checkCombination(result: Integration, body: Record<string, unknown>, create: boolean): void {
  if (!create && !COMBINATION_FIELDS.some((f) => body[f] !== undefined)) return;
  const type = result.integrationType;
  if (type === "AWS_PROXY" && result.integrationSubtype === undefined) {
    const method = result.integrationMethod;
    if (method !== undefined && method !== "POST") {
      throw badRequest("HttpMethod must be POST for AWS_PROXY IntegrationType");
    }
  }
  if (result.payloadFormatVersion === "2.0" && type !== "AWS_PROXY") {
    throw badRequest(`Payload format version 2.0 is only supported for AWS_PROXY integrations, not ${type}`);
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function isStringMap(v: unknown): boolean {
  return isObject(v) && Object.values(v).every((s) => typeof s === "string");
}
