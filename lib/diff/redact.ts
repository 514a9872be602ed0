import { createHmac } from "node:crypto";
import type { Diff } from "./diff.ts";
import { isRecord } from "./normalise.ts";
import { childPointer, parsePointer } from "./pointer.ts";

/** Replaces a secret value by `***` plus a short keyed hash, so a change stays visible but the value does not. */
export type Redactor = (value: string) => string;

/** Names whose values are secrets: authorization, cookie, x-api-key, anything with token/secret/password/key. */
const SENSITIVE_NAME = /authorization|cookie|api[-_]?key|token|secret|passw(or)?d|credential|session|key/i;
/** Values that carry credentials whatever their name. */
const SENSITIVE_VALUE = /^\s*'?\s*(bearer|basic|digest)\s+\S/i;
const PARAMETER_NAME =
  /^(?:(?:append|overwrite|remove):(?:header|querystring|path)\.|integration\.request\.(?:header|querystring|path)\.)(.+)$/;

/** The default hash key; deployments may set their own so hashes cannot be compared across installations. */
export const DEFAULT_REDACTION_KEY = "apigw-drift";

export function createRedactor(key: string = DEFAULT_REDACTION_KEY): Redactor {
  return (value) => `***${createHmac("sha256", key).update(value).digest("hex").slice(0, 8)}`;
}

/** True when a request or response parameter key names a secret (e.g. `overwrite:header.authorization`). */
export function isSensitiveParameter(key: string): boolean {
  const name = PARAMETER_NAME.exec(key)?.[1] ?? key;
  return SENSITIVE_NAME.test(name);
}

/**
 * The value at `path` (a pointer into an integration) with every secret redacted: values of sensitive
 * request/response parameters, credential-looking parameter values, and passwords in URIs.
 */
export function redactValue(path: string, value: unknown, redact: Redactor): unknown {
  const tokens = parsePointer(path);
  const field = tokens[0];
  if (field === "integrationUri" && typeof value === "string") return redactUri(value, redact);
  const depth = field === "requestParameters" ? 1 : field === "responseParameters" ? 2 : -1;
  if (depth < 0) return value;
  if (tokens.length < depth + 1) {
    // A whole map (or status code): redact inside it.
    if (!isRecord(value)) return value;
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, redactValue(childPointer(path, k), v, redact)]),
    );
  }
  const name = tokens[depth]!;
  if (typeof value === "string" && (isSensitiveParameter(name) || SENSITIVE_VALUE.test(value)))
    return redact(value);
  return value;
}

/** A diff safe to show, log and store. */
export function redactDiff(diff: Diff, redact: Redactor): Diff {
  const out: Diff = { path: diff.path, kind: diff.kind };
  if ("expected" in diff) out.expected = redactValue(diff.path, diff.expected, redact);
  if ("actual" in diff) out.actual = redactValue(diff.path, diff.actual, redact);
  return out;
}

function redactUri(uri: string, redact: Redactor): string {
  const match = /^([a-z][a-z0-9+.-]*:\/\/[^/:@]*:)([^/@]*)@/i.exec(uri);
  return match ? `${match[1]}${redact(match[2]!)}@${uri.slice(match[0].length)}` : uri;
}

/**
 * The secret values in a set of integration fields (an UpdateIntegration body): values of sensitive
 * request/response parameters, credential-looking values, passwords in a URI. Longest first, so that
 * scrubbing a message replaces a secret before any shorter secret inside it.
 */
export function secretValues(fields: Record<string, unknown> | undefined): string[] {
  const found = new Set<string>();
  if (!fields) return [];
  const add = (key: string, value: unknown) => {
    if (
      typeof value === "string" &&
      value.length >= 4 &&
      (isSensitiveParameter(key) || SENSITIVE_VALUE.test(value))
    ) {
      found.add(value);
    }
  };
  const request = fields.requestParameters;
  if (isRecord(request)) for (const [k, v] of Object.entries(request)) add(k, v);
  const response = fields.responseParameters;
  if (isRecord(response)) {
    for (const mappings of Object.values(response)) {
      if (isRecord(mappings)) for (const [k, v] of Object.entries(mappings)) add(k, v);
    }
  }
  const uri = fields.integrationUri;
  const password =
    typeof uri === "string" ? /^[a-z][a-z0-9+.-]*:\/\/[^/:@]*:([^/@]+)@/i.exec(uri)?.[1] : undefined;
  if (password) found.add(password);
  return [...found].sort((a, b) => b.length - a.length);
}

/** `text` with every one of `secrets` replaced by its redaction: for error messages that echo a request. */
export function scrub(text: string, secrets: readonly string[], redact: Redactor): string {
  let out = text;
  for (const secret of secrets) out = out.split(secret).join(redact(secret));
  return out;
}
