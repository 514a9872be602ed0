/**
 * Figure 4, the function's plan at scale: plans of two sizes, each in a fresh child process
 * (bench/scale-child.ts, bundled by esbuild as the Lambda is, so Node's TypeScript stripping is not in the
 * numbers), run with the function's NODE_OPTIONS from template.yaml, from a desired state built from JSON
 * texts as the Lambda builds it from its embedded state. CPU from process.cpuUsage(), peak RSS from
 * process.resourceUsage().maxRSS, both inside the child; each the median of `repeats` children, because
 * V8 decides when to collect and the peak moves with it. The CLI on Node's default heap is figure 6.
 */
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { build } from "esbuild";
import { callGaps, callMinimum } from "./minimum.ts";
import { mib, type Row } from "./table.ts";
import { scaleShape } from "./world.ts";

const execFileAsync = promisify(execFile);
/** PRODUCT §7: "under 256 MB peak RSS" (read as MiB, as Lambda sizes its memory). */
export const RSS_BUDGET = 256 * 1024 * 1024;
/** Cost per integration at the larger size over the smaller's: 1 is linear; above this is not. */
export const LINEAR_ENOUGH = 1.25;

/** The Node flags the deployed function runs with: template.yaml's NODE_OPTIONS (heap limits included). */
export async function functionNodeFlags(): Promise<string[]> {
  const template = await readFile("template.yaml", "utf8");
  const options = /NODE_OPTIONS:\s*(.+)/.exec(template)?.[1]?.trim();
  if (!options) throw new Error("template.yaml sets no NODE_OPTIONS for the function");
  return options.split(/\s+/);
}

interface ChildResult {
  integrations: number;
  apis: number;
  plan: { cpuMs: number; wallMs: number; drifted: number; results: number };
  cpuMs: number;
  calls: Record<string, number>;
  baselineRss: number;
  dataRss: number;
  peakRss: number;
  liveHeap: number;
}

async function bundleChild(dir: string): Promise<string> {
  const outfile = join(dir, "scale-child.mjs");
  await build({
    entryPoints: ["bench/scale-child.ts"],
    bundle: true,
    platform: "node",
    target: "node24",
    format: "esm",
    outfile,
    logLevel: "warning",
    // As the Lambda build: some dependencies still call require().
    banner: { js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" },
  });
  return outfile;
}

async function child(script: string, integrations: number, nodeFlags: string[]): Promise<ChildResult> {
  const { stdout } = await execFileAsync(
    process.execPath,
    ["--expose-gc", ...nodeFlags, script, String(integrations)],
    { maxBuffer: 1024 * 1024, timeout: 300_000 },
  );
  return JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}") as ChildResult;
}

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** `repeats` children of one size, summarised by medians (and the spread, for the notes). */
async function measure(script: string, integrations: number, repeats: number, nodeFlags: string[]) {
  const runs: ChildResult[] = [];
  for (let i = 0; i < repeats; i++) runs.push(await child(script, integrations, nodeFlags));
  const pick = (f: (r: ChildResult) => number) => median(runs.map(f));
  return {
    integrations,
    apis: runs[0]!.apis,
    cpuMs: pick((r) => r.cpuMs),
    baselineRss: pick((r) => r.baselineRss),
    dataRss: pick((r) => r.dataRss),
    peakRss: pick((r) => r.peakRss),
    peakRssRange: [Math.min(...runs.map((r) => r.peakRss)), Math.max(...runs.map((r) => r.peakRss))],
    liveHeap: pick((r) => r.liveHeap),
    calls: runs[0]!.calls,
    runs,
  };
}

export async function scale(options: { sizes: [number, number]; repeats: number; tmp: string }) {
  const [small, large] = options.sizes;
  const script = await bundleChild(options.tmp);
  const { repeats } = options;
  const flags = await functionNodeFlags();
  const a = await measure(script, small, repeats, flags);
  const b = await measure(script, large, repeats, flags);

  // The in-process gateway serves an API's integrations in one page and every API in one GetApis page.
  const minimumOf = (m: typeof a) =>
    callMinimum({
      apiPositions: Array.from({ length: m.apis }, (_, i) => i),
      integrationsPerApi: Array.from({ length: m.apis }, () => scaleShape(m.integrations).integrationsPerApi),
      updates: 0,
      integrationsPageSize: Number.POSITIVE_INFINITY,
    });
  const gaps = [a, b].flatMap((m) => callGaps(m.calls, minimumOf(m)).map((g) => `${m.integrations}: ${g}`));

  const k = (n: number) => `${n / 1000}k`;
  const growth = b.cpuMs / a.cpuMs / (large / small);
  const linear = growth <= LINEAR_ENOUGH && gaps.length === 0;
  const under = b.peakRss < RSS_BUDGET;
  const [low, high] = b.peakRssRange;
  const memory = `reconcile() in plan mode, the state built from JSON texts as the function builds its embedded state, reads answered in process (calls: ${Object.entries(
    b.calls,
  )
    .map(([op, n]) => `${op} ${n}`)
    .join(
      ", ",
    )}${gaps.length ? `; against the minimum: ${gaps.join(", ")}` : ", the minimum"}), Node run with the function's NODE_OPTIONS (${flags.join(" ")}); median of ${repeats}. Node with the code loaded ${mib(b.baselineRss)}, ${mib(b.dataRss)} with the desired state in memory, peak ${mib(b.peakRss)} (runs ${mib(low!)}–${mib(high!)}); live heap after a forced GC at the end ${mib(b.liveHeap)}; ${mib(a.peakRss)} peak at ${k(small)}`;
  const rows: Row[] = [
    {
      figure: `4. function plan: CPU per integration, ${k(large)} vs ${k(small)}`,
      ours: `${b.cpuMs.toFixed(0)} ms at ${k(large)}`,
      reference: `${a.cpuMs.toFixed(0)} ms at ${k(small)}`,
      ratio: growth,
      target: `≤ ${LINEAR_ENOUGH} (1 = linear)`,
      result: linear ? "met" : "MISSED",
      ...(linear
        ? {}
        : {
            reason:
              gaps.length > 0
                ? `calls against the minimum: ${gaps.join(", ")}`
                : `${k(large)} costs ${growth.toFixed(2)}× per integration what ${k(small)} does`,
          }),
    },
    {
      figure: `4b. function plan: peak RSS at ${k(large)}`,
      ours: mib(b.peakRss),
      reference: `budget ${mib(RSS_BUDGET)}`,
      ratio: b.peakRss / RSS_BUDGET,
      target: "< 1",
      result: under ? "met" : "MISSED",
      reason: under ? memory : `over budget. ${memory}`,
    },
  ];
  return {
    rows,
    raw: { sizes: options.sizes, repeats, shape: scaleShape(large), nodeFlags: flags, plan: [a, b] },
  };
}
