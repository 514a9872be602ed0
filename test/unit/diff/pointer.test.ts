import { describe, expect, it } from "vitest";
import {
  childPointer,
  covers,
  escapeToken,
  isPointer,
  parsePointer,
  toPointer,
  unescapeToken,
} from "../../../lib/diff/pointer.ts";

describe("JSON Pointer (RFC 6901)", () => {
  it("escapes ~ before / so that ~1 in a key survives a round trip", () => {
    expect(escapeToken("a/b~1")).toBe("a~1b~01");
    expect(unescapeToken("a~1b~01")).toBe("a/b~1");
  });

  it("builds pointers from tokens", () => {
    expect(toPointer(["requestTemplates", "application/json"])).toBe("/requestTemplates/application~1json");
    expect(toPointer([])).toBe("");
    expect(childPointer("/responseParameters", "200")).toBe("/responseParameters/200");
  });

  it("parses a pointer into unescaped tokens", () => {
    expect(parsePointer("/requestTemplates/application~1json")).toEqual([
      "requestTemplates",
      "application/json",
    ]);
    expect(parsePointer("")).toEqual([]);
    expect(parsePointer("/")).toEqual([""]);
  });

  it("rejects text that is not a pointer", () => {
    expect(isPointer("description")).toBe(false);
    expect(isPointer("/a~2")).toBe(false);
    expect(isPointer("/a~")).toBe(false);
    expect(() => parsePointer("description")).toThrow('not a JSON Pointer: "description"');
  });

  it("covers itself and what lies below it, by whole tokens", () => {
    expect(covers("/requestParameters", "/requestParameters")).toBe(true);
    expect(covers("/requestParameters", "/requestParameters/overwrite:header.a")).toBe(true);
    expect(covers("/request", "/requestParameters")).toBe(false);
    expect(covers("/requestTemplates/application~1json", "/requestTemplates/application")).toBe(false);
  });
});
