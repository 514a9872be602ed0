import { readFileSync } from "node:fs";

// Replaced by the package's version when scripts/build.mjs bundles the CLI (esbuild `define`).
declare const __APIGW_DRIFT_VERSION__: string | undefined;

/** The package's version: embedded in the bundle at build time; read from package.json when run from source. */
export function packageVersion(): string {
  if (typeof __APIGW_DRIFT_VERSION__ === "string") return __APIGW_DRIFT_VERSION__;
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));
  return (pkg as { version: string }).version;
}
