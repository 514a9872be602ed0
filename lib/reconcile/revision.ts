import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

/**
 * The git revision of the desired-state folder: the commit SHA, with "-dirty" when the folder has
 * uncommitted changes (the report must not name a revision it did not enforce), or "unknown" outside a
 * git work tree.
 */
export async function gitRevision(dir: string): Promise<string> {
  try {
    const { stdout: sha } = await run("git", ["-C", dir, "rev-parse", "HEAD"]);
    const { stdout: status } = await run("git", ["-C", dir, "status", "--porcelain", "--", "."]);
    return `${sha.trim()}${status.trim() ? "-dirty" : ""}`;
  } catch {
    return "unknown";
  }
}
