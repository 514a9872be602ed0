import { constants, type Stats } from "node:fs";
import { lstat, open, readdir, stat } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import { compareErrors, type DesiredStateError } from "./errors.ts";
import { FLEET_FILE, loadFleetFile } from "./fleet.ts";
import { type DesiredFile, loadDesiredFiles } from "./load.ts";
import { type DesiredState, withErrors, withFleet } from "./state.ts";
import { DEFAULT_YAML_LIMITS, type YamlLimits } from "./yaml.ts";

const YAML_FILE = /\.ya?ml$/i;
const SYMLINK =
  "is a symbolic link, which is never followed (it could point outside the folder); put the file itself in its place, or remove the link";
const special = (info: Stats, dir: string) =>
  `is a ${kind(info)}, not a regular file, and is never opened: remove it from ${dir}`;
// Never through a link, and never waiting on a FIFO swapped in after the lstat (O_NONBLOCK).
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

export interface FolderOptions {
  /** What relative folder names resolve against; the process's working directory by default. */
  cwd?: string;
  limits?: YamlLimits;
}

/** A desired-state folder as read: its validated state, and the bytes of the files that were validated. */
export interface DesiredFolder {
  state: DesiredState;
  /** The APIs' files, named `<dir>/<name>` as the folder was given, sorted by name. */
  files: DesiredFile[];
  /** fleet.yaml (PRODUCT §9), when the folder has one: validated into `state.fleet`. */
  fleetFile?: DesiredFile;
}

/**
 * Reads every `*.yaml` / `*.yml` file directly in `dir` (sorted by name) and validates them together:
 * the loader of `validate`, `plan`, `apply`, `import` and the Lambda build. A missing or empty folder is an
 * error, never an empty desired state: applying "nothing declared" with pruning on would delete every
 * unmanaged integration. See {@link loadDesiredFolder} for what is refused.
 */
export async function readDesiredFolder(dir: string, options: FolderOptions = {}): Promise<DesiredState> {
  return (await loadDesiredFolder(dir, options)).state;
}

/**
 * {@link readDesiredFolder}, with the bytes it validated, for a caller that keeps them (the Lambda build
 * embeds exactly what was validated). The desired state is one flat folder of regular files:
 * - dot-files and dot-folders are skipped (`.DS_Store`, `.#orders.yaml` editor locks, `.git`);
 * - a symbolic link is an error and is never followed: it could point outside the folder, and its target
 *   would be echoed in errors and embedded in the Lambda;
 * - a YAML file in a sub-folder is an error naming it: silently leaving it out would make its APIs
 *   undeclared, and a pruning file would delete their integrations;
 * - a FIFO, socket or device is an error naming it, and is never opened (reading a FIFO waits forever);
 * - files other than YAML are ignored (a README).
 * The folder itself may be a link (what `--desired` names is the caller's choice).
 */
