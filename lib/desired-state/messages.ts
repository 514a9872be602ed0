import type { z } from "zod";
import { FIELDS, type IntegrationField, isIntegrationField, rowOf, TIMEOUT_RANGE } from "../model/fields.ts";
import {
  apiKind,
  INTEGRATION_TYPES_BY_PROTOCOL,
  PROTOCOLS,
  type Protocol,
  READ_ONLY_FIELDS,
} from "../model/service.ts";
import { suggest } from "./errors.ts";
import { IGNORE_ENTRY_KEYS, type SchemaProtocol } from "./schema.ts";

/** A located, human message for one schema issue. */
export interface IssueMessage {
  /** Path tokens of the value (or key) the message is about. */
  path: string[];
  /** True when the message is about a key rather than its value (position the key). */
  atKey: boolean;
  message: string;
}

const DOCUMENT_KEYS = ["apiId", "protocol", "account", "region", "prune", "mode", "ignore", "integrations"];
const REQUIRED_HINTS: Record<string, string> = {
  apiId: "write `apiId: <the API's id>`, as GetApis shows it",
  protocol: "write `protocol: HTTP` or `protocol: WEBSOCKET`, as the live API's protocolType",
  integrations: "write `integrations:` with the integrations keyed by integrationId (`{}` for none)",
};

/** Turns one zod issue into messages that say what is wrong and what to write instead. */
export function describeIssue(
  issue: z.core.$ZodIssue,
  input: unknown,
  protocol: SchemaProtocol,
): IssueMessage[] {
  const path = issue.path.map(String);
  const field = fieldOf(path);
  const name = path.at(-1) ?? "document";
  const value = valueAt(input, path);
  const one = (message: string, atKey = false): IssueMessage[] => [{ path, atKey, message }];

  const entry = ignoreEntryDepth(path);
  if (entry !== undefined) {
    const messages = ignoreEntryMessages(issue, input, protocol, entry);
    if (messages) return messages;
  }
  // zod reports a missing enum (protocol) as a bad value and a missing string as a bad type.
  if ((issue.code === "invalid_type" || issue.code === "invalid_value") && value === undefined) {
    return one(
      `missing required key ${name}: ${Object.hasOwn(REQUIRED_HINTS, name) ? REQUIRED_HINTS[name] : "add it"}`,
    );
  }
  if (value === null && field === "integrationType" && path.length === 3) {
    return one("integrationType cannot be null: every integration has a type; declare it or leave it out");
  }

  switch (issue.code) {
    case "unrecognized_keys":
      return issue.keys.map((key) => ({
        path: [...path, key],
        atKey: true,
        message: unknownKeyMessage(key, path, protocol),
      }));
    case "invalid_type":
      if (path.length === 2 && path[0] === "integrations" && value === null) {
        return one(
          `integration ${name} has no fields; write \`${name}: {}\` to assert only that it exists, or declare its fields below it`,
        );
      }
      if (path.length === 1 && name === "integrations" && value === null) {
        return one("integrations is empty: write `integrations: {}` for an API with no integrations");
      }
      return one(typeMessage(name, field, issue.expected, value));
    case "invalid_value": {
      const text = JSON.stringify(value);
      if (path.length === 1 && name === "protocol") {
        return one(`protocol ${text} is not valid; write HTTP or WEBSOCKET${caseHint(value, PROTOCOLS)}`);
      }
      const options = issue.values.map(String);
      // A number where the enum has its text (payloadFormatVersion: 2.0 for "2.0"): only quotes are missing.
      if (typeof value === "number" && options.includes(numberText(value, field))) {
        return one(typeMessage(name, field, "string", value));
      }
      if (field === "integrationType" && protocol !== "ANY") {
        const other: Protocol = protocol === "HTTP" ? "WEBSOCKET" : "HTTP";
        if ((INTEGRATION_TYPES_BY_PROTOCOL[other] as readonly unknown[]).includes(value)) {
          return one(
            `integrationType ${value} is supported only for ${apiKind(other)}; ${apiKind(protocol)} take ${options.join(" or ")}`,
          );
        }
      }
      // Quoted when they read as numbers ("1.0"), which YAML would otherwise take for one.
      const listed = options.map((o) => (Number.isNaN(Number(o)) ? o : `"${o}"`));
      return one(
        `${text} is not a valid ${name}; use one of ${listed.join(", ")}${caseHint(value, options)}`,
      );
    }
    case "too_small":
    case "too_big": {
      if (field === "timeoutInMillis") return one(timeoutRangeMessage(value, protocol));
      break;
    }
    case "invalid_format":
      return one(formatMessage(path, value));
    case "invalid_key": {
      const key = name;
      const parent = path.at(-2);
      if (parent === "responseParameters") {
        return [
          {
            path,
            atKey: true,
            message: `responseParameters key "${key}" is not a status code; use an HTTP status code from 200 to 599`,
          },
        ];
      }
      if (parent === "integrations") {
        return [
          {
            path,
            atKey: true,
            message: `integration id "${key}" is not valid; use the integrationId as API Gateway shows it (lowercase letters and digits)`,
          },
        ];
      }
      return [{ path, atKey: true, message: `key "${key}" is not valid here: keys must not be empty` }];
    }
  }
  return one(issue.message);
}

