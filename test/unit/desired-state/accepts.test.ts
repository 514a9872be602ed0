import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { readDesiredFolder } from "../../../lib/desired-state/folder.ts";
import {
  ACCEPTED_DOCUMENT_KEYS,
  acceptsDocument,
  acceptsIntegration,
  documentSchema,
  integrationSchema,
} from "../../../lib/desired-state/schema.ts";
import { documents } from "../../../lib/desired-state/state.ts";
import { FIELD_NAMES, rowOf, supports } from "../../../lib/model/fields.ts";
import { PROTOCOLS } from "../../../lib/model/service.ts";

// The loader's fast path trusts the hand-written checks (schema.ts accepts*, each codec's accepts) instead
// of zod: they must give zod's answer on every plain value, valid or nearly so.

/** Strings near what the schema takes: enum values, ids, pointers, status codes, and near misses. */
const text = fc.oneof(
  fc.constantFrom(
    "",
    "x",
    "ANY",
    "GET",
    "get",
    "POST",
    "HTTP_PROXY",
    "AWS_PROXY",
    "AWS",
    "MOCK",
    "HTTP",
    "INTERNET",
    "VPC_LINK",
    "NEVER",
    "WHEN_NO_MATCH",
    "CONVERT_TO_TEXT",
    "1.0",
    "2.0",
    "404",
    "200",
    "600",
    "/description",
    "/timeoutInMillis",
    "description",
    "a1b2c3d4e5",
    "A1B2",
    "123456789012",
    "eu-west-1",
    "overwrite:header.x",
    "enforce",
    "observe",
    "path",
    "reason",
  ),
  fc.string({ maxLength: 4 }),
);
const number = fc.constantFrom(0, 49, 50, 5000, 29_000, 29_001, 30_000, 30_001, 1.5, -1, Number.NaN, 2 ** 53);
const scalar = fc.oneof(text, number, fc.boolean(), fc.constant(null));
const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  any: fc.oneof(
    { weight: 4, arbitrary: scalar },
    { weight: 1, arbitrary: fc.array(tie("any"), { maxLength: 2 }) },
    { weight: 2, arbitrary: fc.dictionary(text, tie("any"), { maxKeys: 3, noNullPrototype: true }) },
  ),
})).any;

/** A value for a field: usually of the field's own kind, sometimes anything. */
const fieldValue = (field: (typeof FIELD_NAMES)[number]) => {
  const kind = rowOf(field).codec.kind;
  const own =
    kind === "integer"
      ? number
      : kind === "string" || kind === "enum"
        ? text
        : kind === "structure"
          ? fc.dictionary(fc.constantFrom("serverNameToVerify", "x"), fc.oneof(text, fc.constant(null)), {
              maxKeys: 2,
              noNullPrototype: true,
            })
          : kind === "response map"
            ? fc.dictionary(
                fc.constantFrom("404", "500", "abc"),
                fc.dictionary(text, fc.oneof(text, number), { maxKeys: 2, noNullPrototype: true }),
                { maxKeys: 2, noNullPrototype: true },
              )
            : fc.dictionary(text, fc.oneof(text, number), { maxKeys: 2, noNullPrototype: true });
  return fc.oneof({ weight: 5, arbitrary: own }, { weight: 1, arbitrary: value });
};

const anyIntegration = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .subarray([...FIELD_NAMES, "ignore" as const, "bogus" as const], { maxLength: 5 })
      .chain((keys) =>
        fc.record(
          Object.fromEntries(
            keys.map((k) => [
              k,
              k === "ignore"
                ? fc.array(text, { maxLength: 2 })
                : k === "bogus"
                  ? value
                  : fc.oneof(
                      { weight: 6, arbitrary: fieldValue(k) },
                      { weight: 1, arbitrary: fc.constant(null) },
                    ),
            ]),
          ),
        ),
      ),
  },
  { weight: 1, arbitrary: value },
);

/** The example desired state's integrations of each protocol: valid declarations to start from. */
const examples = new Map<string, Record<string, unknown>[]>();
for (const { doc } of documents(await readDesiredFolder("desired-state"))) {
  const list = examples.get(doc.protocol) ?? [];
  list.push(...(Object.values(doc.integrations) as Record<string, unknown>[]));
  examples.set(doc.protocol, list);
}

