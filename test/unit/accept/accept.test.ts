import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { AcceptError, acceptDrift } from "../../../lib/accept/accept.ts";
import { loadDesiredFiles } from "../../../lib/desired-state/load.ts";
import type { DesiredDocument } from "../../../lib/desired-state/schema.ts";
import { createRedactor } from "../../../lib/diff/redact.ts";
import type { LiveIntegration } from "../../../lib/model/live.ts";
import { planApi } from "../../../lib/plan/plan.ts";

const NOW = Date.UTC(2027, 0, 1);
const redact = createRedactor("test");
const fixture = (name: string) =>
  readFileSync(fileURLToPath(new URL(`../../fixtures/accept/${name}`, import.meta.url)), "utf8");

function load(text: string): DesiredDocument {
  const state = loadDesiredFiles([{ path: "orders.yaml", bytes: new TextEncoder().encode(text) }]);
  expect(state.errors).toEqual([]);
  return state.document(state.apis[0]!.apiId);
}

/** What the console left behind, against test/fixtures/accept/orders.yaml. */
const LIVE: LiveIntegration[] = [
  {
    integrationId: "lmb7k2q",
    integrationType: "AWS_PROXY",
    integrationUri: "arn:aws:lambda:eu-west-1:123456789012:function:orders-create",
    integrationMethod: "POST",
    payloadFormatVersion: "2.0",
    timeoutInMillis: 12345,
    description: "edited, but the file ignores descriptions",
  },
  {
    integrationId: "prx3m9a",
    integrationType: "HTTP_PROXY",
    integrationUri: "https://orders.internal.example.com/{proxy}",
    integrationMethod: "GET",
    requestParameters: {
      "overwrite:header.x-env": "dev",
      "append:querystring.source": "apigw",
      "overwrite:header.x-debug": "'true'",
    },
    responseParameters: { "404": { "overwrite:statuscode": "404" } },
  },
  {
    integrationId: "shr1a2b",
    integrationType: "HTTP_PROXY",
    integrationUri: "https://a.example.com",
    timeoutInMillis: 6000,
  },
  {
    integrationId: "shr3c4d",
    integrationType: "HTTP_PROXY",
    integrationUri: "https://b.example.com",
    timeoutInMillis: 7000,
    requestParameters: { "overwrite:header.authorization": "'Bearer abcdef0123456789'" },
  },
];

const drifted = LIVE.map((live) => ({ integrationId: live.integrationId, live }));

describe(acceptDrift.name, () => {
  const text = fixture("orders.yaml");
  const outcome = acceptDrift({ text, doc: load(text), drifted, now: NOW, redact });

  it("changes exactly the drifted values of a commented file, and nothing else (golden file)", () => {
    expect(outcome.text).toBe(fixture("orders.accepted.yaml"));
  });

  it("says what it changed, from the file's value to live's", () => {
    expect(outcome.accepted).toEqual([
      { integrationId: "lmb7k2q", path: "/timeoutInMillis", from: 10000, to: 12345 },
      { integrationId: "prx3m9a", path: "/integrationMethod", from: "ANY", to: "GET" },
      {
        integrationId: "prx3m9a",
        path: "/requestParameters/overwrite:header.x-debug",
        from: undefined,
        to: "'true'",
      },
      {
        integrationId: "prx3m9a",
        path: "/requestParameters/overwrite:header.x-env",
        from: "prod",
        to: "dev",
      },
      {
        integrationId: "prx3m9a",
        path: "/responseParameters/404/overwrite:statuscode",
        from: "410",
        to: "404",
      },
      {
        integrationId: "prx3m9a",
        path: "/responseParameters/500/overwrite:header.x-error-source",
        from: "backend",
        to: undefined,
      },
      // Inherited through the merge key until now: written on the integration itself.
      { integrationId: "shr3c4d", path: "/timeoutInMillis", from: 5000, to: 7000 },
    ]);
  });

  it("leaves a secret value and a shared one as they are, and names each", () => {
    expect(outcome.left).toEqual([
      {
        integrationId: "shr1a2b",
        path: "/timeoutInMillis",
        reason:
          "it is in a map with the anchor &backend, which an alias elsewhere uses (changing it here would change that too); change it by hand",
      },
      {
        integrationId: "shr3c4d",
        path: "/requestParameters/overwrite:header.authorization",
        reason: "its value is a secret; change it by hand",
      },
    ]);
    expect(outcome.text).not.toContain("abcdef0123456789");
  });

  it("makes the next plan in sync for everything it accepted", () => {
    const planned = planApi({ desired: load(outcome.text), live: LIVE, prune: false, now: NOW });
    expect(
      planned.map((p) => [p.result.integrationId, p.result.status, p.result.diffs.map((d) => d.path)]),
    ).toEqual([
      ["lmb7k2q", "IN_SYNC", []],
      ["prx3m9a", "IN_SYNC", []],
      ["shr1a2b", "DRIFTED", ["/timeoutInMillis"]],
      ["shr3c4d", "DRIFTED", ["/requestParameters/overwrite:header.authorization"]],
    ]);
  });

  it("returns the text untouched when nothing drifted", () => {
    const same = acceptDrift({ text, doc: load(text), drifted: [], now: NOW, redact });
    expect(same).toEqual({ text, accepted: [], left: [] });
  });
});

