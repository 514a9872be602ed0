// Bundles the CLI into dist/cli.mjs (the package's bin). Runs on `npm ci` through `prepare`.
import { chmod } from "node:fs/promises";
import { build } from "esbuild";

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
});
await chmod("dist/cli.mjs", 0o755);
