import { readDesiredFolder } from "../../lib/desired-state/folder.ts";
import type { DesiredInput } from "../../lib/reconcile/reconcile.ts";
import { gitRevision } from "../../lib/reconcile/revision.ts";

/**
 * The desired state this function enforces, and its git revision. The Lambda build
 * (scripts/build-lambda.ts) replaces this module with the state it validated, embedded as plain JSON, and
 * the revision: the deployed function reads neither YAML nor the validator's schemas (nor S3, nor git).
 * In source (tests), it reads and validates the folder as `validate` does.
 */
export async function desiredSource(
  dir = process.env.DESIRED_STATE_DIR ?? "desired-state",
): Promise<DesiredInput> {
  return { state: await readDesiredFolder(dir), revision: await gitRevision(dir) };
}
