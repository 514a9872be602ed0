import { describe, expect, it } from "vitest";
import type { LiveIntegration } from "../../../lib/diff/normalise.ts";
import { buildUpdate } from "../../../lib/plan/update.ts";

const live = (fields: Record<string, unknown>): LiveIntegration => ({ integrationId: "abc123", ...fields });
const http = { protocol: "HTTP" as const };
const ws = { protocol: "WEBSOCKET" as const };

describe(buildUpdate.name, () => {
  it("returns nothing when there is no drift", () => {
    expect(buildUpdate({ description: "a" }, live({ description: "a" }), http)).toBeUndefined();
  });

  it("sends exactly the top-level fields that differ", () => {
    const update = buildUpdate(
      { description: "a", timeoutInMillis: 10000, integrationUri: "https://x" },
      live({ description: "a", timeoutInMillis: 5000, integrationUri: "https://x" }),
      http,
    );
    expect(update).toEqual({ timeoutInMillis: 10000 });
  });

  it("unsets a string field with an empty string", () => {
    expect(buildUpdate({ description: null }, live({ description: "stray" }), http)).toEqual({
      description: "",
    });
  });

  it("resets a defaulted field to its server default instead of an empty string", () => {
    expect(buildUpdate({ timeoutInMillis: null }, live({ timeoutInMillis: 50 }), http)).toEqual({
      timeoutInMillis: 30000,
    });
    expect(buildUpdate({ connectionType: null }, live({ connectionType: "VPC_LINK" }), ws)).toEqual({
      connectionType: "INTERNET",
    });
  });

  it("sends a drifted request parameter map whole, removing live-only keys with an empty string", () => {
    const update = buildUpdate(
      { requestParameters: { "overwrite:header.a": "1", "overwrite:header.b": "2" } },
      live({ requestParameters: { "overwrite:header.a": "1", "overwrite:header.c": "3" } }),
      http,
    );
    expect(update).toEqual({
      requestParameters: { "overwrite:header.a": "1", "overwrite:header.b": "2", "overwrite:header.c": "" },
    });
  });

  it("keeps ignored request parameters at their live values and never removes them", () => {
    const update = buildUpdate(
      { requestParameters: { "overwrite:header.a": "1", "append:header.x-trace": "declared" } },
      live({ requestParameters: { "overwrite:header.a": "0", "append:header.x-trace": "live" } }),
      { ...http, ignore: ["/requestParameters/append:header.x-trace"] },
    );
    expect(update).toEqual({
      requestParameters: { "append:header.x-trace": "live", "overwrite:header.a": "1" },
    });
  });

  it("sends requestTemplates whole without removal markers", () => {
    const update = buildUpdate(
      { requestTemplates: { "application/json": "{}" } },
      live({ requestTemplates: { "application/json": "[]", "text/plain": "x" } }),
      ws,
    );
    expect(update).toEqual({ requestTemplates: { "application/json": "{}" } });
  });

  it("removes a responseParameters status code with an empty map and sends the others whole", () => {
    const update = buildUpdate(
      { responseParameters: { "200": { "overwrite:header.a": "1" } } },
      live({
        responseParameters: {
          "200": { "overwrite:header.a": "1", "overwrite:header.b": "2" },
          "404": { "overwrite:statuscode": "410" },
        },
      }),
      http,
    );
    expect(update).toEqual({ responseParameters: { "200": { "overwrite:header.a": "1" }, "404": {} } });
  });

  it("leaves an ignored status code out of the request and keeps ignored mappings", () => {
    const update = buildUpdate(
      { responseParameters: { "200": { "overwrite:header.a": "1" } } },
      live({
        responseParameters: {
          "200": { "overwrite:header.a": "0", "append:header.x-trace": "t" },
          "500": { "overwrite:header.b": "2" },
        },
      }),
      { ...http, ignore: ["/responseParameters/500", "/responseParameters/200/append:header.x-trace"] },
    );
    expect(update).toEqual({
      responseParameters: { "200": { "append:header.x-trace": "t", "overwrite:header.a": "1" } },
    });
  });

  it("removes tlsConfig with an empty object and sends a changed one whole", () => {
    expect(buildUpdate({ tlsConfig: null }, live({ tlsConfig: { serverNameToVerify: "a" } }), http)).toEqual({
      tlsConfig: {},
    });
    expect(
      buildUpdate(
        { tlsConfig: { serverNameToVerify: "b" } },
        live({ tlsConfig: { serverNameToVerify: "a" } }),
        http,
      ),
    ).toEqual({ tlsConfig: { serverNameToVerify: "b" } });
  });

  it("keeps an ignored tlsConfig member at its live value", () => {
    const update = buildUpdate(
      { tlsConfig: { serverNameToVerify: "b" }, description: "d" },
      live({ tlsConfig: { serverNameToVerify: "a" } }),
      { ...http, ignore: ["/tlsConfig/serverNameToVerify"] },
    );
    expect(update).toEqual({ description: "d" });
  });
});
