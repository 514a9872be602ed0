import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Emulator } from "../../emulator/server.ts";
import { main } from "../../lib/cli/main.ts";
import type { Report } from "../../lib/plan/report.ts";
import { expectNothingForged } from "../helpers/hostile.ts";
import { captureIo, startWorld } from "../helpers/world.ts";

const API = "a1b2c3d4e5";
const ID = "prx3m9a";
/** Live parameter keys and values someone with write access to the API set, to forge our output. */
const CLEAR_KEY = "overwrite:header.x\u001b[2J";
const BIDI_KEY = "append:header.a\u202eb";
const FORGED = "ok\n::error file=desired-state/orders-http.yaml::forged";
const LEGACY = "\u009b2J ##[error]forged";

let emulator: Emulator;
let close: () => Promise<void>;
let cwd: string;
const cli = async (...args: string[]) => {
  const io = captureIo({}, cwd);
  const withDesired = args[0] === "history" ? args : [...args, "--desired", resolve("desired-state")];
  const code = await main(withDesired, io);
  return { code, out: io.out, err: io.err };
};

beforeEach(async () => {
  ({ emulator, close } = await startWorld());
  cwd = await mkdtemp(join(tmpdir(), "apigw-drift-untrusted-"));
  const live = emulator.getIntegration(API, ID);
  emulator.overwriteIntegration(API, ID, {
    requestParameters: {
      ...(live?.requestParameters ?? {}),
      "overwrite:header.x-env": LEGACY,
      [CLEAR_KEY]: FORGED,
      [BIDI_KEY]: "v",
    },
  });
});
afterEach(async () => {
  await close();
  vi.unstubAllEnvs();
  await rm(cwd, { recursive: true, force: true });
});

describe("live parameter keys and values that would forge output", () => {
  it("are escaped in the human plan, and every line is ours", async () => {
    const plan = await cli("plan", "--no-history");

    expect(plan.code).toBe(0);
    expect(plan.out).toContain(
      [
        `  ~ ${ID}  drifted: will be updated in place`,
        '      - /requestParameters/append:header.a\\u202eb: "v"',
        '      - /requestParameters/overwrite:header.x\\x1b[2J: "ok\\n::error file=desired-state/orders-http.yaml::forged"',
        '      ~ /requestParameters/overwrite:header.x-env: "\\x9b2J #\\x23[error]forged" → "prod"',
      ].join("\n"),
    );
    expectNothingForged(plan.out + plan.err);
  });

  it("are code spans in the markdown comment", async () => {
    const plan = await cli("plan", "--no-history", "--markdown");

    for (const row of [
      '| `/requestParameters/append:header.a\\u202eb` | remove | `"v"` | — |',
      '| `/requestParameters/overwrite:header.x\\x1b[2J` | remove | `"ok\\n::error file=desired-state/orders-http.yaml::forged"` | — |',
      '| `/requestParameters/overwrite:header.x-env` | change | `"\\x9b2J #\\x23[error]forged"` | `"prod"` |',
    ]) {
      expect(plan.out).toContain(`${row}\n`);
    }
    expectNothingForged(plan.out + plan.err);
  });

  it("are exact in the JSON report, which holds nothing raw", async () => {
    const plan = await cli("plan", "--no-history", "--json");

    const report = JSON.parse(plan.out) as Report;
    expect(report.integrations.find((r) => r.integrationId === ID)?.diffs).toEqual([
      { path: `/requestParameters/${BIDI_KEY}`, kind: "added", actual: "v" },
      { path: `/requestParameters/${CLEAR_KEY}`, kind: "added", actual: FORGED },
      {
        path: "/requestParameters/overwrite:header.x-env",
        kind: "changed",
        expected: "prod",
        actual: LEGACY,
      },
    ]);
    expectNothingForged(plan.out + plan.err);
  });

  it("are escaped in the history table, and exact in history --json", async () => {
    expect((await cli("plan")).code).toBe(0);

    const table = await cli("history", "--api", API);
    // One row: the changes column escaped (and cut at 100 characters, as ever).
    expect(table.out.split("\n")[1]).toMatch(
      /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ {2}plan {2}a1b2c3d4e5 {2}prx3m9a {6}DRIFTED {2}[0-9a-f]{8} {2}- \/requestParameters\/append:header\.a\\u202eb, - \/requestParameters\/overwrite:header\.x\\x1b\[2J, ~ \/req…$/,
    );
    expectNothingForged(table.out + table.err);

    const json = await cli("history", "--api", API, "--json");
    const events = JSON.parse(json.out) as { integrationId: string; diffs: { path: string }[] }[];
    expect(events.find((e) => e.integrationId === ID)?.diffs.map((d) => d.path)).toEqual([
      `/requestParameters/${BIDI_KEY}`,
      `/requestParameters/${CLEAR_KEY}`,
      "/requestParameters/overwrite:header.x-env",
    ]);
    expectNothingForged(json.out + json.err);
  });
});
