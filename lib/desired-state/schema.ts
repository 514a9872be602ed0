import { z } from "zod";
import {
  CONNECTION_TYPES,
  CONTENT_HANDLING_STRATEGIES,
  INTEGRATION_FIELDS,
  INTEGRATION_METHODS,
  INTEGRATION_TYPES,
  INTEGRATION_TYPES_BY_PROTOCOL,
  type IntegrationField,
  PASSTHROUGH_BEHAVIORS,
  PAYLOAD_FORMAT_VERSIONS,
  PROTOCOLS,
  type Protocol,
  TIMEOUT_RANGE,
} from "../facts/integration.ts";

/**
 * The desired-state file format: ONE source for the TypeScript types, the validator and the JSON Schema
 * committed under `schema/`. Per-protocol rules that JSON Schema can express (which fields, which
 * integration types, timeout ranges) live here; rules across fields live in `rules.ts`.
 */

export const API_ID = /^[a-z0-9]{1,64}$/;
export const INTEGRATION_ID = /^[a-z0-9]{1,64}$/;
export const ACCOUNT_ID = /^\d{12}$/;
export const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
/** A non-empty RFC 6901 pointer. */
export const POINTER = /^(\/([^~/]|~[01])*)+$/;
/** API reference: "The selection key must be a valid HTTP status code within the range of 200-599." */
export const STATUS_CODE = /^[2-5]\d\d$/;

/** Protocol used when a file's own protocol is unreadable: every field, the widest ranges. */
export type SchemaProtocol = Protocol | "ANY";

const DESCRIPTIONS: Record<IntegrationField, string> = {
  connectionId: "The ID of the VPC link for a private integration (HTTP APIs).",
  connectionType: "INTERNET (default) or VPC_LINK.",
  contentHandlingStrategy: "Response payload conversion (WebSocket APIs).",
  credentialsArn: "The IAM role API Gateway assumes, or arn:aws:iam::*:user/* for caller credentials.",
  description: "The integration's description.",
  integrationMethod: "The HTTP method used to call the backend; POST for Lambda proxy integrations.",
  integrationSubtype: "The AWS service action of an HTTP API AWS_PROXY integration, e.g. SQS-SendMessage.",
  integrationType: "The integration type; HTTP APIs take AWS_PROXY or HTTP_PROXY.",
  integrationUri: "The Lambda function ARN, backend URL, or load balancer / Cloud Map ARN.",
  passthroughBehavior:
    "Request pass-through when no template matches (WebSocket APIs; default WHEN_NO_MATCH).",
  payloadFormatVersion: 'Payload format: "1.0", or "2.0" for Lambda proxy integrations of HTTP APIs.',
  requestParameters: "Request parameter mappings, owned whole: a live key the file lacks is drift.",
  requestTemplates: "Velocity templates keyed by content type, owned whole (WebSocket APIs).",
  responseParameters: "Response parameter mappings keyed by status code 200-599, owned whole (HTTP APIs).",
  templateSelectionExpression: "The template selection expression (WebSocket APIs).",
  timeoutInMillis:
    "Backend timeout: 50-30000 ms for HTTP APIs (default 30000), 50-29000 for WebSocket (29000).",
  tlsConfig: "TLS settings of a private (VPC_LINK) integration (HTTP APIs).",
};

const nonEmpty = z.string().min(1);
const stringMap = () => z.record(nonEmpty, z.string());

/** Each field's value schema, protocol-independent; ranges and types per protocol come in `forProtocol`. */
const FIELD_SCHEMAS = {
  connectionId: z.string(),
  connectionType: z.enum(CONNECTION_TYPES),
  contentHandlingStrategy: z.enum(CONTENT_HANDLING_STRATEGIES),
  credentialsArn: z.string(),
  description: z.string(),
  integrationMethod: z.enum(INTEGRATION_METHODS),
  integrationSubtype: z.string(),
  integrationType: z.enum(INTEGRATION_TYPES),
  integrationUri: z.string(),
  passthroughBehavior: z.enum(PASSTHROUGH_BEHAVIORS),
  payloadFormatVersion: z.enum(PAYLOAD_FORMAT_VERSIONS),
  requestParameters: stringMap(),
  requestTemplates: stringMap(),
  responseParameters: z.record(z.string().regex(STATUS_CODE), stringMap()),
  templateSelectionExpression: z.string(),
  timeoutInMillis: z.int().min(TIMEOUT_RANGE.HTTP.min).max(TIMEOUT_RANGE.HTTP.max),
  tlsConfig: z.strictObject({ serverNameToVerify: z.string().nullable().optional() }),
} satisfies Record<IntegrationField, z.ZodType>;

const described = <T extends z.ZodType>(field: IntegrationField, schema: T) =>
  schema.meta({ description: DESCRIPTIONS[field] });
// `null` means "must be absent"; an integration always has a type, so that one cannot be null.
const owned = <T extends z.ZodType>(field: IntegrationField, schema: T) =>
  described(field, schema).nullable().optional();

