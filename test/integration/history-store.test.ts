import { DescribeTableCommand, GetItemCommand, ScanCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { HistoryWriteError } from "../../lib/history/errors.ts";
import { truncationMarker } from "../../lib/history/fit.ts";
import { DynamoHistory } from "../../lib/history/store.ts";
import { HISTORY_TABLE } from "../../lib/history/table.ts";
import type { DynamoHistoryOptions } from "../../lib/history/writer.ts";
import type { IntegrationResult } from "../../lib/plan/report.ts";
import {
  drifted,
  historyTable,
  holdBack,
  sampleReport,
  startDynalite,
  traceBatches,
} from "../helpers/dynalite.ts";

let dynamo: Awaited<ReturnType<typeof startDynalite>>;
let table: string;
const NOW = Date.parse("2025-03-10T12:00:00.000Z");

beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo.close();
});
beforeEach(async () => {
  table = await historyTable(dynamo.client);
});

function history(options: Partial<DynamoHistoryOptions> = {}) {
  return new DynamoHistory({
    client: dynamo.client,
    tableName: table,
    now: () => NOW,
    sleep: async () => {},
    ...options,
  });
}

async function allItems(name = table) {
  return (await dynamo.client.send(new ScanCommand({ TableName: name }))).Items ?? [];
}

const results: IntegrationResult[] = [
  drifted("api1", "int1"),
  { apiId: "api1", integrationId: "int2", status: "IN_SYNC", diffs: [] },
  { apiId: "api1", integrationId: "int3", status: "MISSING", diffs: [] },
  {
    apiId: "api2",
    integrationId: "int4",
    status: "FAILED",
    action: "update",
    diffs: [
      {
        path: "/requestParameters/overwrite:header.x-api-key",
        kind: "changed",
        expected: "*** 1a2b",
        actual: "*** 9f8e",
      },
    ],
    error: { name: "BadRequestException", message: "Invalid value for timeoutInMillis" },
  },
];

describe("the history table definition", () => {
  it("creates a table dynalite accepts, on demand, with both indexes", async () => {
    const { Table } = await dynamo.client.send(new DescribeTableCommand({ TableName: table }));
    expect(Table?.TableStatus).toBe("ACTIVE");
    expect(Table?.KeySchema).toEqual(HISTORY_TABLE.KeySchema);
    expect(Table?.BillingModeSummary?.BillingMode).toBe("PAY_PER_REQUEST");
    expect(Table?.GlobalSecondaryIndexes?.map((g) => [g.IndexName, g.KeySchema, g.Projection])).toEqual(
      HISTORY_TABLE.GlobalSecondaryIndexes.map((g) => [g.IndexName, g.KeySchema, g.Projection]),
    );
  });
});

