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
        throttled: {
          floorMs: number;
          ratio: number;
          minimumCalls: number;
          peer: { served: { requests: number } };
        };
        scale: { plan: { peakRss: number; cpuMs: number }[] };
        coldStart: { pending?: string; bytes?: number; coldMs?: { oursMedian: number; sdkMedian: number } };
        cliPlan: {
          measuredBy: string;
          large: {
            least: number;
            runs: { exitCode: number; status: string; maxRssBytes: number; cpuMs: number; exact: boolean }[];
            attribution: { exitCode: number; drifted: number; attributed: number; lookupsAnswered: number };
          };
          small: { runs: { exitCode: number; maxRssBytes: number; cpuMs: number }[] };
        };
        bigApi: {
          plan: { missed: string[]; extra: string[]; pages: unknown[] };
          apply: { status: string; driftLeft: number };
        };
      };
    };

    expect(stdout).toContain("| figure");
    expect(results.quick).toBe(true);
    expect(results.command).toContain("--quick");
    expect(Number.isNaN(Date.parse(results.date))).toBe(false);
    expect(results.machine.cores).toBeGreaterThan(0);
    expect(results.machine.node).toMatch(/^v\d+/);

    const prefixes = results.table.map((r) => r.figure.split(" ")[0]);
    const figures = ["1.", "1b.", "2.", "2b.", "2c.", "3a.", "3b.", "3c.", "4.", "4b.", "5.", "5b."];
    const later = ["6.", "6b.", "6c.", "6d.", "6e.", "6f.", "7.", "7b.", "8.", "8b.", "8c.", "E1.", "E2."];
    for (const figure of [...figures, ...later]) {
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

    const { economy, throttled, scale, coldStart, cliPlan, bigApi } = results.figures;
    expect(economy.calls).toBeGreaterThan(0);
    expect(economy.minimumCalls).toBeGreaterThan(0);
    expect(throttled.floorMs).toBeGreaterThan(0);
    expect(throttled.minimumCalls).toBeGreaterThan(0);
    expect(Number.isFinite(throttled.ratio)).toBe(true);
    expect(throttled.peer.served.requests).toBeGreaterThan(0);
    for (const p of scale.plan) {
      expect(p.peakRss).toBeGreaterThan(0);
      expect(p.cpuMs).toBeGreaterThan(0);
    }
    expect(scale.plan).toHaveLength(2);
    // The Lambda bundle may not build on a branch where its handler is unfinished: then it says why.
    if (coldStart.pending === undefined) {
      expect(coldStart.bytes).toBeGreaterThan(0);
      expect(coldStart.coldMs?.oursMedian).toBeGreaterThan(0);
      expect(coldStart.coldMs?.sdkMedian).toBeGreaterThan(0);
    }
    // The CLI ran as a user runs it, and its plan found the drift the harness injected, no more.
    expect(["gnu-time", "resourceUsage-preload"]).toContain(cliPlan.measuredBy);
    expect(cliPlan.large.least).toBeGreaterThan(0);
    for (const run of cliPlan.large.runs) {
      expect(run).toMatchObject({ exitCode: 2, status: "DRIFTED", exact: true });
      expect(run.maxRssBytes).toBeGreaterThan(0);
      expect(run.cpuMs).toBeGreaterThan(0);
    }
    for (const run of cliPlan.small.runs) expect(run.exitCode).toBe(2);
    // With attribution on, the plan named an author for every drift CloudTrail holds one for.
    const attributed = cliPlan.large.attribution;
    expect(attributed).toMatchObject({ exitCode: 2, attributed: attributed.drifted });
    expect(attributed.drifted).toBeGreaterThan(0);
    expect(attributed.lookupsAnswered).toBeGreaterThan(0);
    expect(bigApi.plan.missed).toEqual([]);
    expect(bigApi.plan.extra).toEqual([]);
    expect(bigApi.plan.pages.length).toBeGreaterThan(1);
    expect(bigApi.apply).toMatchObject({ status: "RECONCILED", driftLeft: 0 });
  }, 60_000);
});
