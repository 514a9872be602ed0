import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { main } from "../../../lib/cli/main.ts";
import { captureIo as capture } from "../../helpers/world.ts";

describe("apigw-drift validate on the invalid corpus", () => {
  it("exits 1 and prints a file:line:col line for each bad file", async () => {
    const io = capture();
    const fixtures = readdirSync("test/fixtures/invalid").filter((n) => n.endsWith(".yaml"));

    expect(await main(["validate", "--desired", "test/fixtures/invalid"], io)).toBe(1);

    const lines = io.out.trimEnd().split("\n");
    expect(lines.every((l) => /^test\/fixtures\/invalid\/[^:]+\.yaml:\d+:\d+ \/\S* \S/.test(l))).toBe(true);
    for (const name of fixtures) {
      expect(
        lines.some((l) => l.startsWith(`test/fixtures/invalid/${name}:`)),
        name,
      ).toBe(true);
    }
    expect(io.err).toMatch(
      new RegExp(
        `^\\n${lines.length} errors in ${fixtures.length} files; nothing will be applied until all are fixed\\.\\n$`,
      ),
    );
  });
});
