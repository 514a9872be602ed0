import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";

/** The package's bin, as `npm ci` builds it (scripts/build.mjs on prepare). */
export const CLI_BUNDLE = resolve("dist/cli.mjs");

/**
 * Builds dist/cli.mjs when it is missing or older than the code it bundles, so a test of the built CLI
 * never runs yesterday's bundle (CI's `npm ci` has just built it, so there it is a no-op).
 */
export function ensureCliBundle(): string {
  const newest = Math.max(
    ...readdirSync("lib", { recursive: true, encoding: "utf8" })
      .filter((f) => f.endsWith(".ts"))
      .map((f) => statSync(join("lib", f)).mtimeMs),
  );
  if (existsSync(CLI_BUNDLE) && statSync(CLI_BUNDLE).mtimeMs >= newest) return CLI_BUNDLE;
  const build = spawnSync(process.execPath, ["scripts/build.mjs"], { encoding: "utf8" });
  if (build.status !== 0) throw new Error(`building ${CLI_BUNDLE} failed: ${build.stderr}`);
  return CLI_BUNDLE;
}
