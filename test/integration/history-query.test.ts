import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DynamoHistory } from "../../lib/history/store.ts";
import type { DynamoHistoryOptions } from "../../lib/history/writer.ts";
import { drifted, historyTable, sampleReport, startDynalite } from "../helpers/dynalite.ts";

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
  return new DynamoHistory({ client: dynamo.client, tableName: table, now: () => NOW, ...options });
}

describe("DynamoHistory queries", () => {
  // Four runs over three days in two months; api1/int1 drifts in every one.
  const runs = [
    sampleReport("2025-02-27T09:00:00.000Z", [drifted("api1", "int1"), drifted("api2", "int9")]),
    sampleReport("2025-03-08T09:00:00.000Z", [drifted("api1", "int1")]),
    sampleReport("2025-03-09T09:00:00.000Z", [drifted("api1", "int1"), drifted("api1", "int2")]),
    sampleReport("2025-03-09T18:00:00.000Z", [drifted("api1", "int1"), drifted("api2", "int1")]),
  ];
  beforeEach(async () => {
    for (const r of runs) await history().record(r);
  });
  const key = (e: { at: string; apiId: string; integrationId: string }) =>
    `${e.at.slice(5, 13)} ${e.apiId}/${e.integrationId}`;

  it("lists every event across APIs newest first, walking the months", async () => {
    const { items } = await history().events();
    expect(items.map(key)).toEqual([
      "03-09T18 api2/int1",
      "03-09T18 api1/int1",
      "03-09T09 api1/int2",
      "03-09T09 api1/int1",
      "03-08T09 api1/int1",
      "02-27T09 api2/int9",
      "02-27T09 api1/int1",
    ]);
  });

  it("filters by API, by integration, and by both", async () => {
    expect((await history().events({ apiId: "api2" })).items.map(key)).toEqual([
      "03-09T18 api2/int1",
      "02-27T09 api2/int9",
    ]);
    expect((await history().events({ integrationId: "int1" })).items.map(key)).toEqual([
      "03-09T18 api2/int1",
      "03-09T18 api1/int1",
      "03-09T09 api1/int1",
      "03-08T09 api1/int1",
      "02-27T09 api1/int1",
    ]);
    expect((await history().events({ apiId: "api2", integrationId: "int1" })).items.map(key)).toEqual([
      "03-09T18 api2/int1",
    ]);
  });

  it("reads a time window, both ends inclusive, on every access path", async () => {
    const window = { since: "2025-03-08T09:00:00.000Z", until: "2025-03-09T09:00:00.000Z" };
    expect((await history().events(window)).items.map(key)).toEqual([
      "03-09T09 api1/int2",
      "03-09T09 api1/int1",
      "03-08T09 api1/int1",
    ]);
    expect((await history().events({ ...window, apiId: "api1" })).items).toHaveLength(3);
    expect((await history().events({ ...window, integrationId: "int1" })).items).toHaveLength(2);
    expect((await history().runs(window)).items.map((r) => r.startedAt)).toEqual([
      "2025-03-09T09:00:00.000Z",
      "2025-03-08T09:00:00.000Z",
    ]);
  });

  it("pages with an opaque cursor, each event once", async () => {
    for (const query of [{}, { apiId: "api1" }, { integrationId: "int1" }]) {
      const all = (await history().events(query)).items;
      const paged = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await history().events({ ...query, limit: 2, cursor });
        expect(page.items.length).toBeLessThanOrEqual(2);
        paged.push(...page.items);
        cursor = page.cursor;
        pages += 1;
      } while (cursor && pages < 20);
      expect(paged).toEqual(all);
    }
    const runPages = [await history().runs({ limit: 3 })];
    runPages.push(await history().runs({ limit: 3, cursor: runPages[0]?.cursor }));
    expect(runPages.flatMap((p) => p.items.map((r) => r.startedAt.slice(5, 13)))).toEqual([
      "03-09T18",
      "03-09T09",
      "03-08T09",
      "02-27T09",
    ]);
  });

  it("resumes inside a month it read ahead when the page filled up there", async () => {
    // March holds 5 events, February 2: a page of 6 takes all of March and one of February.
    const first = await history().events({ limit: 6 });
    expect(first.items.map(key).at(-1)).toBe("02-27T09 api2/int9");
    const next = await history().events({ limit: 6, cursor: first.cursor });
    expect(next.items.map(key)).toEqual(["02-27T09 api1/int1"]);
    expect(next.cursor).toBeUndefined();
  });

  it("refuses a cursor from another query, or one it did not give out", async () => {
    const { cursor } = await history().events({ limit: 1 });
    await expect(history().events({ apiId: "api1", cursor })).rejects.toThrow(
      "the cursor belongs to another query (other filters); start again without it",
    );
    await expect(history().events({ cursor: "not-a-cursor" })).rejects.toThrow(
      "the cursor is not one apigw-drift history gave out; start again without it",
    );
  });

  it("skips items past their expiry, which DynamoDB deletes only eventually", async () => {
    const later = history({ now: () => Date.parse("2025-06-07T12:00:00.000Z"), retentionDays: 90 });
    expect((await later.events({ integrationId: "int1" })).items.map(key)).toEqual([
      "03-09T18 api2/int1",
      "03-09T18 api1/int1",
    ]);
  });

  it("says which table it could not read", async () => {
    await expect(
      new DynamoHistory({ client: dynamo.client, tableName: "no-such-table" }).events({ apiId: "a" }),
    ).rejects.toThrow(/^reading drift history from table no-such-table failed: ResourceNotFoundException/);
  });
});
