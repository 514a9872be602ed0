/**
 * What each reading of the unsettled behaviours means, as a small model of UpdateIntegration: the stored
 * integration after a request, or the refusal, under one reading per behaviour. It is the definition of
 * the readings (behaviours.ts), not a second emulator: it models only what the readings decide, and every
 * other member of the request as simply stored. lib/probe uses it to ask of the product's own requests
 * (lib/plan/update.ts buildUpdate) under which readings they do what the plan says.
 */
import type { UpdateFields } from "../plan/update.ts";
import type { BehaviourName, Readings } from "./behaviours.ts";

export type Simulated =
  | { after: Record<string, unknown> }
  /** The service would answer 400, because of this behaviour's reading, for this field. */
  | { refused: { behaviour: BehaviourName; field: string } };

type StringMap = Record<string, string>;

/** The integration `live` becomes when `request` is sent to it, under `readings`. */
export function simulateUpdate(
  live: Record<string, unknown>,
  request: UpdateFields,
  readings: Readings,
): Simulated {
  const storedSubtype = nonEmpty(live.integrationSubtype);
  const refuse = (behaviour: BehaviourName, field: string): Simulated => ({ refused: { behaviour, field } });
  if (storedSubtype !== undefined) {
    const sent = request.integrationSubtype;
    if (sent === undefined && readings["subtype.updateWithoutSubtype"] === "rejected") {
      return refuse("subtype.updateWithoutSubtype", "integrationSubtype");
    }
    if (sent !== undefined && sent !== storedSubtype && readings["subtype.change"] === "rejected") {
      return refuse("subtype.change", "integrationSubtype");
    }
    if (
      request.requestParameters === undefined &&
      readings["subtype.requiredParametersOnUpdate"] === "sent"
    ) {
      return refuse("subtype.requiredParametersOnUpdate", "requestParameters");
    }
  }
  const after: Record<string, unknown> = structuredClone(live);
  for (const [field, value] of Object.entries(request)) {
    if (value === undefined) continue;
    const outcome = patchField(field, value, after, storedSubtype !== undefined, readings);
    if (outcome) return refuse(outcome, field);
  }
  return { after };
}

/** Applies one member to `after`; the behaviour whose reading refuses it, if one does. */
function patchField(
  field: string,
  value: unknown,
  after: Record<string, unknown>,
  subtype: boolean,
  r: Readings,
): BehaviourName | undefined {
  switch (field) {
    case "requestParameters":
      return patchParameters(after, value as StringMap, subtype, r);
    case "requestTemplates": {
      const sent = value as StringMap;
      setMap(
        after,
        field,
        r["requestTemplates.patch"] === "merge" ? { ...mapOf(after[field]), ...sent } : sent,
      );
      return undefined;
    }
    case "responseParameters":
      return patchResponses(after, value as Record<string, StringMap>, r);
    case "tlsConfig": {
      if (isRecord(value) && Object.keys(value).length > 0) after.tlsConfig = { ...value };
      else if (r["tlsConfig.emptyObject"] === "rejected") return "tlsConfig.emptyObject";
      else if (r["tlsConfig.emptyObject"] === "stored") after.tlsConfig = {};
      else delete after.tlsConfig;
      return undefined;
    }
    default: {
      if (value !== "") {
        after[field] = value;
        return undefined;
      }
      const behaviour = field === "description" ? "description.emptyString" : "stringFields.emptyString";
      const reading = r[behaviour];
      if (reading === "rejected") return behaviour;
      if (reading === "stored") after[field] = "";
      else delete after[field];
      return undefined;
    }
  }
}

function patchParameters(
  after: Record<string, unknown>,
  sent: StringMap,
  subtype: boolean,
  r: Readings,
): BehaviourName | undefined {
  const marked = Object.values(sent).includes("");
  const behaviour: BehaviourName = subtype ? "subtype.emptyStringParameter" : "requestParameters.emptyString";
  const reading = subtype
    ? r["subtype.emptyStringParameter"] === "accepted"
      ? "removes"
      : "rejected"
    : r["requestParameters.emptyString"];
  if (marked && reading === "rejected") return behaviour;
  const out: StringMap =
    r["requestParameters.patch"] === "merge" ? { ...mapOf(after.requestParameters) } : {};
  for (const [k, v] of Object.entries(sent)) {
    if (v === "" && reading === "removes") delete out[k];
    else out[k] = v;
  }
  setMap(after, "requestParameters", out);
  return undefined;
}

/** Each sent status code's mappings replace that code's whole; `{}` is the removal the reading decides. */
function patchResponses(
  after: Record<string, unknown>,
  sent: Record<string, StringMap>,
  r: Readings,
): BehaviourName | undefined {
  const out: Record<string, unknown> = isRecord(after.responseParameters)
    ? structuredClone(after.responseParameters)
    : {};
  for (const [code, mappings] of Object.entries(sent)) {
    if (Object.keys(mappings).length > 0) out[code] = { ...mappings };
    else if (r["responseParameters.emptyObject"] === "rejected") return "responseParameters.emptyObject";
    else if (r["responseParameters.emptyObject"] === "stored") out[code] = {};
    else delete out[code];
  }
  setMap(after, "responseParameters", out);
  return undefined;
}

function setMap(after: Record<string, unknown>, field: string, map: Record<string, unknown>): void {
  if (Object.keys(map).length === 0) delete after[field];
  else after[field] = map;
}

function mapOf(v: unknown): StringMap {
  return isRecord(v) ? (v as StringMap) : {};
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function nonEmpty(v: unknown): string | undefined {
  return typeof v === "string" && v !== "" ? v : undefined;
}
