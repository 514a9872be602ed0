import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { injectDrift } from "../../emulator/seed.ts";
import type { Emulator } from "../../emulator/server.ts";
import { main } from "../../lib/cli/main.ts";
import type { DesiredState } from "../../lib/desired-state/state.ts";
import { documents } from "../../lib/desired-state/state.ts";
import { historyTable, startDynalite } from "../helpers/dynalite.ts";
import { captureIo, startWorld } from "../helpers/world.ts";

let emulator: Emulator;
let desired: DesiredState;
let close: () => Promise<void>;
let cwd: string;
const DESIRED = resolve("desired-state");
const cli = (args: string[], env: Record<string, string | undefined> = {}) => {
  const io = captureIo(env, cwd);
  return main([...args, ...(args[0] === "history" ? [] : ["--desired", DESIRED])], io).then((code) => ({
    code,
    io,
  }));
};

beforeEach(async () => {
  ({ emulator, desired, close } = await startWorld());
  cwd = await mkdtemp(join(tmpdir(), "apigw-drift-history-cli-"));
});
afterEach(async () => {
  await close();
  vi.unstubAllEnvs();
  await rm(cwd, { recursive: true, force: true });
});

describe("history through the CLI, in the embedded store", () => {
  it("lists every drift apply saw, with paths and values, secrets redacted", async () => {
    injectDrift(emulator, documents(desired));
    emulator.overwriteIntegration("a1b2c3d4e5", "prx3m9a", {
      requestParameters: {
        ...(emulator.getIntegration("a1b2c3d4e5", "prx3m9a")?.requestParameters as object),
        "overwrite:header.authorization": "'Bearer leaked-by-hand'",
      },
    });
    const apply = await cli(["apply"]);
    expect(apply.code).toBe(0);
    const { code, io } = await cli(["history", "--json"]);
    expect(code).toBe(0);
    const events = JSON.parse(io.out) as Record<string, unknown>[];
    const ids = events.map((e) => `${e.apiId}/${e.integrationId}:${e.status}`).sort();
    expect(ids).toEqual([
      "a1b2c3d4e5/lmb7k2q:UPDATED",
      "a1b2c3d4e5/prx3m9a:UPDATED",
      "w9x8y7z6v5/cnx1a2b:UPDATED",
      "w9x8y7z6v5/msg5c6d:UPDATED",
    ]);
    for (const e of events) {
      expect(Object.keys(e)).toEqual(
        expect.arrayContaining([
          "runId",
          "at",
          "mode",
          "desiredRevision",
          "apiId",
          "integrationId",
          "status",
          "diffs",
          "error",
        ]),
      );
    }
    const lmb = events.find((e) => e.integrationId === "lmb7k2q")!;
    expect(lmb.diffs).toEqual([
      { path: "/timeoutInMillis", kind: "changed", expected: 10000, actual: 12345 },
    ]);
    expect(io.out).not.toContain("leaked-by-hand");
    // The declared value only names the stage variable that holds the token: shown, so the fix is legible.
    const auth = events.find((e) => e.integrationId === "prx3m9a")?.diffs as {
      path: string;
      expected: string;
      actual: string;
    }[];
    expect(auth.find((d) => d.path === "/requestParameters/overwrite:header.authorization")).toEqual({
      path: "/requestParameters/overwrite:header.authorization",
      kind: "changed",
      expected: "'Bearer $stageVariables.ordersToken'",
      actual: expect.stringMatching(/^\*\*\*[0-9a-f]{8}$/),
    });
  });

  it("adds no drift events for a clean second run, but records the run", async () => {
    injectDrift(emulator, documents(desired));
    await cli(["apply"]);
    const before = JSON.parse((await cli(["history", "--json"])).io.out) as unknown[];
    expect((await cli(["apply"])).code).toBe(0);
    const after = JSON.parse((await cli(["history", "--json"])).io.out) as unknown[];
    expect(after).toHaveLength(before.length);
    const runs = JSON.parse((await cli(["history", "--runs", "--json"])).io.out) as { status: string }[];
    expect(runs.map((r) => r.status)).toEqual(["IN_SYNC", "RECONCILED"]);
  });

  it("lets only one of two runs at once use a folder's store; the other exits 1 and changes nothing", async () => {
    injectDrift(emulator, documents(desired));
    emulator.faults.configure({ latency: { ms: 30 } });
    const [a, b] = await Promise.all([cli(["apply"]), cli(["apply"])]);
    const loser = a.code === 1 ? a : b;
    expect([a.code, b.code].sort()).toEqual([0, 1]);
    expect(loser.io.err).toMatch(/another apigw-drift run is using \.apigw-drift\//);
    const updates = emulator.calls.filter({ operation: "UpdateIntegration" }).map((c) => c.integrationId);
    expect(updates.sort()).toEqual(["cnx1a2b", "lmb7k2q", "msg5c6d", "prx3m9a"]);
  });
});

describe("history and the lease in a DynamoDB table", () => {
  it("makes each update once when two applies race for the lease", async () => {
    const dynamo = await startDynalite();
    try {
      const table = await historyTable(dynamo.client);
      vi.stubEnv("AWS_ENDPOINT_URL_DYNAMODB", dynamo.endpoint);
      const env = { DRIFT_HISTORY_TABLE: table };
      injectDrift(emulator, documents(desired));
      emulator.faults.configure({ latency: { ms: 30 } });
      const [a, b] = await Promise.all([cli(["apply"], env), cli(["apply"], env)]);
      expect([a.code, b.code].sort()).toEqual([0, 1]);
      const loser = a.code === 1 ? a : b;
      expect(loser.io.out).toMatch(/another apply run \(.+\) holds the lease until .+; nothing was changed/);
      const updates = emulator.calls.filter({ operation: "UpdateIntegration" }).map((c) => c.integrationId);
      expect(updates.sort()).toEqual(["cnx1a2b", "lmb7k2q", "msg5c6d", "prx3m9a"]);
      const runs = JSON.parse((await cli(["history", "--runs", "--json"], env)).io.out) as {
        status: string;
      }[];
      expect(runs.map((r) => r.status).sort()).toEqual(["FAILED", "RECONCILED"]);
    } finally {
      await dynamo.close();
    }
  });
});

describe("apply --no-history", () => {
  it("records nothing, but still takes the store's lease (PRODUCT §4), and a plan --no-history opens no store", async () => {
    injectDrift(emulator, documents(desired));
    const seen: string[] = [];
    const open = async () =>
      ({
        history: {
          record: async () => {
            seen.push("record");
          },
        } as never,
        lease: {
          acquire: async (owner: string) => {
            seen.push(`acquire ${owner.length > 0}`);
            return { acquired: true as const };
          },
          renew: async () => {},
          release: async () => {
            seen.push("release");
          },
        },
        tableName: "t",
        location: "a test store",
        close: async () => {
          seen.push("close");
        },
      }) as never;
    const io = captureIo({}, cwd);
    expect(await main(["apply", "--no-history", "--desired", DESIRED], io, { history: { open } })).toBe(0);
    expect(seen).toEqual(["acquire true", "release", "close"]);
    seen.length = 0;
    expect(
      await main(["plan", "--no-history", "--desired", DESIRED], captureIo({}, cwd), { history: { open } }),
    ).toBe(0);
    expect(seen).toEqual([]);
  });
});
