/**
 * Fault matrix: DynamoDB throttling and DynamoDB down, through the CLI with `DRIFT_HISTORY_TABLE` and the
 * SDK's standard `AWS_ENDPOINT_URL_DYNAMODB` pointed at a proxy in front of dynalite (or at nothing), so
 * the history and lease clients are the product's own, with its default retries. The UnprocessedItems
 * path (a partial BatchWriteItem) is test/integration/history-store.test.ts's; lease contention is
 * test/integration/cli-history.test.ts's.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { injectDrift } from "../../../emulator/seed.ts";
import type { Emulator } from "../../../emulator/server.ts";
import { main } from "../../../lib/cli/main.ts";
import type { DesiredState } from "../../../lib/desired-state/state.ts";
import { documents } from "../../../lib/desired-state/state.ts";
import { DynamoHistory } from "../../../lib/history/store.ts";
import type { Report } from "../../../lib/plan/report.ts";
import { historyTable, startDynalite } from "../../helpers/dynalite.ts";
import {
  closedEndpoint,
  type DynamoFaultProxy,
  startDynamoFaultProxy,
} from "../../helpers/dynamo-fault-proxy.ts";
import { compressJitter, type Key, keyOf, mark, WriteCounter } from "../../helpers/fault-matrix.ts";
import { expectNoDriftLost, readRun } from "../../helpers/no-drift-lost.ts";
import { tapGateway, wrappedRuntime } from "../../helpers/run.ts";
import { captureIo, startWorld } from "../../helpers/world.ts";

const DESIRED = resolve("desired-state");
let emulator: Emulator;
let example: DesiredState;
let close: () => Promise<void>;
let dynamo: Awaited<ReturnType<typeof startDynalite>>;
let proxy: DynamoFaultProxy;
let table: string;
let history: DynamoHistory;
let cwd: string;
/** The example's declared integrations that injectDrift changed. */
let drifted: Key[];

beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo.close();
});
beforeEach(async () => {
  ({ emulator, desired: example, close } = await startWorld());
  table = await historyTable(dynamo.client);
  history = new DynamoHistory({ client: dynamo.client, tableName: table });
  proxy = await startDynamoFaultProxy(dynamo.endpoint);
  vi.stubEnv("AWS_ENDPOINT_URL_DYNAMODB", proxy.endpoint);
  cwd = await mkdtemp(join(tmpdir(), "apigw-drift-faults-dynamodb-"));
  const declared = new Set(example.apis.flatMap((a) => a.integrationIds.map((id) => `${a.apiId}/${id}`)));
  drifted = injectDrift(emulator, documents(example))
    .map(keyOf)
    .filter((k) => declared.has(k));
  compressJitter();
});
afterEach(async () => {
  await close();
  await proxy.close();
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
  await rm(cwd, { recursive: true, force: true });
});

/** The CLI in process, history in the test's table, writes counted (and `onWrite` told of each). */
async function cli(args: string[], writes = new WriteCounter(), onWrite?: () => void) {
  const io = captureIo({ DRIFT_HISTORY_TABLE: table }, cwd);
  const runtime = wrappedRuntime((gateway) =>
    tapGateway(writes.wrap(gateway), (method) => {
      if (method === "updateIntegration") onWrite?.();
    }),
  );
  // Attribution reads history too (the runs before this one, by month): not what these faults are about,
  // and its Query count depends on the date. test/integration/attribution-runs.test.ts covers it.
  const code = await main([...args, "--desired", DESIRED, "--no-attribution"], io, { runtime });
  return { code, io, report: args.includes("--json") ? (JSON.parse(io.out) as Report) : undefined };
}

/** The next run: DynamoDB healthy again. */
const nextApply = async () => {
  proxy.clear();
  proxy.setDown(false);
  vi.stubEnv("AWS_ENDPOINT_URL_DYNAMODB", proxy.endpoint);
  return (await cli(["apply", "--json"])).report!;
};

