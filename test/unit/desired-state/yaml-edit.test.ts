import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { EditRefused, editYaml } from "../../../lib/desired-state/yaml-edit.ts";

const set = (
  text: string,
  path: string[],
  value: Parameters<typeof editYaml>[1] extends infer E ? (E extends { value: infer V } ? V : never) : never,
) => editYaml(text, { op: "set", path, value });
const del = (text: string, path: string[]) => editYaml(text, { op: "delete", path });
const refusal = (f: () => string): string => {
  try {
    f();
  } catch (error) {
    if (error instanceof EditRefused) return error.message;
    throw error;
  }
  throw new Error("not refused");
};

describe(editYaml.name, () => {
  describe("a scalar", () => {
    it("keeps its style, and its trailing comment", () => {
      expect(set("a: 'x'   # c\nb: 1\n", ["a"], "y")).toBe("a: 'y'   # c\nb: 1\n");
      expect(set('a: "x"\n', ["a"], "it's")).toBe('a: "it\'s"\n');
      expect(set("a: 'x'\n", ["a"], "it's")).toBe("a: 'it''s'\n");
      expect(set("a: 5000 # ms\n", ["a"], 12345)).toBe("a: 12345 # ms\n");
    });

    it("quotes a plain value that would read as something else", () => {
      expect(set("a: x\n", ["a"], "1.0")).toBe('a: "1.0"\n');
      expect(set("a: x\n", ["a"], "a # b")).toBe('a: "a # b"\n');
      expect(set("a: x\n", ["a"], "k: v")).toBe('a: "k: v"\n');
      expect(set("a: x\n", ["a"], "")).toBe('a: ""\n');
      expect(set("m: { a: x }\n", ["m", "a"], "p,q")).toBe('m: { a: "p,q" }\n');
    });

    it("escapes what a YAML file may not hold raw", () => {
      expect(set("a: x\n", ["a"], "\u0085\u2028\u{1f600}\n")).toBe('a: "\\u0085\\u2028\u{1f600}\\n"\n');
    });

    it("writes a block scalar back as a literal block at its indentation", () => {
      expect(set("t:\n  k: |\n    one\n    two\nz: 1\n", ["t", "k"], "three\nfour\n")).toBe(
        "t:\n  k: |\n    three\n    four\nz: 1\n",
      );
      expect(set("k: >-\n  one\nz: 1\n", ["k"], "a\nb")).toBe("k: |-\n  a\n  b\nz: 1\n");
      // What a literal block cannot hold (leading space) is double-quoted, and the line break stays.
      expect(set("k: |\n  one\nz: 1\n", ["k"], " a\nb")).toBe('k: " a\\nb"\nz: 1\n');
    });

    it("fills in an empty value", () => {
      expect(set("a:\nb: 1\n", ["a"], "x")).toBe("a: x\nb: 1\n");
      expect(set("a: ~\n", ["a"], 5)).toBe("a: 5\n");
    });
  });

  describe("a new key", () => {
    it("goes after the last key of a block map, at its indentation, before comments that follow", () => {
      expect(set("m:\n    a: 1   # one\n    # about n\nn: 2\n", ["m", "b"], "x")).toBe(
        "m:\n    a: 1   # one\n    b: x\n    # about n\nn: 2\n",
      );
    });

    it("goes at the end of a flow map, and fills an empty one", () => {
      expect(set("m: {a: 1}\n", ["m", "b"], 2)).toBe("m: {a: 1, b: 2}\n");
      expect(set("m: {}  # none\n", ["m", "b"], 2)).toBe("m: { b: 2 }  # none\n");
    });

    it("quotes a key that would read as a number, and nests what does not exist yet", () => {
      expect(set("r:\n  x: 1\n", ["r", "404", "k"], "v")).toBe('r:\n  x: 1\n  "404":\n    k: v\n');
      expect(set("r: null\n", ["r", "404", "k"], "v")).toBe('r: { "404": { k: v } }\n');
    });

    it("is written on a map that merges another (explicit keys win over merged ones)", () => {
      expect(set("d: &d\n  a: 1\nm:\n  <<: *d\n  b: 2\n", ["m", "a"], 3)).toBe(
        "d: &d\n  a: 1\nm:\n  <<: *d\n  b: 2\n  a: 3\n",
      );
    });

    it("keeps CRLF line breaks", () => {
      expect(set("m:\r\n  a: 1\r\nn: 2\r\n", ["m", "b"], 2)).toBe("m:\r\n  a: 1\r\n  b: 2\r\nn: 2\r\n");
    });
  });

  describe("a deleted key", () => {
    it("takes its lines in a block map, and leaves the comment lines around it", () => {
      expect(del("m:\n  # first\n  a: 1  # one\n  b:\n    c: 2\n  d: 3\n", ["m", "b"])).toBe(
        "m:\n  # first\n  a: 1  # one\n  d: 3\n",
      );
    });

    it("takes its comma in a flow map", () => {
      expect(del("m: { a: 1, b: 2, c: 3 }\n", ["m", "b"])).toBe("m: { a: 1, c: 3 }\n");
      expect(del("m: { a: 1, b: 2 }\n", ["m", "b"])).toBe("m: { a: 1 }\n");
    });

    it("leaves {} when it was the map's last key", () => {
      expect(del("m:\n  a: 1\nn: 2\n", ["m", "a"])).toBe("m: {}\nn: 2\n");
      expect(del("m: { a: 1 }\n", ["m", "a"])).toBe("m: {}\n");
    });

    it("changes nothing when the key is not there", () => {
      expect(del("m:\n  a: 1\n", ["m", "b"])).toBe("m:\n  a: 1\n");
      expect(del("m:\n  a: 1\n", ["n", "b"])).toBe("m:\n  a: 1\n");
    });
  });

  describe("what it refuses to change in one place", () => {
    it("a value given through an alias, or one whose anchor an alias uses", () => {
      expect(refusal(() => set("a: &t 5\nb: *t\n", ["b"], 6))).toBe(
        "the file gives its value through an alias (*t), whose value may be used elsewhere",
      );
      expect(refusal(() => set("a: &t 5\nb: *t\n", ["a"], 6))).toBe(
        "its value carries the anchor &t, which an alias elsewhere uses (changing it here would change that too)",
      );
      expect(refusal(() => del("m:\n  a: &t 5\n  c: 1\nb: *t\n", ["m", "a"]))).toBe(
        "its value carries the anchor &t, which an alias elsewhere uses (changing it here would change that too)",
      );
      expect(refusal(() => set("d: &d\n  a: 1\nm: *d\n", ["m", "a"], 2))).toBe(
        "it is in a map the file gives through an alias (*d), whose value may be used elsewhere",
      );
    });

    it("a key that may come from a merge key, to delete or to reach below", () => {
      const merged = "d: &d\n  a: 1\n  p:\n    x: 1\nm:\n  <<: *d\n  b: 2\n";
      expect(refusal(() => del(merged, ["m", "a"]))).toBe(
        "the file may take it from a merge key (<<), which other maps may share",
      );
      expect(refusal(() => set(merged, ["m", "p", "y"], 2))).toBe(
        "the file may take it from a merge key (<<), which other maps may share",
      );
    });

    it("a key below a value that is not a map", () => {
      expect(refusal(() => set("a: x\n", ["a", "b"], 1))).toBe("the file holds a value at a, not a map");
      expect(refusal(() => set("a: [1]\n", ["a", "b"], 1))).toBe("the file holds a list at a, not a map");
    });

    it("a file that does not read as YAML", () => {
      expect(refusal(() => set("a: [\n", ["a"], 1))).toMatch(/^the file does not read as YAML: /);
    });
  });
});

