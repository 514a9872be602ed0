import { stringify } from "yaml";
import { redactValue } from "../diff/redact.ts";
import { contextOf, type IntegrationField, rowOf, serverDefault, supports } from "../model/fields.ts";
import type { LiveIntegration } from "../model/live.ts";
import type { Protocol } from "../model/service.ts";
import type { DesiredDocument, DesiredIntegration } from "./schema.ts";

/**
 * What import writes instead of a live secret: a file meant for git never holds one. It is a valid value,
 * so the file validates; the plan then shows the drift until someone declares the real mapping.
 */
export const SECRET_PLACEHOLDER = "REPLACE-ME: secret not imported";

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
  /** Pointers (`/integrations/<id>/<field>…`) where a live secret was replaced by SECRET_PLACEHOLDER. */
  placeholders: string[];
}

/**
 * A desired-state document that declares what is live now: every field the protocol supports, except
 * read-only fields, unset fields and values equal to the server default, so that a plan right after the
 * import is IN_SYNC. Integrations API Gateway manages are left out: the service owns them. Secret values
 * (lib/diff/redact.ts) are written as SECRET_PLACEHOLDER unless `keepSecrets` is set.
 */
export function desiredFromLive(
  api: { apiId: string; protocolType: string },
  live: readonly LiveIntegration[],
  guards: { account?: string; region?: string } = {},
  options: { keepSecrets?: boolean } = {},
): ImportedApi {
  const protocol = api.protocolType as Protocol;
  const skipped: ImportedApi["skipped"] = [];
  const placeholders: string[] = [];
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
    const context = contextOf(protocol, undefined, integration);
    for (const field of FIELD_ORDER) {
      if (!supports(field, protocol)) continue;
      const value = rowOf(field).codec.normalise(integration[field]);
      if (value === undefined || value === serverDefault(field, context)) continue;
      if (options.keepSecrets) {
        declared[field] = value;
        continue;
      }
      const safe = redactValue(`/${field}`, value, () => SECRET_PLACEHOLDER);
      if (JSON.stringify(safe) !== JSON.stringify(value)) {
        placeholders.push(`/integrations/${integration.integrationId}/${field}`);
      }
      declared[field] = safe;
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
  return { doc, skipped, placeholders };
}

/** The document as a desired-state file, with the schema comment editors use. */
export function renderDesiredYaml(
  doc: DesiredDocument,
  schemaPath = "../schema/desired-state.schema.json",
): string {
  return `# yaml-language-server: $schema=${schemaPath}\n${stringify(doc, { lineWidth: 0 })}`;
}