describe("DynamoDB throttling (ProvisionedThroughputExceededException)", () => {
  it("takes the lease and writes history once the throttling passes, within the SDK's retries", async () => {
    proxy.throttle({ times: 2 }); // the first two requests: the lease's PutItem
    proxy.throttle({ operation: "BatchWriteItem", times: 2 });
    const since = mark(emulator);
    const writes = new WriteCounter();

    const { code, report } = await cli(["apply", "--json"], writes);

    expect(code).toBe(0);
    expect(report!.status).toBe("RECONCILED");
    expect(report!.errors).toEqual([]);
    expect(proxy.count("PutItem", "throttled")).toBe(2);
    expect(proxy.count("BatchWriteItem", "throttled")).toBe(2);
    expect(
      proxy.calls.filter((c) => c.outcome === "forwarded").map((c) => `${c.operation} ${c.status}`),
    ).toEqual([
      "PutItem 200", // the target's lease, third attempt
      "GetItem 200", // the table's lease of old: held by no run of an earlier version
      "Query 200", // the open intents of earlier runs: none
      "BatchWriteItem 200", // the write-ahead intents, third attempt, before any write
      "DeleteItem 200", // the lease released when the writes are done
      "BatchWriteItem 200", // the drift events
      "BatchWriteItem 200", // the run record
      "BatchWriteItem 200", // the intents cleared
    ]);
    await expectNoDriftLost(report!, {
      drifted,
      recorded: await readRun(history, report!),
      writes,
      emulator,
      since,
      next: nextApply,
    });
  });

  it("writes nothing when the write-ahead intents cannot be recorded, says so with every drift, and exits 1", async () => {
    proxy.throttle({ operation: "BatchWriteItem", times: Number.POSITIVE_INFINITY });
    const since = mark(emulator);
    const writes = new WriteCounter();

    const { code, report } = await cli(["apply", "--json"], writes);

    expect(code).toBe(1);
    expect(report!.status).toBe("FAILED");
    expect(writes.updates.size + writes.deletes.size).toBe(0);
    expect(emulator.calls.filter({ operation: "UpdateIntegration" }).filter((c) => c.seq > since)).toEqual(
      [],
    );
    expect(
      report!.integrations
        .filter((r) => r.status === "DRIFTED")
        .map(keyOf)
        .sort(),
    ).toEqual([...drifted].sort());
    expect(report!.errors.map((e) => e.message)).toEqual([
      expect.stringMatching(
        /^cannot record the write-ahead intents before writing \(\d+ of \d+ history items were not written to table history-\d+: BatchWriteItem failed: ProvisionedThroughputExceededException: .*\); nothing was changed\. Fix the history store, or apply with --no-history in a folder of its own$/,
      ),
      expect.stringMatching(/^drift history was not recorded: /),
    ]);
    expect(proxy.count("DeleteItem", "forwarded"), "the lease released").toBe(1);
    proxy.clear();
    expect((await nextApply()).status).toBe("RECONCILED");
  });

  it("keeps every drift in the output when history writes stay throttled after the intents, releases the lease, and exits 1", async () => {
    const since = mark(emulator);
    const writes = new WriteCounter();
    // The intents are recorded; from the first write on, every history write is throttled.
    let throttling = false;
    const { code, io, report } = await cli(["apply", "--json"], writes, () => {
      if (throttling) return;
      throttling = true;
      proxy.throttle({ operation: "BatchWriteItem", times: Number.POSITIVE_INFINITY });
    });

    expect(code).toBe(1);
    expect(report!.status).toBe("PARTIAL");
    expect(report!.summary.UPDATED).toBe(drifted.length);
    expect(report!.errors.map((e) => e.message)).toEqual([
      expect.stringMatching(
        /^drift history was not recorded: \d+ of \d+ history items were not written to table history-\d+: BatchWriteItem failed: ProvisionedThroughputExceededException: .*; this report and the logs hold the run's drift$/,
      ),
    ]);
    expect(proxy.count("DeleteItem", "forwarded"), "the lease released").toBe(1);
    expect((await readRun(history, report!)).events).toEqual([]);
    await expectNoDriftLost(report!, { drifted, output: io.out, writes, emulator, since, next: nextApply });
  });
});

describe("DynamoDB down", () => {
  it("refuses to apply without the lease: FAILED, nothing sent to API Gateway, and the next run converges", async () => {
    vi.stubEnv("AWS_ENDPOINT_URL_DYNAMODB", await closedEndpoint());
    const since = mark(emulator);
    const writes = new WriteCounter();

    const { code, report } = await cli(["apply", "--json"], writes);

    expect(code).toBe(1);
    expect(report!.status).toBe("FAILED");
    expect(report!.errors.map((e) => e.message)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^cannot take the apply lease: could not take the lease in table ${table}: .*ECONNREFUSED.*; nothing was changed$`,
        ),
      ),
      expect.stringMatching(/^drift history was not recorded: .*ECONNREFUSED/),
    ]);
    expect(emulator.calls.operations().filter((op) => op !== "GetApi" && op !== "GetIntegrations")).toEqual(
      [],
    );
    const next = await expectNoDriftLost(report!, { drifted: [], writes, emulator, since, next: nextApply });
    expect(
      next!.integrations
        .filter((r) => r.status === "UPDATED")
        .map(keyOf)
        .sort(),
    ).toEqual([...drifted].sort());
  });

  it("still shows a plan's drift, says history was not recorded, and exits 1", async () => {
    proxy.setDown(true);
    const since = mark(emulator);
    const writes = new WriteCounter();

    const { code, report } = await cli(["plan", "--json"], writes);
    const human = await cli(["plan", "--detailed-exitcode"]);

    expect(code).toBe(1);
    expect(report!.status).toBe("PARTIAL");
    expect(report!.errors.map((e) => e.message)).toEqual([
      expect.stringMatching(
        /^drift history was not recorded: .*; this report and the logs hold the run's drift$/,
      ),
    ]);
    expect(human.code).toBe(1);
    expect(human.io.out).toContain("~ /timeoutInMillis: 12345 → 10000");
    expect(human.io.out).toContain("Error: drift history was not recorded");
    expect(human.io.out).toContain("Status: PARTIAL");
    expect(proxy.refusedConnections).toBeGreaterThan(0);
    await expectNoDriftLost(report!, {
      drifted,
      output: human.io.out,
      writes,
      emulator,
      since,
      next: nextApply,
    });
  });
});
