/**
 * What API Gateway v2 is made of, beyond the integration fields themselves (those are in fields.ts): the
 * protocols, the enums, the integration types each protocol takes and the fields the service owns.
 *
 * "API reference" is the Integration page of the API Gateway v2 API reference (`shared/seeds/`);
 * "service-facts #N" is row N of `shared/research/service-facts.md`, which names its own sources.
 */

export const PROTOCOLS = ["HTTP", "WEBSOCKET"] as const;
export type Protocol = (typeof PROTOCOLS)[number];

export const INTEGRATION_TYPES = ["AWS", "AWS_PROXY", "HTTP", "HTTP_PROXY", "MOCK"] as const;
export type IntegrationType = (typeof INTEGRATION_TYPES)[number];
export const CONNECTION_TYPES = ["INTERNET", "VPC_LINK"] as const;
export const PASSTHROUGH_BEHAVIORS = ["WHEN_NO_MATCH", "NEVER", "WHEN_NO_TEMPLATES"] as const;
export const CONTENT_HANDLING_STRATEGIES = ["CONVERT_TO_BINARY", "CONVERT_TO_TEXT"] as const;
/** terraform's validHTTPMethod(); the API reference only says "the integration's HTTP method type". */
export const INTEGRATION_METHODS = [
  "ANY",
  "DELETE",
  "GET",
  "HEAD",
  "OPTIONS",
  "PATCH",
  "POST",
  "PUT",
] as const;
/** API reference: "supported values for Lambda proxy integrations are 1.0 and 2.0". */
export const PAYLOAD_FORMAT_VERSIONS = ["1.0", "2.0"] as const;

/** Integration types per protocol. API reference: AWS, HTTP and MOCK are "Supported only for WebSocket APIs". */
export const INTEGRATION_TYPES_BY_PROTOCOL: Record<Protocol, readonly IntegrationType[]> = {
  HTTP: ["AWS_PROXY", "HTTP_PROXY"],
  WEBSOCKET: INTEGRATION_TYPES,
};

/** Fields the service owns: they appear in GetIntegration but UpdateIntegration does not take them. */
export const READ_ONLY_FIELDS = {
  integrationId: "the integration's identity; it is the key under `integrations:`",
  apiGatewayManaged: "set by API Gateway for quick-create integrations",
  integrationResponseSelectionExpression: "computed by API Gateway for WebSocket integrations",
} as const;

export type ReadOnlyField = keyof typeof READ_ONLY_FIELDS;

export function apiKind(protocol: Protocol): string {
  return protocol === "HTTP" ? "HTTP APIs" : "WebSocket APIs";
}
