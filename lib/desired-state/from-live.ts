import { stringify } from "yaml";
import { type LiveIntegration, normaliseField } from "../diff/normalise.ts";
import {
  INTEGRATION_FIELDS,
  type IntegrationField,
  type Protocol,
  serverDefault,
} from "../facts/integration.ts";
import type { DesiredDocument, DesiredIntegration } from "./schema.ts";

/** The order fields are written in: identity first, maps last, as people read an integration. */
const FIELD_ORDER: IntegrationField[] = [
  "description",
  "integrationType",
  "integrationSubtype",
  "integrationUri",
  "integrationMethod",
  "connectionType",
  "connectionId",
  "credentialsArn",
  "payloadFormatVersion",
  "timeoutInMillis",
  "passthroughBehavior",
  "contentHandlingStrategy",
  "templateSelectionExpression",
  "tlsConfig",
  "requestParameters",
  "requestTemplates",
  "responseParameters",
];

export interface ImportedApi {
  doc: DesiredDocument;
  /** Integrations left out, with why. */
  skipped: { integrationId: string; reason: string }[];
}

/**
 * A desired-state document that declares what is live now: every field the protocol supports, except
 * read-only fields, unset fields and values equal to the server default, so that a plan right after the
 * import is IN_SYNC. Integrations API Gateway manages are left out: the service owns them.
 */
export function desiredFromLive(
  api: { apiId: string; protocolType: string },
  live: readonly LiveIntegration[],
  guards: { account?: string; region?: string } = {},
): ImportedApi {
  const protocol = api.protocolType as Protocol;
  const skipped: ImportedApi["skipped"] = [];
  const integrations: Record<string, DesiredIntegration> = {};
  for (const integration of [...live].sort((a, b) => (a.integrationId < b.integrationId ? -1 : 1))) {
    if (integration.apiGatewayManaged === true) {
      skipped.push({
        integrationId: integration.integrationId,
        reason: "API Gateway manages it (quick create)",
      });
      continue;
    }
    const declared: Record<string, unknown> = {};
    for (const field of FIELD_ORDER) {
      if (!(INTEGRATION_FIELDS[field].protocols as readonly string[]).includes(protocol)) continue;
      const value = normaliseField(field, integration[field], protocol, integration.integrationType);
      if (value === undefined || value === serverDefault(protocol, field, integration.integrationType))
        continue;
      if (INTEGRATION_FIELDS[field].kind !== "tlsConfig" && isEmptyMap(value)) continue;
      declared[field] = value;
    }
    integrations[integration.integrationId] = declared as DesiredIntegration;
  }
  const doc: DesiredDocument = {
    apiId: api.apiId,
    protocol,
    ...(guards.account ? { account: guards.account } : {}),
    ...(guards.region ? { region: guards.region } : {}),
    integrations,
  };
  return { doc, skipped };
}

/** The document as a desired-state file, with the schema comment editors use. */
export function renderDesiredYaml(
  doc: DesiredDocument,
  schemaPath = "../schema/desired-state.schema.json",
): string {
  return `# yaml-language-server: $schema=${schemaPath}\n${stringify(doc, { lineWidth: 0 })}`;
}

function isEmptyMap(v: unknown): boolean {
  return typeof v === "object" && v !== null && Object.keys(v).length === 0;
}
