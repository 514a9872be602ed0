/**
 * Fault matrix: the process killed mid-apply and run again. The built CLI (`dist/cli.mjs`, the package's
 * bin) runs as a child process in a folder of its own, with history in its embedded store there, against
 * the emulator in this process; it is killed with SIGKILL while its first UpdateIntegration is in flight.
 * The next run in the same folder must take over the dead run's folder lock, find no lease in its way,
 * and finish the job; across both runs each integration gets exactly one applied update.
 * test/integration/history-embedded.test.ts already takes over a killed process's folder with its data.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { GetItemCommand } from "@aws-sdk/client-dynamodb";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { injectDrift } from "../../../emulator/seed.ts";
import type { Emulator } from "../../../emulator/server.ts";
import { main } from "../../../lib/cli/main.ts";
import type { DesiredState } from "../../../lib/desired-state/state.ts";
import { documents } from "../../../lib/desired-state/state.ts";
import { EMBEDDED_TABLE, openEmbeddedStore } from "../../../lib/history/embedded.ts";
import { leaseKey } from "../../../lib/history/keys.ts";
import { DynamoHistory } from "../../../lib/history/store.ts";
import type { Report } from "../../../lib/plan/report.ts";
import { startDynalite } from "../../helpers/dynalite.ts";
import {
  ACCOUNT,
  type Key,
  keyOf,
  mark,
  REGION,
  settle,
  WriteCounter,
  waitFor,
} from "../../helpers/fault-matrix.ts";
import { expectNoDriftLost, type RecordedRun, readRun } from "../../helpers/no-drift-lost.ts";
import { captureIo, startWorld } from "../../helpers/world.ts";

const CLI = resolve("dist/cli.mjs");
const DESIRED = resolve("desired-state");
let emulator: Emulator;
let example: DesiredState;
let close: () => Promise<void>;
let cwd: string;

/** `npm run build` when the bundle is missing or older than the code it bundles. */
beforeAll(() => {
  const newest = Math.max(
    ...readdirSync("lib", { recursive: true, encoding: "utf8" })
      .filter((f) => f.endsWith(".ts"))
      .map((f) => statSync(join("lib", f)).mtimeMs),
  );
  if (existsSync(CLI) && statSync(CLI).mtimeMs >= newest) return;
  const build = spawnSync(process.execPath, ["scripts/build.mjs"], { encoding: "utf8" });
  if (build.status !== 0) throw new Error(`building ${CLI} failed: ${build.stderr}`);
});
beforeEach(async () => {
  ({ emulator, desired: example, close } = await startWorld());
  cwd = await mkdtemp(join(tmpdir(), "apigw-drift-faults-killed-"));
});
afterEach(async () => {
  await close();
  vi.unstubAllEnvs();
  await rm(cwd, { recursive: true, force: true });
});

/** `apigw-drift apply` in a child process (Node 24 under npm test), pointed at the emulator. */
function startApply(folder: string) {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    AWS_ENDPOINT_URL_APIGATEWAYV2: emulator.url,
    AWS_ENDPOINT_URL_STS: process.env.AWS_ENDPOINT_URL_STS,
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    APIGW_DRIFT_ACCOUNT: ACCOUNT,
    DESIRED_REVISION: "killed",
    NO_COLOR: "1",
  };
  delete env.DRIFT_HISTORY_TABLE;
  delete env.AWS_ENDPOINT_URL_DYNAMODB;
  // One write at a time, so the kill lands between two updates.
  const child = spawn(process.execPath, [CLI, "apply", "--desired", DESIRED, "--concurrency", "1"], {
    cwd: folder,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (d: Buffer) => {
    output += d;
  });
  child.stderr.on("data", (d: Buffer) => {
    output += d;
  });
  const exited = new Promise<NodeJS.Signals | number | null>((done) =>
    child.once("exit", (code, signal) => done(signal ?? code)),
  );
  return { child, exited, output: () => output };
}

/** The lease item in a folder's embedded store, read with a plain dynalite while no run holds it. */
async function leaseIn(folder: string) {
  const store = await startDynalite({ path: join(folder, ".apigw-drift/history") });
  try {
    // The run's target: the account and Region of the example files (and the test's credentials).
    const lease = leaseKey({ account: "123456789012", region: "eu-west-1" });
    const key = { pk: { S: lease.pk }, sk: { S: lease.sk } };
    return (await store.client.send(new GetItemCommand({ TableName: EMBEDDED_TABLE, Key: key }))).Item;
  } finally {
    await store.close();
  }
}

/** The CLI in this process, in the same folder (so the same embedded store). */
async function applyHere(writes = new WriteCounter()) {
  const io = captureIo({}, cwd);
  const code = await main(["apply", "--json", "--desired", DESIRED], io, { runtime: writes.runtime() });
  expect(io.err).not.toContain("another apigw-drift run");
  return { code, report: JSON.parse(io.out) as Report };
}