describe("editYaml on arbitrary values", () => {
  const styles = [
    "m:\n  k: plain   # c\n  z: 1\n",
    "m:\n  k: 'single'\n  z: 1\n",
    'm:\n  k: "double"\n  z: 1\n',
    "m:\n  k: |\n    literal\n  z: 1\n",
    "m: { k: flow, z: 1 }\n",
  ];
  const read = (text: string) => parseDocument(text).toJS() as { m: Record<string, unknown> };

  it("writes any string so that it reads back as exactly that string, and touches nothing else", () => {
    fc.assert(
      fc.property(fc.constantFrom(...styles), fc.string({ unit: "binary", maxLength: 40 }), (text, value) => {
        const out = set(text, ["m", "k"], value);
        expect(read(out).m).toEqual({ k: value, z: 1 });
      }),
      { numRuns: 400 },
    );
  });

  it("adds any key with any value, readable back, beside the others", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...styles),
        fc
          .string({ unit: "binary", minLength: 1, maxLength: 20 })
          .filter((k) => k !== "k" && k !== "z" && k !== "<<"),
        fc.oneof(fc.string({ maxLength: 20 }), fc.integer()),
        (text, key, value) => {
          const out = set(text, ["m", key], value);
          expect(read(out).m).toEqual({ ...read(text).m, [key]: value });
        },
      ),
      { numRuns: 400 },
    );
  });
});
