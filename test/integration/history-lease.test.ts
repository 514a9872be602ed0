import { GetItemCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DynamoLease } from "../../lib/history/lease.ts";
import type { Lease } from "../../lib/reconcile/lease.ts";
import { historyTable, startDynalite } from "../helpers/dynalite.ts";

let dynamo: Awaited<ReturnType<typeof startDynalite>>;
let table: string;
let clock: number;
const T0 = Date.parse("2025-03-10T12:00:00.000Z");
const TTL = 60_000;

beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo.close();
});
beforeEach(async () => {
  table = await historyTable(dynamo.client);
  clock = T0;
});

function lease(tableName = table): Lease {
  return new DynamoLease({ client: dynamo.client, tableName, now: () => clock });
}

describe("DynamoLease", () => {
  it("lets exactly one of many concurrent acquires win, and tells the others who holds it", async () => {
    const owners = Array.from({ length: 8 }, (_, i) => `run-${i}`);
    const grants = await Promise.all(owners.map((o) => lease().acquire(o, TTL)));
    const winners = owners.filter((_, i) => grants[i]?.acquired);
    expect(winners).toHaveLength(1);
    for (const g of grants.filter((g) => !g.acquired)) {
      expect(g).toEqual({ acquired: false, holder: winners[0], expiresAt: "2025-03-10T12:01:00.000Z" });
    }
  });

  it("lets its holder acquire it again", async () => {
    expect(await lease().acquire("run-a", TTL)).toEqual({ acquired: true });
    clock += 10_000;
    expect(await lease().acquire("run-a", TTL)).toEqual({ acquired: true });
    expect(await lease().acquire("run-b", TTL)).toMatchObject({ expiresAt: "2025-03-10T12:01:10.000Z" });
  });

  it("extends the lease on renew, so it is not taken over at the old expiry", async () => {
    await lease().acquire("run-a", TTL);
    clock += 50_000;
    await lease().renew("run-a", TTL);
    clock += 20_000; // past the first expiry, before the renewed one
    expect(await lease().acquire("run-b", TTL)).toEqual({
      acquired: false,
      holder: "run-a",
      expiresAt: "2025-03-10T12:01:50.000Z",
    });
  });

  it("is taken over only after it expired; the old holder then can neither renew nor release it", async () => {
    await lease().acquire("run-a", TTL);
    clock += TTL;
    expect(await lease().acquire("run-b", TTL)).toMatchObject({ acquired: false, holder: "run-a" });
    clock += 1;
    expect(await lease().acquire("run-b", TTL)).toEqual({ acquired: true });
    await expect(lease().renew("run-a", TTL)).rejects.toThrow(
      "lease lost: run run-a no longer holds the apply lease (run run-b holds it until 2025-03-10T12:02:00.001Z); it stops writing",
    );
    await lease().release("run-a");
    expect(await lease().acquire("run-c", TTL)).toMatchObject({ acquired: false, holder: "run-b" });
  });

  it("frees the lease on release by its holder", async () => {
    await lease().acquire("run-a", TTL);
    await lease().release("run-a");
    const { Item } = await dynamo.client.send(
      new GetItemCommand({ TableName: table, Key: { pk: { S: "LEASE#apply" }, sk: { S: "LEASE" } } }),
    );
    expect(Item).toBeUndefined();
    expect(await lease().acquire("run-b", TTL)).toEqual({ acquired: true });
    await expect(lease().renew("run-c", TTL)).rejects.toThrow("(run run-b holds it until");
  });

  it("says nobody holds it when renewing a released lease", async () => {
    await expect(lease().renew("run-a", TTL)).rejects.toThrow("(nobody holds it)");
  });

  it("stores its expiry for readers and a TTL a day after it", async () => {
    await lease().acquire("run-a", TTL);
    const { Item } = await dynamo.client.send(
      new GetItemCommand({ TableName: table, Key: { pk: { S: "LEASE#apply" }, sk: { S: "LEASE" } } }),
    );
    expect(Item).toMatchObject({
      owner: { S: "run-a" },
      leaseExpiresAt: { N: String(T0 + TTL) },
      expiresAt: { N: String((T0 + TTL) / 1000 + 86_400) },
    });
  });

  it("names the table when DynamoDB fails", async () => {
    await expect(lease("no-such-table").acquire("run-a", TTL)).rejects.toThrow(
      /^could not take the lease in table no-such-table: ResourceNotFoundException/,
    );
    await expect(lease("no-such-table").renew("run-a", TTL)).rejects.toThrow(/^could not renew the lease/);
    await expect(lease("no-such-table").release("run-a")).rejects.toThrow(/^could not release the lease/);
  });
});
