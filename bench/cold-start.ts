/**
 * Figure 5, cold start: the Lambda bundle (scripts/build-lambda.ts, exactly as deployed) — its size, raw
 * and gzipped, against the two SDK clients bundled alone with the same settings; and its cold start in a
 * fresh `node` process — the module load (which builds the function's deps, as the Lambda's init does)
 * plus the first invocation's setup before the run (the runtime: clients, limiter, history table; and the
 * embedded desired state), through the entry's exported `deps` — against importing
 * `@aws-sdk/client-apigatewayv2` and `@aws-sdk/client-dynamodb` alone, each the median of `runs`
 * processes, alternated so drift on the machine hits both alike.
 */
import { execFile } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";
import { build, type Metafile } from "esbuild";
import { buildLambda, LAMBDA_BUILD, loadedAtStart } from "../scripts/build-lambda.ts";
import { kib, type Row } from "./table.ts";

const execFileAsync = promisify(execFile);
const SDK_CLIENTS = ["@aws-sdk/client-apigatewayv2", "@aws-sdk/client-dynamodb"];
/** PRODUCT §7: the Lambda's cold start at most 1.3× importing the two SDK clients alone. */
const COLD_START_TARGET = 1.3;

/** What the function's environment holds at import: template.yaml's NODE_OPTIONS, and fakes for the rest. */
async function functionEnv(): Promise<NodeJS.ProcessEnv> {
  const template = await readFile("template.yaml", "utf8").catch(() => "");
  const nodeOptions = /NODE_OPTIONS:\s*(.+)/.exec(template)?.[1]?.trim() ?? "";
  return {
    PATH: process.env.PATH,
    NODE_OPTIONS: nodeOptions,
    AWS_REGION: "eu-west-1",
    AWS_ACCESS_KEY_ID: "bench",
    AWS_SECRET_ACCESS_KEY: "bench",
    AWS_LAMBDA_FUNCTION_NAME: "apigw-drift-bench",
    DRIFT_HISTORY_TABLE: "bench",
    POWERTOOLS_SERVICE_NAME: "apigw-drift",
    POWERTOOLS_METRICS_NAMESPACE: "ApigwDrift",
  };
}

/**
 * Imports `specifiers` in a fresh process and, with `setup`, builds the first invocation's runtime and
 * desired state from the last one's exported `deps`; the time from before the first import to the end,
 * and the import's share of it.
 */
async function coldMs(
  specifiers: readonly string[],
  env: NodeJS.ProcessEnv,
  setup: boolean,
): Promise<{ ms: number; importMs: number }> {
  const code = `const t = performance.now(); let m; for (const s of ${JSON.stringify(specifiers)}) m = await import(s); const i = performance.now(); ${
    setup ? "await m.deps.runtime(); await m.deps.desired();" : ""
  } console.log(JSON.stringify({ ms: performance.now() - t, importMs: i - t }));`;
  const { stdout } = await execFileAsync(process.execPath, ["--input-type=module", "-e", code], {
    env,
    cwd: process.cwd(),
    timeout: 60_000,
  });
  return JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}") as { ms: number; importMs: number };
}

/** Bytes per package (our own code as "apigw-drift") in the files a cold start loads, or in the others. */
function contributors(metafile: Metafile, top: number, atStart: boolean): { name: string; bytes: number }[] {
  const loaded = loadedAtStart(metafile);
  const outputs = Object.entries(metafile.outputs).filter(
    ([file]) => file.endsWith(".mjs") && loaded.has(file) === atStart,
  );
  const sizes = new Map<string, number>();
  for (const [path, { bytesInOutput }] of outputs.flatMap(([, o]) => Object.entries(o.inputs))) {
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1] ?? "apigw-drift";
    sizes.set(pkg, (sizes.get(pkg) ?? 0) + bytesInOutput);
  }
  return [...sizes]
    .map(([name, bytes]) => ({ name, bytes }))
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, top);
}

/** The two SDK clients bundled alone with the Lambda's esbuild settings, as loaded at start: the size baseline. */
async function sdkOnlyBytes(tmp: string): Promise<number> {
  const dir = join(tmp, "sdk-only");
  await mkdir(dir, { recursive: true });
  const entry = join(dir, "entry.mjs");
  await writeFile(
    entry,
    `import { ApiGatewayV2Client } from "${SDK_CLIENTS[0]}";\nimport { DynamoDBClient } from "${SDK_CLIENTS[1]}";\nexport const clients = [ApiGatewayV2Client, DynamoDBClient];\n`,
  );
  const { entryPoints: _, ...settings } = LAMBDA_BUILD;
  const result = await build({
    ...settings,
    entryPoints: [entry],
    outdir: join(dir, "out"),
    nodePaths: [join(process.cwd(), "node_modules")],
    metafile: true,
    logLevel: "warning",
  });
  const entryPoint = Object.values(result.metafile.outputs).find((o) =>
    o.entryPoint?.endsWith("entry.mjs"),
  )?.entryPoint;
  const loaded = loadedAtStart(result.metafile, entryPoint);
  return [...loaded].reduce((n, f) => n + (result.metafile.outputs[f]?.bytes ?? 0), 0);
}

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const firstLine = (error: unknown) =>
  (error instanceof Error ? error.message : String(error)).split("\n").find((l) => l.trim()) ?? "unknown";

