import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Row } from "../../bench/table.ts";

const execFileAsync = promisify(execFile);

// A benchmark is not a test: this only checks that the harness runs end to end and reports every figure
// with numbers. No timing is asserted; the verdicts of a quick run mean nothing.
describe("the benchmark harness (bench/run.ts --quick)", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "bench-smoke-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("prints the table and writes every figure with numbers", async () => {
    const out = join(dir, "results.json");
    const { stdout } = await execFileAsync(process.execPath, ["bench/run.ts", "--quick", "--out", out], {
      timeout: 60_000,
    });
    const results = JSON.parse(await readFile(out, "utf8")) as {
      command: string;
      date: string;
      quick: boolean;
      machine: { cpu: string; cores: number; node: string; os: string };
      table: Row[];
      figures: {
        economy: { calls: number; minimumCalls: number };
        throttled: { floorMs: number; ratio: number; peer: { served: { requests: number } } };
        scale: Record<"plan" | "loadPlan", { peakRss: number; cpuMs: number }[]>;
        coldStart: { pending?: string; bytes?: number };
      };
    };

    expect(stdout).toContain("| figure");
    expect(results.quick).toBe(true);
    expect(results.command).toContain("--quick");
    expect(Number.isNaN(Date.parse(results.date))).toBe(false);
    expect(results.machine.cores).toBeGreaterThan(0);
    expect(results.machine.node).toMatch(/^v\d+/);

    const prefixes = results.table.map((r) => r.figure.split(" ")[0]);
    for (const figure of ["1.", "1b.", "2.", "2b.", "3a.", "3b.", "3c.", "4.", "5.", "5b.", "E1.", "E2."]) {
      expect(prefixes).toContain(figure);
    }
    for (const row of results.table) {
      // A figure that crashed would make the process exit 1 (execFile rejects); its row says "error".
      expect(row.ours, `${row.figure}: ${row.reason ?? ""}`).not.toBe("error");
      if (row.result === "pending") {
        expect(row.reason).toMatch(/^pending: /);
        continue;
      }
      expect(row.ours).toMatch(/\d/);
      if (row.ratio !== null) expect(Number.isFinite(row.ratio)).toBe(true);
    }

    const { economy, throttled, scale, coldStart } = results.figures;
    expect(economy.calls).toBeGreaterThan(0);
    expect(economy.minimumCalls).toBeGreaterThan(0);
    expect(throttled.floorMs).toBeGreaterThan(0);
    expect(Number.isFinite(throttled.ratio)).toBe(true);
    expect(throttled.peer.served.requests).toBeGreaterThan(0);
    for (const p of [...scale.plan, ...scale.loadPlan]) {
      expect(p.peakRss).toBeGreaterThan(0);
      expect(p.cpuMs).toBeGreaterThan(0);
    }
    expect(scale.plan).toHaveLength(2);
    // The Lambda bundle may not build on a branch where its handler is unfinished: then it says why.
    if (coldStart.pending === undefined) expect(coldStart.bytes).toBeGreaterThan(0);
  }, 60_000);
});
