/**
 * The field model: one row per integration field (UpdateIntegrationInput's members) with everything the
 * product knows about it — its codec (how it is compared, encoded, removed, walked for secrets and
 * validated), the protocols that take it, the server default per protocol and integration type, how it is
 * unset, and what AWS service integrations need of it — each with its source. diff, plan/update, import,
 * redaction and validation read this table; none of them switches on a field's kind.
 *
 * "API reference" is the Integration page of the API Gateway v2 API reference (`shared/seeds/`);
 * "terraform" is terraform-provider-aws `internal/service/apigatewayv2/integration.go`; "#N" is row N of
 * `shared/research/service-facts.md`. Rows marked `verified: false` are listed in the README as unverified.
 */
import {
  type Codec,
  enumCodec,
  type FieldContext,
  integerCodec,
  parameterMapCodec,
  responseMapCodec,
  type Scalar,
  stringCodec,
  structureCodec,
  templateMapCodec,
  type Unset,
} from "./codecs.ts";
import {
  CONNECTION_TYPES,
  CONTENT_HANDLING_STRATEGIES,
  INTEGRATION_METHODS,
  INTEGRATION_TYPES,
  INTEGRATION_TYPES_BY_PROTOCOL,
  PASSTHROUGH_BEHAVIORS,
  PAYLOAD_FORMAT_VERSIONS,
  type Protocol,
} from "./service.ts";

/** A value the service fills in when the field is unset, for the integrations `when` describes. */
export interface DefaultRule {
  value: Scalar;
  when?: {
    integrationTypes?: readonly string[];
    /** true: only AWS service integrations (integrationSubtype set); false: only the others. */
    subtype?: boolean;
  };
  source: string;
  verified: boolean;
}

export interface FieldRow<T = unknown> {
  codec: Codec<T>;
  /** Protocols whose integrations take the field. */
  protocols: readonly Protocol[];
  source: string;
  /** For editors (the JSON Schema) and `--help`-style documentation. */
  description: string;
  /** What the service fills in when the field is unset; the first matching rule applies. */
  defaults?: Partial<Record<Protocol, readonly DefaultRule[]>>;
  /** How the field is unset when it has no default, and why we believe so. */
  unset: { how: Unset; source: string; verified: boolean };
  /**
   * Sent again, as desired (or as live when the file does not declare it), on every UpdateIntegration of an
   * AWS service integration: without it the service re-validates the integration as URI-based (#17).
   */
  resendOnSubtypeUpdate?: string;
  /** A change of the field cannot be made in place: what to do instead, and the source. */
  immutable?: { remedy: string; source: string };
  /** The field may be declared `null` ("must be absent"); false when every integration has one. */
  nullable: boolean;
  /** Secrets can sit in the URI's userinfo and query string (redaction reads it as a URI). */
  uri?: boolean;
}

const BOTH: readonly Protocol[] = ["HTTP", "WEBSOCKET"];
const HTTP_ONLY: readonly Protocol[] = ["HTTP"];
const WEBSOCKET_ONLY: readonly Protocol[] = ["WEBSOCKET"];

/** API reference: "Custom timeout between 50 and 29,000 milliseconds for WebSocket APIs and between 50 and
 * 30,000 milliseconds for HTTP APIs." */
export const TIMEOUT_RANGE: Record<Protocol, { min: number; max: number }> = {
  HTTP: { min: 50, max: 30_000 },
  WEBSOCKET: { min: 50, max: 29_000 },
};

const EMPTY_STRING_UNSET = {
  how: "emptyString",
  source: 'PRODUCT §4: a field is unset with ""; #20 (go-to-k/cdkd, live-probed) for description only',
  verified: false,
} as const;
const MAP_UNSET = {
  how: "emptyString",
  source: "maps are never unset whole: their keys are removed by the codec's own encoding",
  verified: true,
} as const;

