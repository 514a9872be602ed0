import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach } from "vitest";
import { main } from "../../lib/cli/main.ts";
import type { IntegrationResult, Report } from "../../lib/plan/report.ts";
import { recordingRuntime } from "./moto.ts";
import { MOTO_ACCOUNT } from "./moto-server.ts";
import { captureIo } from "./world.ts";

/**
 * The product's CLI entry (`main`) as a user runs it against moto, each test in a scratch folder of its own
 * (desired state and the embedded history store): `import`, `plan --json`, `apply --json`, with the
 * product's own AWS context recorded (see recordingRuntime).
 */
export function useCli() {
  const state = { cwd: "", desired: "" };
  beforeEach(async () => {
    state.cwd = await mkdtemp(join(tmpdir(), "apigw-drift-moto-"));
    state.desired = join(state.cwd, "desired-state");
  });
  afterEach(async () => {
    await rm(state.cwd, { recursive: true, force: true });
  });

  async function cli(args: string[]) {
    const recorder = recordingRuntime();
    // The account guard checks against moto's account, as STS would answer it.
    const io = captureIo({ APIGW_DRIFT_ACCOUNT: MOTO_ACCOUNT }, state.cwd);
    const code = await main([...args, "--desired", state.desired], io, { runtime: recorder.runtime });
    return { code, out: io.out, err: io.err, sent: recorder.sent };
  }

  return {
    state,
    cli,
    /** `import --api ID` into the scratch desired-state folder; resolves to the run and the file's path. */
    async importApi(apiId: string) {
      const run = await cli(["import", "--api", apiId]);
      return { ...run, file: join(state.desired, `${apiId}.yaml`) };
    },
    /** `plan --json --no-history --detailed-exitcode`: a pull-request plan. */
    async plan() {
      const run = await cli(["plan", "--json", "--no-history", "--detailed-exitcode"]);
      return { ...run, report: JSON.parse(run.out) as Report };
    },
    /** `apply --json`, with the embedded history store and its lease, as a local apply runs. */
    async apply(...flags: string[]) {
      const run = await cli(["apply", "--json", ...flags]);
      return { ...run, report: JSON.parse(run.out) as Report };
    },
  };
}

/** The result for `integrationId` in `report`; throws when the report does not list it. */
export function resultFor(report: Report, integrationId: string): IntegrationResult {
  const found = report.integrations.find((r) => r.integrationId === integrationId);
  if (!found) throw new Error(`the report lists no ${integrationId}: ${JSON.stringify(report.integrations)}`);
  return found;
}

/** Replaces `from` by `to` in a desired-state file, as a person edits it; `from` must be there once. */
export async function editFile(file: string, from: string, to: string): Promise<void> {
  const text = await readFile(file, "utf8");
  if (text.split(from).length !== 2) throw new Error(`expected "${from}" once in ${file}:\n${text}`);
  await writeFile(file, text.replace(from, to));
}
