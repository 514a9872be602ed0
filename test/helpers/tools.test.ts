import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findOnPath, requireTool } from "./tools.ts";

describe("requireTool", () => {
  let dir: string;
  let bin: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "apigw-drift-tools-"));
    bin = join(dir, "bin");
    await mkdir(join(bin, "a-folder"), { recursive: true });
    await writeFile(join(bin, "fake-tool"), "#!/bin/sh\n");
    await chmod(join(bin, "fake-tool"), 0o755);
    await writeFile(join(bin, "not-executable"), "");
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("finds an executable on PATH", () => {
    const lines: string[] = [];
    const tool = requireTool("fake-tool", "install it", {
      env: { PATH: ["/nonexistent", bin].join(delimiter), CI: "true" },
      warn: (l) => lines.push(l),
    });
    expect(tool).toEqual({ name: "fake-tool", available: true, path: join(bin, "fake-tool") });
    expect(lines).toEqual([]);
  });

  it("fails under CI when the tool is missing, with the install hint", () => {
    expect(() =>
      requireTool("moto_server", 'pip install "moto[server]"', { env: { PATH: bin, CI: "1" } }),
    ).toThrow('moto_server is not installed (not found on PATH); CI needs it: pip install "moto[server]"');
  });

  it("takes CI=false and CI=0 for a developer machine", () => {
    for (const CI of ["false", "0", ""]) {
      const lines: string[] = [];
      expect(
        requireTool("absent-tool", "hint", { env: { PATH: bin, CI }, warn: (l) => lines.push(l) }),
      ).toEqual({ name: "absent-tool", available: false });
      expect(lines).toHaveLength(1);
    }
  });

  it("skips loudly on a developer machine: one line naming the tool and how to install it", () => {
    const lines: string[] = [];
    const tool = requireTool("moto_server", 'pip install "moto[server]"', {
      env: { PATH: bin },
      warn: (l) => lines.push(l),
    });
    expect(tool).toEqual({ name: "moto_server", available: false });
    expect(lines).toEqual([
      'SKIPPED: the tests that need moto_server: moto_server is not installed (not found on PATH). Install it with: pip install "moto[server]"\n',
    ]);
  });

  it("takes neither a folder nor a file without the execute bit for the tool", () => {
    expect(findOnPath("a-folder", bin)).toBeUndefined();
    expect(findOnPath("not-executable", bin)).toBeUndefined();
    expect(findOnPath("fake-tool", `${delimiter}${bin}`)).toBe(join(bin, "fake-tool"));
  });
});