/** The fields a desired-state file may declare. */
export const FIELDS = {
  connectionId: {
    codec: stringCodec(),
    protocols: BOTH,
    source:
      'API reference says "Supported only for HTTP APIs", but WebSocket private integrations take a REST VPC link id (#19: terraform TestAccAPIGatewayV2Integration_vpcLinkWebSocket, AWS whitepaper)',
    description:
      "The VPC link of a private integration: a VPC link (HTTP APIs) or a REST-API VPC link (WebSocket APIs).",
    unset: EMPTY_STRING_UNSET,
    nullable: true,
  },
  connectionType: {
    codec: enumCodec(CONNECTION_TYPES),
    protocols: BOTH,
    source: "API reference: ConnectionType",
    description: "INTERNET (default) or VPC_LINK.",
    defaults: {
      HTTP: [
        { value: "INTERNET", source: 'API reference: "The default value is INTERNET."', verified: true },
      ],
      WEBSOCKET: [
        { value: "INTERNET", source: 'API reference: "The default value is INTERNET."', verified: true },
      ],
    },
    unset: EMPTY_STRING_UNSET,
    nullable: true,
  },
  contentHandlingStrategy: {
    codec: enumCodec(CONTENT_HANDLING_STRATEGIES),
    protocols: WEBSOCKET_ONLY,
    source: 'API reference: "Supported only for WebSocket APIs."',
    description: "Response payload conversion (WebSocket APIs).",
    unset: EMPTY_STRING_UNSET,
    nullable: true,
  },
  credentialsArn: {
    codec: stringCodec(),
    protocols: BOTH,
    source: "API reference",
    description: "The IAM role API Gateway assumes, or arn:aws:iam::*:user/* for caller credentials.",
    unset: EMPTY_STRING_UNSET,
    nullable: true,
  },
  description: {
    codec: stringCodec(),
    protocols: BOTH,
    source: "API reference",
    description: "The integration's description.",
    unset: {
      how: "emptyString",
      source: '#20: "" clears it (go-to-k/cdkd PR #1163, live-probed against AWS)',
      verified: true,
    },
    nullable: true,
  },
  integrationMethod: {
    codec: enumCodec(INTEGRATION_METHODS),
    protocols: BOTH,
    source: "API reference; terraform validHTTPMethod()",
    description: "The HTTP method used to call the backend; POST for Lambda proxy integrations.",
    defaults: {
      HTTP: [
        {
          value: "POST",
          when: { integrationTypes: ["AWS_PROXY"], subtype: false },
          source:
            "#22: GET shows POST on Lambda proxy integrations (AWS CLI examples, terraform acceptance tests); absent on AWS service integrations",
          verified: true,
        },
      ],
      WEBSOCKET: [
        {
          value: "POST",
          when: { integrationTypes: ["AWS"] },
          source:
            "#22: POST on WebSocket AWS (Lambda) integrations (terraform TestAccAPIGatewayV2Integration_lambdaWebSocket reads it back)",
          verified: true,
        },
        {
          value: "POST",
          when: { integrationTypes: ["AWS_PROXY"] },
          source:
            'terraform DiffSuppressFunc "Default HTTP method for Lambda integration is POST"; API reference: a WebSocket Lambda integration "must set the integration method to POST". #22 covers AWS only: no test reads it back on AWS_PROXY',
          verified: false,
        },
      ],
    },
    unset: {
      how: "never",
      source: "#21: integrationMethod rejects an empty reset where the type requires it",
      verified: false,
    },
    nullable: true,
  },
  integrationSubtype: {
    codec: stringCodec(),
    protocols: HTTP_ONLY,
    source: 'API reference: "Supported only for HTTP API AWS_PROXY integrations."',
    description: "The AWS service action of an HTTP API AWS_PROXY integration, e.g. SQS-SendMessage.",
    unset: {
      how: "never",
      source: "#21: terraform marks integration_subtype ForceNew; it cannot be cleared in place",
      verified: true,
    },
    resendOnSubtypeUpdate:
      '#17: without it the service answers 400 "Invalid integration URI specified" (go-to-k/cdkd #1603, A/B-probed on AWS)',
    immutable: {
      remedy: "delete the integration and create it with the new subtype, or declare the live one",
      source: "#21: terraform marks integration_subtype ForceNew",
    },
    nullable: true,
  },
  integrationType: {
    codec: enumCodec(INTEGRATION_TYPES, INTEGRATION_TYPES_BY_PROTOCOL),
    protocols: BOTH,
    source: "API reference: IntegrationType",
    description: "The integration type; HTTP APIs take AWS_PROXY or HTTP_PROXY.",
    unset: { how: "never", source: "#21: every integration has a type", verified: true },
    resendOnSubtypeUpdate:
      "#17: terraform always sends integrationType with the subtype (PR #15894); the cdkd probe sends both",
    nullable: false,
  },
  integrationUri: {
    codec: stringCodec(),
    protocols: BOTH,
    source: "API reference",
    description: "The Lambda function ARN, backend URL, or load balancer / Cloud Map ARN.",
    unset: EMPTY_STRING_UNSET,
    nullable: true,
    uri: true,
  },
  passthroughBehavior: {
    codec: enumCodec(PASSTHROUGH_BEHAVIORS),
    protocols: WEBSOCKET_ONLY,
    source: 'API reference: "Supported only for WebSocket APIs."',
    description: "Request pass-through when no template matches (WebSocket APIs; default WHEN_NO_MATCH).",
    defaults: {
      WEBSOCKET: [
        {
          value: "WHEN_NO_MATCH",
          source:
            'terraform schema Default WHEN_NO_MATCH; API reference: WHEN_NO_MATCH "passes the request body ... through"',
          verified: false,
        },
      ],
    },
    unset: EMPTY_STRING_UNSET,
    nullable: true,
  },
  payloadFormatVersion: {
    codec: enumCodec(PAYLOAD_FORMAT_VERSIONS),
    protocols: BOTH,
    source: 'API reference: "Required for HTTP APIs."',
    description: 'Payload format: "1.0", or "2.0" for Lambda proxy integrations of HTTP APIs.',
    defaults: {
      HTTP: [
        {
          value: "1.0",
          when: { integrationTypes: ["HTTP_PROXY"] },
          source:
            'terraform schema Default "1.0"; API reference: "For all other integrations, 1.0 is the only supported value."',
          verified: false,
        },
        {
          value: "1.0",
          when: { integrationTypes: ["AWS_PROXY"], subtype: true },
          source: 'API reference: "For all other integrations, 1.0 is the only supported value."',
          verified: false,
        },
      ],
      WEBSOCKET: [
        {
          value: "1.0",
          source: '#22: GET shows payloadFormatVersion "1.0" on WebSocket integrations (AWS CLI examples)',
          verified: true,
        },
      ],
    },
    unset: {
      how: "never",
      source: "#21: payloadFormatVersion rejects an empty reset where the type requires it",
      verified: false,
    },
    nullable: true,
  },
  requestParameters: {
    codec: parameterMapCodec(),
    protocols: BOTH,
    source:
      'API reference: IntegrationParameters; terraform: "Parameters are removed by setting the associated value to \\"\\"" (#10); AWS service integrations refuse "" (#11)',
    description: "Request parameter mappings, owned whole: a live key the file lacks is drift.",
    unset: MAP_UNSET,
    resendOnSubtypeUpdate:
      "#17: terraform re-sends unchanged request parameters, some are required per action (#22647)",
    nullable: true,
  },
  requestTemplates: {
    codec: templateMapCodec(),
    protocols: WEBSOCKET_ONLY,
    source:
      'API reference: "Supported only for WebSocket APIs."; sent whole, never with a "" marker (#12: "" is a valid template body)',
    description: "Velocity templates keyed by content type, owned whole (WebSocket APIs).",
    unset: MAP_UNSET,
    nullable: true,
  },
  responseParameters: {
    codec: responseMapCodec(),
    protocols: HTTP_ONLY,
    source:
      'API reference: "Supported only for HTTP APIs."; terraform: a status code "removed by setting the associated value to {}" (#10)',
    description: "Response parameter mappings keyed by status code 200-599, owned whole (HTTP APIs).",
    unset: MAP_UNSET,
    nullable: true,
  },
  templateSelectionExpression: {
    codec: stringCodec(),
    protocols: WEBSOCKET_ONLY,
    source: 'API reference: "Supported only for WebSocket APIs."',
    description: "The template selection expression (WebSocket APIs).",
    unset: EMPTY_STRING_UNSET,
    nullable: true,
  },
  timeoutInMillis: {
    codec: integerCodec(TIMEOUT_RANGE),
    protocols: BOTH,
    source: "API reference (range per protocol)",
    description:
      "Backend timeout: 50-30000 ms for HTTP APIs (default 30000), 50-29000 for WebSocket (29000).",
    defaults: {
      HTTP: [
        {
          value: 30_000,
          source: 'API reference: "The default timeout is ... 30 seconds for HTTP APIs."',
          verified: true,
        },
      ],
      WEBSOCKET: [
        {
          value: 29_000,
          source: 'API reference: "The default timeout is 29 seconds for WebSocket APIs."',
          verified: true,
        },
      ],
    },
    unset: EMPTY_STRING_UNSET,
    nullable: true,
  },
  tlsConfig: {
    codec: structureCodec(["serverNameToVerify"]),
    protocols: HTTP_ONLY,
    source:
      'API reference: "Supported only for HTTP APIs"; removed with {} (terraform expandTLSConfig); {} echoed back is read as absent (#23)',
    description: "TLS settings of a private (VPC_LINK) integration (HTTP APIs).",
    unset: MAP_UNSET,
    nullable: true,
  },
} as const satisfies Record<string, FieldRow>;

