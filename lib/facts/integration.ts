/**
 * Facts about API Gateway v2 integrations, in one place: which fields exist, where the API supports them,
 * what the service fills in when a field is unset, and how a field is removed on UpdateIntegration.
 *
 * Every row names its source. "API reference" is the Integration page of the API Gateway v2 API reference
 * (`shared/seeds/`); "terraform" is terraform-provider-aws `internal/service/apigatewayv2/integration.go`.
 * Rows marked `verified: false` are assumptions the README lists as unverified.
 */

export const PROTOCOLS = ["HTTP", "WEBSOCKET"] as const;
export type Protocol = (typeof PROTOCOLS)[number];

export const INTEGRATION_TYPES = ["AWS", "AWS_PROXY", "HTTP", "HTTP_PROXY", "MOCK"] as const;
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
export const INTEGRATION_TYPES_BY_PROTOCOL: Record<Protocol, readonly (typeof INTEGRATION_TYPES)[number][]> =
  {
    HTTP: ["AWS_PROXY", "HTTP_PROXY"],
    WEBSOCKET: INTEGRATION_TYPES,
  };

export type FieldKind = "string" | "enum" | "integer" | "stringMap" | "responseParameters" | "tlsConfig";

export interface FieldFact {
  kind: FieldKind;
  /** Protocols whose integrations accept the field. */
  protocols: readonly Protocol[];
  source: string;
}

const BOTH: readonly Protocol[] = ["HTTP", "WEBSOCKET"];
const HTTP_ONLY: readonly Protocol[] = ["HTTP"];
const WEBSOCKET_ONLY: readonly Protocol[] = ["WEBSOCKET"];

/** The integration fields a desired-state file may declare (UpdateIntegrationInput's members). */
export const INTEGRATION_FIELDS = {
  connectionId: {
    kind: "string",
    protocols: HTTP_ONLY,
    source: 'API reference: "Supported only for HTTP APIs."',
  },
  connectionType: { kind: "enum", protocols: BOTH, source: "API reference: ConnectionType" },
  contentHandlingStrategy: {
    kind: "enum",
    protocols: WEBSOCKET_ONLY,
    source: 'API reference: "Supported only for WebSocket APIs."',
  },
  credentialsArn: { kind: "string", protocols: BOTH, source: "API reference" },
  description: { kind: "string", protocols: BOTH, source: "API reference" },
  integrationMethod: { kind: "enum", protocols: BOTH, source: "API reference; terraform validHTTPMethod()" },
  integrationSubtype: {
    kind: "string",
    protocols: HTTP_ONLY,
    source: 'API reference: "Supported only for HTTP API AWS_PROXY integrations."',
  },
  integrationType: { kind: "enum", protocols: BOTH, source: "API reference: IntegrationType" },
  integrationUri: { kind: "string", protocols: BOTH, source: "API reference" },
  passthroughBehavior: {
    kind: "enum",
    protocols: WEBSOCKET_ONLY,
    source: 'API reference: "Supported only for WebSocket APIs."',
  },
  payloadFormatVersion: { kind: "enum", protocols: BOTH, source: 'API reference: "Required for HTTP APIs."' },
  requestParameters: { kind: "stringMap", protocols: BOTH, source: "API reference: IntegrationParameters" },
  requestTemplates: {
    kind: "stringMap",
    protocols: WEBSOCKET_ONLY,
    source: 'API reference: "Supported only for WebSocket APIs."',
  },
  responseParameters: {
    kind: "responseParameters",
    protocols: HTTP_ONLY,
    source: 'API reference: "Supported only for HTTP APIs."',
  },
  templateSelectionExpression: {
    kind: "string",
    protocols: WEBSOCKET_ONLY,
    source: 'API reference: "Supported only for WebSocket APIs."',
  },
  timeoutInMillis: { kind: "integer", protocols: BOTH, source: "API reference" },
  tlsConfig: {
    kind: "tlsConfig",
    protocols: HTTP_ONLY,
    source: 'API reference: "Supported only for HTTP APIs."',
  },
} as const satisfies Record<string, FieldFact>;

export type IntegrationField = keyof typeof INTEGRATION_FIELDS;

/** True for the names of declarable fields. Own keys only: "toString" or "constructor" are not fields. */
export function isIntegrationField(name: string): name is IntegrationField {
  return Object.hasOwn(INTEGRATION_FIELDS, name);
}
export const INTEGRATION_FIELD_NAMES = Object.keys(INTEGRATION_FIELDS).sort() as IntegrationField[];

