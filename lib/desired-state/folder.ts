import { readdir, readFile, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { DesiredStateError } from "./errors.ts";
import { type DesiredFile, loadDesiredFiles } from "./load.ts";
import { type DesiredState, stateFromTexts } from "./state.ts";
import { DEFAULT_YAML_LIMITS, type YamlLimits } from "./yaml.ts";

const YAML_FILE = /\.ya?ml$/i;

/**
 * Reads every `*.yaml` / `*.yml` file directly in `dir` (sorted by name) and validates them together.
 * A missing or empty folder is an error, never an empty desired state: applying "nothing declared" with
 * pruning on would delete every unmanaged integration.
 */
export async function readDesiredFolder(
  dir: string,
  options: { cwd?: string; limits?: YamlLimits } = {},
): Promise<DesiredState> {
  const limits = options.limits ?? DEFAULT_YAML_LIMITS;
  // Files are named as the user wrote the folder, and read relative to the working directory.
  const real = (path: string) => resolve(options.cwd ?? process.cwd(), path);
  const folderError = (message: string): DesiredState =>
    stateFromTexts([], [{ file: dir, line: 1, column: 1, pointer: "", message } satisfies DesiredStateError]);
  let names: string[];
  try {
    const info = await stat(real(dir));
    if (!info.isDirectory())
      return folderError(`${dir} is not a folder; pass the desired-state folder with --desired`);
    names = (await readdir(real(dir))).filter((n) => YAML_FILE.test(n)).sort();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT")
      return folderError(`folder ${dir} does not exist; pass the desired-state folder with --desired`);
    return folderError(`cannot read folder ${dir}: ${(e as Error).message}`);
  }
  if (names.length === 0) {
    return folderError(`no *.yaml or *.yml files in ${dir}; write one file per API (see the README)`);
  }
  const files: DesiredFile[] = [];
  for (const name of names) {
    const path = join(dir, name);
    const info = await stat(real(path));
    if (!info.isFile()) continue;
    // Refuse before reading an oversized file into memory; the loader reports it by its size.
    files.push(
      info.size > limits.maxBytes
        ? { path, bytes: new Uint8Array(0), size: info.size }
        : { path, bytes: await readFile(real(path)) },
    );
  }
  return loadDesiredFiles(files, limits);
}
