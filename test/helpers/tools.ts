import { accessSync, constants, statSync } from "node:fs";
import { delimiter, join } from "node:path";

/** Whether an outside tool a test needs is on this machine, and where. */
export interface Tool {
  name: string;
  available: boolean;
  /** The executable found on PATH. */
  path?: string;
}

export interface ToolOptions {
  /** The environment to read PATH and CI from (process.env by default). */
  env?: Record<string, string | undefined>;
  /** Where the loud skip line goes (stderr by default). */
  warn?: (line: string) => void;
}

/**
 * Looks `name` up on PATH. A missing tool never passes silently: under CI (the `CI` variable set, as every
 * CI service sets it; not "false" or "0") it throws, so the test file fails with the install hint; on a developer machine the
 * tests that need it are skipped, with one stderr line saying what was skipped and how to install it.
 * Use the result with `describe.runIf(tool.available)`.
 */
export function requireTool(name: string, installHint: string, options: ToolOptions = {}): Tool {
  const env = options.env ?? process.env;
  const path = findOnPath(name, env.PATH ?? "");
  if (path) return { name, available: true, path };
  const missing = `${name} is not installed (not found on PATH)`;
  if (underCi(env)) throw new Error(`${missing}; CI needs it: ${installHint}`);
  (options.warn ?? ((line) => process.stderr.write(line)))(
    `SKIPPED: the tests that need ${name}: ${missing}. Install it with: ${installHint}\n`,
  );
  return { name, available: false };
}

/** CI services set CI (GitHub: "true"); "false" and "0" mean a developer said it is not CI. */
function underCi(env: Record<string, string | undefined>): boolean {
  const ci = (env.CI ?? "").trim().toLowerCase();
  return ci !== "" && ci !== "false" && ci !== "0";
}

/** The first executable file called `name` in the PATH folders, or undefined. */
export function findOnPath(name: string, pathVariable: string): string | undefined {
  for (const dir of pathVariable.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not in this folder
    }
  }
  return undefined;
}
