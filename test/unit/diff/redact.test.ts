import { describe, expect, it } from "vitest";
import {
  createRedactor,
  isSensitiveParameter,
  redactDiff,
  redactValue,
  scrub,
  secretValues,
} from "../../../lib/diff/redact.ts";

const redact = createRedactor("test-key");

describe("redaction", () => {
  it("recognises sensitive parameter names in every key form", () => {
    for (const key of [
      "overwrite:header.authorization",
      "overwrite:header.Authorization",
      "append:header.cookie",
      "overwrite:header.x-api-key",
      "overwrite:querystring.access_token",
      "integration.request.header.X-Client-Secret",
      "overwrite:header.x-db-password",
      "SecretId",
    ]) {
      expect(isSensitiveParameter(key), key).toBe(true);
    }
    for (const key of ["overwrite:header.x-env", "append:querystring.source", "overwrite:path", "QueueUrl"]) {
      expect(isSensitiveParameter(key), key).toBe(false);
    }
  });

  it("replaces a secret with *** and a short stable hash", () => {
    const a = redact("s3cr3t");
    expect(a).toMatch(/^\*\*\*[0-9a-f]{8}$/);
    expect(redact("s3cr3t")).toBe(a);
    expect(redact("other")).not.toBe(a);
    expect(createRedactor("another-key")("s3cr3t")).not.toBe(a);
  });

  it("redacts sensitive request parameter values and keeps the rest", () => {
    expect(redactValue("/requestParameters/overwrite:header.authorization", "Bearer x", redact)).toBe(
      redact("Bearer x"),
    );
    expect(redactValue("/requestParameters/overwrite:header.x-env", "prod", redact)).toBe("prod");
  });

  it("redacts credential-looking values whatever their name", () => {
    expect(redactValue("/requestParameters/overwrite:header.x-forward", "'Basic dXNlcg=='", redact)).toBe(
      redact("'Basic dXNlcg=='"),
    );
  });

  it("redacts inside whole maps and status codes", () => {
    const map = { "overwrite:header.authorization": "t", "overwrite:header.x-env": "prod" };
    expect(redactValue("/requestParameters", map, redact)).toEqual({
      "overwrite:header.authorization": redact("t"),
      "overwrite:header.x-env": "prod",
    });
    expect(redactValue("/responseParameters/200", { "overwrite:header.set-cookie": "c" }, redact)).toEqual({
      "overwrite:header.set-cookie": redact("c"),
    });
    expect(redactValue("/responseParameters", { "200": { "append:header.x-token": "v" } }, redact)).toEqual({
      "200": { "append:header.x-token": redact("v") },
    });
  });

  it("redacts the password in a URI", () => {
    expect(redactValue("/integrationUri", "https://user:pw@example.com/a", redact)).toBe(
      `https://user:${redact("pw")}@example.com/a`,
    );
    expect(redactValue("/integrationUri", "https://example.com/a", redact)).toBe("https://example.com/a");
  });

  it("leaves other fields alone", () => {
    expect(redactValue("/description", "token", redact)).toBe("token");
    expect(redactValue("/requestParameters", "not-a-map", redact)).toBe("not-a-map");
  });

  it("redacts both sides of a diff and keeps its shape", () => {
    const diff = {
      path: "/requestParameters/overwrite:header.x-api-key",
      kind: "changed" as const,
      expected: "new",
      actual: "old",
    };
    const out = redactDiff(diff, redact);
    expect(out).toEqual({ ...diff, expected: redact("new"), actual: redact("old") });
    expect(out.expected).not.toBe(out.actual);
    expect(redactDiff({ path: "/description", kind: "added", actual: "x" }, redact)).toEqual({
      path: "/description",
      kind: "added",
      actual: "x",
    });
  });
});

describe("scrubbing secrets out of messages", () => {
  it("finds the secret values of an update body, longest first", () => {
    expect(
      secretValues({
        description: "not a secret",
        integrationUri: "https://user:pw1234@example.com/x",
        requestParameters: {
          "overwrite:header.authorization": "'Bearer abcdef'",
          "overwrite:header.x-env": "prod",
        },
        responseParameters: { "200": { "overwrite:header.set-cookie": "sid=1234" } },
      }),
    ).toEqual(["'Bearer abcdef'", "sid=1234", "pw1234"]);
    expect(secretValues(undefined)).toEqual([]);
  });

  it("replaces each secret in a message by its redaction", () => {
    const secrets = secretValues({ requestParameters: { "overwrite:header.x-api-key": "k-123456" } });
    expect(scrub("Invalid mapping value k-123456 for x-api-key", secrets, redact)).toBe(
      `Invalid mapping value ${redact("k-123456")} for x-api-key`,
    );
  });
});