function pending(reason: string) {
  const row = (figure: string): Row => ({
    figure,
    ours: "pending",
    reference: "—",
    ratio: null,
    target: "—",
    result: "pending",
    reason: `pending: ${reason}`,
  });
  return {
    rows: [row("5. cold start: bundle size (gzip)"), row("5b. cold start: load + first setup")],
    raw: { pending: reason },
  };
}

export async function coldStart(options: { runs: number; tmp: string }) {
  let bundle: Awaited<ReturnType<typeof buildLambda>>;
  try {
    bundle = await buildLambda({ outdir: join(options.tmp, "lambda") });
  } catch (error) {
    // esbuild's failure carries its messages; the first says what is missing and where.
    const first = (error as { errors?: { text: string; location?: { file: string; line: number } }[] })
      .errors?.[0];
    const why = first
      ? `${first.location ? `${first.location.file}:${first.location.line}: ` : ""}${first.text}`
      : firstLine(error);
    return pending(`the Lambda bundle does not build yet (${why})`);
  }
  const loaded = loadedAtStart(bundle.metafile);
  const files = Object.entries(bundle.metafile.outputs).filter(([f]) => f.endsWith(".mjs"));
  const entryBytes = files.filter(([f]) => loaded.has(f)).reduce((n, [, o]) => n + o.bytes, 0);
  const lazyBytes = files.filter(([f]) => !loaded.has(f)).reduce((n, [, o]) => n + o.bytes, 0);
  // What a cold start reads, gzipped one file at a time (the outputs are named relative to the project).
  let gzipBytes = 0;
  for (const f of loaded) gzipBytes += gzipSync(await readFile(resolve(f))).length;
  const sdkBytes = await sdkOnlyBytes(options.tmp);
  const env = await functionEnv();
  const bundleUrl = pathToFileURL(bundle.outfile).href;
  const ours: { ms: number; importMs: number }[] = [];
  const sdk: number[] = [];
  try {
    for (let i = 0; i < options.runs; i++) {
      ours.push(await coldMs([bundleUrl], env, true));
      sdk.push((await coldMs(SDK_CLIENTS, env, false)).ms);
    }
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr;
    return pending(`the bundle's cold start fails: ${firstLine(stderr || error)}`);
  }
  const oursMs = median(ours.map((o) => o.ms));
  const oursImportMs = median(ours.map((o) => o.importMs));
  const sdkMs = median(sdk);
  const ratio = oursMs / sdkMs;
  const top = contributors(bundle.metafile, 6, true);
  const lazy = contributors(bundle.metafile, 3, false);
  const met = ratio <= COLD_START_TARGET;
  return {
    rows: [
      {
        figure: "5. cold start: bundle size (gzip)",
        ours: `${kib(entryBytes)} (${kib(gzipBytes)})`,
        reference: `SDK clients alone ${kib(sdkBytes)}`,
        ratio: entryBytes / sdkBytes,
        target: "—",
        result: "info",
        reason: `what a cold start loads (index.mjs and the ${loaded.size - 1} chunks it imports statically); largest parts: ${top.map((c) => `${c.name} ${kib(c.bytes)}`).join(", ")}${
          lazyBytes > 0
            ? `; ${kib(lazyBytes)} more in chunks loaded only when first used (${lazy.map((c) => `${c.name} ${kib(c.bytes)}`).join(", ")})`
            : ""
        }`,
      },
      {
        figure: `5b. cold start: load + first setup, median of ${options.runs}`,
        ours: `${oursMs.toFixed(0)} ms`,
        reference: `SDK clients alone ${sdkMs.toFixed(0)} ms`,
        ratio,
        target: `≤ ${COLD_START_TARGET}`,
        result: met ? "met" : "MISSED",
        reason: `${met ? "" : "missed: "}the bundle's import (${oursImportMs.toFixed(0)} ms, median) and the first invocation's setup before the run (deps.runtime(): clients, limiter, history table; deps.desired(): the embedded state), NODE_OPTIONS "${env.NODE_OPTIONS}" as template.yaml sets, against import() of ${SDK_CLIENTS.join(" + ")} from node_modules, each in a fresh process`,
      },
    ] satisfies Row[],
    raw: {
      bytes: bundle.bytes,
      entryBytes,
      lazyBytes,
      gzipBytes,
      sdkOnlyBytes: sdkBytes,
      contributors: top,
      lazyContributors: lazy,
      nodeOptions: env.NODE_OPTIONS,
      coldMs: { ours, sdk, oursMedian: oursMs, oursImportMedian: oursImportMs, sdkMedian: sdkMs },
      ratio,
    },
  };
}
