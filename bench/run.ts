/**
 * `npm run bench [-- --quick] [-- --only 5,6] [-- --out FILE]`: every figure of the README's table, each a
 * ratio measured within this run, printed as one table and written (with the machine, the date, the
 * command and every raw number) to bench/results.json. `--quick` shrinks every figure to a smoke run of
 * seconds and `--only` runs the figures it names; both write only where `--out` says, so the committed
 * results always come from a full run.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { bigApi } from "./big-api.ts";
import { cliPlan } from "./cli-plan.ts";
import { coldStart } from "./cold-start.ts";
import { economy } from "./economy.ts";
import { eventPath } from "./event-path.ts";
import { FULL_FLEET, fleet, QUICK_FLEET } from "./fleet.ts";
import { scale } from "./scale.ts";
import { type Row, renderTable } from "./table.ts";
import { throttled } from "./throttled.ts";

/** The documented control-plane quota (service-facts #4); quick runs scale it up to finish in seconds. */
const FULL = {
  economy: {
    shape: { apis: 20, integrationsPerApi: 100, drifted: 100, seed: 6 },
    limiter: { rate: 10, burst: 40 },
  },
  throttled: {
    shape: { apis: 4, integrationsPerApi: 100, drifted: 200, seed: 6 },
    quota: { rate: 10, burst: 40 },
    tooManyRequests: 0.1,
    repeats: 5,
  },
  scale: { sizes: [10_000, 50_000] as [number, number], repeats: 3 },
  coldStart: { runs: 10 },
  cliPlan: {
    apis: 200,
    smallApis: 20,
    integrationsPerApi: 250,
    driftedShare: 0.01,
    seed: 6,
    quota: { rate: 10, burst: 40 },
    repeats: 3,
  },
  bigApi: { integrations: 3_000, drifted: 150, seed: 6, quota: { rate: 10, burst: 40 } },
};
const QUICK: typeof FULL = {
  economy: {
    shape: { apis: 4, integrationsPerApi: 25, drifted: 5, seed: 6 },
    limiter: { rate: 200, burst: 40 },
  },
  throttled: {
    shape: { apis: 2, integrationsPerApi: 10, drifted: 10, seed: 6 },
    quota: { rate: 50, burst: 10 },
    tooManyRequests: 0.1,
    repeats: 1,
  },
  scale: { sizes: [200, 1_000], repeats: 1 },
  coldStart: { runs: 1 },
  cliPlan: {
    apis: 8,
    smallApis: 2,
    integrationsPerApi: 25,
    driftedShare: 0.04,
    seed: 6,
    quota: { rate: 200, burst: 40 },
    repeats: 1,
  },
  bigApi: { integrations: 600, drifted: 10, seed: 6, quota: { rate: 200, burst: 40 } },
};

function machine() {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model ?? "unknown",
    cores: os.availableParallelism(),
    memoryGiB: Math.round(os.totalmem() / 1024 ** 3),
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    loadAverageAtStart: os.loadavg().map((l) => Number(l.toFixed(2))),
  };
}

/** Runs one figure; a figure that throws becomes a MISSED row saying so, and the others still run. */
/** What one figure measured. */
interface Figure {
  rows: Row[];
  raw: unknown;
}

async function figure(name: string, run: () => Promise<Figure>): Promise<Figure & { crashed: boolean }> {
  process.stderr.write(`bench: ${name}…\n`);
  const started = performance.now();
  try {
    const { rows, raw } = await run();
    process.stderr.write(`bench: ${name} done in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
    return { rows, raw, crashed: false };
  } catch (error) {
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    process.stderr.write(`bench: ${name} failed: ${message}\n`);
    return {
      rows: [
        {
          figure: name,
          ours: "error",
          reference: "—",
          ratio: null,
          target: "—",
          result: "MISSED",
          reason: `${name} could not run: ${message.split("\n")[0]}`,
        },
      ],
      raw: { error: message },
      crashed: true,
    };
  }
}

export async function main(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: "boolean", default: false },
      out: { type: "string" },
      only: { type: "string" },
    },
  });
  const quick = values.quick ?? false;
  const config = quick ? QUICK : FULL;
  const only = values.only === undefined ? undefined : new Set(values.only.split(",").map((f) => f.trim()));
  const known = ["1", "2", "4", "5", "6", "7", "8", "E"];
  const unknown = [...(only ?? [])].filter((f) => !known.includes(f));
  if (unknown.length > 0) {
    process.stderr.write(
      `bench: --only takes figure numbers among ${known.join(",")}, not ${unknown.join(",")}\n`,
    );
    return 2;
  }
  // The committed results come from a full run of every figure only.
  const out = values.out ?? (quick || only ? undefined : "bench/results.json");
  const viaNpm = process.env.npm_lifecycle_event === "bench";
  const args = argv.length === 0 ? "" : ` ${viaNpm ? "-- " : ""}${argv.join(" ")}`;
  const command = viaNpm ? `npm run bench${args}` : `node bench/run.ts${args}`;
  const date = new Date().toISOString();
  const host = machine();
  const tmp = await mkdtemp(join(os.tmpdir(), "apigw-drift-bench-"));
  const started = performance.now();
  try {
    const all = {
      economy: ["1", "1. API-call economy", () => economy(config.economy)],
      throttled: ["2", "2-3. throttled apply and peer", () => throttled(config.throttled)],
      scale: ["4", "4. scale", () => scale({ ...config.scale, tmp })],
      coldStart: ["5", "5. cold start", () => coldStart({ ...config.coldStart, tmp })],
      cliPlan: ["6", "6. CLI plan", () => cliPlan({ ...config.cliPlan, tmp })],
      bigApi: ["7", "7. one large API", () => bigApi(config.bigApi)],
      fleet: ["8", "8. fleet", () => fleet(quick ? QUICK_FLEET : FULL_FLEET)],
      eventPath: ["E", "E. event path", () => eventPath(quick)],
    } as const satisfies Record<string, readonly [string, string, () => Promise<Figure>]>;
    const figures: Record<string, Figure & { crashed: boolean }> = {};
    for (const [key, [number, name, measure]] of Object.entries(all)) {
      if (only === undefined || only.has(number)) figures[key] = await figure(name, measure);
    }
    const seconds = (performance.now() - started) / 1000;
    const rows = Object.values(figures).flatMap((f) => f.rows);
    const table = renderTable(rows);
    const caveat = quick
      ? "\nquick run: every figure shrunk to a smoke test; its ratios and verdicts say nothing\n"
      : "";
    process.stdout.write(
      `\n${table}\n${caveat}\n${command} · ${date} · ${host.cpu}, ${host.cores} cores, Node ${host.node}, ${host.os} · ${seconds.toFixed(0)} s\n`,
    );
    const results = {
      command,
      date,
      quick,
      durationSeconds: Number(seconds.toFixed(1)),
      machine: { ...host, loadAverageAtEnd: os.loadavg().map((l) => Number(l.toFixed(2))) },
      table: rows,
      figures: Object.fromEntries(Object.entries(figures).map(([k, f]) => [k, f.raw])),
    };
    if (out) {
      await writeFile(out, `${JSON.stringify(results, null, 2)}\n`);
      process.stderr.write(`bench: wrote ${out}\n`);
    } else {
      process.stderr.write(
        `bench: ${quick ? "quick" : "partial"} run, results not written (--out FILE writes them)\n`,
      );
    }
    return Object.values(figures).some((f) => f.crashed) ? 1 : 0;
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

if (import.meta.main) process.exitCode = await main(process.argv.slice(2));
