import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { main } from "../../../lib/cli/main.ts";
import { expectNothingForged } from "../../helpers/hostile.ts";
import { captureIo as capture } from "../../helpers/world.ts";

describe("apigw-drift validate on the invalid corpus", () => {
  it("exits 1 and prints a file:line:col line for each bad file, hostile keys escaped", async () => {
    const io = capture();
    const fixtures = readdirSync("test/fixtures/invalid").filter((n) => n.endsWith(".yaml"));

    expect(await main(["validate", "--desired", "test/fixtures/invalid"], io)).toBe(1);

    const lines = io.out.trimEnd().split("\n");
    expect(lines.every((l) => /^test\/fixtures\/invalid\/[^:]+\.yaml:\d+:\d+ \/\S* \S/.test(l))).toBe(true);
    expectNothingForged(io.out + io.err);
    expect(lines).toContain(
      'test/fixtures/invalid/hostile-key-newline-command.yaml:5:3 /integrations/abc123\\n::error::forged integration id "abc123\\n::error::forged" is not valid; use the integrationId as API Gateway shows it (lowercase letters and digits)',
    );
    // The one sub-folder of the corpus: its files are not part of this folder's desired state.
    const moveUp =
      "is in a sub-folder, but the desired state is only the files directly in test/fixtures/invalid: move it up into test/fixtures/invalid, or out of the folder";
    expect(lines.filter((l) => l.includes("duplicate-api-id/"))).toEqual([
      `test/fixtures/invalid/duplicate-api-id/first.yaml:1:1 / ${moveUp}`,
      `test/fixtures/invalid/duplicate-api-id/second.yaml:1:1 / ${moveUp}`,
    ]);
    for (const name of fixtures) {
      expect(
        lines.some((l) => l.startsWith(`test/fixtures/invalid/${name}:`)),
        name,
      ).toBe(true);
    }
    expect(io.err).toMatch(
      new RegExp(
        `^\\n${lines.length} errors in ${fixtures.length + 2} files; nothing will be applied until all are fixed\\.\\n$`,
      ),
    );
  });
});