export async function loadDesiredFolder(dir: string, options: FolderOptions = {}): Promise<DesiredFolder> {
  const limits = options.limits ?? DEFAULT_YAML_LIMITS;
  // Files are named as the user wrote the folder, and read relative to the working directory.
  const real = (path: string) => resolve(options.cwd ?? process.cwd(), path);
  const refuse = (file: string, message: string): DesiredStateError => ({
    file,
    line: 1,
    column: 1,
    pointer: "",
    message,
  });
  const failed = (message: string): DesiredFolder => ({
    state: withErrors(undefined, [refuse(dir, message)]),
    files: [],
  });
  let names: string[];
  try {
    const info = await stat(real(dir));
    if (!info.isDirectory())
      return failed(`${dir} is not a folder; pass the desired-state folder with --desired`);
    names = (await readdir(real(dir))).sort();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT")
      return failed(`folder ${dir} does not exist; pass the desired-state folder with --desired`);
    return failed(`cannot read folder ${dir}: ${(e as Error).message}`);
  }

  const errors: DesiredStateError[] = [];
  const files: DesiredFile[] = [];
  for (const name of names) {
    if (name.startsWith(".")) continue;
    const path = join(dir, name);
    const info = await lstat(real(path)).catch((e: Error) => e);
    if (info instanceof Error) errors.push(refuse(path, `cannot be read: ${info.message}`));
    else if (info.isSymbolicLink()) errors.push(refuse(path, SYMLINK));
    else if (info.isDirectory()) {
      const below = await yamlBelow(real, path);
      for (const nested of below.yaml) {
        errors.push(
          refuse(
            nested,
            `is in a sub-folder, but the desired state is only the files directly in ${dir}: move it up into ${dir}, or out of the folder`,
          ),
        );
      }
      for (const folder of below.unreadable) {
        errors.push(
          refuse(
            folder,
            `is a sub-folder that cannot be listed, so it may hide desired state: make it readable, or move it out of ${dir}`,
          ),
        );
      }
    } else if (!info.isFile()) errors.push(refuse(path, special(info, dir)));
    else if (YAML_FILE.test(name)) {
      const file = await readRegular(real(path), path, info, dir, limits);
      if ("message" in file) errors.push(refuse(path, file.message));
      else files.push(file);
    }
  }
  // fleet.yaml is not an API's file: it says how to reach the fleet's other accounts (PRODUCT §9).
  const fleetFiles = files.filter((f) => FLEET_FILE.test(basename(f.path)));
  const apiFiles = files.filter((f) => !fleetFiles.includes(f));
  if (apiFiles.length === 0 && errors.length === 0) {
    return failed(`no *.yaml or *.yml files in ${dir}; write one file per API (see the README)`);
  }
  let fleet: ReturnType<typeof loadFleetFile>["fleet"];
  for (const [i, file] of fleetFiles.entries()) {
    if (i > 0) {
      errors.push(
        refuse(
          file.path,
          `${fleetFiles[0]!.path} is the fleet's file already: keep one of the two, not both`,
        ),
      );
      continue;
    }
    const loaded = loadFleetFile(file, limits);
    errors.push(...loaded.errors);
    fleet = loaded.fleet;
  }
  const state = withFleet(loadDesiredFiles(apiFiles, limits), fleet);
  return {
    state: withErrors(state, [...errors, ...state.errors].sort(compareErrors)),
    files: apiFiles,
    ...(fleetFiles[0] ? { fleetFile: fleetFiles[0] } : {}),
  };
}

/**
 * Reads a regular file without following a link or blocking, and checks that what was opened is still the
 * regular file lstat saw (it could have been swapped in between). An oversized file is refused by its
 * size, unread: the loader reports it.
 */
async function readRegular(
  absolute: string,
  path: string,
  seen: Stats,
  dir: string,
  limits: YamlLimits,
): Promise<DesiredFile | { message: string }> {
  if (seen.size > limits.maxBytes) return { path, bytes: new Uint8Array(0), size: seen.size };
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(absolute, OPEN_FLAGS);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // O_NOFOLLOW refusing a link that replaced the file after the lstat (ELOOP; EMLINK on FreeBSD).
    if (code === "ELOOP" || code === "EMLINK") return { message: SYMLINK };
    return { message: `cannot be read: ${(e as Error).message}` };
  }
  try {
    const info = await handle.stat();
    // Something else swapped in after the lstat: a FIFO opens at once with O_NONBLOCK, and is not read.
    if (!info.isFile()) return { message: special(info, dir) };
    if (info.size > limits.maxBytes) return { path, bytes: new Uint8Array(0), size: info.size };
    return { path, bytes: await handle.readFile() };
  } finally {
    await handle.close();
  }
}

/**
 * Every YAML-named entry below `folder` at any depth (links included, never followed), and the folders that
 * could not be listed. Dot-entries are skipped, as at the top.
 */
async function yamlBelow(
  real: (path: string) => string,
  folder: string,
): Promise<{ yaml: string[]; unreadable: string[] }> {
  const out = { yaml: [] as string[], unreadable: [] as string[] };
  let names: string[];
  try {
    names = (await readdir(real(folder))).sort();
  } catch {
    out.unreadable.push(folder);
    return out;
  }
  for (const name of names) {
    if (name.startsWith(".")) continue;
    const path = join(folder, name);
    const info = await lstat(real(path)).catch(() => undefined);
    if (info?.isDirectory()) {
      const below = await yamlBelow(real, path);
      out.yaml.push(...below.yaml);
      out.unreadable.push(...below.unreadable);
    } else if (YAML_FILE.test(name)) out.yaml.push(path);
  }
  return out;
}

function kind(info: Stats): string {
  if (info.isFIFO()) return "named pipe (FIFO)";
  if (info.isSocket()) return "socket";
  if (info.isCharacterDevice()) return "character device";
  if (info.isBlockDevice()) return "block device";
  return "directory";
}
