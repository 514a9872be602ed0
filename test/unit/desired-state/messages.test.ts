import { describe, expect, it } from "vitest";
import { apiKind, describeIssue, fieldOf } from "../../../lib/desired-state/messages.ts";
import { documentSchema, type SchemaProtocol } from "../../../lib/desired-state/schema.ts";

/** The messages for every schema issue of `doc`, as `pointer-ish path: message`. */
function messages(doc: Record<string, unknown>, protocol: SchemaProtocol = "HTTP"): string[] {
  const base = { apiId: "a1", protocol: protocol === "ANY" ? "HTTP" : protocol, integrations: {} };
  const result = documentSchema(protocol).safeParse({ ...base, ...doc });
  if (result.success) return [];
  return result.error.issues.flatMap((issue) =>
    describeIssue(issue, { ...doc }, protocol).map(
      (m) => `${m.path.join("/")}${m.atKey ? " (key)" : ""}: ${m.message}`,
    ),
  );
}
const integration = (fields: Record<string, unknown>, protocol: SchemaProtocol = "HTTP") =>
  messages({ integrations: { abc: fields } }, protocol);

describe("describeIssue", () => {
  it("names a missing required key and what to write", () => {
    const result = documentSchema("ANY").safeParse({});
    const all = result.error!.issues.flatMap((i) => describeIssue(i, {}, "ANY").map((m) => m.message));

    expect(all).toEqual([
      "missing required key apiId: write `apiId: <the API's id>`, as GetApis shows it",
      "missing required key protocol: write `protocol: HTTP` or `protocol: WEBSOCKET`, as the live API's protocolType",
      "missing required key integrations: write `integrations:` with the integrations keyed by integrationId (`{}` for none)",
    ]);
  });

  it("suggests the key a typo meant, at the key", () => {
    expect(messages({ prnue: true })).toEqual([
      'prnue (key): unknown key "prnue"; did you mean prune? A file takes apiId, protocol, account, region, prune, mode, ignore, integrations',
    ]);
  });

  it("says which protocol a field belongs to, and that read-only fields go", () => {
    expect(integration({ requestTemplates: {}, apiGatewayManaged: true })).toEqual([
      "integrations/abc/requestTemplates (key): requestTemplates is supported only for WebSocket APIs; this file's protocol is HTTP: remove it",
      "integrations/abc/apiGatewayManaged (key): apiGatewayManaged is read-only (set by API Gateway for quick-create integrations); remove it",
    ]);
  });

  it("treats inherited names such as toString as unknown fields, not as read-only or known ones", () => {
    expect(integration({ toString: "x", valueOf: 1 })).toEqual([
      'integrations/abc/toString (key): unknown field "toString"; field names are the API\'s camelCase wire names',
      'integrations/abc/valueOf (key): unknown field "valueOf"; field names are the API\'s camelCase wire names',
    ]);
  });

  it("names both timeout ranges when the protocol is unreadable", () => {
    expect(integration({ timeoutInMillis: 40_000 }, "ANY")).toEqual([
      "integrations/abc/timeoutInMillis: timeoutInMillis 40000 is out of range: HTTP APIs take 50 to 30000 ms, WebSocket APIs 50 to 29000 ms",
    ]);
  });

  it("says an integration type belongs to the other protocol", () => {
    expect(integration({ integrationType: "HTTP_PROXY" }, "WEBSOCKET")).toEqual([]);
    expect(integration({ integrationType: "AWS" })).toEqual([
      "integrations/abc/integrationType: integrationType AWS is supported only for WebSocket APIs; HTTP APIs take AWS_PROXY or HTTP_PROXY",
    ]);
  });

  it("asks for quotes only where quoting gives a valid value", () => {
    expect(integration({ payloadFormatVersion: 1 })).toEqual([
      'integrations/abc/payloadFormatVersion: payloadFormatVersion must be a string: write "1.0" in quotes',
    ]);
    expect(integration({ payloadFormatVersion: 1.5 })).toEqual([
      'integrations/abc/payloadFormatVersion: 1.5 is not a valid payloadFormatVersion; use one of "1.0", "2.0"',
    ]);
    expect(integration({ description: true })).toEqual([
      'integrations/abc/description: description must be a string, not boolean true: quote it ("true")',
    ]);
  });

  it("puts back the leading zeros of an unquoted account id, and no digits it cannot know", () => {
    expect(messages({ account: 12345 })).toEqual([
      'account: account must be a quoted 12-digit string (a number loses leading zeros): write account: "000000012345"',
    ]);
    expect(messages({ account: 1.5e13 })).toEqual([
      'account: account must be a quoted 12-digit string (a number loses leading zeros): write account: "<12 digits>"',
    ]);
  });

  it("says an empty map key is not valid, at the key", () => {
    expect(integration({ requestTemplates: { "": "x" } }, "WEBSOCKET")).toEqual([
      'integrations/abc/requestTemplates/ (key): key "" is not valid here: keys must not be empty',
    ]);
  });

  it("describes wrong types of lists and maps", () => {
    expect(messages({ ignore: "/description", prune: "no" })).toEqual([
      'prune: prune must be true or false, not the string "no"',
      'ignore: ignore must be a list, e.g. [/description], not the string "/description"',
    ]);
    expect(integration({ requestParameters: ["a"] })).toEqual([
      "integrations/abc/requestParameters: requestParameters must be a map of key: value, not a list",
    ]);
  });
});

describe("fieldOf", () => {
  it("names the integration field a path points into", () => {
    expect(fieldOf(["integrations", "abc", "requestParameters", "k"])).toBe("requestParameters");
    expect(fieldOf(["integrations", "abc"])).toBeUndefined();
    expect(fieldOf(["ignore", "0", "x"])).toBeUndefined();
    expect(fieldOf(["integrations", "abc", "hasOwnProperty"])).toBeUndefined();
  });
});

describe("apiKind", () => {
  it("names the kind of API of a protocol", () => {
    expect([apiKind("HTTP"), apiKind("WEBSOCKET")]).toEqual(["HTTP APIs", "WebSocket APIs"]);
  });
});