export type IntegrationField = keyof typeof FIELDS;

/** The value type a field's codec works with (`string`, an enum's values, `number`, a map). */
export type FieldValue<F extends IntegrationField> =
  (typeof FIELDS)[F]["codec"] extends Codec<infer T> ? T : never;

export const FIELD_NAMES = Object.keys(FIELDS).sort() as IntegrationField[];

/** True for the names of declarable fields. Own keys only: "toString" or "constructor" are not fields. */
export function isIntegrationField(name: string): name is IntegrationField {
  return Object.hasOwn(FIELDS, name);
}

/** The row of a field, typed loosely for code that walks every field. */
export function rowOf(field: IntegrationField): FieldRow {
  return FIELDS[field] as FieldRow;
}

export function supports(field: IntegrationField, protocol: Protocol): boolean {
  return rowOf(field).protocols.includes(protocol);
}

/** The fields of one protocol, in name order. */
export function fieldsOf(protocol: Protocol): IntegrationField[] {
  return FIELD_NAMES.filter((f) => supports(f, protocol));
}

/** The integration's context from its declaration and its live state (the declaration wins where it speaks). */
export function contextOf(
  protocol: Protocol,
  desired: Record<string, unknown> | undefined,
  live: Record<string, unknown> | undefined,
): FieldContext {
  const pick = (field: string): string | undefined => {
    const d = desired?.[field];
    if (desired && Object.hasOwn(desired, field) && d !== undefined)
      return typeof d === "string" && d !== "" ? d : undefined;
    const l = live?.[field];
    return typeof l === "string" && l !== "" ? l : undefined;
  };
  return { protocol, integrationType: pick("integrationType"), subtype: pick("integrationSubtype") };
}

