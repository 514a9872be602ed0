/**
 * The package as a user gets it: packed from a clean copy of this tree (what git tracks, plus new
 * files not ignored), with its bundle built there, installed from the tarball into an empty folder, and
 * run from that folder with the pinned Node 24. The copy keeps this checkout's dist/ untouched while
 * other tests run the built CLI.
 */
import { type SpawnSyncReturns, spawnSync } from "node:child_process";
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { builtinModules } from "node:module";
import { tmpdir } from "node:os";
import { delimiter, dirname, join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const REPO = resolve(".");
let root: string;
let stage: string;
let app: string;
let tarball: string;
let files: string[];

/** The test's own environment: Node 24 first on PATH, and none of the outer `npm test`'s npm_ settings. */
function env(): NodeJS.ProcessEnv {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
  return { ...clean, PATH: [dirname(process.execPath), process.env.PATH].join(delimiter), NO_COLOR: "1" };
}

function run(command: string, args: string[], cwd: string): SpawnSyncReturns<string> {
  const result = spawnSync(command, args, { cwd, env: env(), encoding: "utf8", timeout: 180_000 });
  if (result.error) throw result.error;
  return result;
}

function ok(result: SpawnSyncReturns<string>, what: string): string {
  if (result.status !== 0)
    throw new Error(`${what} exited ${result.status}:\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "apigw-drift-package-"));
  stage = join(root, "stage");
  app = join(root, "app");
  const tracked = ok(
    run("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], REPO),
    "git ls-files",
  )
    .split("\0")
    .filter(Boolean);
  for (const file of tracked) {
    await mkdir(dirname(join(stage, file)), { recursive: true });
    // A file deleted in the work tree but still in the index is not part of the tree.
    await cp(join(REPO, file), join(stage, file)).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== "ENOENT") throw e;
    });
  }
  // The bundle, built in the copy by the same script `prepare` runs (esbuild from this checkout).
  ok(run(process.execPath, [join(REPO, "scripts/build.mjs")], stage), "scripts/build.mjs");
  const pack = JSON.parse(
    ok(run("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", root], stage), "npm pack"),
  ) as { filename: string; files: { path: string }[] }[];
  tarball = join(root, pack[0]!.filename);
  files = pack[0]!.files.map((f) => f.path).sort();

  await mkdir(app);
  await writeFile(
    join(app, "package.json"),
    `${JSON.stringify({ name: "uses-apigw-drift", private: true })}\n`,
  );
  // Dependencies come from npm's cache when they are there (after `npm ci`, all are).
  ok(run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", tarball], app), "npm install");
  await cp(join(REPO, "desired-state"), join(app, "my-desired-state"), { recursive: true });
}, 240_000);
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("the package", () => {
  it("holds only what runs: the bundle, the schema, the template, README, LICENSE", () => {
    // The chunks the bundle loads when first used, each with its map, are all there is besides.
    const chunks = files.filter((f) => f.startsWith("dist/chunks/"));
    expect(chunks.filter((f) => f.endsWith(".mjs")).length).toBeGreaterThan(0);
    for (const f of chunks) expect(f).toMatch(/^dist\/chunks\/[\w-]+\.mjs(\.map)?$/);
    expect(chunks.filter((f) => f.endsWith(".map"))).toEqual(
      chunks.filter((f) => f.endsWith(".mjs")).map((f) => `${f}.map`),
    );
    expect(files.filter((f) => !f.startsWith("dist/chunks/"))).toEqual([
      "LICENSE",
      "README.md",
      "dist/cli.mjs",
      "dist/cli.mjs.map",
      "package.json",
      "schema/desired-state.schema.json",
      "schema/fleet.schema.json",
      "template.yaml",
    ]);
  });

  it("declares every package the bundle imports as a dependency", async () => {
    const bundle = (
      await Promise.all(files.filter((f) => f.endsWith(".mjs")).map((f) => readFile(join(stage, f), "utf8")))
    ).join("\n");
    const manifest = JSON.parse(await readFile(join(stage, "package.json"), "utf8")) as {
      dependencies: Record<string, string>;
    };
    // esbuild writes static imports at the start of a line, and dynamic ones as import("…").
    const specifiers = [
      ...bundle.matchAll(/^import\s(?:[^;"]*?\sfrom\s*)?"([^"]+)";/gm),
      ...bundle.matchAll(/\bimport\(\s*"([^"]+)"\s*\)/g),
    ].map((m) => m[1]!);
    const imported = new Set(
      specifiers
        .filter(
          (name) => !name.startsWith("node:") && !name.startsWith(".") && !builtinModules.includes(name),
        )
        .map((name) => (name.startsWith("@") ? name.split("/").slice(0, 2).join("/") : name.split("/")[0]!)),
    );
    expect([...imported].sort()).toEqual([
      "@aws-sdk/client-apigatewayv2",
      "@aws-sdk/client-cloudtrail",
      "@aws-sdk/client-dynamodb",
      "@aws-sdk/client-eventbridge",
      "@aws-sdk/client-sts",
      "@aws-sdk/credential-providers",
      "@smithy/node-http-handler",
      "@smithy/util-retry",
      "commander",
      "dynalite",
      "js-yaml",
      "yaml",
      "zod",
    ]);
    for (const name of imported) expect(manifest.dependencies, name).toHaveProperty(name);
  });

  it("installs from its tarball and answers --help through npx", () => {
    const help = run("npx", ["--no-install", "apigw-drift", "--help"], app);
    expect(help.stderr).toBe("");
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^Usage: apigw-drift \[options\] \[command\]\n/);
    for (const command of ["validate", "plan", "apply", "import", "history", "report"]) {
      expect(help.stdout).toMatch(new RegExp(`\\n  ${command} \\[options\\]`));
    }
  });

  it("validates a desired-state folder from the installed bin", () => {
    const validate = run(
      join(app, "node_modules/.bin/apigw-drift"),
      ["validate", "--desired", "my-desired-state"],
      app,
    );
    expect(validate.stdout).toBe("valid: 2 APIs, 6 integrations in my-desired-state\n");
    expect(validate.status).toBe(0);
  });

  it("opens its embedded history store (dynalite and LevelDB from the installed dependencies)", () => {
    const history = run(join(app, "node_modules/.bin/apigw-drift"), ["history", "--json"], app);
    expect(history.stderr).toBe("");
    expect(history.stdout).toBe("[]\n");
    expect(history.status).toBe(0);
  });
});