describe("the process killed mid-apply", () => {
  it("is taken over by the next run, which finishes the job; each integration is updated exactly once", async () => {
    const declared = new Set(example.apis.flatMap((a) => a.integrationIds.map((id) => `${a.apiId}/${id}`)));
    const drifted: Key[] = injectDrift(emulator, documents(example))
      .map(keyOf)
      .filter((k) => declared.has(k));
    emulator.faults.configure({ latency: { ms: 300, operations: ["UpdateIntegration"] } });

    const dead = startApply(cwd);
    await waitFor(() => emulator.calls.count({ operation: "UpdateIntegration" }) > 0, 15_000, dead.output());
    dead.child.kill("SIGKILL");
    expect(await dead.exited).toBe("SIGKILL");
    emulator.faults.clear();
    // The update in flight when it died is carried out all the same, as the service would.
    await settle(emulator);
    const [inFlight, ...more] = emulator.calls.filter({ operation: "UpdateIntegration" });
    expect(more).toEqual([]);
    expect(inFlight?.status).toBe(200);
    // It left its folder lock and its lease behind.
    expect(existsSync(join(cwd, ".apigw-drift/history.lock"))).toBe(true);
    expect((await leaseIn(cwd))?.owner?.S).toMatch(/^[0-9a-f-]{36}$/);

    const since = mark(emulator);
    const writes = new WriteCounter();
    const { code, report } = await applyHere(writes);

    expect(code).toBe(0);
    expect(report.status).toBe("RECONCILED");
    expect(report.errors).toEqual([]);
    // The dead run's update stands, and this run settled the dead run's write-ahead intents from live.
    expect(report.integrations.find((r) => keyOf(r) === keyOf(inFlight!))?.status).toBe("IN_SYNC");
    expect(report.warnings.map((w) => w.message)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^settled run [0-9a-f-]{36}: it ended without recording its report \\(killed, or out of time\\); run ${report.runId} settled its ${drifted.length} write-ahead intents from the live integrations: 1 applied, ${drifted.length - 1} not$`,
        ),
      ),
    ]);
    const store = await openEmbeddedStore({ cwd });
    let recorded: RecordedRun;
    let runs: { runId: string; status: string }[];
    let deadEvents: string[];
    try {
      const history = new DynamoHistory({ client: store.client, tableName: store.tableName });
      recorded = await readRun(history, report);
      runs = (await history.runs()).items.map((r) => ({ runId: r.runId, status: r.status }));
      const dead = runs.find((r) => r.runId !== report.runId)!;
      deadEvents = (await history.events({})).items
        .filter((e) => e.runId === dead.runId)
        .map((e) => `${e.apiId}/${e.integrationId}:${e.status}`)
        .sort();
    } finally {
      await store.close();
    }
    // The dead run's record, rebuilt from its intents: the write it made is UPDATED, the rest DEFERRED.
    expect(runs.map((r) => r.status).sort()).toEqual(["PARTIAL", "RECONCILED"]);
    expect(deadEvents).toEqual(
      drifted.map((k) => `${k}:${k === keyOf(inFlight!) ? "UPDATED" : "DEFERRED"}`).sort(),
    );
    await expectNoDriftLost(report, {
      drifted: drifted.filter((k) => k !== keyOf(inFlight!)),
      recorded,
      writes,
      emulator,
      since,
      next: async () => (await applyHere()).report,
    });
    for (const key of drifted) {
      const applied = emulator.calls
        .filter({ operation: "UpdateIntegration", status: 200 })
        .filter((c) => keyOf(c) === key);
      expect(applied, `applied updates of ${key} across both runs`).toHaveLength(1);
    }
  });
});

describe("the process interrupted mid-apply (SIGINT, as Ctrl-C or CI cancellation sends)", () => {
  it("finishes the write in flight, starts no other, prints and records what it did, lets go of the lease, and exits 130", async () => {
    injectDrift(emulator, documents(example));
    emulator.faults.configure({ latency: { ms: 300, operations: ["UpdateIntegration"] } });

    const run = startApply(cwd);
    await waitFor(() => emulator.calls.count({ operation: "UpdateIntegration" }) > 0, 15_000, run.output());
    run.child.kill("SIGINT");
    expect(await run.exited).toBe(130);
    await settle(emulator);
    // Exactly the write in flight was made; none started after the signal.
    const updates = emulator.calls.filter({ operation: "UpdateIntegration" });
    expect(updates.map((c) => c.status)).toEqual([200]);
    expect(run.output()).toContain("SIGINT: no new write starts; finishing those in flight");
    expect(run.output()).toContain(
      "interrupted: no write was started after the signal; the writes in flight finished",
    );
    // The lock and the lease are released, and history holds the write and the run.
    expect(existsSync(join(cwd, ".apigw-drift/history.lock"))).toBe(false);
    expect(await leaseIn(cwd)).toBeUndefined();
    const store = await openEmbeddedStore({ cwd });
    try {
      const history = new DynamoHistory({ client: store.client, tableName: store.tableName });
      const [recorded] = (await history.runs()).items;
      expect(recorded?.status).toBe("PARTIAL");
      const events = (await history.events({})).items;
      expect(
        events.filter((e) => e.status === "UPDATED").map((e) => `${e.apiId}/${e.integrationId}`),
      ).toEqual([keyOf(updates[0]!)]);
      expect(events.filter((e) => e.status === "DEFERRED").length).toBeGreaterThan(0);
    } finally {
      await store.close();
    }
  });
});
