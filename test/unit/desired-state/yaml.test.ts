import { describe, expect, it } from "vitest";
import { DEFAULT_YAML_LIMITS, type ParsedYaml, parseYaml } from "../../../lib/desired-state/yaml.ts";

const bytes = (text: string) => new TextEncoder().encode(text);
const parse = (text: string, limits = DEFAULT_YAML_LIMITS) => parseYaml(bytes(text), limits);
const problems = (parsed: ParsedYaml) =>
  parsed.problems.map((p) => `${p.position.line}:${p.position.column} ${p.pointer} ${p.message}`);

describe("parseYaml", () => {
  describe("values and positions", () => {
    it("reads plain data and the position of every key and value", () => {
      const parsed = parse(
        "apiId: a1\nintegrations:\n  abc:\n    timeoutInMillis: 5000\n    ignore: [/x, /y]\n",
      );

      expect(parsed.problems).toEqual([]);
      expect(parsed.value).toEqual({
        apiId: "a1",
        integrations: { abc: { timeoutInMillis: 5000, ignore: ["/x", "/y"] } },
      });
      expect(parsed.positions.get("")).toEqual({ key: undefined, value: { line: 1, column: 1 } });
      expect(parsed.positions.get("/apiId")).toEqual({
        key: { line: 1, column: 1 },
        value: { line: 1, column: 8 },
      });
      expect(parsed.positions.get("/integrations/abc")).toEqual({
        key: { line: 3, column: 3 },
        value: { line: 4, column: 5 },
      });
      expect(parsed.positions.get("/integrations/abc/timeoutInMillis")?.value).toEqual({
        line: 4,
        column: 22,
      });
      expect(parsed.positions.get("/integrations/abc/ignore/1")).toEqual({
        key: undefined,
        value: { line: 5, column: 18 },
      });
    });

    it("escapes / and ~ in the pointers of keys", () => {
      const parsed = parse("requestTemplates:\n  application/json: x\n  a~b: y\n");

      expect(parsed.positions.get("/requestTemplates/application~1json")?.value).toEqual({
        line: 2,
        column: 21,
      });
      expect(parsed.positions.has("/requestTemplates/a~0b")).toBe(true);
    });

    it("reads a key with no value as null, positioned at its key", () => {
      const parsed = parse("a:\nb: 1\n");

      expect(parsed.value).toEqual({ a: null, b: 1 });
      expect(parsed.positions.get("/a")?.key).toEqual({ line: 1, column: 1 });
    });

    it('reads unquoted numeric keys such as 200 as their text, "200"', () => {
      const parsed = parse("200: a\n0404: b\n1e3: c\ntrue: d\n");

      expect(parsed.value).toEqual({ "200": "a", "0404": "b", "1e3": "c", true: "d" });
    });

    it("accepts the core schema's own tags, such as !!str", () => {
      expect(parse("account: !!str 123456789012\n").value).toEqual({ account: "123456789012" });
    });

    it("skips a byte order mark and counts columns after it", () => {
      const parsed = parseYaml(new Uint8Array([0xef, 0xbb, 0xbf, ...bytes("a: b\n")]));

      expect(parsed.value).toEqual({ a: "b" });
      expect(parsed.positions.get("/a")?.value).toEqual({ line: 1, column: 4 });
    });
  });

  describe("aliases and merge keys", () => {
    it("resolves an alias to its anchor's value, positioned at the alias", () => {
      const parsed = parse("a: &x {k: v}\nb: *x\n");

      expect(parsed.value).toEqual({ a: { k: "v" }, b: { k: "v" } });
      expect(parsed.positions.get("/b")?.value).toEqual({ line: 2, column: 4 });
      expect(parsed.positions.get("/b/k")?.value).toEqual({ line: 1, column: 11 });
    });

    it("resolves an alias to the last anchor of its name before it", () => {
      expect(parse("a: &x 1\nb: *x\nc: &x 2\nd: *x\n").value).toEqual({ a: 1, b: 1, c: 2, d: 2 });
    });

    it("merges <<: keys, explicit keys and earlier sources winning", () => {
      const parsed = parse(
        "one: &one {a: 1, b: 1}\ntwo: &two {b: 2, c: 2}\nm:\n  <<: [*one, *two]\n  a: 0\n",
      );

      expect(parsed.problems).toEqual([]);
      expect((parsed.value as Record<string, unknown>).m).toEqual({ a: 0, b: 1, c: 2 });
    });

    it("merges a map that itself merges another", () => {
      const parsed = parse("a: &a {x: 1}\nb: &b {<<: *a, y: 2}\nc: {<<: *b, z: 3}\n");

      expect(parsed.problems).toEqual([]);
      expect((parsed.value as Record<string, unknown>).c).toEqual({ z: 3, y: 2, x: 1 });
    });

    it("reads a quoted << as an ordinary key", () => {
      expect(parse('a: {"<<": 1}\n').value).toEqual({ a: { "<<": 1 } });
    });

    it("reports an alias that names no anchor, and leaves its value out", () => {
      const parsed = parse("a: *nope\n");

      expect(problems(parsed)).toEqual(["1:4 /a alias *nope names no anchor; define &nope before it"]);
      expect(parsed.refused).toEqual(new Set(["/a"]));
    });

    it("reports an alias to the list that contains it as a loop", () => {
      const parsed = parse("a: &x [1, *x]\n");

      expect(problems(parsed)).toEqual([
        "1:11 /a/1 alias *x refers to a map or list that contains it, a loop; write the value out",
      ]);
      expect(parsed.value).toEqual({ a: [1, undefined] });
    });

    it("reports a merge key that merges the map containing it as a loop", () => {
      expect(problems(parse("a: &x {<<: *x, b: 1}\n"))).toEqual([
        "1:12 /a a merge key (<<) merges a map that contains it, a loop; write the keys out",
      ]);
    });

    it("reports a merge key whose value is not a map", () => {
      expect(problems(parse("l: &l [1]\nm: {<<: *l}\nn: {<<: [*l, 1]}\n"))).toEqual([
        "2:9 /m a merge key (<<) takes a map or an alias to a map, e.g. <<: *defaults",
        "3:10 /n a merge key (<<) takes a map or an alias to a map, e.g. <<: *defaults",
        "3:14 /n a merge key (<<) takes a map or an alias to a map, e.g. <<: *defaults",
      ]);
    });

    it("stops an alias bomb at the node cap, quickly", () => {
      const levels = ["a: &a [x, x, x, x, x, x, x, x, x]"];
      for (let i = 1; i < 10; i++) {
        const [name, previous] = [String.fromCharCode(97 + i), String.fromCharCode(96 + i)];
        levels.push(`${name}: &${name} [${Array(9).fill(`*${previous}`).join(", ")}]`);
      }
      const started = performance.now();

      const parsed = parse(`${levels.join("\n")}\n`);

      expect(performance.now() - started).toBeLessThan(2000);
      expect(parsed.value).toBeUndefined();
      expect(problems(parsed)).toEqual([
        "1:1  document expands to more than 100000 nodes (an alias bomb?); write the values out instead of nesting aliases",
      ]);
    });

    it("stops a bomb of nested merge keys at the node cap", () => {
      const lines = ["m0: &m0 {k: 1}"];
      for (let i = 1; i < 12; i++)
        lines.push(
          `m${i}: &m${i} {<<: [${Array(10)
            .fill(`*m${i - 1}`)
            .join(", ")}]}`,
        );

      const parsed = parse(`${lines.join("\n")}\n`, { ...DEFAULT_YAML_LIMITS, maxNodes: 10_000 });

      expect(problems(parsed)).toEqual([
        "1:1  document expands to more than 10000 nodes (an alias bomb?); write the values out instead of nesting aliases",
      ]);
    });

    it("resolves thousands of aliases in one pass, not one document walk per alias", () => {
      const anchors = Array.from({ length: 5000 }, (_, i) => `  - &a${i} v${i}`);
      const aliases = Array.from({ length: 5000 }, (_, i) => `  - *a${i}`);
      const started = performance.now();

      const parsed = parse(`list:\n${anchors.join("\n")}\n${aliases.join("\n")}\n`);

      // A walk per alias took about 8 s here; one pass takes well under one.
      expect(performance.now() - started).toBeLessThan(3000);
      expect(parsed.problems).toEqual([]);
      expect((parsed.value as { list: string[] }).list[9999]).toBe("v4999");
    });
  });

  describe("refused input", () => {
    it("refuses a file over the size limit by its size, without decoding it", () => {
      const parsed = parseYaml(new Uint8Array(0), DEFAULT_YAML_LIMITS, 2_000_000);

      expect(problems(parsed)).toEqual([
        "1:1  file is 2000000 bytes, over the 1048576-byte limit for a desired-state file (one API has at most a few hundred integrations); check that this is the right file",
      ]);
    });

    it("refuses bytes over the size limit", () => {
      const parsed = parse("a: 12345\n", { ...DEFAULT_YAML_LIMITS, maxBytes: 8 });

      expect(parsed.value).toBeUndefined();
      expect(parsed.problems[0]?.message).toMatch(/^file is 9 bytes, over the 8-byte limit/);
    });

    it("refuses invalid UTF-8 at the line and column of the bad byte", () => {
      const parsed = parseYaml(new Uint8Array([...bytes("a: 1\nb: ca"), 0xff, ...bytes("fe\n")]));

      expect(problems(parsed)).toEqual(["2:6  file is not valid UTF-8 (at byte 11); save it as UTF-8"]);
    });

    it("reports an empty file and a file of comments alike", () => {
      for (const text of ["", "# just a comment\n", "\n\n"]) {
        expect(problems(parse(text))).toEqual([
          "1:1  file is empty; write an API's desired state (apiId, protocol, integrations)",
        ]);
      }
    });

    it("reads a bare document marker as a null document", () => {
      const parsed = parse("---\n");

      expect(parsed.problems).toEqual([]);
      expect(parsed.value).toBeNull();
    });

    it("refuses a second document, at its start", () => {
      expect(problems(parse("a: 1\n---\nb: 2\n---\nc: 3\n"))).toEqual([
        "2:1  file holds more than one YAML document; write one API per file",
      ]);
    });

    it("refuses a YAML version other than 1.2, where yes and no would be booleans", () => {
      expect(problems(parse("# header\n%YAML 1.1\n---\na: yes\n"))).toEqual([
        "2:1  %YAML 1.1 is not supported: desired-state files are YAML 1.2 (where yes/no are strings); remove the directive",
      ]);
      expect(parse("%YAML 1.2\n---\na: yes\n").value).toEqual({ a: "yes" });
    });

    it("reports YAML syntax errors with their position, and no value", () => {
      const parsed = parse("a: [1, 2\nb: 3\n");

      expect(parsed.value).toBeUndefined();
      expect(parsed.problems.length).toBeGreaterThan(0);
      expect(parsed.problems.every((p) => p.message.startsWith("YAML: "))).toBe(true);
    });

    it("points a string that is never closed at its opening quote, not at the end of the file", () => {
      expect(problems(parse("a: 1\nb: 'open\nc: 2\n"))).toEqual([
        "2:4  YAML: the quoted string that starts here is never closed; end it with '",
      ]);
    });

    it("refuses nesting deeper than the depth cap, at the first node too deep", () => {
      const parsed = parse("a:\n  b:\n    c:\n      d: 1\n", { ...DEFAULT_YAML_LIMITS, maxDepth: 3 });

      expect(parsed.value).toBeUndefined();
      expect(problems(parsed)).toEqual([
        "4:7  nested deeper than 3 levels; a desired-state file is never that deep",
      ]);
    });

    it("refuses deep nesting through aliases at the value too deep", () => {
      const parsed = parse("x: &x {b: {c: 1}}\ny: {z: *x}\n", { ...DEFAULT_YAML_LIMITS, maxDepth: 3 });

      expect(problems(parsed)).toEqual([
        "1:15 /y/z/b/c nested deeper than 3 levels; a desired-state file is never that deep",
      ]);
    });

    it("refuses 20,000 nested brackets with the depth message, not a stack overflow", () => {
      // Without the check before composing, the yaml package overflows the stack several hundred levels in.
      const parsed = parse(`a: ${"[".repeat(20_000)}${"]".repeat(20_000)}\n`);

      expect(problems(parsed)).toEqual([
        "1:36  nested deeper than 32 levels; a desired-state file is never that deep",
      ]);
    });

    it("reports a duplicate key where it repeats, naming the first, and keeps the first value", () => {
      const parsed = parse("a: 1\nb: 2\na: 3\n");

      expect(problems(parsed)).toEqual(['3:1 /a duplicate key "a" (first at line 1, column 1); keep one']);
      expect(parsed.value).toEqual({ a: 1, b: 2 });
    });

    it("refuses __proto__, constructor and prototype keys and never stores them", () => {
      const parsed = parse("a:\n  __proto__: {polluted: true}\n  constructor: 1\n  prototype: 2\n  ok: 3\n");
      const a = (parsed.value as { a: Record<string, unknown> }).a;

      expect(problems(parsed)).toEqual([
        '2:3 /a/__proto__ key "__proto__" is reserved (it could alter object prototypes) and names nothing in desired state; remove it',
        '3:3 /a/constructor key "constructor" is reserved (it could alter object prototypes) and names nothing in desired state; remove it',
        '4:3 /a/prototype key "prototype" is reserved (it could alter object prototypes) and names nothing in desired state; remove it',
      ]);
      expect(Object.keys(a)).toEqual(["ok"]);
      expect(Object.getPrototypeOf(a)).toBe(Object.prototype);
      expect((a as { polluted?: unknown }).polluted).toBeUndefined();
      expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
    });

    it("never takes a __proto__ key in from a merged map", () => {
      const parsed = parse("base: &b {__proto__: {polluted: true}, k: 1}\nm: {<<: *b}\n");
      const m = (parsed.value as { m: Record<string, unknown> }).m;

      expect(m).toEqual({ k: 1 });
      expect(Object.getPrototypeOf(m)).toBe(Object.prototype);
    });

    it("refuses keys that are not plain text", () => {
      const text = "[a, b]: 1\n{c: d}: 2\n? \n: 3\n!custom e: 4\n~: 5\n";

      expect(problems(parse(text))).toEqual(
        ["1:1", "2:1", "3:3", "5:9", "6:1"].map(
          (at) => `${at}  map keys must be plain text; a list, map, null or tagged value cannot be a key`,
        ),
      );
    });

    it("refuses values with tags outside the core schema, with their pointer", () => {
      const parsed = parse("a: !!binary aGk=\nb: !!set {x}\nc: !custom 1\nd: !!timestamp 2001-01-01\n");

      expect(problems(parsed)).toEqual([
        "1:13 /a YAML tag !!binary is not supported; write a plain string, number, true/false, null, map or list",
        "2:10 /b YAML tag !!set is not supported; write a plain string, number, true/false, null, map or list",
        "3:12 /c YAML tag !custom is not supported; write a plain string, number, true/false, null, map or list",
        "4:16 /d YAML tag !!timestamp is not supported; write a plain string, number, true/false, null, map or list",
      ]);
      expect(parsed.refused).toEqual(new Set(["/a", "/b", "/c", "/d"]));
    });
  });
});