/**
 * The length of the path to the ignore entry `path` is in (`ignore/1`, `integrations/x/ignore/0`), or
 * undefined when it is in none.
 */
function ignoreEntryDepth(path: readonly string[]): number | undefined {
  if (path[0] === "ignore" && path.length >= 2) return 2;
  if (path[0] === "integrations" && path[2] === "ignore" && path.length >= 4) return 4;
  return undefined;
}

/**
 * Messages for an ignore entry, which is a JSON Pointer or a map of path, reason and until; undefined
 * where the general messages say it (a string entry that is not a pointer).
 */
function ignoreEntryMessages(
  issue: z.core.$ZodIssue,
  input: unknown,
  protocol: SchemaProtocol,
  depth: number,
): IssueMessage[] | undefined {
  const path = issue.path.map(String);
  const value = valueAt(input, path);
  const one = (message: string): IssueMessage[] => [{ path, atKey: false, message }];
  const keys = "path, reason and until";
  if (path.length === depth) {
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => {
        const guess = suggest(key, IGNORE_ENTRY_KEYS);
        return {
          path: [...path, key],
          atKey: true,
          message: `unknown key "${key}" in an ignore entry; ${guess ? `did you mean ${guess}? A` : "a"}n entry takes ${keys}`,
        };
      });
    }
    if (issue.code === "invalid_union" && isMap(value)) {
      // A map is the object branch's to explain: its issues, below the entry.
      const branch = issue.errors.find((issues) => !issues.some((i) => i.path.length === 0));
      if (branch) {
        return branch.flatMap((i) =>
          describeIssue({ ...i, path: [...issue.path, ...i.path] } as z.core.$ZodIssue, input, protocol),
        );
      }
    }
    if (issue.code === "invalid_union" || issue.code === "invalid_type") {
      return one(
        `ignore entries are JSON Pointers such as /description, or maps of ${keys}, not ${describe(value)}`,
      );
    }
    return undefined;
  }
  if (path.length !== depth + 1) return undefined;
  switch (path.at(-1)) {
    case "until":
      return one(
        `until takes a date as YYYY-MM-DD (UTC), not ${typeof value === "string" ? JSON.stringify(value) : describe(value)}${typeof value === "string" && /^\d{4}-\d{2}-\d{2}$/.test(value) ? ", which is not a day of the calendar" : ""}`,
      );
    case "reason":
      return one(`reason says why the path is ignored: write some text, not ${describe(value)}`);
    case "path":
      if (value === undefined) {
        return one(
          "missing required key path: an ignore entry written as a map names the JSON Pointer it ignores, e.g. path: /timeoutInMillis",
        );
      }
      if (typeof value !== "string") {
        return one(`path must be a JSON Pointer such as /description, not ${describe(value)}`);
      }
      return undefined;
  }
  return undefined;
}

function timeoutRangeMessage(value: unknown, protocol: SchemaProtocol): string {
  if (protocol === "ANY") {
    // The file's protocol is unreadable, so name both ranges.
    const [http, ws] = [TIMEOUT_RANGE.HTTP, TIMEOUT_RANGE.WEBSOCKET];
    return `timeoutInMillis ${value} is out of range: HTTP APIs take ${http.min} to ${http.max} ms, WebSocket APIs ${ws.min} to ${ws.max} ms`;
  }
  const { min, max } = TIMEOUT_RANGE[protocol];
  return `timeoutInMillis ${value} is out of range: ${apiKind(protocol)} take ${min} to ${max} ms`;
}

/** The integration field a path points into, if it points into one. */
export function fieldOf(path: readonly string[]): IntegrationField | undefined {
  if (path[0] !== "integrations" || path.length < 3) return undefined;
  const f = path[2]!;
  // Own keys only: `in` would take "toString" for a field.
  return isIntegrationField(f) ? f : undefined;
}

export { apiKind };

