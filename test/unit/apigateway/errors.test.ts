import { describe, expect, it } from "vitest";
import { classify } from "../../../lib/apigateway/errors.ts";

const e = (name: string, status?: number, code?: string) =>
  Object.assign(new Error("x"), { name, code, $metadata: { httpStatusCode: status } });

describe(classify.name, () => {
  it("treats both names of the 429 error as throttling", () => {
    expect(classify(e("TooManyRequestsException", 429))).toBe("throttling");
    expect(classify(e("LimitExceededException", 429))).toBe("throttling");
    expect(classify(e("Whatever", 429))).toBe("throttling");
  });

  it("sorts client errors by what they mean", () => {
    expect(classify(e("NotFoundException", 404))).toBe("not-found");
    expect(classify(e("ConflictException", 409))).toBe("conflict");
    expect(classify(e("BadRequestException", 400))).toBe("bad-request");
    expect(classify(e("AccessDeniedException", 403))).toBe("access-denied");
  });

  it("treats 5xx and network failures as transient", () => {
    expect(classify(e("InternalServerException", 500))).toBe("transient");
    expect(classify(e("Error", undefined, "ECONNRESET"))).toBe("transient");
    expect(classify(e("TimeoutError"))).toBe("transient");
  });

  it("leaves the rest as other", () => {
    expect(classify(new Error("?"))).toBe("other");
    expect(classify(undefined)).toBe("other");
  });
});
