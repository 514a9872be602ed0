/**
 * Our model of how API Gateway v2 creates and updates an integration, driven by the table in
 * service-model.ts and the switchable readings in behaviour.ts: server defaults filled on create and after
 * every update, UpdateIntegration's PATCH semantics with its removal encodings, the cross-field rules, and
 * AWS service integrations (integrationSubtype). Pure, so the plan's convergence property test and the
 * HTTP emulator share one model.
 *
 * The shape of the service wins over the product: if the product fails against this model, the product
 * changes (or the model's source was wrong: then the source and the table change together).
 */
import { type Behaviour, defaultBehaviour } from "./behaviour.ts";
import { BadRequest, type IntegrationInput, isEmptyObject, isObject, readIntegrationInput } from "./input.ts";
import {
  defaultValue,
  FIELD_NAMES,
  FIELDS,
  type FieldName,
  INTEGRATION_TYPES_BY_PROTOCOL,
  type IntegrationType,
  type Protocol,
  READ_ONLY,
  removalRule,
  SUBTYPES,
  URI_INTEGRATION_TYPES,
} from "./service-model.ts";

export { BadRequest } from "./input.ts";

export type Integration = Record<string, unknown> & { integrationId: string };

/** The service's words where a source quotes them; the rest is ours (README: unverified wordings). */
export const MESSAGES = {
  /** facts #17 (cdkd #1603); also, by the same re-validation, a URI-based integration without a URI. */
  invalidUri: "Invalid integration URI specified",
  /** facts #11 (terraform-provider-aws#50061). */
  emptyMapping:
    "Invalid selection expression specified: Validation Result: warnings : [], errors : [Mapping expression missing source or destination]",
  /** facts #7 (terraform-provider-aws#42391). */
  lambdaPost: "HttpMethod must be POST for AWS_PROXY IntegrationType",
  /** aws/aws-cli#6363, the service's answer to an AWS integration on an HTTP API. */
  httpTypes:
    "Currently, an API with a protocol type of HTTP may only be associated with proxy integrations (AWS_PROXY, HTTP_PROXY)",
  /** Ours: the dev guide says a Lambda integration "must specify a payloadFormatVersion"; no source quotes the refusal. */
  payloadFormatRequired: "PayloadFormatVersion is required for AWS_PROXY integrations of HTTP APIs",
  typeRequired: "IntegrationType is required",
} as const;

const DEFAULTS: Behaviour = Object.freeze(defaultBehaviour());

/** Members whose change can break a cross-field rule; an update naming none is not re-checked. */
const COMBINATION_FIELDS: readonly FieldName[] = [
  "integrationType",
  "integrationSubtype",
  "integrationMethod",
  "integrationUri",
  "payloadFormatVersion",
];

/**
 * The integration as the service stores it after CreateIntegration: the body (checked) plus server
 * defaults. `body` is the request's JSON object in wire (camelCase) names.
 * @throws BadRequest when the service would refuse the body.
 */
export function createIntegration(
  protocol: Protocol,
  integrationId: string,
  body: Record<string, unknown>,
  behaviour: Partial<Behaviour> = {},
): Integration {
  const b = { ...DEFAULTS, ...behaviour };
  const input = readIntegrationInput(protocol, body);
  const type = input.integrationType;
  if (type === undefined || type === "") throw new BadRequest(MESSAGES.typeRequired);
  const subtype = nonEmpty(input.integrationSubtype);
  if (subtype !== undefined && !Object.hasOwn(SUBTYPES, subtype)) {
    throw new BadRequest(`Unsupported integration subtype ${subtype}`);
  }
  const out = patchFields({ integrationId }, input, b);
  withDefaults(protocol, out);
  checkResult(protocol, out);
  if (subtype !== undefined) requireParameters(subtype, out.requestParameters);
  return out;
}

/**
 * UpdateIntegration: `body` applied to `current` with PATCH semantics, defaults filled again, the result
 * checked. Returns the new integration; `current` is not modified.
 * @throws BadRequest when the service would refuse the body (nothing changes then).
 */
export function applyUpdate(
  protocol: Protocol,
  current: Integration,
  body: Record<string, unknown>,
  behaviour: Partial<Behaviour> = {},
): Integration {
  const b = { ...DEFAULTS, ...behaviour };
  const input = readIntegrationInput(protocol, body);
  const stored = nonEmpty(current.integrationSubtype);
  checkSubtypeUpdate(stored, input, b);
  const next = patchFields(structuredClone(current), input, b);
  withDefaults(protocol, next);
  if (COMBINATION_FIELDS.some((f) => input[f] !== undefined)) checkResult(protocol, next);
  const subtype = nonEmpty(next.integrationSubtype);
  if (subtype !== undefined) {
    const sent = b["subtype.requiredParametersOnUpdate"] === "sent";
    // terraform-provider-aws#22647: an update that does not carry the required parameters fails.
    requireParameters(subtype, sent ? input.requestParameters : next.requestParameters);
  }
  return next;
}

