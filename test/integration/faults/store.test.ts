/**
 * The local history store failing under a run: corrupt, or its disk full. A run never dies of it and never
 * hides its report: a plan goes on and says history was not recorded; an apply that cannot take the
 * store's lease writes nothing; a store that fails mid-run makes the run PARTIAL with what went wrong,
 * and its lock is released.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { PutItemCommand } from "@aws-sdk/client-dynamodb";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { injectDrift } from "../../../emulator/seed.ts";
import type { Emulator } from "../../../emulator/server.ts";
import { main } from "../../../lib/cli/main.ts";
import { type DesiredState, documents } from "../../../lib/desired-state/state.ts";
import { EMBEDDED_TABLE, openEmbeddedStore } from "../../../lib/history/embedded.ts";
import type { Report } from "../../../lib/plan/report.ts";
import { captureIo, startWorld } from "../../helpers/world.ts";

const DESIRED = resolve("desired-state");
let emulator: Emulator;
let desired: DesiredState;
let close: () => Promise<void>;
let cwd: string;
beforeEach(async () => {
  ({ emulator, desired, close } = await startWorld());
  cwd = await mkdtemp(join(tmpdir(), "apigw-drift-store-"));
});
afterEach(async () => {
  await close();
  vi.unstubAllEnvs();
  await rm(cwd, { recursive: true, force: true });
});

/** A store folder whose LevelDB files are garbage. */
async function corrupt(folder: string) {
  const history = join(folder, ".apigw-drift/history");
  await mkdir(history, { recursive: true });
  await writeFile(join(history, "CURRENT"), "MANIFEST-000099");
}

async function cli(args: string[]) {
  const io = captureIo({}, cwd);
  const code = await main([...args, "--json", "--desired", DESIRED], io);
  return { code, io, report: JSON.parse(io.out) as Report };
}

describe("a corrupt local history store", () => {
  it("still plans, prints every drift, and says history was not recorded and how to leave it out", async () => {
    injectDrift(emulator, documents(desired));
    await corrupt(cwd);
    const { code, report } = await cli(["plan"]);
    expect(code).toBe(1);
    expect(report.status).toBe("PARTIAL");
    expect(report.summary.DRIFTED).toBe(4);
    expect(report.errors.map((e) => e.message)).toEqual([
      expect.stringMatching(
        /^drift history was not recorded: cannot open the local history in .*\/\.apigw-drift\/history: Corruption: .*; move the folder away to start a fresh history; plan with --no-history to leave history out$/,
      ),
    ]);
  });

  it("refuses to apply, since it cannot take the store's lease, writes nothing, and prints the report", async () => {
    injectDrift(emulator, documents(desired));
    await corrupt(cwd);
    const { code, report } = await cli(["apply"]);
    expect(code).toBe(1);
    expect(report.status).toBe("FAILED");
    expect(report.errors.map((e) => e.message)).toEqual([
      expect.stringMatching(
        /^cannot take the apply lease: cannot open the local history in .*: Corruption: .*; nothing was changed$/,
      ),
    ]);
    expect(emulator.calls.count({ operation: "UpdateIntegration" })).toBe(0);
  });
});

describe("a local history store that fails while open", () => {
  it("turns LevelDB's failure inside dynalite into an error every later call names, and lets go of its lock", async () => {
    const store = await openEmbeddedStore({ cwd });
    const fault = Object.assign(new Error("IO error: 000005.log: No space left on device"), {
      code: "LEVEL_IO_ERROR",
    });
    // What dynalite does with a LevelDB failure: throws it from its request callback, uncaught.
    (process.emit as (event: string, error: Error) => boolean)("uncaughtException", fault);
    const put = new PutItemCommand({ TableName: EMBEDDED_TABLE, Item: { pk: { S: "x" }, sk: { S: "y" } } });
    await expect(store.client.send(put)).rejects.toThrow(
      `the local history store in ${join(cwd, ".apigw-drift/history")} failed: IO error: 000005.log: No space left on device; the disk is full: free some space, then run again (the next apply settles what this one wrote)`,
    );
    await store.close();
    expect(existsSync(join(cwd, ".apigw-drift/history.lock"))).toBe(false);
  });
});

/**
 * A real full disk needs a small file system: a tmpfs this process can mount (root, with the capability;
 * these machines have it). Where it cannot, the test says so on stderr and the in-process test above
 * still covers the handling.
 */
const canMount = (() => {
  if (process.getuid?.() !== 0) return false;
  const probe = spawnSync("sh", [
    "-c",
    "d=$(mktemp -d) && mount -t tmpfs -o size=64k tmpfs $d && umount $d; rc=$?; rmdir $d; exit $rc",
  ]);
  return probe.status === 0;
})();
if (!canMount)
  process.stderr.write("store.test.ts: skipping the full-disk run: cannot mount a tmpfs here (needs root)\n");

describe.runIf(canMount)("a disk that fills up while an apply writes", () => {
  let mount: string;
  beforeEach(async () => {
    mount = await mkdtemp(join(tmpdir(), "apigw-drift-full-"));
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=600k", "tmpfs", mount]);
  });
  afterEach(async () => {
    execFileSync("umount", [mount]);
    await rm(mount, { recursive: true, force: true });
  });

  it("ends PARTIAL with every drift fixed and printed, the full disk named, and the lock released", async () => {
    injectDrift(emulator, documents(desired));
    // Open the store once, so the run's own open succeeds; then the disk fills at the run's first write.
    await (await openEmbeddedStore({ cwd: mount })).close();
    emulator.faults.configure({ latency: { ms: 100, operations: ["UpdateIntegration"] } });
    let filled = false;
    const fill = () => {
      if (filled) return;
      filled = true;
      spawnSync("dd", ["if=/dev/zero", `of=${join(mount, "fill")}`, "bs=1k", "count=100000"]);
    };
    const timer = setInterval(() => {
      if (emulator.calls.count({ operation: "UpdateIntegration" }) > 0) fill();
    }, 5);
    const io = captureIo({}, mount);
    const code = await main(["apply", "--json", "--desired", DESIRED, "--concurrency", "1"], io).finally(() =>
      clearInterval(timer),
    );
    const report = JSON.parse(io.out) as Report;
    expect(code).toBe(1);
    expect(report.status).toBe("PARTIAL");
    expect(report.summary.UPDATED).toBe(4);
    expect(report.errors.map((e) => e.message)).toEqual([
      expect.stringMatching(
        /^drift history was not recorded: .*No space left on device; the disk is full: free some space/,
      ),
    ]);
    expect(readdirSync(join(mount, ".apigw-drift"))).not.toContain("history.lock");
  });
});
