import { createHmac } from "node:crypto";
import { isIntegrationField, rowOf } from "../model/fields.ts";
import type { Diff } from "./diff.ts";
import { parsePointer } from "./pointer.ts";

/** Replaces a secret value by `***` plus a short keyed hash, so a change stays visible but the value does not. */
export type Redactor = (value: string) => string;

/** The default hash key; deployments may set their own so hashes cannot be compared across installations. */
export const DEFAULT_REDACTION_KEY = "apigw-drift";

export function createRedactor(key: string = DEFAULT_REDACTION_KEY): Redactor {
  return (value) => `***${createHmac("sha256", key).update(value).digest("hex").slice(0, 8)}`;
}

/** Names whose values are secrets: authorization, cookie, x-api-key, anything with token/secret/password/key. */
const SENSITIVE_NAME = /authorization|cookie|api[-_]?key|token|secret|passw(or)?d|credential|session|key/i;
/** Names that may hold a secret: their values are redacted when they look random (see looksRandom). */
const LOOSE_NAME = /auth|sig|hmac|private|access|pass|pwd|jwt|bearer|otp|code|salt|nonce|hash/i;
const PARAMETER_NAME =
  /^(?:(?:append|overwrite|remove):(?:header|querystring|path)\.|integration\.request\.(?:header|querystring|path)\.)(.+)$/;
/** Authorization schemes (IANA HTTP Authentication Scheme Registry, plus AWS's and common API ones). */
const AUTH_SCHEMES =
  /^(basic|bearer|digest|hoba|mutual|negotiate|ntlm|oauth|scram-sha-1|scram-sha-256|vapid|dpop|gnap|privatetoken|concealed|token|apikey|api-key|key|sso|aws4-hmac-sha256|hawk|mac)$/i;
/** `<scheme> <token>`: the value of an Authorization header, optionally in single quotes (a static mapping). */
const SCHEME_TOKEN = /^\s*'?\s*([A-Za-z][\w.+-]*)\s+([A-Za-z0-9._~+/=-]{6,}|[^\s']{6,})\s*'?\s*$/;
/** A JSON Web Token (three base64url parts, the first a JSON object: "eyJ"), anywhere in a text. */
const JWT = /eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;
/**
 * A value that only refers to a secret held elsewhere: a mapping expression or stage variable, alone or
 * after an authorization scheme (`'Bearer $stageVariables.token'`), optionally in single quotes.
 */
const REFERENCE =
  /^\s*'?\s*([A-Za-z][\w.+-]*\s+)?(\$(request|context|stageVariables|response)\.[\w.:-]+|\$\{[\w.:-]+\})\s*'?\s*$/;

/** True when a parameter name (any key form, e.g. `overwrite:header.authorization`) names a secret. */
export function isSensitiveParameter(key: string): boolean {
  return SENSITIVE_NAME.test(PARAMETER_NAME.exec(key)?.[1] ?? key);
}

/**
 * True when a string is a secret by its name or by its shape: a sensitive name, an authorization value
 * (`Bearer x`, any registered scheme, or a scheme followed by a random-looking token), a JWT, or a
 * random-looking value under a name that may hold one. A value that only refers to another (a mapping
 * expression such as `$request.header.Authorization`) is not a secret itself.
 */
export function isSecret(name: string | undefined, value: string): boolean {
  if (value.trim() === "" || REFERENCE.test(value)) return false;
  const bare = name === undefined ? undefined : (PARAMETER_NAME.exec(name)?.[1] ?? name);
  if (bare !== undefined && SENSITIVE_NAME.test(bare)) return true;
  if (value.trim().length < 6) return false;
  if (hasJwt(value)) return true;
  const scheme = SCHEME_TOKEN.exec(value);
  if (scheme && (AUTH_SCHEMES.test(scheme[1]!) || looksRandom(scheme[2]!))) return true;
  return bare !== undefined && LOOSE_NAME.test(bare) && looksRandom(unquote(value));
}

function hasJwt(value: string): boolean {
  JWT.lastIndex = 0;
  return JWT.test(value);
}

/**
 * True for a value that looks generated rather than written: 16 characters or more, two kinds of
 * character at least, and more than 3.5 bits of entropy per character (English words and paths stay below).
 */
export function looksRandom(value: string): boolean {
  if (value.length < 16 || /\s/.test(value)) return false;
  const classes = [/[a-z]/, /[A-Z]/, /\d/, /[^A-Za-z0-9]/].filter((c) => c.test(value)).length;
  if (classes < 2) return false;
  const counts = new Map<string, number>();
  for (const ch of value) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) bits -= (n / value.length) * Math.log2(n / value.length);
  return bits > 3.5;
}

/** A string with its secrets redacted: the whole value, or only the JWTs inside a longer text. */
function redactString(name: string | undefined, value: string, redact: Redactor): string {
  if (!isSecret(name, value)) return value;
  const bare = name === undefined ? undefined : (PARAMETER_NAME.exec(name)?.[1] ?? name);
  const named = bare !== undefined && (SENSITIVE_NAME.test(bare) || LOOSE_NAME.test(bare));
  if (!named && !SCHEME_TOKEN.test(value)) return value.replace(JWT, (jwt) => redact(jwt));
  return redact(value);
}

