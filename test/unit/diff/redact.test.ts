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

  it("redacts a URI's userinfo, every query value and random-looking path segments", () => {
    expect(redactValue("/integrationUri", "https://user:pw@example.com/a", redact)).toBe(
      `https://${redact("user:pw")}@example.com/a`,
    );
    expect(redactValue("/integrationUri", "https://ghp_tok3n@example.com/a", redact)).toBe(
      `https://${redact("ghp_tok3n")}@example.com/a`,
    );
    expect(
      redactValue("/integrationUri", "https://fn.example.net/api/orders?code=abc123&region=eu#frag", redact),
    ).toBe(`https://fn.example.net/api/orders?code=${redact("abc123")}&region=${redact("eu")}#frag`);
    const hook = "https://hooks.example.com/services/T0001/B0002/Xq7ZpLm3Vw9RtY2uKs8DfGhJ";
    expect(redactValue("/integrationUri", hook, redact)).toBe(
      `https://hooks.example.com/services/T0001/B0002/${redact("Xq7ZpLm3Vw9RtY2uKs8DfGhJ")}`,
    );
    for (const plain of [
      "https://example.com/a",
      "https://orders.internal.example.com/{proxy}",
      "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:orders/invocations",
      "https://example.com/x?page={page}",
    ]) {
      expect(redactValue("/integrationUri", plain, redact)).toBe(plain);
    }
  });

  it("redacts secrets by their shape in any field: authorization values and JWTs", () => {
    const jwt =
      "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";
    expect(redactValue("/description", `rotated ${jwt} today`, redact)).toBe(`rotated ${redact(jwt)} today`);
    expect(redactValue("/requestParameters/overwrite:header.x-upstream", `'${jwt}'`, redact)).toBe(
      `'${redact(jwt)}'`,
    );
    expect(redactValue("/requestParameters/overwrite:header.x-auth-to", "'Token 9f8e7d6c5b'", redact)).toBe(
      redact("'Token 9f8e7d6c5b'"),
    );
    expect(
      redactValue("/requestParameters/overwrite:header.x-forward", "Custom a8Fk2LmQ9zXw3VbN7pRt", redact),
    ).toBe(redact("Custom a8Fk2LmQ9zXw3VbN7pRt"));
    expect(redactValue("/description", "edited by hand", redact)).toBe("edited by hand");
    expect(redactValue("/description", "hello worldwide", redact)).toBe("hello worldwide");
  });

  it("redacts random-looking values under names that may hold a secret, and only those", () => {
    const random = "Zk3Jq9Xw2Lp8Vn4Rt7Ym";
    expect(redactValue("/requestParameters/overwrite:header.x-signature", random, redact)).toBe(
      redact(random),
    );
    expect(redactValue("/requestParameters/overwrite:querystring.code", random, redact)).toBe(redact(random));
    expect(redactValue("/requestParameters/overwrite:header.x-signature", "v1", redact)).toBe("v1");
    expect(redactValue("/requestParameters/overwrite:header.x-request-id", random, redact)).toBe(random);
  });

  it("keeps a mapping expression that only refers to a secret", () => {
    expect(
      redactValue(
        "/requestParameters/overwrite:header.authorization",
        "$request.header.Authorization",
        redact,
      ),
    ).toBe("$request.header.Authorization");
    // biome-ignore lint/suspicious/noTemplateCurlyInString: an API Gateway stage variable, not JS
    const stageVariable = "${stageVariables.key}";
    expect(redactValue("/requestParameters/overwrite:header.x-api-key", stageVariable, redact)).toBe(
      stageVariable,
    );
    const bearer = "'Bearer $stageVariables.ordersToken'";
    expect(redactValue("/requestParameters/overwrite:header.authorization", bearer, redact)).toBe(bearer);
  });

  it("leaves other values alone", () => {
    expect(redactValue("/description", "token", redact)).toBe("token");
    expect(redactValue("/credentialsArn", "arn:aws:iam::123456789012:role/credentials", redact)).toBe(
      "arn:aws:iam::123456789012:role/credentials",
    );
    expect(redactValue("/requestParameters", "not-a-map", redact)).toBe("not-a-map");
    expect(redactValue("/notAField", "Bearer abcdefgh", redact)).toBe("Bearer abcdefgh");
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
    ).toEqual(["'Bearer abcdef'", "Bearer abcdef", "user:pw1234", "sid=1234", "abcdef", "pw1234"]);
    expect(secretValues(undefined)).toEqual([]);
  });

  it("collects secrets from every set it is given: the request, the live integration, the declaration", () => {
    expect(
      secretValues(
        { requestParameters: { "overwrite:header.x-api-key": "desired-k1" } },
        {
          requestParameters: { "overwrite:header.x-api-key": "live-key-2" },
          integrationUri: "https://x/?sig=s1g",
        },
      ),
    ).toEqual(["desired-k1", "live-key-2"]);
  });

  it("replaces each secret in a message by its redaction", () => {
    const secrets = secretValues({ requestParameters: { "overwrite:header.x-api-key": "k-123456" } });
    expect(scrub("Invalid mapping value k-123456 for x-api-key", secrets, redact)).toBe(
      `Invalid mapping value ${redact("k-123456")} for x-api-key`,
    );
  });

  it("scrubs a secret quoted in any spelling: JSON-escaped, percent-encoded, quote-escaped", () => {
    const secret = `p@ss "w/rd'`;
    const secrets = [secret];
    const r = redact(secret);
    expect(scrub(`body {"v":${JSON.stringify(secret)}}`, secrets, redact)).toBe(`body {"v":"${r}"}`);
    expect(scrub(`uri ?k=${encodeURIComponent(secret)}`, secrets, redact)).toBe(`uri ?k=${r}`);
    expect(scrub(`value 'p@ss "w/rd\\''`, secrets, redact)).toBe(`value '${r}'`);
  });
});