/** facts #17, #21: the subtype is the discriminator; it must be named again and cannot be cleared. */
function checkSubtypeUpdate(stored: string | undefined, input: IntegrationInput, b: Behaviour): void {
  const sent = input.integrationSubtype;
  if (stored !== undefined && sent === undefined && b["subtype.updateWithoutSubtype"] === "rejected") {
    throw new BadRequest(MESSAGES.invalidUri);
  }
  if (sent === undefined) return;
  if (sent === "") {
    // Clearing it leaves an AWS_PROXY without a URI: the same re-validation as #17 (inferred).
    if (stored !== undefined) throw new BadRequest(MESSAGES.invalidUri);
    return;
  }
  if (!Object.hasOwn(SUBTYPES, sent as string))
    throw new BadRequest(`Unsupported integration subtype ${sent}`);
  if (sent !== stored && b["subtype.change"] === "rejected") {
    throw new BadRequest(
      stored === undefined
        ? `An integration without a subtype cannot become an AWS service integration (${sent}); create a new integration`
        : `integrationSubtype cannot be changed from ${stored} to ${sent}; create a new integration`,
    );
  }
}

/** Applies each sent member to `base` (mutated and returned). */
function patchFields(base: Integration, input: IntegrationInput, b: Behaviour): Integration {
  const type = input.integrationType ?? base.integrationType;
  const hasSubtype = nonEmpty(input.integrationSubtype ?? base.integrationSubtype) !== undefined;
  for (const field of FIELD_NAMES) {
    const value = input[field];
    if (value === undefined) continue;
    const row = FIELDS[field];
    switch (row.wire.type) {
      case "string":
      case "enum":
        if (value === "") clearString(field, base, type, hasSubtype, b);
        else base[field] = value;
        break;
      case "integer":
        base[field] = value;
        break;
      case "stringMap":
        base[field] =
          field === "requestParameters"
            ? patchRequestParameters(base[field], value as Record<string, string>, type, hasSubtype, b)
            : patchMap(base[field], value as Record<string, string>, b["requestTemplates.patch"]);
        break;
      case "responseParameters":
        base[field] = patchResponseParameters(base[field], value as Record<string, object>, b);
        break;
      case "tlsConfig":
        patchTlsConfig(base, value as Record<string, unknown>, b);
        break;
    }
    // An empty map is not shown by GetIntegration (unverified); a stored {} tlsConfig is (moto).
    if (
      (row.wire.type === "stringMap" || row.wire.type === "responseParameters") &&
      isEmptyObject(base[field])
    ) {
      delete base[field];
    }
  }
  return base;
}

/** A string member sent as "": what the removal rules of service-model.ts and the behaviour say. */
function clearString(
  field: FieldName,
  base: Integration,
  type: unknown,
  hasSubtype: boolean,
  b: Behaviour,
): void {
  const rule = removalRule(FIELDS[field], '""', type, hasSubtype);
  const effect = rule?.effect ?? "stored";
  const reading =
    effect === "description.emptyString" || effect === "stringFields.emptyString" ? b[effect] : effect;
  if (reading === "clears" || reading === "removes") delete base[field];
  else if (reading === "stored") base[field] = "";
  else throw new BadRequest(emptyRefusal(field, type));
}

function emptyRefusal(field: FieldName, type: unknown): string {
  if (field === "integrationType") return MESSAGES.typeRequired;
  if (field === "integrationUri" || field === "integrationSubtype") return MESSAGES.invalidUri;
  return `${field} cannot be removed from ${String(type)} integrations`;
}

function patchRequestParameters(
  current: unknown,
  sent: Record<string, string>,
  type: unknown,
  hasSubtype: boolean,
  b: Behaviour,
): Record<string, string> {
  const rule = removalRule(FIELDS.requestParameters, 'key:""', type, hasSubtype);
  const mode = rule?.effect;
  const reading =
    mode === "subtype.emptyStringParameter"
      ? b[mode] === "accepted"
        ? "removes"
        : "rejected"
      : mode === "requestParameters.emptyString"
        ? b[mode]
        : "stored";
  if (reading === "rejected" && Object.values(sent).includes("")) throw new BadRequest(MESSAGES.emptyMapping);
  const out: Record<string, string> =
    b["requestParameters.patch"] === "merge" && isObject(current)
      ? { ...(current as Record<string, string>) }
      : {};
  for (const [k, v] of Object.entries(sent)) {
    if (v === "" && reading === "removes") delete out[k];
    else out[k] = v;
  }
  return out;
}

