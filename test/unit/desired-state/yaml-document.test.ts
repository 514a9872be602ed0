import { describe, expect, it } from "vitest";
import { Parser } from "yaml";
import { DEFAULT_YAML_LIMITS } from "../../../lib/desired-state/yaml.ts";
import {
  composeFile,
  firstTooDeep,
  invalidUtf8Position,
  unclosedQuoteStart,
} from "../../../lib/desired-state/yaml-document.ts";

const compose = (text: string) => {
  const bytes = new TextEncoder().encode(text);
  return composeFile(bytes, DEFAULT_YAML_LIMITS, bytes.byteLength);
};
const encode = (text: string) => Array.from(new TextEncoder().encode(text));
const tokens = (text: string) => Array.from(new Parser().parse(text));

describe("invalidUtf8Position", () => {
  it("names the line, column and byte of the first byte that is not UTF-8", () => {
    expect(invalidUtf8Position(new Uint8Array([...encode("ab\ncd"), 0xc0, 0x41]))).toEqual({
      line: 2,
      column: 3,
      byte: 6,
    });
  });

  it("counts a multi-byte character as one column, and one outside the BMP as two, as editors do", () => {
    expect(invalidUtf8Position(new Uint8Array([...encode("é😀x"), 0xff]))).toEqual({
      line: 1,
      column: 5,
      byte: 8,
    });
  });

  it("does not count a byte order mark as a column", () => {
    expect(invalidUtf8Position(new Uint8Array([0xef, 0xbb, 0xbf, ...encode("a"), 0xff]))).toEqual({
      line: 1,
      column: 2,
      byte: 5,
    });
  });

  it("reports a character cut short at the end of the file at the end", () => {
    expect(invalidUtf8Position(new Uint8Array([...encode("a\nb"), 0xe2, 0x82]))).toEqual({
      line: 2,
      column: 3,
      byte: 5,
    });
  });
});

describe("firstTooDeep", () => {
  it("finds the first node, in document order, deeper than the cap", () => {
    const text = "a: [1, [2, [3]]]\nb: {c: {d: {e: {f: 1}}}}\n";

    expect(firstTooDeep(tokens(text), 3)).toBe(text.indexOf("[3]") + 1);
    expect(firstTooDeep(tokens(text), 4)).toBe(text.indexOf("f:"));
    expect(firstTooDeep(tokens(text), 5)).toBeUndefined();
  });

  it("counts keys at the depth of their values", () => {
    expect(firstTooDeep(tokens("? [[x]]\n: 1\n"), 2)).toBe(4);
  });

  it("looks into every document of a stream", () => {
    expect(firstTooDeep(tokens("a: 1\n---\n- [x]\n"), 1)).toBe(12);
  });

  it("walks 200,000 nested brackets without recursion", () => {
    expect(firstTooDeep(tokens("[".repeat(200_000)), 32)).toBe(33);
  });
});

describe("unclosedQuoteStart", () => {
  it("finds the opening quote of the string that runs to the end", () => {
    const text = 'a: ok\nb: {c: "never closed\n';

    expect(unclosedQuoteStart(tokens(text), text.length)).toBe(text.indexOf('"'));
  });

  it("finds nothing when no quoted string ends there", () => {
    expect(unclosedQuoteStart(tokens("a: 'closed'\n"), 3)).toBeUndefined();
  });
});

describe("composeFile", () => {
  it("returns the document with YAML warnings as problems", () => {
    const composed = compose("%FOO bar\n---\na: 1\n");

    expect(composed.doc?.toJS()).toEqual({ a: 1 });
    expect(composed.problems).toEqual([
      { pointer: "", position: { line: 1, column: 1 }, message: "YAML: Unknown directive %FOO" },
    ]);
  });

  it("refuses a stream of documents at the second, whatever the third holds", () => {
    const composed = compose("a: 1\n---\nb: 2\n---\nc: [\n");

    expect(composed.doc).toBeUndefined();
    expect(composed.problems.map((p) => p.message)).toEqual([
      "file holds more than one YAML document; write one API per file",
    ]);
  });

  it("maps source offsets to positions", () => {
    expect(compose("a: 1\nb: 2\n").at(8)).toEqual({ line: 2, column: 4 });
  });
});
