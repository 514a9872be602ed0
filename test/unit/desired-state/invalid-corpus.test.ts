import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { DesiredStateError } from "../../../lib/desired-state/errors.ts";
import { loadDesiredFiles } from "../../../lib/desired-state/load.ts";
import { terminal } from "../../../lib/text/escape.ts";

/**
 * Every file in test/fixtures/invalid/ is named after its fault and declares the errors it must produce,
 * one leading comment line each:
 *
 *     # expect: <line>:<column> <pointer> <message>
 *
 * `""` stands for the empty pointer (the whole file). Pointers in the corpus hold no spaces. Pointer and
 * message are written as a terminal shows them (lib/text/escape.ts: `\n`, `\x1b`, `\u202e`), so the
 * hostile-* files can declare keys that hold newlines and escape sequences in a one-line ASCII header.
 */
const DIR = fileURLToPath(new URL("../../fixtures/invalid/", import.meta.url));
const EXPECT = /^# expect: (\d+):(\d+) (\S+) (.+)$/;

type Expected = Omit<DesiredStateError, "file">;

/** Fixtures that cannot carry their own header: an empty file stops being empty with a comment in it. */
const NO_HEADER: Record<string, Expected[]> = {
  "empty-file.yaml": [
    {
      line: 1,
      column: 1,
      pointer: "",
      message: "file is empty; write an API's desired state (apiId, protocol, integrations)",
    },
  ],
};

function expectations(bytes: Uint8Array): Expected[] {
  // The header is ASCII even where the rest of the file is not UTF-8.
  const lines = Buffer.from(bytes).toString("latin1").split("\n");
  const out: Expected[] = [];
  for (const line of lines) {
    const m = EXPECT.exec(line);
    if (!m) break;
    out.push({
      line: Number(m[1]),
      column: Number(m[2]),
      pointer: m[3] === '""' ? "" : m[3]!,
      message: m[4]!,
    });
  }
  return out;
}

const withoutFile = (errors: DesiredStateError[]): Expected[] =>
  errors.map(({ file: _, pointer, message, ...rest }) => ({
    ...rest,
    pointer: terminal(pointer),
    message: terminal(message),
  }));

const fixtures = readdirSync(DIR)
  .filter((n) => n.endsWith(".yaml"))
  .sort();

describe("the invalid desired-state corpus", () => {
  it("holds at least 30 bad files", () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(30);
  });

  it.each(fixtures)("reports exactly the declared errors for %s, and no API", (name) => {
    const bytes = readFileSync(`${DIR}${name}`);
    const expected = NO_HEADER[name] ?? expectations(bytes);
    expect(expected.length, `${name} declares no # expect: line`).toBeGreaterThan(0);

    const state = loadDesiredFiles([{ path: name, bytes }]);

    expect(state.apis).toEqual([]);
    expect(state.errors.every((e) => e.file === name)).toBe(true);
    expect(withoutFile([...state.errors])).toEqual(expected);
  });

  it("reports the second of two files that claim one apiId, naming the first", () => {
    const names = ["duplicate-api-id/first.yaml", "duplicate-api-id/second.yaml"];
    const files = names.map((path) => ({ path, bytes: readFileSync(`${DIR}${path}`) }));

    const state = loadDesiredFiles(files);

    expect(state.errors.filter((e) => e.file === names[0])).toEqual([]);
    expect(withoutFile(state.errors.filter((e) => e.file === names[1]))).toEqual(
      expectations(files[1]!.bytes),
    );
    expect(state.errors).toHaveLength(1);
  });

  it("refuses a file over 1 MiB by its size", () => {
    const bytes = new TextEncoder().encode(`apiId: a1b2c3d4e5\ndescription: "${"x".repeat(1024 * 1024)}"\n`);

    const state = loadDesiredFiles([{ path: "oversized.yaml", bytes }]);

    expect(state.apis).toEqual([]);
    expect(state.errors).toEqual([
      {
        file: "oversized.yaml",
        line: 1,
        column: 1,
        pointer: "",
        message: `file is ${bytes.byteLength} bytes, over the 1048576-byte limit for a desired-state file (one API has at most a few hundred integrations); check that this is the right file`,
      },
    ]);
  });
});
