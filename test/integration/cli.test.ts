import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { injectDrift } from "../../emulator/seed.ts";
import type { Emulator } from "../../emulator/server.ts";
import { main } from "../../lib/cli/main.ts";
import type { DesiredState } from "../../lib/desired-state/load.ts";
import type { Report } from "../../lib/plan/report.ts";
import { captureIo, startWorld } from "../helpers/world.ts";

let emulator: Emulator;
let desired: DesiredState;
let close: () => Promise<void>;
beforeEach(async () => {
  ({ emulator, desired, close } = await startWorld());
});
afterEach(async () => {
  await close();
  vi.unstubAllEnvs();
});

describe("apigw-drift plan / apply / import against the emulator", () => {
  it("exits 2 on drift with --detailed-exitcode, 0 after apply, and 0 on the plan after", async () => {
    injectDrift(emulator, desired.apis);
    const plan = captureIo();
    expect(await main(["plan", "--detailed-exitcode"], plan)).toBe(2);
    expect(plan.out).toContain("~ lmb7k2q  drifted: will be updated in place");
    expect(plan.out).toContain("~ /timeoutInMillis: 12345 → 10000");
    expect(plan.out).toContain("Status: DRIFTED");
    expect(await main(["plan"], captureIo())).toBe(0);

    const apply = captureIo();
    expect(await main(["apply"], apply)).toBe(0);
    expect(apply.out).toContain("Status: RECONCILED");
    expect(await main(["plan", "--detailed-exitcode"], captureIo())).toBe(0);
  });

  it("prints the report alone on stdout with --json", async () => {
    injectDrift(emulator, desired.apis);
    const io = captureIo();
    expect(await main(["plan", "--json"], io)).toBe(0);
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
      ].sort(),
    );
  });

  it("renders a pull-request comment with --markdown", async () => {
    injectDrift(emulator, desired.apis);
    const io = captureIo();
    await main(["plan", "--markdown"], io);
    expect(io.out).toMatch(/^### apigw-drift plan: DRIFTED\n/);
    expect(io.out).toContain("| `a1b2c3d4e5` | `lmb7k2q` | DRIFTED | 1 |");
    expect(io.out).toContain("| `/timeoutInMillis` | changed | `12345` | `10000` |");
  });

  it("exits 1 from apply when something is left", async () => {
    emulator.removeIntegration("w9x8y7z6v5", "hbt7e8f");
    const io = captureIo();
    expect(await main(["apply"], io)).toBe(1);
    expect(io.out).toContain("! hbt7e8f  declared but not live");
  });

  it("refuses a run whose account guard it cannot confirm", async () => {
    const io = captureIo({ APIGW_DRIFT_ACCOUNT: undefined });
    expect(await main(["plan", "--detailed-exitcode"], io)).toBe(1);
    expect(io.out).toContain("the file names account 123456789012, but the run's account is unknown; set it");
  });

  it("rejects bad numbers and unknown flags with exit 1", async () => {
    const io = captureIo();
    expect(await main(["apply", "--max-deletes", "-1"], io)).toBe(1);
    expect(io.err).toContain('--max-deletes takes a whole number ≥ 0, not "-1"');
    expect(await main(["plan", "--rate", "fast"], io)).toBe(1);
    expect(await main(["plan", "--frobnicate"], io)).toBe(1);
    expect(io.err).toContain("unknown option '--frobnicate'");
  });

  it("imports a live API so that a plan right after it is in sync", async () => {
    const dir = await mkdtemp(join(tmpdir(), "apigw-drift-import-"));
    try {
      emulator.addIntegration("a1b2c3d4e5", { integrationType: "AWS_PROXY", apiGatewayManaged: true });
      const io = captureIo();
      expect(await main(["import", "--api", "a1b2c3d4e5", "--desired", dir], io)).toBe(0);
      expect(io.err).toMatch(/skipped [a-z0-9]+: API Gateway manages it/);
      const text = await readFile(join(dir, "a1b2c3d4e5.yaml"), "utf8");
      expect(text).toMatch(/^# yaml-language-server: \$schema=/);
      expect(text).not.toContain("connectionType: INTERNET");
      expect(await main(["import", "--api", "a1b2c3d4e5", "--desired", dir], captureIo())).toBe(1);
      const plan = captureIo();
      expect(await main(["plan", "--desired", dir, "--detailed-exitcode"], plan)).toBe(0);
      expect(plan.out).toContain("Status: IN_SYNC");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("imports to stdout with --out -", async () => {
    const io = captureIo();
    expect(await main(["import", "--api", "w9x8y7z6v5", "--out", "-"], io)).toBe(0);
    expect(io.out).toContain("protocol: WEBSOCKET");
    expect(io.out).toContain("hbt7e8f:");
  });
});
