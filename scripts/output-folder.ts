// The Lambda build's output folder: it is deleted before each build, so the build checks first that it is
// its own. `make build-ReconcileFunction` without ARTIFACTS_DIR once passed "" (the cwd: the whole project,
// .git included, was deleted), and `-- desired-state` replaced the desired state with the bundle.
import { execFile } from "node:child_process";
import { lstat, mkdir, readdir, realpath, rm, writeFile } from "node:fs/promises";
import { basename, dirname, isAbsolute, join, relative, resolve } from "node:path";
import { promisify } from "node:util";

/** Written into every output folder the build creates: only a folder holding it is deleted and rebuilt. */
export const BUILD_MARKER = ".apigw-drift-build";

const EXAMPLE = "pass a folder of its own, e.g. `npm run build:lambda -- dist/lambda`";

/** An output folder the build refuses to delete; the message says which, why and what to pass instead. */
export class OutputFolderError extends Error {
  override name = "OutputFolderError";
}

export interface ProjectPaths {
  /** Relative output folders resolve against it. */
  cwd: string;
  /** The project's root (package.json, .git): never deleted, nor any folder that holds it. */
  projectDir: string;
  /** Desired-state folders (the project's and the one the build reads): never deleted or replaced. */
  desiredDirs: readonly string[];
}

/**
 * Checks that `outdir` is the build's to delete: nonexistent, empty, or an earlier build's output (it
 * holds BUILD_MARKER). Whatever it holds, it is refused when it is the cwd, an ancestor of the cwd or of
 * the project, a desired-state folder (or inside or around one), or when it holds files git tracks.
 * Returns the absolute folder; throws OutputFolderError. Deletes nothing: resetOutputFolder does.
 */
export async function checkOutputFolder(outdir: string, paths: ProjectPaths): Promise<string> {
  if (outdir.trim() === "") {
    throw new OutputFolderError(
      `no output folder given (an empty ARTIFACTS_DIR?): the build deletes its output folder first, and "" is the current folder. ${EXAMPLE}; \`sam build\` sets ARTIFACTS_DIR itself`,
    );
  }
  const absolute = resolve(paths.cwd, outdir);
  const real = await realpathOfExisting(absolute);
  const shown = real === absolute ? absolute : `${absolute} (${real})`;
  const cwd = await realpathOfExisting(resolve(paths.cwd));
  const project = await realpathOfExisting(resolve(paths.projectDir));
  const refuse = (why: string) =>
    new OutputFolderError(`refusing to build into ${shown}: ${why}; nothing was deleted. ${EXAMPLE}`);
  if (contains(real, cwd)) {
    throw refuse(
      real === cwd
        ? "it is the current folder, and the build deletes its output folder first"
        : `it holds the current folder ${cwd}, and the build deletes its output folder first`,
    );
  }
  if (contains(real, project)) {
    throw refuse(`it holds the project ${project}, and the build deletes its output folder first`);
  }
  for (const dir of paths.desiredDirs) {
    const desired = await realpathOfExisting(resolve(paths.cwd, dir));
    if (contains(real, desired) || contains(desired, real)) {
      const where = real === desired ? "it is" : contains(real, desired) ? "it holds" : "it is inside";
      throw refuse(
        `${where} the desired-state folder ${desired}, which the build reads and must not replace`,
      );
    }
  }
  const stat = await lstat(real).catch(() => undefined);
  if (!stat) return absolute;
  if (!stat.isDirectory()) throw refuse("it is a file, not a folder");
  const entries = (await readdir(real)).sort();
  if (entries.length === 0) return absolute;
  const tracked = await trackedFiles(project, real);
  if (tracked.length > 0) {
    throw refuse(
      `it holds files git tracks (${list(tracked)}): it is part of the project, not a build output`,
    );
  }
  if (!entries.includes(BUILD_MARKER)) {
    throw refuse(
      `it is not empty (${list(entries)}) and no earlier build made it (it has no ${BUILD_MARKER}); empty or delete it yourself if it is a build output`,
    );
  }
  return absolute;
}

/**
 * Empties a folder checkOutputFolder accepted and marks it as the build's own before anything is written
 * into it, so that the next build may delete it even if this one fails half-way.
 */
export async function resetOutputFolder(absolute: string): Promise<void> {
  // The path itself: a symbolic link is removed, not the folder it points to.
  await rm(absolute, { recursive: true, force: true });
  await mkdir(absolute, { recursive: true });
  await writeFile(
    join(absolute, BUILD_MARKER),
    "Built by scripts/build-lambda.ts, which deletes and rebuilds this folder.\n",
  );
}

/** True when `outer` is `inner` or one of its ancestors. */
function contains(outer: string, inner: string): boolean {
  const rel = relative(outer, inner);
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
}

/** The real path of `path`, resolving symbolic links in the part of it that exists. */
async function realpathOfExisting(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch {
    const parent = dirname(path);
    return parent === path ? path : join(await realpathOfExisting(parent), basename(path));
  }
}

/** Files under `folder` that git tracks in `project`; none when `folder` is outside it or git is absent. */
async function trackedFiles(project: string, folder: string): Promise<string[]> {
  if (!contains(project, folder)) return [];
  try {
    const { stdout } = await promisify(execFile)(
      "git",
      ["-C", project, "ls-files", "-z", "--", relative(project, folder)],
      { timeout: 10_000 },
    );
    return stdout.split("\0").filter(Boolean);
  } catch {
    return [];
  }
}

function list(names: readonly string[]): string {
  const shown = names.slice(0, 3).map((n) => JSON.stringify(n));
  return names.length > 3 ? `${shown.join(", ")} and ${names.length - 3} more` : shown.join(", ");
}
