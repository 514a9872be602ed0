// Builds the Lambda artifact: functions/reconcile bundled by esbuild into <outdir>/index.mjs, with the
// desired state embedded and its git revision stamped. `sam build` runs it through the Makefile target
// build-ReconcileFunction (template.yaml: BuildMethod makefile), because embedding the desired state is a
// step SAM's esbuild build properties cannot express. Usage: npm run build:lambda -- <outdir>
import { basename, join, resolve } from "node:path";
import { build, type Metafile, type Plugin } from "esbuild";
import { formatError } from "../lib/desired-state/errors.ts";
import type { FleetConfig } from "../lib/desired-state/fleet.ts";
import { loadDesiredFolder } from "../lib/desired-state/folder.ts";
import { type DesiredText, documents } from "../lib/desired-state/state.ts";
import { gitRevision } from "../lib/reconcile/revision.ts";
import { checkOutputFolder, OutputFolderError, resetOutputFolder } from "./output-folder.ts";

/** The project this script belongs to: never deleted, whatever output folder it is given. */
const PROJECT_DIR = resolve(import.meta.dirname, "..");

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
  // Code reached only through import() (the SSM client of the redaction key; the SDK's credential
  // providers other than the environment's) goes into chunks that load when first used, not at every
  // cold start.
  splitting: true,
  chunkNames: "chunks/[name]-[hash]",
  // The SDK's ES module builds: their import() of the credential providers stays an import() (the CommonJS
  // builds' require() would put every provider and its STS/SSO clients into the entry).
  mainFields: ["module", "main"] as string[],
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
  /** Deleted and rebuilt: only when it is nonexistent, empty or an earlier build's (see output-folder.ts). */
  outdir: string;
  desiredDir?: string;
  revision?: string;
  /** The project root, for the output folder's checks (this script's project by default). */
  projectDir?: string;
}): Promise<LambdaBuild> {
  const desiredDir = options.desiredDir ?? "desired-state";
  const projectDir = options.projectDir ?? PROJECT_DIR;
  // Checked before anything else, so that a refused folder costs nothing and loses nothing.
  const outdir = await checkOutputFolder(options.outdir, {
    cwd: process.cwd(),
    projectDir,
    desiredDirs: [desiredDir, join(projectDir, "desired-state")],
  });
  // The loader of `validate` (no links followed, no sub-folder files, no FIFOs), and the documents it
  // validated are the ones embedded. An invalid desired state would make every run of the deployed
  // function fail: refuse to build it.
  const { state } = await loadDesiredFolder(desiredDir);
  if (state.errors.length > 0) {
    const errors = state.errors.map(formatError).join("\n");
    throw new Error(`the desired state in ${desiredDir} is not valid; not building:\n${errors}`);
  }
  // The function names its files as in the repository, wherever the build read them from.
  const texts: DesiredText[] = documents(state).map(({ file, doc }) => ({
    file: join("desired-state", basename(file)),
    json: JSON.stringify(doc),
  }));
  const revision = options.revision ?? process.env.DESIRED_REVISION ?? (await gitRevision(desiredDir));
  await resetOutputFolder(outdir);
  const result = await build({
    ...LAMBDA_BUILD,
    entryPoints: [...LAMBDA_BUILD.entryPoints],
    outdir,
    metafile: true,
    logLevel: "warning",
    plugins: [embedDesiredState(texts, revision, state.fleet)],
  });
  const outfile = join(outdir, "index.mjs");
  // import() targets are entry points to esbuild too: the function's is the handler's.
  const entry = Object.values(result.metafile.outputs).find(
    (o) => o.entryPoint === LAMBDA_BUILD.entryPoints[0],
  )!;
  return { outfile, bytes: entry.bytes, revision, metafile: result.metafile };
}

/**
 * The output files a cold start loads: the entry's and every chunk it imports statically, however deep;
 * the other chunks load only when an import() first reaches them.
 */
export function loadedAtStart(
  metafile: Metafile,
  entryPoint: string = LAMBDA_BUILD.entryPoints[0],
): Set<string> {
  const outputs = metafile.outputs;
  const entry = Object.keys(outputs).find((f) => outputs[f]!.entryPoint === entryPoint);
  const loaded = new Set<string>();
  const visit = (file: string) => {
    if (loaded.has(file) || !outputs[file]) return;
    loaded.add(file);
    for (const i of outputs[file]!.imports) {
      if (i.kind === "import-statement" && !i.external) visit(i.path);
    }
  };
  if (entry) visit(entry);
  return loaded;
}

/**
 * Replaces functions/reconcile/desired-source.ts with the validated state as plain JSON and the revision:
 * the function builds its state with state.ts alone, so neither the YAML parser nor the validator's schemas
 * are in its cold path (nor, being unreached, in its bundle).
 */
function embedDesiredState(texts: DesiredText[], revision: string, fleet: FleetConfig | undefined): Plugin {
  const state = join(PROJECT_DIR, "lib/desired-state/state.ts");
  return {
    name: "embed-desired-state",
    setup(b) {
      b.onResolve({ filter: /desired-source\.ts$/ }, (args) => ({
        path: args.path,
        namespace: "desired-state",
      }));
      b.onLoad({ filter: /.*/, namespace: "desired-state" }, () => ({
        loader: "js",
        resolveDir: PROJECT_DIR,
        // fleet.yaml, validated, rides along: the targets' role (PRODUCT §9).
        contents: `import { stateFromTexts, withFleet } from ${JSON.stringify(state)};
const texts = ${JSON.stringify(texts)};
const fleet = ${JSON.stringify(fleet ?? null)};
export async function desiredSource() {
  return { state: withFleet(stateFromTexts(texts), fleet ?? undefined), revision: ${JSON.stringify(revision)} };
}`,
      }));
    },
  };
}

if (import.meta.main) {
  // An empty argument (the Makefile's "$(ARTIFACTS_DIR)" unset) is refused, not read as the default.
  const outdir = process.argv[2] ?? "dist/lambda";
  try {
    const built = await buildLambda({ outdir });
    console.log(
      `built ${built.outfile}: ${(built.bytes / 1024).toFixed(0)} KiB, desired revision ${built.revision}`,
    );
  } catch (error) {
    console.error(`build-lambda: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = error instanceof OutputFolderError ? 2 : 1;
  }
}
