import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { buildLambda } from "../../scripts/build-lambda.ts";

const API = "apiId: a1b2c3d4e5\nprotocol: HTTP\nintegrations: {}\n";
let root: string;
let desiredDir: string;
let outdir: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "apigw-drift-build-"));
  desiredDir = join(root, "desired-state");
  outdir = join(root, "artifact");
  await mkdir(desiredDir);
  await writeFile(join(desiredDir, "a.yaml"), API);
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** The build's error, with the scratch folder written as <root>. */
async function refusal(): Promise<string> {
  const error = await buildLambda({ outdir, desiredDir, revision: "r" }).then(
    () => new Error("built"),
    (e: Error) => e,
  );
  return error.message.replaceAll(root, "<root>");
}

describe("the Lambda build reads desired state as validate does", () => {
  it("refuses a link out of the folder, embedding nothing and writing no artifact", async () => {
    await writeFile(join(root, "secret.yaml"), "apiId: SECRET-OUTSIDE\nprotocol: HTTP\nintegrations: {}\n");
    await symlink(join(root, "secret.yaml"), join(desiredDir, "b.yaml"));

    expect(await refusal()).toBe(
      "the desired state in <root>/desired-state is not valid; not building:\n<root>/desired-state/b.yaml:1:1 / is a symbolic link, which is never followed (it could point outside the folder); put the file itself in its place, or remove the link",
    );
    expect(existsSync(outdir)).toBe(false);
  });

  it("refuses a FIFO instead of waiting on it forever", async () => {
    execFileSync("mkfifo", [join(desiredDir, "b.yaml")]);

    expect(await refusal()).toBe(
      "the desired state in <root>/desired-state is not valid; not building:\n<root>/desired-state/b.yaml:1:1 / is a named pipe (FIFO), not a regular file, and is never opened: remove it from <root>/desired-state",
    );
    expect(existsSync(outdir)).toBe(false);
  });

  it("refuses a file in a sub-folder, which validate refuses too", async () => {
    await mkdir(join(desiredDir, "team"));
    await writeFile(join(desiredDir, "team", "b.yaml"), API.replace("a1b2c3d4e5", "b1"));

    expect(await refusal()).toBe(
      "the desired state in <root>/desired-state is not valid; not building:\n<root>/desired-state/team/b.yaml:1:1 / is in a sub-folder, but the desired state is only the files directly in <root>/desired-state: move it up into <root>/desired-state, or out of the folder",
    );
    expect(existsSync(outdir)).toBe(false);
  });

  it("refuses an empty folder by name", async () => {
    await rm(join(desiredDir, "a.yaml"));

    expect(await refusal()).toBe(
      "the desired state in <root>/desired-state is not valid; not building:\n<root>/desired-state:1:1 / no *.yaml or *.yml files in <root>/desired-state; write one file per API (see the README)",
    );
  });
});
