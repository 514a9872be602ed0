// Bundles the CLI into dist/cli.mjs (the package's bin) and dist/chunks/. Runs on `npm ci` through `prepare`.
import { chmod, readFile, rm } from "node:fs/promises";
import { build } from "esbuild";

const { version } = JSON.parse(await readFile("package.json", "utf8"));

// Chunk names carry a hash of their content: an earlier build's would stay beside the new ones.
await rm("dist/chunks", { recursive: true, force: true });
await build({
  entryPoints: ["lib/cli/bin.ts"],
  outdir: "dist",
  entryNames: "cli",
  // Code reached only through import() (the embedded store's dynalite, the CloudTrail and EventBridge
  // clients, probe, the HTML report) goes into chunks loaded when first used, not at every start: a
  // `plan --no-history` never loads the local DynamoDB.
  splitting: true,
  chunkNames: "chunks/[name]-[hash]",
  outExtension: { ".js": ".mjs" },
  bundle: true,
  platform: "node",
  target: "node24",
  format: "esm",
  // Dependencies stay in node_modules: the CLI runs from an installed package.
  packages: "external",
  sourcemap: "linked",
  banner: { js: "#!/usr/bin/env node" },
  logLevel: "warning",
  // `apigw-drift --version` (lib/cli/version.ts): the bundle does not know where package.json is.
  define: { __APIGW_DRIFT_VERSION__: JSON.stringify(version) },
});
await chmod("dist/cli.mjs", 0o755);
