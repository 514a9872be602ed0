/**
 * plan and apply with a probe result (`--probe-result FILE`, APIGW_DRIFT_PROBE_RESULT): where the account's
 * readings mean an update cannot do what the plan says, the report warns up front, naming the behaviour,
 * the integration and the field, and the run's statuses and exit code stay as they are.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Emulator } from "../../emulator/server.ts";
import { main } from "../../lib/cli/main.ts";
import type { Report } from "../../lib/plan/report.ts";
import { captureIo, startWorld } from "../helpers/world.ts";

let emulator: Emulator;
let close: () => Promise<void>;
let cwd: string;
const DESIRED = resolve("desired-state");
const STRICT = resolve("test/fixtures/probe/strict.json");

beforeEach(async () => {
  ({ emulator, close } = await startWorld());
  cwd = await mkdtemp(join(tmpdir(), "apigw-drift-probe-result-"));
  // Live keys the files do not declare: the plan removes them, which strict readings make impossible.
  const templates = emulator.getIntegration("w9x8y7z6v5", "hbt7e8f")!.requestTemplates as object;
  emulator.overwriteIntegration("w9x8y7z6v5", "hbt7e8f", {
    requestTemplates: { ...templates, "text/plain": "x" },
  });
  const parameters = emulator.getIntegration("a1b2c3d4e5", "prx3m9a")!.requestParameters as object;
  emulator.overwriteIntegration("a1b2c3d4e5", "prx3m9a", {
    requestParameters: { ...parameters, "append:header.x-extra": "1" },
  });
});

afterEach(async () => {
  await close();
  vi.unstubAllEnvs();
  await rm(cwd, { recursive: true, force: true });
});

const TEMPLATES_WARNING =
  "probe result FILE: requestTemplates.patch is merge on this account (strict), so the update of w9x8y7z6v5/hbt7e8f would leave requestTemplates drifted: the service merges requestTemplates, so a template the update leaves out stays. Declare what live has, or delete and recreate the integration";
const PARAMETERS_WARNING =
  'probe result FILE: requestParameters.emptyString is rejected on this account (strict), so the update of a1b2c3d4e5/prx3m9a would be refused (requestParameters): the service refuses a request parameter sent with "", the only way to remove one. Declare what live has, or delete and recreate the integration';

async function plan(args: string[], env: Record<string, string> = {}) {
  const io = captureIo(env, cwd);
  const code = await main(["plan", "--desired", DESIRED, "--no-history", ...args], io);
  return { code, io };
}

describe("plan --probe-result", () => {
  it("warns for each drifted integration whose update the readings break, and keeps the run DRIFTED", async () => {
    const { code, io } = await plan(["--json", "--probe-result", STRICT]);
    expect(code).toBe(0);
    const report = JSON.parse(io.out) as Report;
    expect(report.status).toBe("DRIFTED");
    expect(report.integrations.filter((r) => r.status === "DRIFTED").map((r) => r.integrationId)).toEqual([
      "prx3m9a",
      "hbt7e8f",
    ]);
    expect(report.warnings).toEqual([
      { message: PARAMETERS_WARNING.replace("FILE", STRICT) },
      { message: TEMPLATES_WARNING.replace("FILE", STRICT) },
    ]);
  });

  it("reads APIGW_DRIFT_PROBE_RESULT, relative to the working directory, and shows the warnings to a person", async () => {
    await writeFile(join(cwd, "probe.json"), await readFile(STRICT));
    const { code, io } = await plan([], { APIGW_DRIFT_PROBE_RESULT: "probe.json" });
    expect(code).toBe(0);
    expect(io.out).toContain(`Warning: ${TEMPLATES_WARNING.replace("FILE", "probe.json")}\n`);
    expect(io.out).toContain("Status: DRIFTED");
  });

  it("says nothing where the account shows the readings the product is built for", async () => {
    const { io } = await plan(["--json", "--probe-result", resolve("test/fixtures/probe/all-defaults.json")]);
    expect((JSON.parse(io.out) as Report).warnings).toEqual([]);
  });

  it("turns a probe result it cannot read into a warning, not a failed run", async () => {
    await writeFile(
      join(cwd, "bad.json"),
      '{"behaviours": {"requestTemplates.patch": {"observed": "sometimes"}}}',
    );
    const { code, io } = await plan(["--json", "--probe-result", "bad.json"]);
    expect(code).toBe(0);
    expect((JSON.parse(io.out) as Report).warnings).toEqual([
      {
        message:
          'probe result bad.json not used: behaviours.requestTemplates.patch.observed must be merge | replace | unknown, not "sometimes". Write one with apigw-drift probe --yes --json > bad.json',
      },
    ]);
  });
});

describe("apply --probe-result", () => {
  it("warns for the updates that failed as the probe result foretold", async () => {
    emulator.configureBehaviour({ "requestTemplates.patch": "merge" });
    const io = captureIo({}, cwd);
    const code = await main(
      ["apply", "--desired", DESIRED, "--no-history", "--json", "--probe-result", STRICT],
      io,
    );
    expect(code).toBe(1);
    const report = JSON.parse(io.out) as Report;
    expect(report.integrations.find((r) => r.integrationId === "hbt7e8f")).toMatchObject({
      status: "FAILED",
      action: "update",
    });
    // prx3m9a was UPDATED (this emulator removes ""): the probe result's advice is moot there.
    expect(report.integrations.find((r) => r.integrationId === "prx3m9a")?.status).toBe("UPDATED");
    expect(report.warnings.map((w) => w.message)).toEqual([TEMPLATES_WARNING.replace("FILE", STRICT)]);
  });
});