const ignoreList = (scope: string) =>
  z.array(z.string().regex(POINTER)).meta({
    description: `JSON Pointers never reported nor applied, for ${scope}; a pointer covers all below it.`,
  });

/** One integration's declaration, every field of every protocol: the type the core works with. */
export const anyIntegrationSchema = z.strictObject({
  connectionId: owned("connectionId", FIELD_SCHEMAS.connectionId),
  connectionType: owned("connectionType", FIELD_SCHEMAS.connectionType),
  contentHandlingStrategy: owned("contentHandlingStrategy", FIELD_SCHEMAS.contentHandlingStrategy),
  credentialsArn: owned("credentialsArn", FIELD_SCHEMAS.credentialsArn),
  description: owned("description", FIELD_SCHEMAS.description),
  integrationMethod: owned("integrationMethod", FIELD_SCHEMAS.integrationMethod),
  integrationSubtype: owned("integrationSubtype", FIELD_SCHEMAS.integrationSubtype),
  integrationType: described("integrationType", FIELD_SCHEMAS.integrationType).optional(),
  integrationUri: owned("integrationUri", FIELD_SCHEMAS.integrationUri),
  passthroughBehavior: owned("passthroughBehavior", FIELD_SCHEMAS.passthroughBehavior),
  payloadFormatVersion: owned("payloadFormatVersion", FIELD_SCHEMAS.payloadFormatVersion),
  requestParameters: owned("requestParameters", FIELD_SCHEMAS.requestParameters),
  requestTemplates: owned("requestTemplates", FIELD_SCHEMAS.requestTemplates),
  responseParameters: owned("responseParameters", FIELD_SCHEMAS.responseParameters),
  templateSelectionExpression: owned(
    "templateSelectionExpression",
    FIELD_SCHEMAS.templateSelectionExpression,
  ),
  timeoutInMillis: owned("timeoutInMillis", FIELD_SCHEMAS.timeoutInMillis),
  tlsConfig: owned("tlsConfig", FIELD_SCHEMAS.tlsConfig),
  ignore: ignoreList("this integration").optional(),
});

export type DesiredIntegration = z.infer<typeof anyIntegrationSchema>;

/** The schema of one integration's declaration for `protocol`: only its fields, its types, its ranges. */
export function integrationSchema(protocol: SchemaProtocol) {
  if (protocol === "ANY") return anyIntegrationSchema;
  const { min, max } = TIMEOUT_RANGE[protocol];
  const mask: Partial<Record<keyof DesiredIntegration, true>> = { ignore: true };
  for (const [field, fact] of Object.entries(INTEGRATION_FIELDS)) {
    if ((fact.protocols as readonly Protocol[]).includes(protocol)) mask[field as IntegrationField] = true;
  }
  return anyIntegrationSchema.pick(mask).extend({
    integrationType: described("integrationType", z.enum(INTEGRATION_TYPES_BY_PROTOCOL[protocol])).optional(),
    timeoutInMillis: owned("timeoutInMillis", z.int().min(min).max(max)),
  });
}

const documentBase = z.strictObject({
  apiId: z.string().regex(API_ID).meta({ description: "The API's identifier (GetApis' apiId)." }),
  protocol: z
    .enum(PROTOCOLS)
    .meta({ description: "HTTP or WEBSOCKET; must match the live API's protocolType." }),
  account: z
    .string()
    .regex(ACCOUNT_ID)
    .optional()
    .meta({ description: "Guard: the 12-digit AWS account that owns the API (quote it)." }),
  region: z.string().regex(REGION).optional().meta({ description: "Guard: the AWS Region of the API." }),
  prune: z.boolean().optional().meta({
    description: "Delete live integrations this file does not list (never API-Gateway-managed ones).",
  }),
  ignore: ignoreList("every integration of this API").optional(),
});

/** One desired-state file, any protocol. */
export type DesiredDocument = z.infer<typeof documentBase> & {
  integrations: Record<string, DesiredIntegration>;
};

/** The schema of a whole desired-state file for `protocol`. */
export function documentSchema(protocol: SchemaProtocol) {
  return documentBase.extend({
    protocol: (protocol === "ANY" ? z.enum(PROTOCOLS) : z.literal(protocol)).meta({
      description: "HTTP or WEBSOCKET; must match the live API's protocolType.",
    }),
    integrations: z
      .record(z.string().regex(INTEGRATION_ID), integrationSchema(protocol))
      .meta({ description: "Integrations keyed by integrationId; only the fields declared are owned." }),
  });
}

/** The JSON Schema for editors: one branch per protocol, so completion offers only that protocol's fields. */
export function desiredStateJsonSchema(): Record<string, unknown> {
  const union = z.discriminatedUnion("protocol", [documentSchema("HTTP"), documentSchema("WEBSOCKET")]);
  return {
    ...z.toJSONSchema(union, { target: "draft-2020-12" }),
    $id: "https://github.com/apigw-drift/apigw-drift/schema/desired-state.schema.json",
    title: "apigw-drift desired state",
    description: "Desired settings of one API Gateway v2 API's integrations. Generated by `npm run schema`.",
  };
}
