import type { Integration, UpdateIntegrationRequest } from "@aws-sdk/client-apigatewayv2";
import type { LiveIntegration } from "../model/live.ts";
import type { UpdateFields } from "../plan/update.ts";

/**
 * The SDK names members in PascalCase (`IntegrationUri`); the product speaks the API's wire names
 * (`integrationUri`). Only member names change: map keys (parameters, templates, status codes) are data.
 */
const MAP_MEMBERS = new Set(["RequestParameters", "RequestTemplates", "ResponseParameters"]);

export function fromSdkIntegration(integration: Integration): LiveIntegration {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(integration)) {
    if (value === undefined) continue;
    out[lowerFirst(key)] = MAP_MEMBERS.has(key) ? value : renameMembers(value, lowerFirst);
  }
  return out as LiveIntegration;
}

export function toSdkUpdate(
  apiId: string,
  integrationId: string,
  fields: UpdateFields,
): UpdateIntegrationRequest {
  const out: Record<string, unknown> = { ApiId: apiId, IntegrationId: integrationId };
  for (const [key, value] of Object.entries(fields)) {
    const member = upperFirst(key);
    out[member] = MAP_MEMBERS.has(member) ? value : renameMembers(value, upperFirst);
  }
  return out as unknown as UpdateIntegrationRequest;
}

/** Renames the members of a structure (tlsConfig); scalars pass through. */
function renameMembers(value: unknown, rename: (s: string) => string): unknown {
  if (typeof value !== "object" || value === null || Array.isArray(value) || value instanceof Date)
    return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [rename(k), renameMembers(v, rename)]));
}

const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);
const upperFirst = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
