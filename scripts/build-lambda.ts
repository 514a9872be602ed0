// Builds the Lambda artifact: functions/reconcile bundled by esbuild into <outdir>/index.mjs, with the
// desired state embedded and its git revision stamped. `sam build` runs it through the Makefile target
// build-ReconcileFunction (template.yaml: BuildMethod makefile), because embedding the desired state is a
// step SAM's esbuild build properties cannot express. Usage: npm run build:lambda -- <outdir>
import { rm } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import { build, type Metafile, type Plugin } from "esbuild";
import { formatError } from "../lib/desired-state/errors.ts";
import { loadDesiredFolder } from "../lib/desired-state/folder.ts";
import { gitRevision } from "../lib/reconcile/revision.ts";

/** The esbuild options the artifact is built with; the template test checks them against template.yaml. */
export const LAMBDA_BUILD = {
  entryPoints: ["functions/reconcile/handler.ts"],
  bundle: true,
  platform: "node",
  target: "node24",
  format: "esm",
  minify: true,
  sourcemap: true,
  outExtension: { ".js": ".mjs" },
  entryNames: "index",
  // Some dependencies still call require(); give the ESM bundle one.
  banner: { js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" },
  legalComments: "none",
} as const;

export interface LambdaBuild {
  outfile: string;
  bytes: number;
  revision: string;
  metafile: Metafile;
}

export async function buildLambda(options: {
  outdir: string;
  desiredDir?: string;
  revision?: string;
}): Promise<LambdaBuild> {
  const desiredDir = options.desiredDir ?? "desired-state";
  // The loader of `validate` (no links followed, no sub-folder files, no FIFOs), and the bytes it
  // validated are the bytes embedded. An invalid desired state would make every run of the deployed
  // function fail: refuse to build it.
  const { state, files: read } = await loadDesiredFolder(desiredDir);
  if (state.errors.length > 0) {
    const errors = state.errors.map(formatError).join("\n");
    throw new Error(`the desired state in ${desiredDir} is not valid; not building:\n${errors}`);
  }
  // The function names its files as in the repository, wherever the build read them from.
  const files = read.map((f) => ({ path: join("desired-state", basename(f.path)), bytes: f.bytes }));
  const revision = options.revision ?? process.env.DESIRED_REVISION ?? (await gitRevision(desiredDir));
  await rm(options.outdir, { recursive: true, force: true });
  const result = await build({
    ...LAMBDA_BUILD,
    entryPoints: [...LAMBDA_BUILD.entryPoints],
    outdir: options.outdir,
    metafile: true,
    logLevel: "warning",
    plugins: [embedDesiredState(files, revision)],
  });
  const outfile = join(options.outdir, "index.mjs");
  const output =
    result.metafile.outputs[Object.keys(result.metafile.outputs).find((k) => k.endsWith(".mjs"))!]!;
  return { outfile, bytes: output.bytes, revision, metafile: result.metafile };
}

/** Replaces functions/reconcile/desired-source.ts with the files and revision, embedded. */
function embedDesiredState(files: { path: string; bytes: Uint8Array }[], revision: string): Plugin {
  return {
    name: "embed-desired-state",
    setup(b) {
      b.onResolve({ filter: /desired-source\.ts$/ }, (args) => ({
        path: args.path,
        namespace: "desired-state",
      }));
      b.onLoad({ filter: /.*/, namespace: "desired-state" }, () => ({
        loader: "js",
        contents: `const files = ${JSON.stringify(files.map((f) => ({ path: f.path, base64: Buffer.from(f.bytes).toString("base64") })))};
export async function desiredSource() {
  return { files: files.map((f) => ({ path: f.path, bytes: Buffer.from(f.base64, "base64") })), revision: ${JSON.stringify(revision)} };
}`,
      }));
    },
  };
}

if (import.meta.main) {
  const outdir = resolve(process.argv[2] ?? "dist/lambda");
  const built = await buildLambda({ outdir });
  console.log(
    `built ${built.outfile}: ${(built.bytes / 1024).toFixed(0)} KiB, desired revision ${built.revision}`,
  );
}
