import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { loadDesiredFiles } from "../../../lib/desired-state/load.ts";
import { isPointer } from "../../../lib/diff/pointer.ts";
import { FIELD_NAMES as INTEGRATION_FIELD_NAMES } from "../../../lib/model/fields.ts";

/**
 * Whatever the bytes, the loader returns: either one valid API, or errors that each say where (file, line
 * and column from 1, a JSON Pointer) and what. It never throws.
 */
function assertLoads(bytes: Uint8Array): void {
  const state = loadDesiredFiles([{ path: "fuzz.yaml", bytes }]);
  if (state.errors.length === 0) {
    expect(state.apis).toHaveLength(1);
    return;
  }
  expect(state.apis).toEqual([]);
  const lines = bytes.reduce((n, b) => (b === 0x0a ? n + 1 : n), 1);
  for (const e of state.errors) {
    expect(e.file).toBe("fuzz.yaml");
    expect(Number.isInteger(e.line) && e.line >= 1 && e.line <= lines, `line ${e.line}`).toBe(true);
    expect(Number.isInteger(e.column) && e.column >= 1, `column ${e.column}`).toBe(true);
    expect(typeof e.pointer === "string" && isPointer(e.pointer), `pointer ${e.pointer}`).toBe(true);
    expect(typeof e.message === "string" && e.message.trim().length > 0).toBe(true);
  }
}

const encode = (text: string) => new TextEncoder().encode(text);

/** Pieces of YAML syntax a mutation splices in: indicators, anchors, aliases, merges, tags, quotes. */
const SYNTAX = [
  ": ",
  "- ",
  "[",
  "]",
  "{",
  "}",
  ",",
  "&a ",
  "*a",
  "<<: *a",
  "!!str ",
  "!x ",
  '"',
  "'",
  "\t",
  "\n",
  "# ",
  "---\n",
  "? ",
  "|\n",
  "__proto__: 1\n",
  "%YAML 1.1\n",
  "~",
  "\u00e9",
  "\ufeff",
];

const mutation = fc.record({
  at: fc.nat(),
  drop: fc.nat({ max: 4 }),
  insert: fc.oneof(fc.constantFrom(...SYNTAX), fc.string({ maxLength: 4 })),
});

function mutate(text: string, edits: { at: number; drop: number; insert: string }[]): string {
  let out = text;
  for (const { at, drop, insert } of edits) {
    const i = out.length === 0 ? 0 : at % (out.length + 1);
    out = out.slice(0, i) + insert + out.slice(i + drop);
  }
  return out;
}

const scalar = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.integer({ min: -1, max: 40_000 }),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom(
    "HTTP",
    "WEBSOCKET",
    "AWS_PROXY",
    "HTTP_PROXY",
    "MOCK",
    "VPC_LINK",
    "POST",
    "GET",
    "1.0",
    "2.0",
  ),
);

/** Documents shaped like desired state, with wrong turns everywhere: the inputs people actually write. */
const desiredLike = fc.record(
  {
    apiId: fc.oneof(fc.constantFrom("a1b2c3d4e5", "A1"), scalar),
    protocol: fc.oneof(fc.constantFrom("HTTP", "WEBSOCKET", "http"), scalar),
    account: fc.oneof(fc.constant("123456789012"), scalar),
    prune: fc.oneof(fc.boolean(), scalar),
    ignore: fc.array(fc.oneof(fc.constantFrom("/description", "/tlsConfig", "/toString", "x"), scalar), {
      maxLength: 3,
    }),
    integrations: fc.dictionary(
      fc.oneof(
        fc.constantFrom("abc123", "def456", "constructor", "Bad_Id", "200"),
        fc.string({ maxLength: 6 }),
      ),
      fc.oneof(
        fc.dictionary(
          fc.oneof(fc.constantFrom(...INTEGRATION_FIELD_NAMES, "ignore", "integrationId"), fc.string()),
          fc.oneof(scalar, fc.dictionary(fc.string({ maxLength: 8 }), scalar, { maxKeys: 3 })),
          { maxKeys: 6 },
        ),
        scalar,
      ),
      { maxKeys: 3 },
    ),
  },
  { requiredKeys: [] },
);

describe("loadDesiredFiles on arbitrary input", () => {
  it("never throws on random text", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 200 }), (text) => assertLoads(encode(text))),
      { numRuns: 300 },
    );
  });

  it("never throws on random bytes, UTF-8 or not", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => assertLoads(bytes)),
      { numRuns: 300 },
    );
  });

  it("never throws on YAML rendered from arbitrary JSON values, sometimes mutated", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), fc.array(mutation, { maxLength: 3 }), (value, edits) =>
        assertLoads(encode(mutate(stringify(value), edits))),
      ),
      { numRuns: 300 },
    );
  });

  it("never throws on desired-state-like documents, sometimes mutated, in block or flow style", () => {
    fc.assert(
      fc.property(desiredLike, fc.boolean(), fc.array(mutation, { maxLength: 2 }), (doc, flow, edits) =>
        assertLoads(encode(mutate(stringify(doc, flow ? { collectionStyle: "flow" } : {}), edits))),
      ),
      { numRuns: 400 },
    );
  });
});
