import { execFile } from "node:child_process";
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildLambda, loadedAtStart } from "../../scripts/build-lambda.ts";
import { BUILD_MARKER } from "../../scripts/output-folder.ts";

const run = promisify(execFile);
const SCRIPT = resolve("scripts/build-lambda.ts");
const MAKEFILE = resolve("Makefile");
const REVISION = "0123456789abcdef0123456789abcdef01234567";

/** Runs a command, resolving with its exit code and output whether it succeeds or not. */
async function exec(file: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }) {
  try {
    const { stdout, stderr } = await run(file, args, { ...options, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), "apigw-drift-build-"));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe("the Lambda build's output folder", () => {
  it("marks what it builds, and rebuilds a folder it built before", async () => {
    const out = join(tmp, "lambda");
    const first = await buildLambda({ outdir: out, revision: REVISION });
    expect(first.outfile).toBe(join(out, "index.mjs"));
    const built = [BUILD_MARKER, "chunks", "index.mjs", "index.mjs.map"];
    expect((await readdir(out)).sort()).toEqual(built);
    // Code reached only through import() is split out, each chunk with its map.
    const chunks = await readdir(join(out, "chunks"));
    expect(chunks.filter((f) => f.endsWith(".mjs")).length).toBeGreaterThan(0);
    expect(chunks.filter((f) => f.endsWith(".mjs.map")).length).toBe(
      chunks.filter((f) => f.endsWith(".mjs")).length,
    );
    // A cold start loads neither the validator nor the YAML parser (the state is embedded validated, as
    // JSON): neither package is in the entry or in any chunk it imports statically.
    const atStart = [...loadedAtStart(first.metafile)].flatMap((f) =>
      Object.keys(first.metafile.outputs[f]!.inputs),
    );
    expect(atStart.some((input) => input.includes("lib/reconcile/reconcile.ts"))).toBe(true);
    expect(atStart.filter((input) => /node_modules\/(zod|yaml)\//.test(input))).toEqual([]);
    await writeFile(join(out, "stale.txt"), "from a run before");
    await writeFile(join(out, "chunks", "stale.mjs"), "// from a run before");
    await buildLambda({ outdir: out, revision: REVISION });
    expect((await readdir(out)).sort()).toEqual(built);
    expect((await readdir(join(out, "chunks"))).sort()).toEqual(chunks.sort());
  }, 60_000);

  it("refuses, through the script, an empty folder name, the current folder and the desired state", async () => {
    // A throwaway project as the current folder: the refusals are never tried on the real checkout.
    const project = join(tmp, "project");
    await mkdir(join(project, "desired-state"), { recursive: true });
    await writeFile(join(project, "desired-state", "orders.yaml"), "apiId: a1b2c3d4e5\n");
    const cases: [string, string][] = [
      ["", "no output folder given (an empty ARTIFACTS_DIR?)"],
      [".", `refusing to build into ${project}: it is the current folder`],
      [
        "desired-state",
        `refusing to build into ${join(project, "desired-state")}: it is the desired-state folder`,
      ],
    ];
    for (const [outdir, message] of cases) {
      const result = await exec(process.execPath, [SCRIPT, outdir], { cwd: project });
      expect(result.code, outdir).toBe(2);
      expect(result.stderr).toContain(`build-lambda: ${message}`);
      expect(result.stdout).toBe("");
      expect(await readdir(project)).toEqual(["desired-state"]);
      expect(await readFile(join(project, "desired-state", "orders.yaml"), "utf8")).toBe(
        "apiId: a1b2c3d4e5\n",
      );
    }
  }, 30_000);

  it("stops `make build-ReconcileFunction` without ARTIFACTS_DIR before anything runs", async () => {
    // A stand-in npm on the PATH records what the recipe would run.
    const project = join(tmp, "make");
    const bin = join(project, "bin");
    await mkdir(bin, { recursive: true });
    await writeFile(join(bin, "npm"), `#!/bin/sh\necho "$@" > "${join(project, "npm-args")}"\n`);
    await chmod(join(bin, "npm"), 0o755);
    const { ARTIFACTS_DIR: _, ...env } = process.env;
    const path = `${bin}:${process.env.PATH}`;
    const make = (extra: NodeJS.ProcessEnv) =>
      exec("make", ["-f", MAKEFILE, "build-ReconcileFunction"], {
        cwd: project,
        env: { ...env, PATH: path, ...extra },
      });
    const empty = await make({});
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain(
      "*** ARTIFACTS_DIR is empty: it is the folder to build into, and the build deletes it first. Run `sam build`, which sets it, or `make build-ReconcileFunction ARTIFACTS_DIR=dist/lambda`.  Stop.",
    );
    expect(await readdir(project)).toEqual(["bin"]);
    expect((await make({ ARTIFACTS_DIR: "  " })).code).toBe(2);
    expect(await readdir(project)).toEqual(["bin"]);
    const set = await make({ ARTIFACTS_DIR: "/tmp/sam/build/ReconcileFunction" });
    expect(set.code).toBe(0);
    expect(await readFile(join(project, "npm-args"), "utf8")).toBe(
      "run --silent build:lambda -- /tmp/sam/build/ReconcileFunction\n",
    );
  });
});
