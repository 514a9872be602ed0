/**
 * Figure 5, cold start: the Lambda bundle (scripts/build-lambda.ts, exactly as deployed) — its size, raw
 * and gzipped, against the two SDK clients bundled alone with the same settings; and the time to import it
 * in a fresh `node` process against importing `@aws-sdk/client-apigatewayv2` and `@aws-sdk/client-dynamodb`
 * alone, each the median of `runs` processes, alternated so drift on the machine hits both alike.
 */
import { execFile } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";
import { build, type Metafile } from "esbuild";
import { buildLambda, LAMBDA_BUILD } from "../scripts/build-lambda.ts";
import { kib, type Row } from "./table.ts";

const execFileAsync = promisify(execFile);
const SDK_CLIENTS = ["@aws-sdk/client-apigatewayv2", "@aws-sdk/client-dynamodb"];

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

/** Imports `specifiers` in a fresh process; the time from before the first import to after the last. */
async function importMs(specifiers: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const code = `const t = performance.now(); for (const s of ${JSON.stringify(specifiers)}) await import(s); console.log(JSON.stringify({ ms: performance.now() - t }));`;
  const { stdout } = await execFileAsync(process.execPath, ["--input-type=module", "-e", code], {
    env,
    cwd: process.cwd(),
    timeout: 60_000,
  });
  return (JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}") as { ms: number }).ms;
}

/** Bytes in the bundle per package (our own code as "apigw-drift"), largest first. */
function contributors(metafile: Metafile, top: number): { name: string; bytes: number }[] {
  const output = Object.values(metafile.outputs).find((o) => o.entryPoint !== undefined);
  const sizes = new Map<string, number>();
  for (const [path, { bytesInOutput }] of Object.entries(output?.inputs ?? {})) {
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1] ?? "apigw-drift";
    sizes.set(pkg, (sizes.get(pkg) ?? 0) + bytesInOutput);
  }
  return [...sizes]
    .map(([name, bytes]) => ({ name, bytes }))
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, top);
}

/** The two SDK clients bundled alone, with the Lambda's esbuild settings: the size baseline. */
async function sdkOnlyBytes(tmp: string): Promise<number> {
  const entry = join(tmp, "sdk-only.mjs");
  await writeFile(
    entry,
    `import { ApiGatewayV2Client } from "${SDK_CLIENTS[0]}";\nimport { DynamoDBClient } from "${SDK_CLIENTS[1]}";\nexport const clients = [ApiGatewayV2Client, DynamoDBClient];\n`,
  );
  const { entryPoints: _, outExtension: __, entryNames: ___, ...settings } = LAMBDA_BUILD;
  const result = await build({
    ...settings,
    entryPoints: [entry],
    outfile: join(tmp, "sdk-only", "index.mjs"),
    nodePaths: [join(process.cwd(), "node_modules")],
    metafile: true,
    logLevel: "warning",
  });
  const output = Object.entries(result.metafile.outputs).find(([k]) => k.endsWith(".mjs"))?.[1];
  return output?.bytes ?? 0;
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
    rows: [row("5. cold start: bundle size (gzip)"), row("5b. cold start: import time")],
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
  const gzipBytes = gzipSync(await readFile(bundle.outfile)).length;
  const sdkBytes = await sdkOnlyBytes(options.tmp);
  const env = await functionEnv();
  const bundleUrl = pathToFileURL(bundle.outfile).href;
  const ours: number[] = [];
  const sdk: number[] = [];
  try {
    for (let i = 0; i < options.runs; i++) {
      ours.push(await importMs([bundleUrl], env));
      sdk.push(await importMs(SDK_CLIENTS, env));
    }
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr;
    return pending(`importing the bundle fails: ${firstLine(stderr || error)}`);
  }
  const oursMs = median(ours);
  const sdkMs = median(sdk);
  const top = contributors(bundle.metafile, 6);
  return {
    rows: [
      {
        figure: "5. cold start: bundle size (gzip)",
        ours: `${kib(bundle.bytes)} (${kib(gzipBytes)})`,
        reference: `SDK clients alone ${kib(sdkBytes)}`,
        ratio: bundle.bytes / sdkBytes,
        target: "—",
        result: "info",
        reason: `largest parts of the bundle: ${top.map((c) => `${c.name} ${kib(c.bytes)}`).join(", ")}`,
      },
      {
        figure: `5b. cold start: import time, median of ${options.runs}`,
        ours: `${oursMs.toFixed(0)} ms`,
        reference: `SDK clients alone ${sdkMs.toFixed(0)} ms`,
        ratio: oursMs / sdkMs,
        target: "—",
        result: "info",
        reason: `the bundle (index.mjs, NODE_OPTIONS "${env.NODE_OPTIONS}" as template.yaml sets) against import() of ${SDK_CLIENTS.join(" + ")} from node_modules, each in a fresh process`,
      },
    ] satisfies Row[],
    raw: {
      bytes: bundle.bytes,
      gzipBytes,
      sdkOnlyBytes: sdkBytes,
      contributors: top,
      nodeOptions: env.NODE_OPTIONS,
      importMs: { ours, sdk, oursMedian: oursMs, sdkMedian: sdkMs },
    },
  };
}