/** requestTemplates: "" is a template body, never a removal (facts #12). */
function patchMap(current: unknown, sent: Record<string, string>, patch: "merge" | "replace") {
  return patch === "merge" && isObject(current) ? { ...current, ...sent } : { ...sent };
}

function patchResponseParameters(current: unknown, sent: Record<string, object>, b: Behaviour) {
  const reading = b["responseParameters.emptyObject"];
  const out: Record<string, unknown> = isObject(current) ? structuredClone(current) : {};
  for (const [code, mappings] of Object.entries(sent)) {
    if (!isEmptyObject(mappings)) out[code] = { ...mappings };
    else if (reading === "removes") delete out[code];
    else if (reading === "stored") out[code] = {};
    else throw new BadRequest(`Invalid response parameters specified for status code ${code}: no mappings`);
  }
  return out;
}

function patchTlsConfig(base: Integration, sent: Record<string, unknown>, b: Behaviour): void {
  const name = sent.serverNameToVerify;
  const value = typeof name === "string" ? { serverNameToVerify: name } : {};
  if (!isEmptyObject(value)) {
    base.tlsConfig = value;
    return;
  }
  const reading = b["tlsConfig.emptyObject"];
  if (reading === "removes") delete base.tlsConfig;
  else if (reading === "stored") base.tlsConfig = {};
  else throw new BadRequest("Invalid TLS configuration specified: serverNameToVerify is missing");
}

/** Fills what the service fills when a field is unset, and drops what it ignores (mutates). */
function withDefaults(protocol: Protocol, integration: Integration): void {
  const type = integration.integrationType;
  const hasSubtype = nonEmpty(integration.integrationSubtype) !== undefined;
  for (const field of FIELD_NAMES) {
    if (integration[field] !== undefined) continue;
    const value = defaultValue(FIELDS[field], protocol, type, hasSubtype);
    if (value !== undefined) integration[field] = value;
  }
  // facts #9: tlsConfig is ignored on INTERNET integrations.
  if (integration.connectionType !== "VPC_LINK") delete integration.tlsConfig;
  // Computed by the service from the type; recomputed when the type changes.
  const row = READ_ONLY.integrationResponseSelectionExpression;
  const expression = defaultValue(row, protocol, type, hasSubtype);
  if (expression === undefined) delete integration.integrationResponseSelectionExpression;
  else integration.integrationResponseSelectionExpression = expression;
}

/** The cross-field rules on a stored result. */
function checkResult(protocol: Protocol, r: Integration): void {
  const type = r.integrationType as IntegrationType;
  if (!INTEGRATION_TYPES_BY_PROTOCOL[protocol].includes(type)) {
    throw new BadRequest(protocol === "HTTP" ? MESSAGES.httpTypes : `Invalid integration type ${type}`);
  }
  const subtype = nonEmpty(r.integrationSubtype);
  if (subtype !== undefined && type !== "AWS_PROXY") {
    // API reference: "Supported only for HTTP API AWS_PROXY integrations." Wording ours.
    throw new BadRequest(`integrationSubtype is supported only for AWS_PROXY integrations, not ${type}`);
  }
  const lambda = type === "AWS_PROXY" && subtype === undefined;
  if (lambda && r.integrationMethod !== undefined && r.integrationMethod !== "POST") {
    throw new BadRequest(MESSAGES.lambdaPost);
  }
  // API reference: 2.0 only for Lambda proxy integrations of HTTP APIs. Wording ours.
  if (r.payloadFormatVersion === "2.0" && !(lambda && protocol === "HTTP")) {
    throw new BadRequest(
      `Payload format version 2.0 is only supported for Lambda proxy integrations of HTTP APIs`,
    );
  }
  if (lambda && protocol === "HTTP" && r.payloadFormatVersion === undefined) {
    throw new BadRequest(MESSAGES.payloadFormatRequired);
  }
  if (URI_INTEGRATION_TYPES.includes(type) && subtype === undefined && r.integrationUri === undefined) {
    throw new BadRequest(MESSAGES.invalidUri);
  }
}

/** Dev guide: "You must configure all required parameters to create an integration." Wording ours. */
function requireParameters(subtype: string, parameters: unknown): void {
  const row = SUBTYPES[subtype];
  if (!row) return;
  const have = isObject(parameters) ? parameters : {};
  const missing = row.required.filter((k) => typeof have[k] !== "string" || have[k] === "");
  if (missing.length > 0) {
    throw new BadRequest(`Missing required request parameters for ${subtype}: ${missing.join(", ")}`);
  }
}

function nonEmpty(v: unknown): string | undefined {
  return typeof v === "string" && v !== "" ? v : undefined;
}
