// Bundles the CLI into dist/cli.mjs (the package's bin). Runs on `npm ci` through `prepare`.
import { chmod, readFile } from "node:fs/promises";
import { build } from "esbuild";

const { version } = JSON.parse(await readFile("package.json", "utf8"));

await build({
  entryPoints: ["lib/cli/bin.ts"],
  outfile: "dist/cli.mjs",
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
