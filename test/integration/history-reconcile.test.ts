import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { stateFromDocuments } from "../../lib/desired-state/state.ts";
import { DynamoLease } from "../../lib/history/lease.ts";
import { DynamoHistory } from "../../lib/history/store.ts";
import { reconcile } from "../../lib/reconcile/reconcile.ts";
import { historyTable, startDynalite } from "../helpers/dynalite.ts";
import { MemoryGateway } from "../helpers/memory-gateway.ts";
import { desiredInput, testServices } from "../helpers/run.ts";

let dynamo: Awaited<ReturnType<typeof startDynalite>>;
let history: DynamoHistory;
let lease: DynamoLease;
const API = "a1b2c3d4e5";
const NOW = Date.parse("2025-03-10T12:00:00.000Z");

const desired = desiredInput(
  stateFromDocuments([
    {
      file: `desired-state/${API}.yaml`,
      doc: { apiId: API, protocol: "HTTP", integrations: { aaa1111: { timeoutInMillis: 10000 } } },
    },
  ]),
  "abc",
);

beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo.close();
});
beforeEach(async () => {
  const tableName = await historyTable(dynamo.client);
  history = new DynamoHistory({ client: dynamo.client, tableName, now: () => NOW });
  lease = new DynamoLease({ client: dynamo.client, tableName, now: () => NOW });
});

function gateway() {
  return new MemoryGateway().addApi(API, "HTTP").addIntegration(API, "aaa1111", {
    integrationType: "HTTP_PROXY",
    integrationUri: "https://a.example.com",
    timeoutInMillis: 5000,
  });
}

describe("a run with DynamoDB history and lease", () => {
  it("records what an apply fixed and lets go of the lease", async () => {
    const report = await reconcile(
      { mode: "apply" },
      desired,
      testServices(gateway(), { history, lease, now: () => NOW, where: {} }),
    );
    expect(report.status).toBe("RECONCILED");
    const { items } = await history.events({ apiId: API });
    expect(items).toMatchObject([
      {
        runId: report.runId,
        status: "UPDATED",
        action: "update",
        diffs: [{ path: "/timeoutInMillis", kind: "changed" }],
      },
    ]);
    expect((await history.runs()).items.map((r) => r.status)).toEqual(["RECONCILED"]);
    expect(await lease.acquire("next-run", 1000)).toEqual({ acquired: true });
  });

  it("changes nothing while another apply holds the lease", async () => {
    await lease.acquire("other-run", 60_000);
    const live = gateway();
    const report = await reconcile(
      { mode: "apply" },
      desired,
      testServices(live, { history, lease, now: () => NOW, where: {} }),
    );
    expect(report.status).toBe("FAILED");
    expect(report.errors[0]?.message).toContain(
      "another apply run (other-run) holds the lease until 2025-03-10T12:01:00.000Z",
    );
    expect(live.trace.filter((t) => t.startsWith("Update"))).toEqual([]);
    expect((await history.runs()).items.map((r) => r.status)).toEqual(["FAILED"]);
  });
});
