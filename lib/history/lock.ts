import { randomUUID } from "node:crypto";
import { readFile, stat, unlink, writeFile } from "node:fs/promises";
import { hostname } from "node:os";

/** Who holds a lock file: written into it by the holder. */
export interface LockHolder {
  pid: number;
  host: string;
  since: string;
  token: string;
}

export interface FolderLock {
  /** Removes the lock file if it is still ours. Safe to call twice. */
  release(): Promise<void>;
}

export interface LockOptions {
  pid?: number;
  host?: string;
  now?: () => number;
  /** Whether a process of this host is alive. Default: `process.kill(pid, 0)`. */
  isAlive?: (pid: number) => boolean;
}

/** A lock file that could not be parsed is taken over only once it is this old (its writer died mid-write). */
const UNREADABLE_GRACE_MS = 10_000;

/**
 * Takes the lock file `file` (created exclusively, with O_EXCL) or throws `busy(holder)`. A lock whose
 * holder is a dead process on this host is stale and taken over; a holder on another host (a shared
 * folder) cannot be checked and counts as alive.
 *
 * Why a lock of our own: LevelDB locks its folder too (fcntl on `LOCK`, released when the process dies),
 * so two stores never write one folder at once; but dynalite does not report a failed open, and its
 * first request then throws inside its HTTP handler and takes the whole process down. This lock turns
 * that into a clear refusal before dynalite starts; LevelDB's lock stays the last guard against a race
 * between two takeovers of one stale lock file.
 */
export async function lockFile(
  file: string,
  busy: (holder: LockHolder | undefined) => Error,
  options: LockOptions = {},
): Promise<FolderLock> {
  const now = options.now ?? Date.now;
  const me: LockHolder = {
    pid: options.pid ?? process.pid,
    host: options.host ?? hostname(),
    since: new Date(now()).toISOString(),
    token: randomUUID(),
  };
  const isAlive = options.isAlive ?? processAlive;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await writeFile(file, `${JSON.stringify(me)}\n`, { flag: "wx" });
      return { release: () => releaseIfOurs(file, me.token) };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== "EEXIST") {
        // Created but not written (a full disk): an empty lock file would look held to the next run.
        if (code === "ENOSPC") await unlink(file).catch(() => undefined);
        throw new Error(
          code === "ENOSPC"
            ? `cannot lock ${file}: the disk is full; free some space and run again`
            : `cannot lock ${file}: ${(error as Error).message}`,
          { cause: error },
        );
      }
    }
    const holder = await readHolder(file);
    if (holder === "gone") continue;
    if (holder === "unreadable") {
      if (now() - (await modified(file)) < UNREADABLE_GRACE_MS) throw busy(undefined);
    } else if (holder.host !== me.host || isAlive(holder.pid)) {
      throw busy(holder);
    }
    await unlink(file).catch(ignoreMissing);
  }
  throw busy(undefined);
}

async function readHolder(file: string): Promise<LockHolder | "gone" | "unreadable"> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return "gone";
    throw error;
  }
  try {
    const h = JSON.parse(text) as Partial<LockHolder>;
    if (typeof h.pid === "number" && typeof h.host === "string" && typeof h.token === "string") {
      return { pid: h.pid, host: h.host, since: String(h.since), token: h.token };
    }
  } catch {
    // fall through
  }
  return "unreadable";
}

async function releaseIfOurs(file: string, token: string): Promise<void> {
  const holder = await readHolder(file);
  if (typeof holder === "object" && holder.token === token) await unlink(file).catch(ignoreMissing);
}

async function modified(file: string): Promise<number> {
  try {
    return (await stat(file)).mtimeMs;
  } catch {
    return 0;
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function ignoreMissing(error: unknown): void {
  if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
}
