import { describe, expect, it } from "vitest";
import type { Gateway } from "../../../lib/apigateway/gateway.ts";
import { type DesiredApi, stateFromDocuments } from "../../../lib/desired-state/state.ts";
import { reconcile } from "../../../lib/reconcile/reconcile.ts";
import { MemoryGateway } from "../../helpers/memory-gateway.ts";
import { desiredInput, testServices } from "../../helpers/run.ts";

const APIS = ["a1b2c3d4e5", "m1n2o3p4q5", "w9x8y7z6v5"];

const docs: DesiredApi[] = APIS.map((apiId) => ({
  file: `desired-state/${apiId}.yaml`,
  doc: { apiId, protocol: "HTTP", integrations: { abc123: {} } },
}));

/**
 * A gateway whose calls of `operation` for the APIs finish in the order given, whatever order they
 * started in: each waits for the one before it in `finishOrder` to settle.
 */
function finishingIn(operation: "getApi" | "listIntegrations", finishOrder: string[]): Gateway {
  const inner = new MemoryGateway();
  for (const apiId of APIS) inner.addApi(apiId, "HTTP");
  const settled = new Map(finishOrder.map((id) => [id, Promise.withResolvers<void>()]));
  const call = inner[operation].bind(inner) as (apiId: string) => Promise<unknown>;
  const gated = async (apiId: string) => {
    const before = finishOrder[finishOrder.indexOf(apiId) - 1];
    if (before) await settled.get(before)!.promise;
    try {
      if (operation === "listIntegrations") throw new Error(`listing ${apiId} failed`);
      return await call(apiId);
    } finally {
      settled.get(apiId)!.resolve();
    }
  };
  return Object.assign(Object.create(inner) as Gateway, {
    [operation]: gated,
    getApi: operation === "getApi" ? gated : inner.getApi.bind(inner),
    listIntegrations: operation === "listIntegrations" ? gated : inner.listIntegrations.bind(inner),
  });
}

describe("report errors", () => {
  it.each([
    [["w9x8y7z6v5", "a1b2c3d4e5", "m1n2o3p4q5"]],
    [["m1n2o3p4q5", "w9x8y7z6v5", "a1b2c3d4e5"]],
    [["a1b2c3d4e5", "m1n2o3p4q5", "w9x8y7z6v5"]],
  ])("come in file order whatever order the reads fail in (%j)", async (finishOrder) => {
    const report = await reconcile(
      { mode: "plan" },
      desiredInput(stateFromDocuments(docs), "r"),
      testServices(finishingIn("listIntegrations", finishOrder), { where: {} }),
    );

    expect(report.errors.map((e) => [e.file, e.message])).toEqual(
      APIS.map((id) => [`desired-state/${id}.yaml`, `reading API ${id} failed: listing ${id} failed`]),
    );
  });

  it("come in file order whatever order the guards finish in", async () => {
    // Three APIs take one GetApis listing; the guard's GetApi path is the one whose answers can race, so
    // the listing is made to fail and each API is asked on its own.
    const gateway = finishingIn("getApi", ["w9x8y7z6v5", "m1n2o3p4q5", "a1b2c3d4e5"]);
    gateway.apiPages = () => {
      throw new Error("GetApis denied");
    };
    const report = await reconcile(
      { mode: "plan" },
      desiredInput(
        stateFromDocuments(docs.map((a) => ({ ...a, doc: { ...a.doc, protocol: "WEBSOCKET" as const } }))),
        "r",
      ),
      testServices(gateway, { where: {} }),
    );

    expect(report.status).toBe("FAILED");
    expect(report.errors.map((e) => e.file)).toEqual(APIS.map((id) => `desired-state/${id}.yaml`));
  });
});
