import { isPointer, parsePointer } from "../diff/pointer.ts";
import { isIntegrationField, supports } from "../model/fields.ts";
import type { IssueMessage } from "./messages.ts";
import { apiKind } from "./messages.ts";
import { POINTER, type SchemaProtocol } from "./schema.ts";

/**
 * Rules across fields that a schema cannot say: declarations that can never converge, and the key forms
 * of parameter maps. They read the raw document defensively, since it may also have schema errors.
 * With protocol "ANY" (the file's protocol is unreadable) only the rules that hold for both protocols run.
 */
export function checkRules(doc: unknown, protocol: SchemaProtocol): IssueMessage[] {
  const out: IssueMessage[] = [];
  if (!isRecord(doc)) return out;
  checkIgnore(doc.ignore, ["ignore"], protocol, out);
  if (!isRecord(doc.integrations)) return out;
  for (const [id, integration] of Object.entries(doc.integrations)) {
    if (isRecord(integration)) checkIntegration(integration, id, protocol, out);
  }
  return out;
}

// Developer guide, "Transforming API requests and responses" (HTTP APIs): header and querystring take
// append, overwrite or remove; the path is only overwritten as a whole.
const HTTP_REQUEST_KEY = /^((append|overwrite|remove):(header|querystring|path)\.\S+|overwrite:path)$/;
// API reference, IntegrationParameters for WebSocket APIs.
const WEBSOCKET_REQUEST_KEY = /^integration\.request\.(header|querystring|path)\.\S+$/;
// API reference, ResponseParameters: "<action>:<header>.<location> or overwrite.statuscode" (the developer
// guide writes it overwrite:statuscode, which is what the service accepts).
const RESPONSE_KEY = /^((append|overwrite|remove):header\.\S+|overwrite:statuscode)$/;

/**
 * The rules of one integration. Runs for every integration of every file, most of them valid: nothing is
 * allocated until there is something to report (the path is built then, from `id`).
 */
