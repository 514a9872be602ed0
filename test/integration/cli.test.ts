import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { injectDrift } from "../../emulator/seed.ts";
import type { Emulator } from "../../emulator/server.ts";
import { main } from "../../lib/cli/main.ts";
import type { DesiredState } from "../../lib/desired-state/state.ts";
import { documents } from "../../lib/desired-state/state.ts";
import type { Report } from "../../lib/plan/report.ts";
import { captureIo, startWorld } from "../helpers/world.ts";

let emulator: Emulator;
let desired: DesiredState;
let close: () => Promise<void>;
let cwd: string;
/** Each test runs in a folder of its own, so its embedded history store is its own. */
const user = (env: Record<string, string | undefined> = {}) => captureIo(env, cwd);
const DESIRED = resolve("desired-state");
const cli = (args: string[], io = user()) => main([...args, "--desired", DESIRED], io);

beforeEach(async () => {
  ({ emulator, desired, close } = await startWorld());
  cwd = await mkdtemp(join(tmpdir(), "apigw-drift-cli-"));
});
afterEach(async () => {
  await close();
  vi.unstubAllEnvs();
  await rm(cwd, { recursive: true, force: true });
});

describe("apigw-drift plan / apply / import against the emulator", () => {
  it("exits 2 on drift with --detailed-exitcode, 0 after apply, and 0 on the plan after", async () => {
    injectDrift(emulator, documents(desired));
    const plan = user();
    expect(await cli(["plan", "--detailed-exitcode"], plan)).toBe(2);
    expect(plan.out).toContain("~ lmb7k2q  drifted: will be updated in place");
    expect(plan.out).toContain("~ /timeoutInMillis: 12345 → 10000");
    expect(plan.out).toContain("Status: DRIFTED");
    expect(await cli(["plan"])).toBe(0);

    const apply = user();
    expect(await cli(["apply"], apply)).toBe(0);
    expect(apply.out).toContain("Status: RECONCILED");
    expect(await cli(["plan", "--detailed-exitcode"])).toBe(0);
  });

  it("prints the report alone on stdout with --json", async () => {
    injectDrift(emulator, documents(desired));
    const io = user();
    expect(await cli(["plan", "--json"], io)).toBe(0);
    const report = JSON.parse(io.out) as Report;
    expect(report).toMatchObject({ mode: "plan", status: "DRIFTED", desiredRevision: "test-revision" });
    expect(Object.keys(report).sort()).toEqual(
      [
        "apiCalls",
        "desiredRevision",
        "errors",
        "finishedAt",
        "integrations",
        "mode",
        "runId",
        "startedAt",
        "status",
        "summary",
        "warnings",
      ].sort(),
    );
  });

  it("renders a pull-request comment with --markdown", async () => {
    injectDrift(emulator, documents(desired));
    const io = user();
    await cli(["plan", "--markdown", "--no-history"], io);
    expect(io.out).toMatch(/^### apigw-drift plan: DRIFTED\n/);
    expect(io.out).toContain("| `a1b2c3d4e5` | `lmb7k2q` | DRIFTED | 1 |");
    expect(io.out).toContain("| `/timeoutInMillis` | change | `12345` | `10000` |");
  });

  it("exits 1 from apply when something is left", async () => {
    emulator.removeIntegration("w9x8y7z6v5", "hbt7e8f");
    const io = user();
    expect(await cli(["apply"], io)).toBe(1);
    expect(io.out).toContain("! hbt7e8f  declared but not live");
  });

  it("refuses a run whose account guard it cannot confirm: STS does not answer, and a flag is no substitute", async () => {
    vi.stubEnv("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:9");
    const flagged = user({ APIGW_DRIFT_ACCOUNT: "123456789012" });
    expect(await cli(["plan", "--detailed-exitcode"], flagged)).toBe(1);
    expect(flagged.out).toMatch(
      /Error: the run was told it acts in account 123456789012 \(--account \/ APIGW_DRIFT_ACCOUNT\), but the account its credentials act in is unknown \(STS GetCallerIdentity failed: .*ECONNREFUSED.*\); check the credentials and that STS is reachable\. Nothing was read or changed\n/,
    );
    // Without the flag, the files that name an account are what cannot be confirmed.
    const plain = user({ APIGW_DRIFT_ACCOUNT: undefined });
    expect(await cli(["plan", "--detailed-exitcode"], plain)).toBe(1);
    expect(plain.out).toMatch(
      /the file names account 123456789012, but the account the run's credentials act in is unknown \(STS GetCallerIdentity failed: .*ECONNREFUSED.*\); check the credentials \(AWS_PROFILE, or the AWS_\* keys\)/,
    );
    expect(emulator.calls.count({ operation: "UpdateIntegration" })).toBe(0);
  });

  it("takes the account from the credentials, with no flag or variable", async () => {
    const io = user({ APIGW_DRIFT_ACCOUNT: undefined });
    expect(await cli(["plan", "--detailed-exitcode"], io)).toBe(0);
    expect(io.out).toContain("Status: IN_SYNC");
  });

  it("refuses an account id that is not 12 digits, in the flag or the variable", async () => {
    const io = user({ APIGW_DRIFT_ACCOUNT: undefined });
    expect(await cli(["plan", "--account", "12345"], io)).toBe(1);
    expect(io.err).toContain('--account takes a 12-digit AWS account id, not "12345"');
    const env = user({ APIGW_DRIFT_ACCOUNT: "1234-5678-9012" });
    expect(await cli(["plan"], env)).toBe(1);
    expect(env.err).toContain('APIGW_DRIFT_ACCOUNT must be a 12-digit AWS account id, not "1234-5678-9012"');
  });

  it("rejects bad numbers and unknown flags with exit 1", async () => {
    const io = user();
    expect(await cli(["apply", "--max-deletes", "-1"], io)).toBe(1);
    expect(io.err).toContain('--max-deletes takes a whole number ≥ 0, not "-1"');
    expect(await cli(["plan", "--rate", "fast"], io)).toBe(1);
    expect(await cli(["plan", "--frobnicate"], io)).toBe(1);
    expect(io.err).toContain("unknown option '--frobnicate'");
  });

  it("imports a live API so that a plan right after it is in sync", async () => {
    emulator.addIntegration("a1b2c3d4e5", {
      integrationType: "AWS_PROXY",
      integrationUri: "arn:aws:lambda:eu-west-1:123456789012:function:quick-create",
      payloadFormatVersion: "2.0",
      apiGatewayManaged: true,
    });
    const into = join(cwd, "imported");
    const io = user();
    expect(await main(["import", "--api", "a1b2c3d4e5", "--desired", into], io)).toBe(0);
    expect(io.err).toMatch(/skipped [a-z0-9]+: API Gateway manages it/);
    const text = await readFile(join(into, "a1b2c3d4e5.yaml"), "utf8");
    expect(text).toMatch(/^# yaml-language-server: \$schema=/);
    expect(text).not.toContain("connectionType: INTERNET");
    expect(await main(["import", "--api", "a1b2c3d4e5", "--desired", into], user())).toBe(1);
    const plan = user();
    expect(await main(["plan", "--desired", into, "--detailed-exitcode"], plan)).toBe(0);
    expect(plan.out).toContain("Status: IN_SYNC");
  });

  it("imports to stdout with --out -", async () => {
    const io = user();
    expect(await main(["import", "--api", "w9x8y7z6v5", "--out", "-"], io)).toBe(0);
    expect(io.out).toContain("protocol: WEBSOCKET");
    expect(io.out).toContain("hbt7e8f:");
  });
});