/** Fields the service owns: they appear in GetIntegration but UpdateIntegration does not take them. */
export const READ_ONLY_FIELDS = {
  integrationId: "the integration's identity; it is the key under `integrations:`",
  apiGatewayManaged: "set by API Gateway for quick-create integrations",
  integrationResponseSelectionExpression: "computed by API Gateway for WebSocket integrations",
} as const;

export type ReadOnlyField = keyof typeof READ_ONLY_FIELDS;

/** API reference: "Custom timeout between 50 and 29,000 milliseconds for WebSocket APIs and between 50 and
 * 30,000 milliseconds for HTTP APIs." */
export const TIMEOUT_RANGE: Record<Protocol, { min: number; max: number }> = {
  HTTP: { min: 50, max: 30_000 },
  WEBSOCKET: { min: 50, max: 29_000 },
};

export interface ServerDefault {
  value: string | number;
  /** The default applies only to these integration types (all types when absent). */
  integrationTypes?: readonly string[];
  source: string;
  verified: boolean;
}

/**
 * What the service fills in when a field is unset. A declared value equal to the default matches a live
 * integration that omits the field, and the other way round; a declared `null` means "the default".
 */
export const SERVER_DEFAULTS: Record<Protocol, Partial<Record<IntegrationField, ServerDefault>>> = {
  HTTP: {
    connectionType: {
      value: "INTERNET",
      source: 'API reference, connectionType: "The default value is INTERNET."',
      verified: true,
    },
    timeoutInMillis: {
      value: 30_000,
      source: 'API reference, timeoutInMillis: "The default timeout is ... 30 seconds for HTTP APIs."',
      verified: true,
    },
    payloadFormatVersion: {
      value: "1.0",
      source:
        'terraform schema Default "1.0"; API reference: "For all other integrations, 1.0 is the only supported value."',
      verified: false,
    },
    integrationMethod: {
      value: "POST",
      integrationTypes: ["AWS_PROXY"],
      source: 'terraform DiffSuppressFunc: "Default HTTP method for Lambda integration is POST."',
      verified: false,
    },
  },
  WEBSOCKET: {
    connectionType: {
      value: "INTERNET",
      source: 'API reference, connectionType: "The default value is INTERNET."',
      verified: true,
    },
    timeoutInMillis: {
      value: 29_000,
      source: 'API reference, timeoutInMillis: "The default timeout is 29 seconds for WebSocket APIs."',
      verified: true,
    },
    passthroughBehavior: {
      value: "WHEN_NO_MATCH",
      source:
        'terraform schema Default WHEN_NO_MATCH; API reference: WHEN_NO_MATCH "passes the request body ... through"',
      verified: false,
    },
    payloadFormatVersion: {
      value: "1.0",
      source: 'terraform schema Default "1.0"',
      verified: false,
    },
    integrationMethod: {
      value: "POST",
      integrationTypes: ["AWS", "AWS_PROXY"],
      source: 'terraform DiffSuppressFunc: "Default HTTP method for Lambda integration is POST."',
      verified: false,
    },
  },
};

/** The server default of `field` for an integration of `integrationType`, if the service has one. */
export function serverDefault(
  protocol: Protocol,
  field: string,
  integrationType: unknown,
): string | number | undefined {
  const row = SERVER_DEFAULTS[protocol][field as IntegrationField];
  if (!row) return undefined;
  if (row.integrationTypes && !row.integrationTypes.includes(String(integrationType))) return undefined;
  return row.value;
}

/**
 * How UpdateIntegration removes something, per PRODUCT §4. Each is what terraform sends; the service's own
 * documentation does not describe removal.
 */
export const REMOVAL_ENCODINGS = {
  stringField: {
    encoding: '""',
    source: "PRODUCT §4 (a field unset with an empty string); terraform sends the empty value on change",
    verified: false,
  },
  defaultedField: {
    encoding: "the server default",
    source: "a field with a server default cannot be unset, only reset; sending the default is equivalent",
    verified: false,
  },
  requestParameter: {
    encoding: 'the key with ""',
    source:
      'terraform resourceIntegrationUpdate: "Parameters are removed by setting the associated value to \\"\\"."',
    verified: true,
  },
  responseParametersStatusCode: {
    encoding: "the status code with {}",
    source:
      'terraform resourceIntegrationUpdate: "Parameters are removed by setting the associated value to {}."',
    verified: true,
  },
  requestTemplates: {
    encoding: "the whole desired map, no markers",
    source: "terraform sends the whole map; whether the service merges or replaces it is unsettled",
    verified: false,
  },
  tlsConfig: {
    encoding: "{}",
    source: "terraform expandTLSConfig() sends an empty TlsConfigInput when tls_config is removed",
    verified: false,
  },
} as const;
