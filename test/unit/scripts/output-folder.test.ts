import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  BUILD_MARKER,
  checkOutputFolder,
  OutputFolderError,
  resetOutputFolder,
} from "../../../scripts/output-folder.ts";

/**
 * A throwaway project in a temp folder (git repository, desired state, tracked sources, an untracked
 * scratch folder), so that no refusal is ever tested against the real checkout.
 */
let root: string;
let project: string;
const EXAMPLE = "pass a folder of its own, e.g. `npm run build:lambda -- dist/lambda`";

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "apigw-drift-outdir-"));
  project = join(root, "project");
  await mkdir(join(project, "desired-state"), { recursive: true });
  await mkdir(join(project, "src"));
  await mkdir(join(project, "scratch"));
  await mkdir(join(project, "empty"));
  await writeFile(join(project, "package.json"), "{}\n");
  await writeFile(join(project, "desired-state", "orders.yaml"), "apiId: a1b2c3d4e5\n");
  await writeFile(join(project, "src", "index.ts"), "export {};\n");
  await writeFile(join(project, "scratch", "notes.txt"), "mine\n");
  const git = (...args: string[]) => execFileSync("git", ["-C", project, ...args], { stdio: "pipe" });
  git("init", "--quiet");
  git("add", "package.json", "desired-state", "src");
  git("-c", "user.name=test", "-c", "user.email=test@example.com", "commit", "--quiet", "-m", "init");
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Every file under `dir` with its contents (.git's included), to show that nothing was deleted. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name);
    out[relative(dir, path)] = entry.isFile() ? (await readFile(path)).toString("base64") : "<dir>";
  }
  return out;
}

const paths = (cwd = project) => ({
  cwd,
  projectDir: project,
  desiredDirs: ["desired-state", join(project, "desired-state")],
});

/** Expects checkOutputFolder to refuse `outdir` with exactly `message`, and the project to be intact. */
async function expectRefused(outdir: string, message: string, cwd = project): Promise<void> {
  const before = await snapshot(root);
  const error = await checkOutputFolder(outdir, paths(cwd)).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(OutputFolderError);
  expect((error as Error).message).toBe(message);
  expect(await snapshot(root)).toEqual(before);
}

describe("checkOutputFolder", () => {
  it("refuses an empty folder name, which would resolve to the current folder", async () => {
    for (const outdir of ["", " "]) {
      await expectRefused(
        outdir,
        `no output folder given (an empty ARTIFACTS_DIR?): the build deletes its output folder first, and "" is the current folder. ${EXAMPLE}; \`sam build\` sets ARTIFACTS_DIR itself`,
      );
    }
  });

  it("refuses the current folder and its ancestors", async () => {
    await expectRefused(
      ".",
      `refusing to build into ${project}: it is the current folder, and the build deletes its output folder first; nothing was deleted. ${EXAMPLE}`,
    );
    await expectRefused(
      "..",
      `refusing to build into ${project}: it holds the current folder ${join(project, "src")}, and the build deletes its output folder first; nothing was deleted. ${EXAMPLE}`,
      join(project, "src"),
    );
  });

  it("refuses the project and the folders that hold it, from anywhere", async () => {
    const elsewhere = join(root, "elsewhere");
    await mkdir(elsewhere);
    await expectRefused(
      project,
      `refusing to build into ${project}: it holds the project ${project}, and the build deletes its output folder first; nothing was deleted. ${EXAMPLE}`,
      elsewhere,
    );
    await expectRefused(
      root,
      `refusing to build into ${root}: it holds the project ${project}, and the build deletes its output folder first; nothing was deleted. ${EXAMPLE}`,
      tmpdir(),
    );
  });

  it("refuses a symbolic link to the project", async () => {
    await symlink(project, join(root, "link"));
    await expectRefused(
      join(root, "link"),
      `refusing to build into ${join(root, "link")} (${project}): it holds the project ${project}, and the build deletes its output folder first; nothing was deleted. ${EXAMPLE}`,
      root,
    );
  });

  it("refuses the desired-state folder, and folders inside it", async () => {
    const desired = join(project, "desired-state");
    await expectRefused(
      "desired-state",
      `refusing to build into ${desired}: it is the desired-state folder ${desired}, which the build reads and must not replace; nothing was deleted. ${EXAMPLE}`,
    );
    await expectRefused(
      "desired-state/out",
      `refusing to build into ${join(desired, "out")}: it is inside the desired-state folder ${desired}, which the build reads and must not replace; nothing was deleted. ${EXAMPLE}`,
    );
  });

  it("refuses a folder holding files git tracks, even with a build marker", async () => {
    await writeFile(join(project, "src", BUILD_MARKER), "");
    await expectRefused(
      "src",
      `refusing to build into ${join(project, "src")}: it holds files git tracks ("src/index.ts"): it is part of the project, not a build output; nothing was deleted. ${EXAMPLE}`,
    );
  });

  it("refuses a non-empty folder no earlier build made", async () => {
    await expectRefused(
      "scratch",
      `refusing to build into ${join(project, "scratch")}: it is not empty ("notes.txt") and no earlier build made it (it has no ${BUILD_MARKER}); empty or delete it yourself if it is a build output; nothing was deleted. ${EXAMPLE}`,
    );
    const home = join(root, "home");
    await mkdir(home);
    for (const name of ["a", "b", "c", "d", "e"]) await writeFile(join(home, name), name);
    await expectRefused(
      home,
      `refusing to build into ${home}: it is not empty ("a", "b", "c" and 2 more) and no earlier build made it (it has no ${BUILD_MARKER}); empty or delete it yourself if it is a build output; nothing was deleted. ${EXAMPLE}`,
    );
  });

  it("refuses a file", async () => {
    await expectRefused(
      "package.json",
      `refusing to build into ${join(project, "package.json")}: it is a file, not a folder; nothing was deleted. ${EXAMPLE}`,
    );
  });

  it("accepts a folder that does not exist, an empty one, and an earlier build's", async () => {
    await mkdir(join(project, "dist", "lambda"), { recursive: true });
    await writeFile(join(project, "dist", "lambda", BUILD_MARKER), "");
    await writeFile(join(project, "dist", "lambda", "index.mjs"), "old");
    for (const outdir of ["new/lambda", "empty", "dist/lambda"]) {
      expect(await checkOutputFolder(outdir, paths())).toBe(join(project, outdir));
    }
  });
});

describe("resetOutputFolder", () => {
  it("empties the folder and marks it as the build's before anything is written into it", async () => {
    const out = join(project, "dist", "lambda");
    await mkdir(out, { recursive: true });
    await writeFile(join(out, BUILD_MARKER), "");
    await writeFile(join(out, "index.mjs"), "old");
    await resetOutputFolder(out);
    expect(await readdir(out)).toEqual([BUILD_MARKER]);
    await resetOutputFolder(join(project, "fresh"));
    expect((await stat(join(project, "fresh", BUILD_MARKER))).isFile()).toBe(true);
    expect(await checkOutputFolder("fresh", paths())).toBe(join(project, "fresh"));
  });
});
