/**
 * `npm run demo` end to end, in a scratch folder of its own (it keeps history in ./.apigw-drift/): it
 * finds the drift, names who made it in the plan and in history, fixes it and exits 0.
 */
import { execFile } from "node:child_process";
import { cp, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let cwd: string;
beforeAll(async () => {
  cwd = await mkdtemp(join(tmpdir(), "apigw-drift-demo-"));
  await cp(resolve("desired-state"), join(cwd, "desired-state"), { recursive: true });
});
afterAll(async () => {
  await rm(cwd, { recursive: true, force: true });
});

function demo(): Promise<{ code: number; out: string }> {
  return new Promise((done) => {
    // Nothing of the test's own endpoints: the demo starts and points at its own emulators.
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("AWS_")));
    execFile(
      process.execPath,
      [resolve("scripts/demo.ts")],
      { cwd, env, timeout: 60_000 },
      (error, stdout, stderr) => {
        done({ code: error ? Number(error.code ?? 1) : 0, out: `${stdout}${stderr}` });
      },
    );
  });
}

describe("npm run demo", () => {
  it("names who changed each drift in the plan and in history, then fixes it", async () => {
    const { code, out } = await demo();
    expect(out).toContain("Demo finished: drift found, its authors named, fixed and gone.");
    expect(code).toBe(0);
    const plan = out.slice(out.indexOf("1. apigw-drift plan"), out.indexOf("2. apigw-drift apply"));
    expect(plan).toMatch(
      /~ lmb7k2q {2}drifted: will be updated in place\n {6}changed by arn:aws:sts::123456789012:assumed-role\/Admin\/alice at \S+Z \(UpdateIntegration\)\n/,
    );
    expect(plan).toMatch(/~ prx3m9a .*\n {6}changed by arn:aws:iam::123456789012:user\/bob at /);
    const history = out.slice(out.indexOf("4. apigw-drift history"));
    expect(history).toMatch(
      /apply +a1b2c3d4e5 +lmb7k2q +UPDATED +\w{8} +arn:aws:sts::123456789012:assumed-role\/Admin\/alice at /,
    );
  }, 90_000);
});