function unknownKeyMessage(key: string, parent: string[], protocol: SchemaProtocol): string {
  if (parent.length === 0) {
    const guess = suggest(key, DOCUMENT_KEYS);
    return `unknown key "${key}"; ${guess ? `did you mean ${guess}? A` : "a"} file takes ${DOCUMENT_KEYS.join(", ")}`;
  }
  if (parent.length === 3 && parent.at(-1) === "tlsConfig") {
    return `unknown key "${key}" in tlsConfig; tlsConfig takes serverNameToVerify`;
  }
  if (Object.hasOwn(READ_ONLY_FIELDS, key)) {
    return `${key} is read-only (${READ_ONLY_FIELDS[key as keyof typeof READ_ONLY_FIELDS]}); remove it`;
  }
  if (isIntegrationField(key) && protocol !== "ANY") {
    const supported = rowOf(key).protocols;
    if (!supported.includes(protocol)) {
      return `${key} is supported only for ${apiKind(supported[0]!)}; this file's protocol is ${protocol}: remove it`;
    }
  }
  const candidates = [...Object.keys(FIELDS), "ignore"];
  const guess = suggest(key, candidates);
  return `unknown field "${key}"; ${guess ? `did you mean ${guess}? F` : "f"}ield names are the API's camelCase wire names`;
}

function typeMessage(
  name: string,
  field: IntegrationField | undefined,
  expected: string,
  value: unknown,
): string {
  const got = describe(value);
  if (name === "account" && typeof value === "number") {
    // YAML read 012345678901 as the number 12345678901: the leading zeros are gone, so put them back.
    const digits =
      Number.isSafeInteger(value) && value >= 0 && value < 1e12
        ? String(value).padStart(12, "0")
        : "<12 digits>";
    return `account must be a quoted 12-digit string (a number loses leading zeros): write account: "${digits}"`;
  }
  if (field === "payloadFormatVersion" && typeof value === "number") {
    return `payloadFormatVersion must be a string: write "${numberText(value, field)}" in quotes`;
  }
  if (field === "timeoutInMillis") {
    return `timeoutInMillis must be a whole number of milliseconds without quotes, not ${got}`;
  }
  if (expected === "record" || expected === "object")
    return `${name} must be a map of key: value, not ${got}`;
  if (expected === "array") return `${name} must be a list, e.g. [/description], not ${got}`;
  if (expected === "boolean") return `${name} must be true or false, not ${got}`;
  if (expected === "string" && (typeof value === "number" || typeof value === "boolean")) {
    return `${name} must be a string, not ${got}: quote it ("${String(value)}")`;
  }
  return `${name} must be ${article(expected)}, not ${got}`;
}

function formatMessage(path: string[], value: unknown): string {
  const name = path.at(-1);
  const text = JSON.stringify(value);
  if (path.length === 1 && name === "apiId") {
    return `apiId ${text} is not valid; use the API's id as GetApis shows it (lowercase letters and digits)`;
  }
  if (path.length === 1 && name === "account") return `account ${text} is not a 12-digit AWS account id`;
  if (path.length === 1 && name === "region")
    return `region ${text} is not an AWS Region name such as eu-west-1`;
  if (path.includes("ignore")) {
    const hint = typeof value === "string" && !value.startsWith("/") ? `: write "/${value}"` : "";
    return `ignore entry ${text} is not a JSON Pointer${hint}; pointers look like /field or /field/key (escape / as ~1 and ~ as ~0)`;
  }
  return `${name} ${text} has the wrong form`;
}

/** How a number reads as the text of an enum: payloadFormatVersion 2 and 2.0 are "2.0". */
function numberText(value: number, field: IntegrationField | undefined): string {
  return field === "payloadFormatVersion" && Number.isInteger(value) ? value.toFixed(1) : String(value);
}

function caseHint(value: unknown, options: readonly string[]): string {
  // Only words have typos worth naming: "3.0" is as close to "2.0" as to "1.0".
  const guess = typeof value === "string" && /[a-z]/i.test(value) ? suggest(value, options) : undefined;
  return guess ? ` (did you mean ${guess}?)` : "";
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a map";
  if (typeof value === "string") return `the string ${JSON.stringify(value)}`;
  return `${typeof value} ${String(value)}`;
}

function article(expected: string): string {
  if (expected === "int" || expected === "number") return "a number";
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

function valueAt(input: unknown, path: readonly string[]): unknown {
  let current = input;
  for (const token of path) {
    if (current === null || typeof current !== "object" || !Object.hasOwn(current, token)) return undefined;
    current = (current as Record<string, unknown>)[token];
  }
  return current;
}