/**
 * A URI with its secrets redacted: the userinfo (`user:password@`), every query-string value (integration
 * URIs that carry a query usually carry a key: Azure Functions' `code=`, SAS `sig=`, webhook `token=`),
 * and random-looking path segments (webhook URLs put their token in the path).
 */
export function redactUri(uri: string, redact: Redactor): string {
  const match = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)(.*)$/i.exec(uri);
  if (!match) return uri.replace(JWT, (jwt) => redact(jwt));
  const [, scheme, authority, rest] = match as unknown as [string, string, string, string];
  const at = authority.lastIndexOf("@");
  const host = at >= 0 ? `${redact(authority.slice(0, at))}@${authority.slice(at + 1)}` : authority;
  const [beforeFragment = "", fragment] = splitOnce(rest, "#");
  const [path = "", query] = splitOnce(beforeFragment, "?");
  const safePath = path
    .split("/")
    .map((segment) => (looksRandom(segment) && !segment.startsWith("{") ? redact(segment) : segment))
    .join("/");
  const safeQuery =
    query === undefined
      ? ""
      : `?${query
          .split("&")
          .map((pair) => {
            const [k, v] = splitOnce(pair, "=");
            return v === undefined || v === "" || REFERENCE.test(v) || /^\{[^}]*\}$/.test(v)
              ? pair
              : `${k}=${redact(v)}`;
          })
          .join("&")}`;
  return `${scheme}${host}${safePath}${safeQuery}${fragment === undefined ? "" : `#${fragment}`}`;
}

/**
 * The value at `path` (a pointer into an integration) with every secret redacted, by name and by value;
 * the field's codec (lib/model) says where the strings are and what names they sit under.
 */
export function redactValue(path: string, value: unknown, redact: Redactor): unknown {
  const [field, ...tokens] = parsePointer(path);
  if (field === undefined || !isIntegrationField(field)) return value;
  const row = rowOf(field);
  if (row.uri && typeof value === "string") return redactUri(value, redact);
  return row.codec.mapStrings(tokens, value, (name, s) => redactString(name, s, redact));
}

/** A diff safe to show, log and store. */
export function redactDiff(diff: Diff, redact: Redactor): Diff {
  const out: Diff = { path: diff.path, kind: diff.kind };
  if ("expected" in diff) out.expected = redactValue(diff.path, diff.expected, redact);
  if ("actual" in diff) out.actual = redactValue(diff.path, diff.actual, redact);
  return out;
}

/**
 * The secret values in sets of integration fields (an UpdateIntegration body, a live integration, a
 * declaration): every string the redaction would hide, the token inside an authorization value, and a URI's
 * userinfo, password and query values. Longest first, so that scrubbing a message replaces a secret before
 * any shorter secret inside it.
 */
export function secretValues(...sets: (Record<string, unknown> | undefined)[]): string[] {
  const found = new Set<string>();
  // Shorter strings would scrub ordinary words out of messages; the redacted output hides them anyway.
  const add = (s: string | undefined) => {
    if (s !== undefined && s.trim().length >= 4) found.add(s);
  };
  for (const fields of sets) {
    if (!fields) continue;
    for (const [field, value] of Object.entries(fields)) {
      if (!isIntegrationField(field)) continue;
      const row = rowOf(field);
      if (row.uri && typeof value === "string") {
        for (const part of uriSecrets(value)) add(part);
        continue;
      }
      row.codec.mapStrings([], value, (name, s) => {
        if (isSecret(name, s)) {
          add(s);
          add(unquote(s));
          add(SCHEME_TOKEN.exec(s)?.[2]);
        }
        for (const jwt of s.match(JWT) ?? []) add(jwt);
        return s;
      });
    }
  }
  return [...found].sort((a, b) => b.length - a.length || (a < b ? -1 : a > b ? 1 : 0));
}

/** What redactUri hides, and a userinfo's password on its own (a message may quote it alone). */
function uriSecrets(uri: string): string[] {
  const out: string[] = [];
  redactUri(uri, (secret) => {
    out.push(secret);
    const password = splitOnce(secret, ":")[1];
    if (password) out.push(password);
    return secret;
  });
  return out;
}

/**
 * `text` with every one of `secrets` replaced by its redaction, in every spelling a message may quote it
 * in: as is, JSON-escaped, percent-encoded, and with YAML/shell quotes around it.
 */
export function scrub(text: string, secrets: readonly string[], redact: Redactor): string {
  let out = text;
  for (const secret of secrets) {
    const spellings = new Set([
      secret,
      JSON.stringify(secret).slice(1, -1),
      encodeURIComponent(secret),
      encodeURI(secret),
      secret.replaceAll("'", "\\'"),
      secret.replaceAll('"', '\\"'),
    ]);
    for (const spelling of [...spellings].sort((a, b) => b.length - a.length)) {
      if (spelling.length >= 4) out = out.split(spelling).join(redact(secret));
    }
  }
  return out;
}

function unquote(value: string): string {
  const t = value.trim();
  return t.length >= 2 && t.startsWith("'") && t.endsWith("'") ? t.slice(1, -1) : t;
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const i = text.indexOf(separator);
  return i < 0 ? [text, undefined] : [text.slice(0, i), text.slice(i + separator.length)];
}
