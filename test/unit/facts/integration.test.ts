import { describe, expect, it } from "vitest";
import {
  INTEGRATION_FIELDS,
  REMOVAL_ENCODINGS,
  SERVER_DEFAULTS,
  serverDefault,
  TIMEOUT_RANGE,
} from "../../../lib/facts/integration.ts";

describe("facts about integrations", () => {
  it("names a source for every field, default and removal encoding", () => {
    const rows = [
      ...Object.values(INTEGRATION_FIELDS),
      ...Object.values(SERVER_DEFAULTS.HTTP),
      ...Object.values(SERVER_DEFAULTS.WEBSOCKET),
      ...Object.values(REMOVAL_ENCODINGS),
    ];
    for (const row of rows) expect(row.source.length).toBeGreaterThan(10);
  });

  it("gives each default only to fields the protocol supports", () => {
    for (const protocol of ["HTTP", "WEBSOCKET"] as const) {
      for (const field of Object.keys(SERVER_DEFAULTS[protocol])) {
        const fact = INTEGRATION_FIELDS[field as keyof typeof INTEGRATION_FIELDS];
        expect(fact.protocols, `${protocol} ${field}`).toContain(protocol);
      }
    }
  });

  it("keeps each protocol's default timeout inside its own range", () => {
    expect(serverDefault("HTTP", "timeoutInMillis", "HTTP_PROXY")).toBe(TIMEOUT_RANGE.HTTP.max);
    expect(serverDefault("WEBSOCKET", "timeoutInMillis", "MOCK")).toBe(TIMEOUT_RANGE.WEBSOCKET.max);
  });

  it("limits type-specific defaults to their integration types", () => {
    expect(serverDefault("HTTP", "integrationMethod", "AWS_PROXY")).toBe("POST");
    expect(serverDefault("HTTP", "integrationMethod", "HTTP_PROXY")).toBeUndefined();
    expect(serverDefault("HTTP", "description", "HTTP_PROXY")).toBeUndefined();
  });
});
