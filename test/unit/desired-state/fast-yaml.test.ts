import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { dump } from "js-yaml";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { DECLINED, fastParse } from "../../../lib/desired-state/fast-yaml.ts";
import { DEFAULT_YAML_LIMITS, parseYaml } from "../../../lib/desired-state/yaml.ts";

/** The fast path either declines or reads exactly what the precise path reads, with no problem. */
function agrees(text: string): "declined" | "same" {
  const fast = fastParse(text, DEFAULT_YAML_LIMITS);
  if (fast === DECLINED) return "declined";
  const precise = parseYaml(Buffer.from(text));
  expect(precise.problems, text).toEqual([]);
  expect(fast, text).toEqual(precise.value);
  return "same";
}

const corpus = (dir: string) =>
  readdirSync(dir)
    .filter((n) => n.endsWith(".yaml"))
    .map((n) => readFileSync(join(dir, n), "utf8"));

describe(fastParse.name, () => {
  it("reads the example desired state exactly as the precise path does", () => {
    for (const text of corpus("desired-state")) expect(agrees(text)).toBe("same");
  });

  it("declines or agrees on every file of the invalid corpus", () => {
    for (const text of corpus("test/fixtures/invalid")) agrees(text);
  });

  it("declines what the precise path reads differently or refuses", () => {
    for (const text of [
      "m:\n  0200: a",
      "m:\n  ~: a",
      "m:\n  null: a",
      "m:\n  True: a",
      "m:\n  1e3: a",
      "m:\n  200.0: a",
      "m:\n  0x10: a",
      "m:\n  ? [a]\n  : b",
      "a: &x k\nm:\n  *x : v",
      "a: &a [*a]",
      "m: &self\n  d: 1\n  <<: *self",
      "m:\n  __proto__: 1",
      "m:\n  a: 1\n  a: 2",
      "%YAML 1.1\n---\nm: yes",
      "m: !!binary aGk=",
      "m: !foo x",
      "--- a\n--- b",
      "m: [unclosed",
      `${"[".repeat(40)}${"]".repeat(40)}`,
    ]) {
      expect(fastParse(text, DEFAULT_YAML_LIMITS), text).toBe(DECLINED);
    }
  });

  it("reads canonical status codes, booleans and merge keys as the precise path does", () => {
    for (const text of [
      'r:\n  404:\n    overwrite:statuscode: "410"',
      "m:\n  true: a\n  false: b",
      "d: &d {a: 1}\ne: &e {a: 3, b: 4}\nm:\n  <<: [*d, *e]\n  c: 5",
      "m:\n  '0200': a\n  \"~\": b",
    ]) {
      expect(agrees(text)).toBe("same");
    }
  });

  it("never reads a generated document differently from the precise path", () => {
    const tricky = fc.constantFrom(
      "yes",
      "no",
      "on",
      "~",
      "null",
      "1e3",
      "0x1F",
      "0o17",
      "012",
      "1_000",
      ".inf",
      "-.5",
      "+12",
      "",
      " lead",
      "trail ",
      "a: b",
      "# c",
      "- x",
      "'q'",
      '"d"',
      "multi\nline",
      "tab\tin",
      "ünï",
      "$request.body",
      "{proxy}",
      "<<",
    );
    const scalar = fc.oneof(
      tricky,
      fc.string({ maxLength: 8 }),
      fc.integer(),
      fc.double({ noNaN: true }),
      fc.boolean(),
      fc.constant(null),
    );
    const key = fc.oneof(tricky, fc.string({ minLength: 1, maxLength: 8 }), fc.nat(999).map(String));
    const value = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: "small" }, scalar, tie("map"), tie("list")),
      map: fc.dictionary(key, tie("node"), { maxKeys: 4 }),
      list: fc.array(tie("node"), { maxLength: 3 }),
    })).map;
    const render = fc.constantFrom(
      (v: unknown) => stringify(v),
      (v: unknown) => stringify(v, { defaultStringType: "QUOTE_DOUBLE" }),
      (v: unknown) => stringify(v, { collectionStyle: "flow" }),
      (v: unknown) => stringify(v, { defaultKeyType: "PLAIN", defaultStringType: "PLAIN" }),
      (v: unknown) => dump(v),
    );
    let same = 0;
    fc.assert(
      fc.property(value, render, (doc, write) => {
        if (agrees(write(doc)) === "same") same += 1;
      }),
      { numRuns: 400 },
    );
    // Most documents take the fast path: a path that declines everything would pass the property too.
    expect(same).toBeGreaterThan(200);
  });
});
