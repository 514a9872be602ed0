/**
 * Our model of how API Gateway v2 creates and updates an integration: server defaults filled on create
 * and after every update, and UpdateIntegration's PATCH merge with its removal encodings. Pure, so the
 * plan's convergence property test and the HTTP emulator share one model.
 *
 * What is sourced and what is assumed is listed in the README ("Emulator assumptions"); the shape of the
 * service wins over the product: if the product fails against this model, the product changes.
 */
import {
  INTEGRATION_FIELDS,
  INTEGRATION_TYPES_BY_PROTOCOL,
  type IntegrationField,
  type Protocol,
  SERVER_DEFAULTS,
  TIMEOUT_RANGE,
} from "../lib/facts/integration.ts";

export type Integration = Record<string, unknown> & { integrationId: string };

/** How the service treats requestTemplates on PATCH: unsettled (service-facts #12), so both are modelled. */
export type TemplatesPatch = "replace" | "merge";

export class BadRequest extends Error {
  override name = "BadRequestException";
}

const READ_ONLY = new Set(["integrationId", "apiGatewayManaged", "integrationResponseSelectionExpression"]);

/** Checks an UpdateIntegration (or CreateIntegration) body against the protocol, as the service would. */
export function validateInput(protocol: Protocol, input: Record<string, unknown>): void {
  for (const [field, value] of Object.entries(input)) {
    if (value === undefined) continue;
    if (READ_ONLY.has(field)) throw new BadRequest(`${field} is read-only and cannot be updated`);
    // Members the model lacks are ignored, as restJson1 services ignore them. Own keys only: a member named
    // "constructor" or "__proto__" must not resolve on Object.prototype.
    if (!Object.hasOwn(INTEGRATION_FIELDS, field)) continue;
    const fact = INTEGRATION_FIELDS[field as IntegrationField];
    if (!(fact.protocols as readonly string[]).includes(protocol) && value !== "" && !isEmptyObject(value)) {
      throw new BadRequest(`${field} is not supported for ${protocol} APIs`);
    }
  }
  const type = input.integrationType;
  if (
    type !== undefined &&
    type !== "" &&
    !(INTEGRATION_TYPES_BY_PROTOCOL[protocol] as readonly unknown[]).includes(type)
  ) {
    throw new BadRequest(`Invalid integration type ${String(type)} for ${protocol} API`);
  }
  if (type === "") throw new BadRequest("IntegrationType cannot be removed");
  const timeout = input.timeoutInMillis;
  if (timeout !== undefined) {
    const { min, max } = TIMEOUT_RANGE[protocol];
    if (typeof timeout !== "number" || !Number.isInteger(timeout) || timeout < min || timeout > max) {
      throw new BadRequest(`Timeout must be between ${min} milliseconds and ${max} milliseconds.`);
    }
  }
  const rp = input.responseParameters;
  if (rp && typeof rp === "object") {
    for (const code of Object.keys(rp)) {
      if (!/^[2-5]\d\d$/.test(code))
        throw new BadRequest(`Invalid status code ${code} in responseParameters`);
    }
  }
}

/** The integration as the service stores it after CreateIntegration: input plus server defaults. */
export function createIntegration(
  protocol: Protocol,
  integrationId: string,
  input: Record<string, unknown>,
): Integration {
  validateInput(protocol, input);
  if (input.integrationType === undefined) throw new BadRequest("IntegrationType is required");
  const out: Integration = { integrationId };
  for (const [k, v] of Object.entries(input))
    if (v !== undefined && v !== "" && Object.hasOwn(INTEGRATION_FIELDS, k)) out[k] = clone(v);
  if (input.apiGatewayManaged === true) out.apiGatewayManaged = true;
  return withDefaults(protocol, out);
}

/** UpdateIntegration's PATCH merge. Returns the new integration; `current` is not modified. */
export function applyUpdate(
  protocol: Protocol,
  current: Integration,
  input: Record<string, unknown>,
  templates: TemplatesPatch = "replace",
): Integration {
  validateInput(protocol, input);
  const next: Integration = clone(current);
  for (const [field, value] of Object.entries(input)) {
    if (value === undefined || !Object.hasOwn(INTEGRATION_FIELDS, field)) continue;
    const kind = INTEGRATION_FIELDS[field as IntegrationField].kind;
    if (kind === "stringMap" && field === "requestParameters") {
      // terraform: "Parameters are removed by setting the associated value to \"\"." Others merge.
      next[field] = mergeMap(next[field], value, (v) => v === "");
    } else if (kind === "stringMap") {
      next[field] = templates === "replace" ? clone(value) : mergeMap(next[field], value, (v) => v === "");
    } else if (kind === "responseParameters") {
      // terraform: a status code is removed with {}; a status code's mappings are replaced whole.
      next[field] = mergeMap(next[field], value, (v) => isEmptyObject(v));
    } else if (kind === "tlsConfig") {
      next[field] = isEmptyObject(value) ? undefined : clone(value);
    } else {
      next[field] = value === "" ? undefined : value;
    }
    if (next[field] === undefined || isEmptyObject(next[field])) delete next[field];
  }
  return withDefaults(protocol, next);
}

/** Fills what the service fills when a field is unset, and drops what it ignores. */
function withDefaults(protocol: Protocol, integration: Integration): Integration {
  for (const [field, row] of Object.entries(SERVER_DEFAULTS[protocol])) {
    if (integration[field] !== undefined) continue;
    if (row.integrationTypes && !row.integrationTypes.includes(String(integration.integrationType))) continue;
    integration[field] = row.value;
  }
  // service-facts #9: tlsConfig is ignored on INTERNET integrations.
  if (integration.connectionType !== "VPC_LINK") delete integration.tlsConfig;
  if (protocol === "WEBSOCKET" && integration.integrationResponseSelectionExpression === undefined) {
    // aws-cli create-integration example output shows it on WebSocket integrations.
    // biome-ignore lint/suspicious/noTemplateCurlyInString: an API Gateway selection expression, not JS
    integration.integrationResponseSelectionExpression = "${response.statuscode}";
  }
  return integration;
}

function mergeMap(
  current: unknown,
  patch: unknown,
  removes: (v: unknown) => boolean,
): Record<string, unknown> {
  const out: Record<string, unknown> = isObject(current) ? clone(current) : {};
  if (!isObject(patch)) return out;
  for (const [k, v] of Object.entries(patch)) {
    if (removes(v)) delete out[k];
    else out[k] = clone(v);
  }
  return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function isEmptyObject(v: unknown): boolean {
  return isObject(v) && Object.keys(v).length === 0;
}

function clone<T>(v: T): T {
  return structuredClone(v);
}