function checkIntegration(
  i: Record<string, unknown>,
  id: string,
  protocol: SchemaProtocol,
  out: IssueMessage[],
): void {
  const push = (field: string, message: string, key?: string, atKey = key !== undefined) =>
    out.push({
      path: key === undefined ? ["integrations", id, field] : ["integrations", id, field, key],
      atKey,
      message,
    });
  const type = i.integrationType;
  const subtype = typeof i.integrationSubtype === "string" ? i.integrationSubtype : undefined;

  if (subtype !== undefined && typeof type === "string" && type !== "AWS_PROXY") {
    push(
      "integrationSubtype",
      `integrationSubtype applies only to AWS_PROXY integrations, and this one is ${type}; remove it`,
    );
  }
  if (isRecord(i.tlsConfig) && !Object.values(i.tlsConfig).some((v) => v !== null && v !== "")) {
    // PRODUCT §4: an empty object compares as absent, because the service may drop it or echo it (#23).
    push(
      "tlsConfig",
      "tlsConfig is empty, which reads the same as no tlsConfig (the service may drop an empty one or echo it back, so the two cannot be told apart); declare serverNameToVerify, or write tlsConfig: null to require none",
      undefined,
      true,
    );
  } else if (isRecord(i.tlsConfig) && i.connectionType !== "VPC_LINK") {
    push(
      "tlsConfig",
      "tlsConfig applies only to private integrations: declare connectionType: VPC_LINK with it, or remove it (the service ignores it on INTERNET integrations, so it would never converge)",
      undefined,
      true,
    );
  }
  if (type === "AWS_PROXY" && subtype === undefined && typeof i.integrationMethod === "string") {
    if (i.integrationMethod !== "POST") {
      push(
        "integrationMethod",
        `Lambda proxy (AWS_PROXY) integrations must use integrationMethod: POST, not ${i.integrationMethod}`,
      );
    }
  }
  // API reference, payloadFormatVersion: "For HTTP APIs, supported values for Lambda proxy integrations are
  // 1.0 and 2.0. For all other integrations, 1.0 is the only supported value."
  if (i.payloadFormatVersion === "2.0") {
    if (typeof type === "string" && type !== "AWS_PROXY") {
      push(
        "payloadFormatVersion",
        `payloadFormatVersion "2.0" is only for Lambda proxy (AWS_PROXY) integrations; use "1.0" for ${type}`,
      );
    } else if (subtype !== undefined) {
      push(
        "payloadFormatVersion",
        `payloadFormatVersion "2.0" is only for Lambda proxy integrations; an AWS service integration (integrationSubtype ${subtype}) takes "1.0"`,
      );
    } else if (protocol === "WEBSOCKET") {
      push(
        "payloadFormatVersion",
        `payloadFormatVersion "2.0" is only for Lambda proxy integrations of HTTP APIs; WebSocket APIs take "1.0"`,
      );
    }
  }

  if (isRecord(i.requestParameters)) {
    const parameters = i.requestParameters;
    for (const key in parameters) {
      if (!Object.hasOwn(parameters, key)) continue;
      const value = parameters[key];
      if (value === "") push("requestParameters", emptyValue("requestParameters", key), key);
      if (protocol === "WEBSOCKET" && !WEBSOCKET_REQUEST_KEY.test(key)) {
        push(
          "requestParameters",
          `request parameter "${key}" has the wrong form; WebSocket APIs take integration.request.<header|querystring|path>.<name>`,
          key,
        );
      }
      if (protocol === "HTTP" && subtype === undefined && !HTTP_REQUEST_KEY.test(key)) {
        push(
          "requestParameters",
          `request parameter "${key}" has the wrong form; HTTP APIs take <append|overwrite|remove>:<header|querystring|path>.<name> (or declare integrationSubtype for an AWS service integration)`,
          key,
        );
      }
    }
  }
  if (isRecord(i.responseParameters)) {
    const responses = i.responseParameters;
    for (const code in responses) {
      const mappings = responses[code];
      if (!Object.hasOwn(responses, code) || !isRecord(mappings)) continue;
      for (const key in mappings) {
        if (!Object.hasOwn(mappings, key)) continue;
        const value = mappings[key];
        const path = () => ["integrations", id, "responseParameters", code, key];
        if (value === "")
          out.push({ path: path(), atKey: true, message: emptyValue(`responseParameters/${code}`, key) });
        if (!RESPONSE_KEY.test(key)) {
          out.push({
            path: path(),
            atKey: true,
            message: `response parameter "${key}" has the wrong form; use <append|overwrite|remove>:header.<name> or overwrite:statuscode`,
          });
        }
      }
    }
  }
  if (i.ignore !== undefined) checkIgnore(i.ignore, ["integrations", id, "ignore"], protocol, out);
}

function emptyValue(map: string, key: string): string {
  return `${map} "${key}" has an empty value, which UpdateIntegration reads as "remove"; to require that the key be absent, leave it out (the map is owned whole)`;
}

function checkIgnore(list: unknown, at: string[], protocol: SchemaProtocol, out: IssueMessage[]): void {
  if (!Array.isArray(list)) return;
  list.forEach((item, index) => {
    // An entry is a pointer, or a map whose `path` is one.
    const entry = isRecord(item) ? item.path : item;
    const where = isRecord(item) ? [...at, String(index), "path"] : [...at, String(index)];
    if (typeof entry !== "string" || !POINTER.test(entry) || !isPointer(entry)) return;
    const field = parsePointer(entry)[0]!;
    // Own keys only: "/toString" names no field.
    if (!isIntegrationField(field)) {
      out.push({
        path: where,
        atKey: false,
        message: `ignore entry ${JSON.stringify(entry)} names no integration field; pointers start at an integration's fields, e.g. /description`,
      });
    } else if (protocol !== "ANY" && !supports(field, protocol)) {
      out.push({
        path: where,
        atKey: false,
        message: `ignore entry ${JSON.stringify(entry)} names ${field}, which ${apiKind(protocol)} do not have; remove it`,
      });
    }
  });
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
