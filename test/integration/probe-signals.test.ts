/**
 * The built CLI (dist/cli.mjs) as a child process, probing the emulator this test runs: SIGINT in the
 * middle of the experiments (once the emulator's log shows the first UpdateIntegration) leaves no scratch
 * API and exits 130; SIGKILL leaves them, and the next probe deletes them.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { type Emulator, startEmulator } from "../../emulator/server.ts";
import { ensureCliBundle } from "../helpers/cli-bundle.ts";
import { expectOnlyOwnApis, probeCli } from "../helpers/probe.ts";

const SCRATCH = /^apigw-drift-probe-[a-z0-9]{8}-(http|ws)$/;
let cli: string;
let emulator: Emulator;
let child: ChildProcess | undefined;

beforeAll(() => {
  cli = ensureCliBundle();
}, 60_000);

afterEach(async () => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  child = undefined;
  vi.unstubAllEnvs();
  await emulator?.close();
});

/** The emulator's clock runs 20 minutes behind, so what a probe leaves looks old to the next one. */
async function start(): Promise<void> {
  emulator = await startEmulator({ seed: 3, now: () => Date.now() - 20 * 60_000 });
}

/** `apigw-drift probe --yes --json` against the emulator; resolves with its exit and output once it ends. */
function probeChild(): { exited: Promise<{ code: number | null; signal: string | null; err: string }> } {
  child = spawn(process.execPath, [cli, "probe", "--yes", "--json", "--rate", "10"], {
    env: {
      PATH: process.env.PATH,
      AWS_ENDPOINT_URL_APIGATEWAYV2: emulator.url,
      AWS_REGION: "eu-west-1",
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
      APIGW_DRIFT_ACCOUNT: "123456789012",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let err = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    err += chunk.toString("utf8");
  });
  const running = child;
  return {
    exited: new Promise((resolve) => {
      running.on("exit", (code, signal) => resolve({ code, signal, err }));
    }),
  };
}

/** Resolves once the emulator's log shows a call of `operation` (it logs a call as it arrives). */
async function logged(operation: "UpdateIntegration" | "DeleteApi"): Promise<void> {
  for (let waited = 0; waited < 15_000; waited += 10) {
    if (emulator.calls.count({ operation }) > 0) return;
    await sleep(10);
  }
  throw new Error(`no ${operation} within 15 s; calls: ${emulator.calls.operations().join(", ")}`);
}

describe("the built CLI interrupted mid-probe", () => {
  it("deletes its scratch APIs on SIGINT, even when a second one follows, and exits 130", async () => {
    await start();
    // Slow deletes, so the second signal lands while the probe is cleaning up.
    emulator.faults.configure({ latency: { ms: 300, operations: ["DeleteApi"] } });
    const run = probeChild();
    await logged("UpdateIntegration");
    child!.kill("SIGINT");
    await logged("DeleteApi");
    child!.kill("SIGINT");
    const { code, signal, err } = await run.exited;
    expect({ code, signal }).toEqual({ code: 130, signal: null });
    expect(err).toContain(
      "apigw-drift probe: SIGINT: stopping after the call in flight, then deleting the scratch APIs\n",
    );
    expect(err).toContain("apigw-drift probe: SIGINT again: still deleting the scratch APIs");
    expect(err).toContain("apigw-drift probe: interrupted; no scratch API is left\n");
    // The CLI's own handler (exit at the second signal) was held off.
    expect(err).not.toContain("exiting now");
    expect(emulator.calls.count({ operation: "CreateApi" })).toBe(2);
    expectOnlyOwnApis(emulator);
  }, 30_000);

  it("leaves them on SIGKILL, and the next probe deletes them", async () => {
    await start();
    const run = probeChild();
    await logged("UpdateIntegration");
    child!.kill("SIGKILL");
    expect((await run.exited).signal).toBe("SIGKILL");
    const left = emulator.listApis().filter((a) => SCRATCH.test(a.name));
    expect(left.map((a) => a.protocolType)).toEqual(["HTTP", "WEBSOCKET"]);
    vi.stubEnv("AWS_ENDPOINT_URL_APIGATEWAYV2", emulator.url);
    vi.stubEnv("AWS_REGION", "eu-west-1");
    vi.stubEnv("AWS_ACCESS_KEY_ID", "test");
    vi.stubEnv("AWS_SECRET_ACCESS_KEY", "test");
    const next = await probeCli(["--yes", "--json"]);
    expect(next.code, next.err).toBe(0);
    for (const api of left) {
      expect(next.err).toContain(
        `apigw-drift probe: deleted scratch API ${api.apiId} (${api.name}), left by an earlier probe\n`,
      );
    }
    expectOnlyOwnApis(emulator);
  }, 30_000);
});
