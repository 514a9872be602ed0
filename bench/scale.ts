/**
 * Figure 4, scale: plans of two sizes, each in a fresh child process (bench/scale-child.ts, bundled by
 * esbuild as the Lambda is, so Node's TypeScript stripping is not in the numbers), in two modes: from a
 * desired state already in memory (the planner's own cost), and from desired-state YAML files read and
 * validated first (what a scheduled run does). CPU from process.cpuUsage(), peak RSS from
 * process.resourceUsage().maxRSS, both inside the child; each the median of `repeats` children, because
 * V8 decides when to collect and the peak moves with it.
 */
import { execFile } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { build } from "esbuild";
import { mib, type Row } from "./table.ts";
import { desiredFiles, scaleShape } from "./world.ts";

const execFileAsync = promisify(execFile);
/** PRODUCT §7: "planning 50,000 integrations stays under 256 MB peak memory" (read as MiB, as Lambda does). */
export const RSS_BUDGET = 256 * 1024 * 1024;
/**
 * The Node flags the deployed function runs with: template.yaml's NODE_OPTIONS (heap limits included), so
 * the figure is the product as deployed. A run on Node's default heap, sized from this machine's memory,
 * is kept as a diagnostic in the notes.
 */
async function functionNodeFlags(): Promise<string[]> {
  const template = await readFile("template.yaml", "utf8");
  const options = /NODE_OPTIONS:\s*(.+)/.exec(template)?.[1]?.trim();
  if (!options) throw new Error("template.yaml sets no NODE_OPTIONS for the function");
  return options.split(/\s+/);
}
/** Cost per integration at the larger size over the smaller's: 1 is linear; above this is not. */
const LINEAR_ENOUGH = 1.25;

interface ChildResult {
  mode: "plan" | "load-plan";
  integrations: number;
  load: { cpuMs: number; wallMs: number };
  plan: { cpuMs: number; wallMs: number; drifted: number; results: number };
  cpuMs: number;
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

async function child(script: string, args: string[], nodeFlags: string[] = []): Promise<ChildResult> {
  const { stdout } = await execFileAsync(process.execPath, ["--expose-gc", ...nodeFlags, script, ...args], {
    maxBuffer: 1024 * 1024,
    timeout: 300_000,
  });
  return JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}") as ChildResult;
}

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** `repeats` children of one mode and size, summarised by medians (and the spread, for the notes). */
async function measure(script: string, args: string[], repeats: number, nodeFlags: string[]) {
  const runs: ChildResult[] = [];
  for (let i = 0; i < repeats; i++) runs.push(await child(script, args, nodeFlags));
  const first = runs[0]!;
  const pick = (f: (r: ChildResult) => number) => median(runs.map(f));
  return {
    integrations: first.integrations,
    mode: first.mode,
    cpuMs: pick((r) => r.cpuMs),
    loadCpuMs: pick((r) => r.load.cpuMs),
    planCpuMs: pick((r) => r.plan.cpuMs),
    baselineRss: pick((r) => r.baselineRss),
    dataRss: pick((r) => r.dataRss),
    peakRss: pick((r) => r.peakRss),
    peakRssRange: [Math.min(...runs.map((r) => r.peakRss)), Math.max(...runs.map((r) => r.peakRss))],
    liveHeap: pick((r) => r.liveHeap),
    runs,
  };
}
type Measured = Awaited<ReturnType<typeof measure>>;

export async function scale(options: { sizes: [number, number]; repeats: number; tmp: string }) {
  const [small, large] = options.sizes;
  const script = await bundleChild(options.tmp);
  const dirs = new Map<number, string>();
  for (const n of options.sizes) {
    const dir = join(options.tmp, `desired-${n}`);
    await mkdir(dir, { recursive: true });
    for (const f of desiredFiles(scaleShape(n))) {
      await writeFile(join(dir, f.path.replace(/^desired-state\//, "")), f.bytes);
    }
    dirs.set(n, dir);
  }
  const { repeats } = options;
  const flags = await functionNodeFlags();
  const plan = [
    await measure(script, ["plan", String(small)], repeats, flags),
    await measure(script, ["plan", String(large)], repeats, flags),
  ] as const;
  // Diagnostic, not the figure: the same plan on Node's default heap, which this machine's memory lets
  // grow far past what the run needs before V8 collects (the gap is garbage, not the run's needs).
  const defaultHeap = await child(script, ["plan", String(large)]);
  const loadPlan = [
    await measure(script, ["load-plan", String(small), dirs.get(small)!], repeats, flags),
    await measure(script, ["load-plan", String(large), dirs.get(large)!], repeats, flags),
  ] as const;

  const k = (n: number) => `${n / 1000}k`;
  const rowsFor = (label: string, a: Measured, b: Measured, what: string, extra = ""): Row[] => {
    const growth = b.cpuMs / a.cpuMs / (large / small);
    const linear = growth <= LINEAR_ENOUGH;
    const split =
      b.mode === "load-plan" ? ` (load ${b.loadCpuMs.toFixed(0)} + plan ${b.planCpuMs.toFixed(0)})` : "";
    const under = b.peakRss < RSS_BUDGET;
    const [low, high] = b.peakRssRange;
    const memory = `${what}; median of ${repeats}. Node with the code loaded ${mib(b.baselineRss)}, ${mib(b.dataRss)} with the desired state in memory, peak ${mib(b.peakRss)} (runs ${mib(low!)}–${mib(high!)}); live heap after a forced GC at the end ${mib(b.liveHeap)}; ${mib(a.peakRss)} peak at ${k(small)}${extra}`;
    return [
      {
        figure: `4. ${label}: CPU per integration, ${k(large)} vs ${k(small)}`,
        ours: `${b.cpuMs.toFixed(0)} ms at ${k(large)}${split}`,
        reference: `${a.cpuMs.toFixed(0)} ms at ${k(small)}`,
        ratio: growth,
        target: `≤ ${LINEAR_ENOUGH} (1 = linear)`,
        result: linear ? "met" : "MISSED",
        ...(linear
          ? {}
          : {
              reason: `${label}: ${k(large)} costs ${growth.toFixed(2)}× per integration what ${k(small)} does`,
            }),
      },
      {
        figure: `4. ${label}: peak RSS at ${k(large)}`,
        ours: mib(b.peakRss),
        reference: `budget ${mib(RSS_BUDGET)}`,
        ratio: b.peakRss / RSS_BUDGET,
        target: "< 1",
        result: under ? "met" : "MISSED",
        reason: under ? memory : `over budget. ${memory}`,
      },
    ];
  };
  return {
    rows: [
      ...rowsFor(
        "plan",
        plan[0],
        plan[1],
        `reconcile() in plan mode, desired state already in memory, reads answered in process, Node run with the function's NODE_OPTIONS (${flags.join(" ")})`,
        `; on Node's default heap (sized from this machine's memory) the same run peaks at ${mib(defaultHeap.peakRss)}`,
      ),
      ...rowsFor(
        "load + plan",
        loadPlan[0],
        loadPlan[1],
        "the same plan after reading and validating the desired-state YAML files (as the CLI does; the Lambda loads them from its bundle the same way), same flags",
      ),
    ],
    raw: {
      sizes: options.sizes,
      repeats,
      shape: scaleShape(large),
      plan,
      loadPlan,
      nodeFlags: flags,
      defaultHeap,
    },
  };
}
