import { describe, expect, it } from "vitest";
import {
  desiredStateJsonSchema,
  documentSchema,
  integrationSchema,
} from "../../../lib/desired-state/schema.ts";
import { FIELDS as INTEGRATION_FIELDS } from "../../../lib/model/fields.ts";

describe("integrationSchema", () => {
  it("takes only the protocol's own fields, plus ignore", () => {
    const http = Object.keys(integrationSchema("HTTP").shape).sort();
    const websocket = Object.keys(integrationSchema("WEBSOCKET").shape).sort();

    expect(http).toContain("tlsConfig");
    expect(http).not.toContain("requestTemplates");
    expect(websocket).toContain("requestTemplates");
    expect(websocket).not.toContain("tlsConfig");
    expect(Object.keys(integrationSchema("ANY").shape).sort()).toEqual(
      [...Object.keys(INTEGRATION_FIELDS), "ignore"].sort(),
    );
  });

  it("holds each protocol to its own timeout range", () => {
    expect(integrationSchema("HTTP").safeParse({ timeoutInMillis: 30_000 }).success).toBe(true);
    expect(integrationSchema("WEBSOCKET").safeParse({ timeoutInMillis: 30_000 }).success).toBe(false);
    expect(integrationSchema("WEBSOCKET").safeParse({ timeoutInMillis: 29_000 }).success).toBe(true);
  });
});

describe("documentSchema", () => {
  it("takes only the protocol it was built for", () => {
    const doc = { apiId: "a1", protocol: "WEBSOCKET", integrations: {} };

    expect(documentSchema("HTTP").safeParse(doc).success).toBe(false);
    expect(documentSchema("WEBSOCKET").safeParse(doc).success).toBe(true);
    expect(documentSchema("ANY").safeParse(doc).success).toBe(true);
  });
});

describe("desiredStateJsonSchema", () => {
  it("offers one branch per protocol, each with only that protocol's fields", () => {
    const schema = desiredStateJsonSchema() as {
      $id: string;
      oneOf?: {
        properties: {
          protocol: { const: string };
          integrations: { additionalProperties: { properties: object } };
        };
      }[];
      anyOf?: unknown[];
    };
    const branches = (schema.oneOf ?? schema.anyOf) as NonNullable<typeof schema.oneOf>;

    expect(schema.$id).toMatch(/desired-state\.schema\.json$/);
    expect(branches.map((b) => b.properties.protocol.const)).toEqual(["HTTP", "WEBSOCKET"]);
    const fields = branches.map((b) =>
      Object.keys(b.properties.integrations.additionalProperties.properties),
    );
    expect(fields[0]).toContain("tlsConfig");
    expect(fields[1]).not.toContain("tlsConfig");
  });
});
