import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { formatError } from "../../../lib/desired-state/errors.ts";
import { type DesiredFile, loadDesiredFiles } from "../../../lib/desired-state/load.ts";
import { DEFAULT_YAML_LIMITS } from "../../../lib/desired-state/yaml.ts";

const file = (path: string, text: string): DesiredFile => ({ path, bytes: new TextEncoder().encode(text) });
const lines = (files: DesiredFile[]) => loadDesiredFiles(files).errors.map(formatError);

describe("loadDesiredFiles", () => {
  it("loads the example desired state with no errors, sorted by apiId", () => {
    const dir = fileURLToPath(new URL("../../../desired-state/", import.meta.url));
    const files = readdirSync(dir)
      .filter((n) => n.endsWith(".yaml"))
      .map((n) => ({ path: `desired-state/${n}`, bytes: readFileSync(`${dir}${n}`) }))
      .reverse();

    const state = loadDesiredFiles(files);

    expect(state.errors).toEqual([]);
    expect(state.apis.map((a) => [a.apiId, a.file])).toEqual([
      ["a1b2c3d4e5", "desired-state/orders-http.yaml"],
      ["w9x8y7z6v5", "desired-state/chat-websocket.yaml"],
    ]);
    const orders = state.document(state.apis[0]!.apiId);
    expect(orders.integrations.prx3m9a?.responseParameters?.["404"]).toEqual({
      "overwrite:statuscode": "410",
    });
    expect(orders.integrations.lmb7k2q?.timeoutInMillis).toBe(10000);
  });

  it("accepts an integration declared as {} and a file with no integrations", () => {
    const state = loadDesiredFiles([
      file("a.yaml", "apiId: a1\nprotocol: HTTP\nintegrations:\n  abc: {}\n"),
      file("b.yaml", "apiId: b1\nprotocol: WEBSOCKET\nintegrations: {}\n"),
    ]);

    expect(state.errors).toEqual([]);
    expect(state.apis.map((a) => state.document(a.apiId).integrations)).toEqual([{ abc: {} }, {}]);
  });

  it("keeps each API's mode, enforce unless the file says observe", () => {
    const state = loadDesiredFiles([
      file("a.yaml", "apiId: a1\nprotocol: HTTP\nmode: observe\nintegrations: {}\n"),
      file("b.yaml", "apiId: b1\nprotocol: HTTP\nintegrations: {}\n"),
    ]);
    expect(state.errors).toEqual([]);
    expect(state.apis.map((a) => [a.apiId, a.mode])).toEqual([
      ["a1", "observe"],
      ["b1", "enforce"],
    ]);
  });

  it("keeps where each ignore entry's until stands, for the warning when it expires", () => {
    const text = readFileSync(
      fileURLToPath(new URL("../../fixtures/expiring/orders-http.yaml", import.meta.url)),
      "utf8",
    );
    const state = loadDesiredFiles([file("orders.yaml", text)]);
    expect(state.errors).toEqual([]);
    expect(state.apis[0]!.datedIgnores).toEqual([
      {
        path: "/timeoutInMillis",
        reason: "load test until the new backend ships (TICKET-123)",
        until: "2020-01-31",
        pointer: "/ignore/1/until",
        line: 9,
        column: 12,
      },
      {
        path: "/connectionType",
        reason: "still applies",
        until: "2999-12-31",
        pointer: "/ignore/2/until",
        line: 12,
        column: 12,
      },
      {
        integrationId: "prx3m9a",
        path: "/integrationUri",
        until: "2020-06-30",
        pointer: "/integrations/prx3m9a/ignore/0/until",
        line: 18,
        column: 41,
      },
    ]);
    // The document keeps the entries as written: the run decides which still apply.
    expect(state.document("a1b2c3d4e5").ignore).toEqual([
      "/description",
      {
        path: "/timeoutInMillis",
        reason: "load test until the new backend ships (TICKET-123)",
        until: "2020-01-31",
      },
      { path: "/connectionType", reason: "still applies", until: "2999-12-31" },
    ]);
  });

  it("accepts null for a field, meaning it must be absent", () => {
    const state = loadDesiredFiles([
      file("a.yaml", "apiId: a1\nprotocol: HTTP\nintegrations:\n  abc: {description: null, tlsConfig: ~}\n"),
    ]);

    expect(state.errors).toEqual([]);
    expect(state.document(state.apis[0]!.apiId).integrations.abc).toEqual({
      description: null,
      tlsConfig: null,
    });
  });

  it("reports every error in a file, not the first", () => {
    const text = [
      "apiId: a1",
      "protocol: HTTP",
      "region: nowhere",
      "integrations:",
      "  abc:",
      "    timeoutInMillis: 99999",
      "    passthroughBehavior: NEVER",
      "    integrationType: AWS_PROXY",
      "    integrationMethod: GET",
      "  DEF: {}",
      "",
    ].join("\n");

    expect(lines([file("f.yaml", text)])).toEqual([
      'f.yaml:3:9 /region region "nowhere" is not an AWS Region name such as eu-west-1',
      "f.yaml:6:22 /integrations/abc/timeoutInMillis timeoutInMillis 99999 is out of range: HTTP APIs take 50 to 30000 ms",
      "f.yaml:7:5 /integrations/abc/passthroughBehavior passthroughBehavior is supported only for WebSocket APIs; this file's protocol is HTTP: remove it",
      "f.yaml:9:24 /integrations/abc/integrationMethod Lambda proxy (AWS_PROXY) integrations must use integrationMethod: POST, not GET",
      'f.yaml:10:3 /integrations/DEF integration id "DEF" is not valid; use the integrationId as API Gateway shows it (lowercase letters and digits)',
    ]);
  });

  it("reports every error in every file, sorted by file and position", () => {
    const state = loadDesiredFiles([
      file("z.yaml", "apiId: z1\nprotocol: HTTP\nintegrations: {}\nextra: 1\n"),
      file("a.yaml", "apiId: a1\nprotocol: HTTP\nintegrations: {}\nprune: 1\naccount: 1\n"),
      file("m.yaml", "apiId: m1\nprotocol: HTTP\nintegrations: {}\n"),
    ]);

    expect(state.errors.map((e) => `${e.file}:${e.line}:${e.column}`)).toEqual([
      "a.yaml:4:8",
      "a.yaml:5:10",
      "z.yaml:4:1",
    ]);
    expect(state.apis.map((a) => a.file)).toEqual(["m.yaml"]);
  });

  it("reports two files that claim one apiId on the second, naming the first", () => {
    const state = loadDesiredFiles([
      file("one.yaml", "# first\napiId: a1\nprotocol: HTTP\nintegrations: {}\n"),
      file("two.yaml", "protocol: HTTP\napiId: a1\nintegrations: {}\n"),
      file("three.yaml", "apiId: a1\nprotocol: WEBSOCKET\nintegrations: {}\n"),
    ]);

    expect(state.errors.map(formatError)).toEqual([
      "three.yaml:1:8 /apiId apiId a1 is already declared in one.yaml:2:8; one API has one file: merge them",
      "two.yaml:2:8 /apiId apiId a1 is already declared in one.yaml:2:8; one API has one file: merge them",
    ]);
  });

  it("still reports the schema errors and protocol-independent rules of a file with an unknown protocol", () => {
    const text = [
      "apiId: a1",
      "protocol: GRPC",
      "integrations:",
      "  abc:",
      "    integrationType: HTTP_PROXY",
      "    payloadFormatVersion: '2.0'",
      "    timeoutInMillis: soon",
      "    requestParameters: {anything.goes: x}",
      "",
    ].join("\n");

    expect(lines([file("f.yaml", text)])).toEqual([
      'f.yaml:2:11 /protocol protocol "GRPC" is not valid; write HTTP or WEBSOCKET',
      'f.yaml:6:27 /integrations/abc/payloadFormatVersion payloadFormatVersion "2.0" is only for Lambda proxy (AWS_PROXY) integrations; use "1.0" for HTTP_PROXY',
      'f.yaml:7:22 /integrations/abc/timeoutInMillis timeoutInMillis must be a whole number of milliseconds without quotes, not the string "soon"',
    ]);
  });

  it("positions a missing key at the map that lacks it", () => {
    expect(lines([file("f.yaml", "# header\nprotocol: HTTP\nintegrations: {}\n")])).toEqual([
      "f.yaml:2:1 /apiId missing required key apiId: write `apiId: <the API's id>`, as GetApis shows it",
    ]);
  });

  it("positions an unknown key at the key, and a bad value at the value", () => {
    expect(
      lines([file("f.yaml", "apiId: a1\nprotocol: HTTP\nintegrations:\n  abc:\n    tlsConfig: {sni: x}\n")]),
    ).toEqual(
      [
        'f.yaml:5:17 /integrations/abc/tlsConfig/sni unknown key "sni" in tlsConfig; tlsConfig takes serverNameToVerify',
        "f.yaml:5:5 /integrations/abc/tlsConfig tlsConfig applies only to private integrations: declare connectionType: VPC_LINK with it, or remove it (the service ignores it on INTERNET integrations, so it would never converge)",
      ].sort((a, b) => a.localeCompare(b, "en", { numeric: true })),
    );
  });

  it("reports a value the parser refused once, not again as missing or mistyped", () => {
    expect(
      lines([file("f.yaml", "apiId: *id\nprotocol: HTTP\nintegrations:\n  abc: !!binary aGk=\n")]),
    ).toEqual([
      "f.yaml:1:8 /apiId alias *id names no anchor; define &id before it",
      "f.yaml:4:17 /integrations/abc YAML tag !!binary is not supported; write a plain string, number, true/false, null, map or list",
    ]);
  });

  it("still reports the first value of a duplicate key", () => {
    const text =
      "apiId: a1\nprotocol: HTTP\nintegrations:\n  abc:\n    timeoutInMillis: 1\n    timeoutInMillis: 100\n";

    expect(lines([file("f.yaml", text)])).toEqual([
      "f.yaml:5:22 /integrations/abc/timeoutInMillis timeoutInMillis 1 is out of range: HTTP APIs take 50 to 30000 ms",
      'f.yaml:6:5 /integrations/abc/timeoutInMillis duplicate key "timeoutInMillis" (first at line 5, column 5); keep one',
    ]);
  });

  it("lists only the valid files' APIs; the caller applies nothing while any error remains", () => {
    const state = loadDesiredFiles([
      file("good.yaml", "apiId: g1\nprotocol: HTTP\nintegrations: {}\n"),
      file("bad.yaml", "apiId: b1\nprotocol: HTTP\nintegrations: []\n"),
    ]);

    expect(state.apis.map((a) => a.apiId)).toEqual(["g1"]);
    expect(state.errors).toHaveLength(1);
  });

  it("reports a file that is not a map, and one that is empty", () => {
    expect(lines([file("list.yaml", "# a list\n- a\n"), file("empty.yaml", "")])).toEqual([
      "empty.yaml:1:1 / file is empty; write an API's desired state (apiId, protocol, integrations)",
      "list.yaml:2:1 / a desired-state file is a map with apiId, protocol and integrations",
    ]);
  });

  it("refuses a file that was not read because of its size", () => {
    const state = loadDesiredFiles([{ path: "big.yaml", bytes: new Uint8Array(0), size: 5_000_000 }]);

    expect(state.errors.map(formatError)).toEqual([
      "big.yaml:1:1 / file is 5000000 bytes, over the 1048576-byte limit for a desired-state file (one API has at most a few hundred integrations); check that this is the right file",
    ]);
  });

  it("takes the limits it is given", () => {
    const limits = { ...DEFAULT_YAML_LIMITS, maxDepth: 2 };

    const state = loadDesiredFiles(
      [file("f.yaml", "apiId: a1\nprotocol: HTTP\nintegrations: {a: {b: {}}}\n")],
      limits,
    );

    expect(state.errors.map((e) => e.message)).toEqual([
      "nested deeper than 2 levels; a desired-state file is never that deep",
    ]);
  });
});