/** What the service fills in for `field` when it is unset, in this context; undefined when nothing. */
export function serverDefault(field: IntegrationField, context: FieldContext): Scalar | undefined {
  const rules = rowOf(field).defaults?.[context.protocol] ?? [];
  for (const rule of rules) {
    const when = rule.when;
    if (when?.integrationTypes && !when.integrationTypes.includes(String(context.integrationType))) continue;
    if (when?.subtype !== undefined && when.subtype !== (context.subtype !== undefined)) continue;
    return rule.value;
  }
  return undefined;
}

/**
 * True when the field's two values, not normalised, are known to compare equal: the codec's allocation-free
 * check, for fields without a server default (a default would stand in for an unset side). False means
 * "compare them", not "they differ".
 */
export function sameField(field: IntegrationField, desired: unknown, live: unknown): boolean {
  const row = rowOf(field);
  return row.defaults === undefined && row.codec.same?.(desired, live) === true;
}

/**
 * The value of one field as the comparison sees it: equivalent spellings compare equal (absent, `null`,
 * `""`, `{}` are "not set"), and a field that is not set takes its server default where it has one.
 */
export function normaliseField(field: IntegrationField, value: unknown, context: FieldContext): unknown {
  return rowOf(field).codec.normalise(value) ?? serverDefault(field, context);
}
