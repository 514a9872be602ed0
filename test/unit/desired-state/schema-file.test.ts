import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { renderSchema, SCHEMA_PATH } from "../../../scripts/gen-schema.ts";

describe("schema/desired-state.schema.json", () => {
  it("is what the validator's schema generates today (run npm run schema when this fails)", () => {
    expect(readFileSync(SCHEMA_PATH, "utf8")).toBe(renderSchema());
  });

  it("offers each protocol only its own fields", () => {
    // biome-ignore lint/suspicious/noExplicitAny: generated JSON Schema, read as data
    const schema = JSON.parse(renderSchema()) as { oneOf: { properties: Record<string, any> }[] };
    const [http, ws] = schema.oneOf.map((b) =>
      Object.keys(b.properties.integrations.additionalProperties.properties),
    );
    expect(http).toContain("responseParameters");
    expect(http).not.toContain("requestTemplates");
    expect(ws).toContain("requestTemplates");
    expect(ws).not.toContain("tlsConfig");
    const timeout = (i: number) =>
      schema.oneOf[i]!.properties.integrations.additionalProperties.properties.timeoutInMillis;
    expect(JSON.stringify(timeout(0))).toContain('"maximum":30000');
    expect(JSON.stringify(timeout(1))).toContain('"maximum":29000');
  });
});
