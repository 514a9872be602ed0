import { randomBytes } from "node:crypto";
import { lstat, mkdir, rename, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/** A file the CLI will not write, with the reason in words a user can act on. */
export class WriteRefusedError extends Error {
  override name = "WriteRefusedError";
}

/**
 * Writes `text` to `path` so that a reader never sees half a file and a crash leaves the old one: into a
 * new temporary file beside it (created exclusively), then renamed over it. A symbolic link at `path` is
 * refused rather than followed: the report could otherwise land wherever the link points (a file another
 * user planted in a shared folder, say). rename(2) replaces a link that appears after the check with the
 * file itself, never writing through it. `shown` is the path as the user typed it, for messages.
 */
export async function writeFileAtomic(path: string, text: string, shown = path): Promise<void> {
  const existing = await lstat(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return undefined;
    throw error;
  });
  if (existing?.isSymbolicLink()) {
    throw new WriteRefusedError(
      `${shown} is a symbolic link; refusing to write through it. Remove the link or name another file.`,
    );
  }
  if (existing && !existing.isFile()) {
    throw new WriteRefusedError(`${shown} exists and is not a regular file; name a file to write.`);
  }
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const temporary = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
  await writeFile(temporary, text, { flag: "wx", mode: 0o644 });
  try {
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