describe(`${DynamoHistory.name}.record`, () => {
  it("round-trips a run record and one drift event per result that is not IN_SYNC", async () => {
    const report = sampleReport("2025-03-01T08:00:00.000Z", results, { mode: "apply" });
    await history().record(report);

    const { items: events, cursor } = await history().events();
    expect(cursor).toBeUndefined();
    expect(events.map((e) => `${e.apiId}/${e.integrationId}:${e.status}`).sort()).toEqual([
      "api1/int1:DRIFTED",
      "api1/int3:MISSING",
      "api2/int4:FAILED",
    ]);
    expect(events.find((e) => e.integrationId === "int4")).toEqual({
      runId: report.runId,
      at: report.startedAt,
      mode: "apply",
      desiredRevision: report.desiredRevision,
      apiId: "api2",
      integrationId: "int4",
      status: "FAILED",
      action: "update",
      diffs: results[3]!.diffs,
      error: { name: "BadRequestException", message: "Invalid value for timeoutInMillis" },
      changedBy: null,
    });
    expect(events.find((e) => e.integrationId === "int3")).toMatchObject({ action: null, error: null });

    const { items: runs } = await history().runs();
    expect(runs).toEqual([
      {
        runId: report.runId,
        startedAt: report.startedAt,
        finishedAt: report.finishedAt,
        mode: "apply",
        desiredRevision: report.desiredRevision,
        status: report.status,
        summary: report.summary,
        apiCalls: report.apiCalls,
        errors: [],
        warnings: [],
        events: 3,
      },
    ]);
  });

  it("leaves the same items when the same report is written twice", async () => {
    const report = sampleReport("2025-03-01T08:00:00.000Z", results);
    await history().record(report);
    const first = await allItems();
    await history().record(report);
    expect(await allItems()).toEqual(first);
    expect(first).toHaveLength(4); // three events and the run
  });

  it("sets expiresAt to the run's start plus the retention, in epoch seconds", async () => {
    const at = "2025-03-01T08:00:00.000Z";
    await history({ retentionDays: 7 }).record(sampleReport(at, [drifted("api1", "int1")]));
    const expected = Date.parse(at) / 1000 + 7 * 86_400;
    for (const item of await allItems()) expect(Number(item.expiresAt?.N)).toBe(expected);
  });

  it("writes 25 items per BatchWriteItem, the run record last", async () => {
    const trace = traceBatches(dynamo.client);
    const many = Array.from({ length: 60 }, (_, i) => drifted("api1", `int${String(i).padStart(2, "0")}`));
    await history({ concurrency: 1 }).record(sampleReport("2025-03-01T08:00:00.000Z", many));
    trace.stop();
    expect(trace.sizes).toEqual([25, 25, 10, 1]);
    expect(trace.lastKeys).toEqual(["RUN"]);
    expect(await allItems()).toHaveLength(61);
  });

  it("sends UnprocessedItems again with capped, jittered backoff until all are written", async () => {
    const sleeps: number[] = [];
    const unprocessed = holdBack(dynamo.client, { calls: 3 });
    const many = Array.from({ length: 30 }, (_, i) => drifted("api1", `int${i}`));
    await history({
      sleep: async (ms) => void sleeps.push(ms),
      random: () => 0.999,
      baseDelayMs: 100,
      maxDelayMs: 250,
      concurrency: 1,
    }).record(sampleReport("2025-03-01T08:00:00.000Z", many));
    unprocessed.stop();
    expect(unprocessed.heldBack).toBeGreaterThan(0);
    expect(await allItems()).toHaveLength(31);
    // Full jitter under min(cap, base × 2^n): 99.9 %, of 100, 200, then the 250 cap.
    expect(sleeps).toEqual([99, 199, 249]);
  });

  it("throws a clear error counting the items still unprocessed after its attempts", async () => {
    const unprocessed = holdBack(dynamo.client, { calls: Number.POSITIVE_INFINITY });
    const report = sampleReport("2025-03-01T08:00:00.000Z", [
      drifted("api1", "int1"),
      drifted("api1", "int2"),
    ]);
    const error = await history({ maxAttempts: 3 })
      .record(report)
      .catch((e: unknown) => e);
    unprocessed.stop();
    expect(error).toBeInstanceOf(HistoryWriteError);
    expect((error as HistoryWriteError).message).toBe(
      `1 of 2 history items were not written to table ${table}: DynamoDB still returned them as UnprocessedItems after 3 attempts (the table or an index is throttled); try again later, or check the table's capacity`,
    );
    expect(error).toMatchObject({ unwritten: 1, total: 2 });
    // The run record is written only after its events: none here.
    expect((await allItems()).map((i) => i.sk?.S?.slice(0, 6))).toEqual(["EVENT#"]);
  });

  it("says which call failed when the table is not there", async () => {
    const error = await new DynamoHistory({ client: dynamo.client, tableName: "no-such-table" })
      .record(sampleReport("2025-03-01T08:00:00.000Z", [drifted("api1", "int1")]))
      .catch((e: unknown) => e);
    expect((error as Error).message).toMatch(
      /^1 of 1 history items were not written to table no-such-table: BatchWriteItem failed: ResourceNotFoundException/,
    );
  });

  it("keeps an event under the 400 KB item limit by replacing a huge value with a marker", async () => {
    const huge = "x".repeat(600_000);
    const report = sampleReport("2025-03-01T08:00:00.000Z", [
      drifted("api1", "int1", [
        { path: "/requestTemplates/application~1json", kind: "changed", expected: huge, actual: "small" },
        { path: "/timeoutInMillis", kind: "changed", expected: 10000, actual: 12345 },
      ]),
    ]);
    await history().record(report);
    const [event] = (await history().events()).items;
    expect(event?.diffs).toEqual([
      {
        path: "/requestTemplates/application~1json",
        kind: "changed",
        expected: truncationMarker(600_002),
        actual: "small",
      },
      { path: "/timeoutInMillis", kind: "changed", expected: 10000, actual: 12345 },
    ]);
    expect(event?.truncated).toMatch(/^diffs cut to fit DynamoDB's 400 KB item limit: 1 value replaced/);
  });
});

it("keys an event by integration, then API and month in the indexes", async () => {
  const at = "2025-03-01T08:00:00.000Z";
  const report = sampleReport(at, [drifted("api1", "int1")]);
  await history().record(report);
  const { Item } = await dynamo.client.send(
    new GetItemCommand({
      TableName: table,
      Key: { pk: { S: "INTEGRATION#int1" }, sk: { S: `EVENT#${at}#api1#${report.runId}` } },
    }),
  );
  expect(Item?.byApiPk?.S).toBe("API#api1");
  expect(Item?.byTimePk?.S).toBe("EVENT#2025-03");
});
