import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, vi } from "vitest";
import type { Behaviour } from "../../emulator/behaviour.ts";
import { type Emulator, startEmulator } from "../../emulator/server.ts";
import { main } from "../../lib/cli/main.ts";
import type { IntegrationResult, Report } from "../../lib/plan/report.ts";
import { captureIo } from "./world.ts";

/**
 * The CLI (`main`) as a user runs it against an emulator of the test's own, each test in a scratch folder
 * (its desired-state files and the embedded history store): `start` an emulator under some behaviour
 * readings with the SDK's standard environment pointing at it, write the files, run `validate`, `plan`
 * or `apply`, and read what the emulator was sent.
 */
export function useEmulatorCli() {
  const state = { cwd: "", desired: "", emulator: undefined as Emulator | undefined };
  beforeEach(async () => {
    state.cwd = await mkdtemp(join(tmpdir(), "apigw-drift-emulator-cli-"));
    state.desired = join(state.cwd, "desired-state");
    await mkdir(state.desired);
  });
  afterEach(async () => {
    await state.emulator?.close();
    state.emulator = undefined;
    vi.unstubAllEnvs();
    await rm(state.cwd, { recursive: true, force: true });
  });

  const emulator = (): Emulator => {
    if (!state.emulator) throw new Error("start() the emulator first");
    return state.emulator;
  };

  return {
    emulator,
    /** The scratch desired-state folder of the running test. */
    desired: () => state.desired,
    /** Starts the emulator under `behaviour` (the rest at their defaults). */
    async start(behaviour: Partial<Behaviour> = {}): Promise<Emulator> {
      state.emulator = await startEmulator({ seed: 11, behaviour });
      vi.stubEnv("AWS_ENDPOINT_URL_APIGATEWAYV2", state.emulator.url);
      vi.stubEnv("AWS_REGION", "eu-west-1");
      vi.stubEnv("AWS_ACCESS_KEY_ID", "test");
      vi.stubEnv("AWS_SECRET_ACCESS_KEY", "test");
      return state.emulator;
    },
    /** Writes `<desired>/<name>` as a person saves it. */
    async writeFile(name: string, text: string): Promise<void> {
      await writeFile(join(state.desired, name), text);
    },
    /** `apigw-drift validate --desired <folder>`: the exit code and what it printed. */
    async validate() {
      const io = captureIo({}, state.cwd);
      const code = await main(["validate", "--desired", state.desired], io);
      return { code, out: io.out, err: io.err };
    },
    /** `apigw-drift <mode> --json --desired <folder> [flags]`: the exit code and the parsed report. */
    async run(mode: "plan" | "apply", ...flags: string[]) {
      const io = captureIo({}, state.cwd);
      const code = await main([mode, "--json", "--desired", state.desired, ...flags], io);
      return { code, report: JSON.parse(io.out) as Report, err: io.err };
    },
    /** The same, as a person reads it (no --json). */
    async human(mode: "plan" | "apply", ...flags: string[]) {
      const io = captureIo({ NO_COLOR: "1" }, state.cwd);
      const code = await main([mode, "--desired", state.desired, ...flags], io);
      return { code, out: io.out, err: io.err };
    },
    /** The operations the emulator receives from now on, in order (a trace that keeps the earlier calls). */
    mark(): () => string[] {
      const seen = emulator().calls.all().at(-1)?.seq ?? 0;
      return () =>
        emulator()
          .calls.all()
          .filter((c) => c.seq > seen)
          .map((c) => c.operation);
    },
    /** The bodies of the UpdateIntegration requests the emulator received (of one integration, if given). */
    updates(integrationId?: string): Record<string, unknown>[] {
      return emulator()
        .calls.filter({ operation: "UpdateIntegration", ...(integrationId ? { integrationId } : {}) })
        .map((c) => c.body as Record<string, unknown>);
    },
  };
}

/** The result for `integrationId` in `report`; throws when the report does not list it. */
export function resultFor(report: Report, integrationId: string): IntegrationResult {
  const found = report.integrations.find((r) => r.integrationId === integrationId);
  if (!found) throw new Error(`no result for ${integrationId}: ${JSON.stringify(report.integrations)}`);
  return found;
}