/** A valid declaration, often changed in one field (a value of any kind, null, a stray key, or removed). */
const nearlyValidIntegration = (protocol: string) =>
  fc
    .tuple(
      fc.constantFrom(...(examples.get(protocol) ?? [{}])),
      fc.constantFrom(...FIELD_NAMES, "ignore", "bogus"),
      fc.oneof(value, fc.constant(undefined)),
      fc.nat(3),
    )
    .map(([valid, field, replacement, how]) => {
      const out: Record<string, unknown> = { ...valid };
      if (how === 0) out[field] = replacement;
      else if (how === 1) delete out[field];
      return out;
    });

const document = (protocol: string) =>
  fc
    .tuple(
      fc.dictionary(
        fc.constantFrom("aaa1111", "bbb2222", "ccc3333", "Bad-Id", ""),
        nearlyValidIntegration(protocol),
        {
          maxKeys: 3,
          noNullPrototype: true,
        },
      ),
      fc.constantFrom(
        "apiId",
        "protocol",
        "account",
        "region",
        "prune",
        "mode",
        "ignore",
        "integrations",
        "stray",
      ),
      value,
      fc.nat(4),
    )
    .map(([integrations, key, replacement, how]) => {
      const doc: Record<string, unknown> = {
        apiId: "a1b2c3d4e5",
        protocol,
        account: "123456789012",
        region: "eu-west-1",
        prune: false,
        mode: "observe",
        ignore: ["/description"],
        integrations,
      };
      if (how === 0) doc[key] = replacement;
      else if (how === 1) delete doc[key];
      return doc;
    });

/**
 * An ignore entry written as a map (path, reason, until) is declined by the hand-written checks on purpose:
 * such a file takes the precise path (zod), which is slower, never wrong.
 */
const mapIgnore = (list: unknown) => Array.isArray(list) && list.some((e) => typeof e !== "string");
const hasMapIgnore = (v: unknown, level: "document" | "integration"): boolean => {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  const r = v as Record<string, unknown>;
  if (mapIgnore(r.ignore)) return true;
  if (level === "integration" || typeof r.integrations !== "object" || r.integrations === null) return false;
  return Object.values(r.integrations).some((i) => hasMapIgnore(i, "integration"));
};

describe("an ignore entry written as a map", () => {
  it("is declined by the hand-written checks though zod takes it, so its file goes the precise way", () => {
    const doc = {
      apiId: "a1b2c3d4e5",
      protocol: "HTTP",
      integrations: { aaa1111: { ignore: [{ path: "/description", reason: "load test" }] } },
    };
    expect(documentSchema("HTTP").safeParse(doc).success).toBe(true);
    expect(acceptsDocument(doc, "HTTP")).toBe(false);
  });
});

describe.each(PROTOCOLS)("the hand-written checks agree with the zod schema for %s", (protocol) => {
  it.each(FIELD_NAMES.filter((f) => supports(f, protocol)))("%s", (field) => {
    const schema = rowOf(field).codec.schema(z, protocol);
    fc.assert(
      fc.property(fieldValue(field), (v) => {
        expect(rowOf(field).codec.accepts(v, protocol)).toBe(schema.safeParse(v).success);
      }),
      { numRuns: 500 },
    );
  });

  it("on whole integrations", () => {
    const schema = integrationSchema(protocol);
    fc.assert(
      fc.property(fc.oneof(anyIntegration, nearlyValidIntegration(protocol)), (v) => {
        const expected = schema.safeParse(v).success && !hasMapIgnore(v, "integration");
        expect(acceptsIntegration(v, protocol)).toBe(expected);
      }),
      { numRuns: 2_000 },
    );
  });

  it("on whole documents, valid ones included", () => {
    const schema = documentSchema(protocol);
    let valid = 0;
    fc.assert(
      fc.property(document(protocol), (v) => {
        const ok = schema.safeParse(v).success && !hasMapIgnore(v, "document");
        if (ok) valid += 1;
        expect(acceptsDocument(v, protocol)).toBe(ok);
      }),
      { numRuns: 3_000 },
    );
    // The generator reaches both answers, or the test would say nothing.
    expect(valid).toBeGreaterThan(300);
  });

  it("knows no key the schema does not have", () => {
    expect([...ACCEPTED_DOCUMENT_KEYS].sort()).toEqual(Object.keys(documentSchema(protocol).shape).sort());
    const known = [...FIELD_NAMES.filter((f) => supports(f, protocol)), "ignore"].sort();
    expect(Object.keys(integrationSchema(protocol).shape).sort()).toEqual(known);
  });
});
