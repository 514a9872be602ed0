import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { main } from "../../../lib/cli/main.ts";
import type { Report } from "../../../lib/plan/report.ts";
import { captureIo } from "../../helpers/world.ts";

let repo: string;
let elsewhere: string;
let sha: string;

beforeEach(async () => {
  // A git repository holding an (invalid, so that no AWS call is made) desired-state folder.
  repo = await mkdtemp(join(tmpdir(), "apigw-drift-repo-"));
  elsewhere = await mkdtemp(join(tmpdir(), "apigw-drift-cwd-"));
  await mkdir(join(repo, "desired-state"));
  await writeFile(join(repo, "desired-state", "a.yaml"), "apiId: a1b2c3d4e5\n");
  const git = (...args: string[]) =>
    execFileSync("git", ["-C", repo, "-c", "user.name=t", "-c", "user.email=t@example.com", ...args], {
      encoding: "utf8",
    });
  git("init", "-q");
  git("add", ".");
  git("commit", "-qm", "desired state");
  sha = git("rev-parse", "HEAD").trim();
});
afterEach(async () => {
  await rm(repo, { recursive: true, force: true });
  await rm(elsewhere, { recursive: true, force: true });
});

async function revision(desired: string): Promise<string> {
  const io = captureIo({ DESIRED_REVISION: undefined }, elsewhere);
  await main(["plan", "--desired", desired, "--json", "--no-history"], io);
  return (JSON.parse(io.out) as Report).desiredRevision;
}

describe("the desired revision a run records", () => {
  it("is the commit of an absolute --desired folder, wherever the CLI runs", async () => {
    expect(await revision(join(repo, "desired-state"))).toBe(sha);
  });

  it("is the commit of a --desired folder relative to the working directory", async () => {
    expect(await revision(relative(elsewhere, join(repo, "desired-state")))).toBe(sha);
  });

  it("is -dirty when the folder has uncommitted changes", async () => {
    await writeFile(join(repo, "desired-state", "a.yaml"), "apiId: changed\n");
    expect(await revision(join(repo, "desired-state"))).toBe(`${sha}-dirty`);
  });
});