describe("acceptDrift, field by field", () => {
  const file = (integration: string) =>
    `apiId: a1b2c3d4e5\nprotocol: HTTP\nintegrations:\n  abc123:\n${integration}`;
  const accept = (text: string, live: Omit<LiveIntegration, "integrationId">) =>
    acceptDrift({
      text,
      doc: load(text),
      drifted: [{ integrationId: "abc123", live: { integrationId: "abc123", ...live } }],
      now: NOW,
      redact,
    });

  it("declares a field live has lost as null (must be absent), keeping it owned", () => {
    const out = accept(file("    description: orders\n    connectionId: vl1\n"), {});
    expect(out.text).toBe(file("    description: null\n    connectionId: null\n"));
    expect(out.accepted.map((a) => [a.path, a.from, a.to])).toEqual([
      ["/connectionId", "vl1", null],
      ["/description", "orders", null],
    ]);
  });

  it("writes {} for a parameter map live has emptied: still owned, and empty", () => {
    // The key's line goes, and the comment on it with it, as when one key of several is removed.
    const out = accept(file("    requestParameters: # env\n      overwrite:header.x-env: prod   # x\n"), {});
    expect(out.text).toBe(file("    requestParameters: {} # env\n"));
  });

  it("fills in a field declared null that live now has", () => {
    const out = accept(file("    tlsConfig: null\n    connectionType: VPC_LINK\n"), {
      connectionType: "VPC_LINK",
      tlsConfig: { serverNameToVerify: "a.example.com" },
    });
    expect(out.text).toBe(
      file("    tlsConfig: { serverNameToVerify: a.example.com }\n    connectionType: VPC_LINK\n"),
    );
  });

  it("adds a status code live has to a responseParameters the file declares", () => {
    const out = accept(file('    responseParameters:\n      "404":\n        overwrite:statuscode: "410"\n'), {
      responseParameters: {
        "404": { "overwrite:statuscode": "410" },
        "500": { "overwrite:header.x-a": "b" },
      },
    });
    expect(out.text).toBe(
      file(
        '    responseParameters:\n      "404":\n        overwrite:statuscode: "410"\n      "500":\n        overwrite:header.x-a: b\n',
      ),
    );
  });

  it("names a URI whose query holds a secret, and writes nothing for it", () => {
    const out = accept(file("    integrationUri: https://a.example.com/hook\n"), {
      integrationUri: "https://a.example.com/hook?code=Zx81kLq0Pw2mNv7Rt5",
    });
    expect(out.text).toBe(file("    integrationUri: https://a.example.com/hook\n"));
    expect(out.left).toEqual([
      {
        integrationId: "abc123",
        path: "/integrationUri",
        reason: "its value is a secret; change it by hand",
      },
    ]);
    expect(out.accepted).toEqual([]);
  });

  it("shows a secret-named key it removes redacted, never its value", () => {
    const out = accept(
      file(
        "    requestParameters:\n      overwrite:header.x-env: prod\n      overwrite:header.x-api-key: \"'k-123456'\"\n",
      ),
      { requestParameters: { "overwrite:header.x-env": "prod" } },
    );
    expect(out.text).toBe(file("    requestParameters:\n      overwrite:header.x-env: prod\n"));
    expect(out.accepted).toEqual([
      {
        integrationId: "abc123",
        path: "/requestParameters/overwrite:header.x-api-key",
        from: redact("'k-123456'"),
        to: undefined,
      },
    ]);
  });

  it("refuses a result that would not validate as the same document, and writes nothing", () => {
    // A duplicate key is kept by the YAML edit but dropped by the loader: the check catches it.
    const text = file("    description: a\n");
    expect(() =>
      acceptDrift({
        text: `${text}    description: a\n`,
        doc: load(text),
        drifted: [{ integrationId: "abc123", live: { integrationId: "abc123", description: "b" } }],
        now: NOW,
        redact,
      }),
    ).toThrow(AcceptError);
  });
});
