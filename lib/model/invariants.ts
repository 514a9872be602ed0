/**
 * What the service requires of an integration as a whole, across its fields: the rules an
 * UpdateIntegration's result must keep, or the service refuses the whole request. Each with its source.
 * The plan checks the integration an update would leave behind against them, so a declaration that only
 * makes sense with another integration type (a changed type, payloadFormatVersion 2.0 over a live
 * HTTP_PROXY, a URI set to null) is reported before any write, naming what to declare, instead of coming
 * back as a 400.
 */
import type { IntegrationField } from "./fields.ts";
import type { Protocol } from "./service.ts";

export interface Violation {
  rule: string;
  /** The field to declare or change. */
  field: IntegrationField;
  message: string;
}

interface Invariant {
  rule: string;
  source: string;
  check(i: Readonly<Record<string, unknown>>, protocol: Protocol): Omit<Violation, "rule"> | undefined;
}

/** Types that call a backend by URI: everything but MOCK (an AWS service integration names no URI). */
const URI_TYPES = ["AWS", "AWS_PROXY", "HTTP", "HTTP_PROXY"];
const METHOD_TYPES = ["HTTP", "HTTP_PROXY"];

const lambda = (i: Readonly<Record<string, unknown>>) =>
  i.integrationType === "AWS_PROXY" && i.integrationSubtype === undefined;

export const INVARIANTS: readonly Invariant[] = [
  {
    rule: "subtype-needs-aws-proxy",
    source: 'API reference, integrationSubtype: "Supported only for HTTP API AWS_PROXY integrations."',
    check: (i) =>
      i.integrationSubtype !== undefined && i.integrationType !== "AWS_PROXY"
        ? {
            field: "integrationType",
            message: `an AWS service integration (integrationSubtype ${String(i.integrationSubtype)}) must be AWS_PROXY, not ${String(i.integrationType)}`,
          }
        : undefined,
  },
  {
    rule: "lambda-post",
    source:
      'service-facts #7: "HttpMethod must be POST for AWS_PROXY IntegrationType" (terraform-provider-aws #42391)',
    check: (i) =>
      lambda(i) && i.integrationMethod !== undefined && i.integrationMethod !== "POST"
        ? {
            field: "integrationMethod",
            message: `a Lambda proxy (AWS_PROXY) integration takes only integrationMethod POST, and it would keep ${String(i.integrationMethod)}; declare integrationMethod: POST`,
          }
        : undefined,
  },
  {
    rule: "payload-2.0-lambda-only",
    source:
      'API reference, payloadFormatVersion: "For HTTP APIs, supported values for Lambda proxy integrations are 1.0 and 2.0. For all other integrations, 1.0 is the only supported value."',
    check: (i, protocol) =>
      i.payloadFormatVersion === "2.0" && !(lambda(i) && protocol === "HTTP")
        ? {
            field: "payloadFormatVersion",
            message: `payloadFormatVersion "2.0" is only for Lambda proxy integrations of HTTP APIs, and this integration would be ${String(i.integrationType)}${i.integrationSubtype ? ` (${String(i.integrationSubtype)})` : ""}; declare payloadFormatVersion: "1.0" or the type it is meant for`,
          }
        : undefined,
  },
  {
    rule: "lambda-payload-required",
    source: 'service-facts #22: an HTTP API Lambda integration "must specify a payloadFormatVersion"',
    check: (i, protocol) =>
      protocol === "HTTP" && lambda(i) && i.payloadFormatVersion === undefined
        ? {
            field: "payloadFormatVersion",
            message:
              'a Lambda proxy integration of an HTTP API needs a payloadFormatVersion, and it would have none; declare payloadFormatVersion: "2.0" (or "1.0")',
          }
        : undefined,
  },
  {
    rule: "uri-required",
    source:
      'service-facts #21: integrationUri rejects an empty reset where the type requires it; #17: "Invalid integration URI specified"',
    check: (i) =>
      URI_TYPES.includes(String(i.integrationType)) &&
      i.integrationSubtype === undefined &&
      i.integrationUri === undefined
        ? {
            field: "integrationUri",
            message: `a ${String(i.integrationType)} integration needs an integrationUri, and it would have none; declare the integrationUri`,
          }
        : undefined,
  },
  {
    rule: "method-required",
    source: "service-facts #21: integrationMethod rejects an empty reset where the type requires it",
    check: (i) =>
      METHOD_TYPES.includes(String(i.integrationType)) && i.integrationMethod === undefined
        ? {
            field: "integrationMethod",
            message: `a ${String(i.integrationType)} integration needs an integrationMethod, and it would have none; declare the integrationMethod`,
          }
        : undefined,
  },
];

/** The rules `integration` breaks. */
export function violations(integration: Readonly<Record<string, unknown>>, protocol: Protocol): Violation[] {
  const out: Violation[] = [];
  for (const invariant of INVARIANTS) {
    const broken = invariant.check(integration, protocol);
    if (broken) out.push({ rule: invariant.rule, ...broken });
  }
  return out;
}
