import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { DesiredFile } from "../../lib/desired-state/load.ts";
import { gitRevision } from "../../lib/reconcile/revision.ts";

/**
 * The desired-state files this function enforces, and their git revision. The Lambda build
 * (scripts/build-lambda.ts) replaces this module with the files and the revision embedded at build time,
 * so the deployed function has no runtime dependency on S3 or git. In source (tests), it reads the folder.
 */
export async function desiredSource(dir = process.env.DESIRED_STATE_DIR ?? "desired-state"): Promise<{
  files: DesiredFile[];
  revision: string;
}> {
  const names = (await readdir(dir)).filter((n) => /\.ya?ml$/i.test(n)).sort();
  const files = await Promise.all(
    names.map(async (name) => ({
      path: join("desired-state", name),
      bytes: await readFile(join(dir, name)),
    })),
  );
  return { files, revision: await gitRevision(dir) };
}
