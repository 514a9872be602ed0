import {
  INTEGRATION_FIELDS,
  isIntegrationField,
  type Protocol,
  serverDefault,
} from "../facts/integration.ts";

/** A live integration as GetIntegration(s) returns it, in the API's camelCase wire names. */
export interface LiveIntegration {
  integrationId: string;
  apiGatewayManaged?: boolean;
  integrationResponseSelectionExpression?: string;
  [field: string]: unknown;
}

export type StringMap = Record<string, string>;

/**
 * The value of one field as the comparison sees it, so that equivalent spellings compare equal:
 * - absent, `null` and `""` are the same ("not set"), and a field that is not set takes the server
 *   default of the protocol (and integration type) when there is one;
 * - maps are always objects (`{}` when not set), and a responseParameters status code with no mappings
 *   is the same as no status code;
 * - tlsConfig stays an object when present even if empty: it switches a private integration to HTTPS.
 */
export function normaliseField(
  field: string,
  value: unknown,
  protocol: Protocol,
  integrationType: unknown,
): unknown {
  const kind = isIntegrationField(field) ? INTEGRATION_FIELDS[field].kind : undefined;
  if (kind === "stringMap") return isRecord(value) ? { ...value } : {};
  if (kind === "responseParameters") {
    const out: Record<string, StringMap> = {};
    if (isRecord(value)) {
      for (const [code, mappings] of Object.entries(value)) {
        if (isRecord(mappings) && Object.keys(mappings).length > 0)
          out[code] = { ...(mappings as StringMap) };
      }
    }
    return out;
  }
  if (kind === "tlsConfig") {
    if (!isRecord(value)) return undefined;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== null && v !== "" && v !== undefined) out[k] = v;
    return out;
  }
  if (value === undefined || value === null || value === "")
    return serverDefault(protocol, field, integrationType);
  return value;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
