import { describe, expect, it } from "vitest";
import type { DesiredIntegration } from "../../../lib/desired-state/schema.ts";
import { diffIntegration } from "../../../lib/diff/diff.ts";
import type { LiveIntegration } from "../../../lib/model/live.ts";

const live = (fields: Record<string, unknown>): LiveIntegration => ({ integrationId: "abc123", ...fields });
const http = { protocol: "HTTP" as const };
const ws = { protocol: "WEBSOCKET" as const };

describe(diffIntegration.name, () => {
  it("reports nothing for an integration that matches its declaration", () => {
    const desired: DesiredIntegration = {
      integrationType: "HTTP_PROXY",
      integrationUri: "https://a.example.com",
    };
    expect(diffIntegration(desired, live({ ...desired, connectionType: "INTERNET" }), http)).toEqual([]);
  });

  it("treats an empty declaration as owning nothing", () => {
    expect(diffIntegration({}, live({ integrationType: "HTTP_PROXY", description: "x" }), http)).toEqual([]);
  });

  it("never reports undeclared fields", () => {
    const diffs = diffIntegration(
      { description: "a" },
      live({ description: "a", timeoutInMillis: 50 }),
      http,
    );
    expect(diffs).toEqual([]);
  });

  it("reports a changed scalar with its expected and actual values", () => {
    expect(diffIntegration({ timeoutInMillis: 10000 }, live({ timeoutInMillis: 5000 }), http)).toEqual([
      { path: "/timeoutInMillis", kind: "changed", expected: 10000, actual: 5000 },
    ]);
  });

  it("reports a declared field live lacks as removed", () => {
    expect(diffIntegration({ description: "orders" }, live({}), http)).toEqual([
      { path: "/description", kind: "removed", expected: "orders" },
    ]);
  });

  it("reports a live value the file declares null as added", () => {
    expect(diffIntegration({ description: null }, live({ description: "stray" }), http)).toEqual([
      { path: "/description", kind: "added", actual: "stray" },
    ]);
  });

  it("treats an empty string as not set", () => {
    expect(diffIntegration({ description: null }, live({ description: "" }), http)).toEqual([]);
    expect(diffIntegration({ description: "" }, live({}), http)).toEqual([]);
  });

  it("treats a missing timeout as the 30 s HTTP default", () => {
    expect(diffIntegration({ timeoutInMillis: 30000 }, live({}), http)).toEqual([]);
    expect(diffIntegration({ timeoutInMillis: null }, live({ timeoutInMillis: 30000 }), http)).toEqual([]);
  });

  it("treats a missing timeout as the 29 s WebSocket default", () => {
    expect(diffIntegration({ timeoutInMillis: 29000 }, live({}), ws)).toEqual([]);
    expect(diffIntegration({ timeoutInMillis: 30000 }, live({}), ws)).toEqual([
      { path: "/timeoutInMillis", kind: "changed", expected: 30000, actual: 29000 },
    ]);
  });

  it("treats connectionType INTERNET as the default on both protocols", () => {
    expect(diffIntegration({ connectionType: "INTERNET" }, live({}), http)).toEqual([]);
    expect(diffIntegration({ connectionType: null }, live({ connectionType: "INTERNET" }), ws)).toEqual([]);
  });

  it("treats passthroughBehavior WHEN_NO_MATCH as the WebSocket default", () => {
    expect(diffIntegration({ passthroughBehavior: "WHEN_NO_MATCH" }, live({}), ws)).toEqual([]);
  });

  it("applies the POST default only to Lambda integration types", () => {
    expect(
      diffIntegration({ integrationMethod: "POST" }, live({ integrationType: "AWS_PROXY" }), http),
    ).toEqual([]);
    expect(
      diffIntegration({ integrationMethod: "POST" }, live({ integrationType: "HTTP_PROXY" }), http),
    ).toEqual([{ path: "/integrationMethod", kind: "removed", expected: "POST" }]);
  });

  it("owns a declared map whole: a live key the file lacks is added drift", () => {
    const desired = { requestParameters: { "overwrite:header.x-env": "prod" } };
    const actual = live({
      requestParameters: { "overwrite:header.x-env": "prod", "append:header.x-extra": "1" },
    });
    expect(diffIntegration(desired, actual, http)).toEqual([
      { path: "/requestParameters/append:header.x-extra", kind: "added", actual: "1" },
    ]);
  });

  it("reports each key of a map live lacks entirely as removed", () => {
    const desired = { requestParameters: { "overwrite:header.b": "2", "overwrite:header.a": "1" } };
    expect(diffIntegration(desired, live({}), http)).toEqual([
      { path: "/requestParameters/overwrite:header.a", kind: "removed", expected: "1" },
      { path: "/requestParameters/overwrite:header.b", kind: "removed", expected: "2" },
    ]);
  });

  it("treats a null map and an empty map alike: live keys are drift", () => {
    const actual = live({ requestParameters: { "overwrite:header.a": "1" } });
    const expected = [{ path: "/requestParameters/overwrite:header.a", kind: "added", actual: "1" }];
    expect(diffIntegration({ requestParameters: null }, actual, http)).toEqual(expected);
    expect(diffIntegration({ requestParameters: {} }, actual, http)).toEqual(expected);
    expect(diffIntegration({ requestParameters: {} }, live({}), http)).toEqual([]);
  });

  it("escapes / and ~ in map keys as RFC 6901 requires", () => {
    const desired = { requestTemplates: { "application/json": "{}", "a~b": "x" } };
    expect(diffIntegration(desired, live({ requestTemplates: { "application/json": "[]" } }), ws)).toEqual([
      { path: "/requestTemplates/application~1json", kind: "changed", expected: "{}", actual: "[]" },
      { path: "/requestTemplates/a~0b", kind: "removed", expected: "x" },
    ]);
  });

  it("compares responseParameters per status code and mapping", () => {
    const desired = { responseParameters: { "200": { "overwrite:header.a": "1" } } };
    const actual = live({
      responseParameters: { "200": { "overwrite:header.a": "2" }, "404": { "overwrite:statuscode": "410" } },
    });
    expect(diffIntegration(desired, actual, http)).toEqual([
      { path: "/responseParameters/200/overwrite:header.a", kind: "changed", expected: "1", actual: "2" },
      { path: "/responseParameters/404/overwrite:statuscode", kind: "added", actual: "410" },
    ]);
  });

  it("treats a status code with no mappings as absent", () => {
    const desired = { responseParameters: { "200": {} } };
    expect(diffIntegration(desired, live({ responseParameters: {} }), http)).toEqual([]);
  });

  it("treats an empty tlsConfig as none, whether the service drops it or echoes it back", () => {
    expect(diffIntegration({ tlsConfig: null }, live({ tlsConfig: {} }), http)).toEqual([]);
    expect(
      diffIntegration({ tlsConfig: null }, live({ tlsConfig: { serverNameToVerify: null } }), http),
    ).toEqual([]);
    expect(
      diffIntegration({ tlsConfig: null }, live({ tlsConfig: { serverNameToVerify: "a" } }), http),
    ).toEqual([{ path: "/tlsConfig", kind: "added", actual: { serverNameToVerify: "a" } }]);
  });

  it("compares tlsConfig by member", () => {
    const diffs = diffIntegration(
      { tlsConfig: { serverNameToVerify: "a.example.com" } },
      live({ tlsConfig: { serverNameToVerify: "b.example.com" } }),
      http,
    );
    expect(diffs).toEqual([
      {
        path: "/tlsConfig/serverNameToVerify",
        kind: "changed",
        expected: "a.example.com",
        actual: "b.example.com",
      },
    ]);
  });

  it("drops diffs under an ignored pointer, and only under it", () => {
    const desired = { description: "a", requestParameters: { "overwrite:header.a": "1" } };
    const actual = live({
      description: "b",
      requestParameters: { "overwrite:header.a": "1", "append:header.x-trace": "t", "append:header.x": "y" },
    });
    const ignore = ["/description", "/requestParameters/append:header.x-trace"];
    expect(diffIntegration(desired, actual, { ...http, ignore })).toEqual([
      { path: "/requestParameters/append:header.x", kind: "added", actual: "y" },
    ]);
  });

  it("does not let a pointer cover a field that merely starts with the same letters", () => {
    const diffs = diffIntegration({ description: "a" }, live({ description: "b" }), {
      ...http,
      ignore: ["/desc"],
    });
    expect(diffs).toHaveLength(1);
  });

  it("ignores the read-only fields live carries", () => {
    const actual = live({
      apiGatewayManaged: true,
      integrationResponseSelectionExpression: "x",
      description: "a",
    });
    expect(diffIntegration({ description: "a" }, actual, ws)).toEqual([]);
  });
});
