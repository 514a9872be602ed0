import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Diff } from "../../../lib/diff/diff.ts";
import {
  type Codec,
  parameterMapCodec,
  responseMapCodec,
  structureCodec,
  templateMapCodec,
} from "../../../lib/model/codecs.ts";
import { FIELD_NAMES, rowOf, sameField } from "../../../lib/model/fields.ts";

// `same` lets a plan skip normalising a field that is in sync; it must never call "same" what the codec's
// diff would report, nor the other way round.
const diffsOf = (codec: Codec, a: unknown, b: unknown): Diff[] => {
  const out: Diff[] = [];
  codec.diff("/f", codec.normalise(a), codec.normalise(b), out);
  return out;
};

// Few keys and values, so that equal and nearly equal maps are common; the empty spellings included.
const key = fc.constantFrom("a", "b", "c", "404", "500");
const text = fc.constantFrom("", "x", "y");
const unset = fc.constantFrom(undefined, null, "", {}, [], 0);
const stringMap = fc.oneof(unset, fc.dictionary(key, text, { maxKeys: 3 }));
const responseMap = fc.oneof(unset, fc.dictionary(key, stringMap, { maxKeys: 3 }));
const structure = fc.oneof(
  unset,
  fc.dictionary(fc.constantFrom("serverNameToVerify", "other"), fc.oneof(text, fc.constant(null)), {
    maxKeys: 2,
  }),
);

describe("codec.same agrees with codec.diff", () => {
  it.each([
    ["a parameter map", parameterMapCodec(), stringMap],
    ["a template map", templateMapCodec(), stringMap],
    ["a response map", responseMapCodec(), responseMap],
    ["a structure", structureCodec(["serverNameToVerify"]), structure],
  ] as const)("for %s", (_name, codec, value) => {
    fc.assert(
      fc.property(value, value, (a, b) => {
        expect(codec.same?.(a, b)).toBe(diffsOf(codec, a, b).length === 0);
        expect(codec.same?.(a, a)).toBe(true);
      }),
      { numRuns: 2_000 },
    );
  });

  it("on the cases that matter most", () => {
    const params = parameterMapCodec();
    expect(params.same?.({ a: "x" }, { a: "x" })).toBe(true);
    expect(params.same?.({ a: "x" }, { a: "x", b: "x" })).toBe(false);
    expect(params.same?.({ a: "x", b: "x" }, { a: "x" })).toBe(false);
    expect(params.same?.(undefined, {})).toBe(true);
    const responses = responseMapCodec();
    // A status code with no mappings is no status code.
    expect(responses.same?.({ "404": {} }, undefined)).toBe(true);
    expect(responses.same?.({ "404": { a: "x" } }, { "404": { a: "x" }, "500": {} })).toBe(true);
    expect(responses.same?.({ "404": { a: "x" } }, { "404": { a: "y" } })).toBe(false);
    const tls = structureCodec(["serverNameToVerify"]);
    expect(tls.same?.({ serverNameToVerify: null }, {})).toBe(true);
    expect(tls.same?.({ serverNameToVerify: "a" }, { serverNameToVerify: "b" })).toBe(false);
  });
});

describe("sameField", () => {
  it("answers only for fields whose codec can tell without normalising and that have no server default", () => {
    const answering = FIELD_NAMES.filter((f) => sameField(f, undefined, undefined));
    expect(answering).toEqual(
      FIELD_NAMES.filter((f) => rowOf(f).codec.same !== undefined && rowOf(f).defaults === undefined),
    );
    expect(answering).toEqual(["requestParameters", "requestTemplates", "responseParameters", "tlsConfig"]);
    // A scalar is always compared the long way, defaults and all.
    expect(sameField("timeoutInMillis", 30_000, 30_000)).toBe(false);
  });
});
