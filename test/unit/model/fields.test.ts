import { describe, expect, it } from "vitest";
import {
  FIELD_NAMES,
  FIELDS,
  rowOf,
  serverDefault,
  supports,
  TIMEOUT_RANGE,
} from "../../../lib/model/fields.ts";
import { PROTOCOLS } from "../../../lib/model/service.ts";

const http = (integrationType?: string, subtype?: string) => ({
  protocol: "HTTP" as const,
  ...(integrationType ? { integrationType } : {}),
  ...(subtype ? { subtype } : {}),
});

describe("the field model", () => {
  it("names a source for every field, default, unset rule and subtype rule", () => {
    for (const field of FIELD_NAMES) {
      const row = rowOf(field);
      const sources = [
        row.source,
        row.unset.source,
        ...PROTOCOLS.flatMap((p) => (row.defaults?.[p] ?? []).map((d) => d.source)),
        ...(row.resendOnSubtypeUpdate ? [row.resendOnSubtypeUpdate] : []),
        ...(row.immutable ? [row.immutable.source] : []),
      ];
      for (const source of sources) expect(source.length, field).toBeGreaterThan(10);
    }
  });

  it("gives each default only to fields the protocol supports", () => {
    for (const field of FIELD_NAMES) {
      for (const protocol of PROTOCOLS) {
        if (rowOf(field).defaults?.[protocol])
          expect(supports(field, protocol), `${protocol} ${field}`).toBe(true);
      }
    }
  });

  it("keeps each protocol's default timeout inside its own range", () => {
    expect(serverDefault("timeoutInMillis", http("HTTP_PROXY"))).toBe(TIMEOUT_RANGE.HTTP.max);
    expect(serverDefault("timeoutInMillis", { protocol: "WEBSOCKET", integrationType: "MOCK" })).toBe(
      TIMEOUT_RANGE.WEBSOCKET.max,
    );
  });

  it("fills POST only on Lambda integrations, not on AWS service integrations (service-facts #22)", () => {
    expect(serverDefault("integrationMethod", http("AWS_PROXY"))).toBe("POST");
    expect(serverDefault("integrationMethod", http("AWS_PROXY", "SQS-SendMessage"))).toBeUndefined();
    expect(serverDefault("integrationMethod", http("HTTP_PROXY"))).toBeUndefined();
    expect(serverDefault("integrationMethod", { protocol: "WEBSOCKET", integrationType: "AWS" })).toBe(
      "POST",
    );
  });

  it("has no payloadFormatVersion default for an HTTP API's Lambda integration, which must name one", () => {
    expect(serverDefault("payloadFormatVersion", http("AWS_PROXY"))).toBeUndefined();
    expect(serverDefault("payloadFormatVersion", http("AWS_PROXY", "EventBridge-PutEvents"))).toBe("1.0");
    expect(serverDefault("payloadFormatVersion", http("HTTP_PROXY"))).toBe("1.0");
    expect(
      serverDefault("payloadFormatVersion", { protocol: "WEBSOCKET", integrationType: "AWS_PROXY" }),
    ).toBe("1.0");
  });

  it("takes connectionId on WebSocket APIs too (REST VPC links, service-facts #19), tlsConfig on HTTP APIs only", () => {
    expect(FIELDS.connectionId.protocols).toEqual(["HTTP", "WEBSOCKET"]);
    expect(FIELDS.tlsConfig.protocols).toEqual(["HTTP"]);
  });

  it("re-sends exactly the subtype, the type and the request parameters on an AWS service integration", () => {
    expect(FIELD_NAMES.filter((f) => rowOf(f).resendOnSubtypeUpdate)).toEqual([
      "integrationSubtype",
      "integrationType",
      "requestParameters",
    ]);
  });
});

describe("the codecs", () => {
  it("read an empty object as absent, whatever the field", () => {
    for (const field of [
      "requestParameters",
      "requestTemplates",
      "responseParameters",
      "tlsConfig",
    ] as const) {
      expect(rowOf(field).codec.normalise({}), field).toBeUndefined();
    }
    expect(rowOf("responseParameters").codec.normalise({ "200": {} })).toBeUndefined();
    expect(rowOf("tlsConfig").codec.normalise({ serverNameToVerify: "" })).toBeUndefined();
  });

  it("read absent, null and the empty string alike for a scalar", () => {
    for (const value of [undefined, null, ""])
      expect(rowOf("description").codec.normalise(value)).toBeUndefined();
    expect(rowOf("timeoutInMillis").codec.normalise(0)).toBe(0);
  });
});
