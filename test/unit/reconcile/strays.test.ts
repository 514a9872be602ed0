/**
 * A targeted run told of undeclared integrations (the event-driven path's strays): it reads exactly them
 * and the declared ones it names, and prunes a stray only where the file prunes, with every guard a
 * pruning run has: managed and route-targeted integrations kept, `prune: false`, `mode: observe`,
 * `maxDeletes`. Nothing else undeclared is ever looked at.
 */
import { describe, expect, it } from "vitest";
import { stateFromDocuments } from "../../../lib/desired-state/state.ts";
import { type RunRequest, reconcile } from "../../../lib/reconcile/reconcile.ts";
import { MemoryGateway } from "../../helpers/memory-gateway.ts";
import { desiredInput, testServices } from "../../helpers/run.ts";

const API = "api0000001";
const STRAY = {
  integrationType: "HTTP_PROXY",
  integrationMethod: "GET",
  integrationUri: "https://stray.example",
};

function world(doc: Record<string, unknown> = {}) {
  const gateway = new MemoryGateway()
    .addApi(API, "HTTP")
    .addIntegration(API, "decl001", { ...STRAY, timeoutInMillis: 5000 })
    .addIntegration(API, "stray01", STRAY)
    .addIntegration(API, "stray02", STRAY)
    .addIntegration(API, "other01", STRAY)
    .addIntegration(API, "managed", { ...STRAY, apiGatewayManaged: true })
    .addRoute(API, "r1", "integrations/stray02");
  const state = stateFromDocuments([
    {
      file: "api.yaml",
      doc: {
        apiId: API,
        protocol: "HTTP",
        prune: true,
        integrations: { decl001: { timeoutInMillis: 6000 } },
        ...doc,
      },
    },
  ]);
  return { gateway, state };
}

const strays = (...ids: string[]) => ids.map((integrationId) => ({ apiId: API, integrationId }));
async function run(request: Partial<RunRequest>, doc?: Record<string, unknown>) {
  const { gateway, state } = world(doc);
  const report = await reconcile(
    { mode: "apply", apiIds: [API], integrationIds: [], ...request },
    desiredInput(state),
    testServices(gateway),
  );
  const status = Object.fromEntries(report.integrations.map((r) => [r.integrationId, r.status]));
  return { report, status, trace: gateway.trace };
}

describe("a targeted run with strays", () => {
  it("reads only the named integrations, and deletes the stray the file prunes", async () => {
    const { status, trace, report } = await run({ integrationIds: ["decl001"], strays: strays("stray01") });
    expect(status).toEqual({ decl001: "UPDATED", stray01: "DELETED" });
    expect(trace).toEqual([
      `GetApi ${API}`,
      `GetIntegration ${API}/decl001`,
      `GetIntegration ${API}/stray01`,
      `GetRoutes ${API}`,
      `UpdateIntegration ${API}/decl001`,
      `DeleteIntegration ${API}/stray01`,
    ]);
    expect(report.scope).toEqual({ apiIds: [API], integrationIds: ["decl001", "stray01"] });
  });

  it("keeps a route-targeted or managed stray, as every pruning run does", async () => {
    const { status, trace } = await run({ strays: strays("stray02", "managed") });
    expect(status).toEqual({ managed: "SKIPPED_MANAGED", stray02: "SKIPPED_IN_USE" });
    expect(trace.filter((t) => t.startsWith("Delete"))).toEqual([]);
  });

  it("deletes nothing when the run or the file says not to prune, or the file only observes", async () => {
    for (const [request, doc] of [
      [{ prune: false }, {}],
      [{}, { prune: false }],
      [{}, { mode: "observe" }],
    ] as const) {
      const { status, trace } = await run({ strays: strays("stray01"), ...request }, doc);
      expect(status).toEqual({ stray01: "UNMANAGED" });
      expect(trace.filter((t) => t.startsWith("Delete"))).toEqual([]);
    }
  });

  it("is held by maxDeletes like any prune", async () => {
    const { report, trace } = await run({
      strays: strays("stray01"),
      limits: { maxUpdates: 100, maxDeletes: 0 },
    });
    expect(report.status).toBe("BLOCKED");
    expect(trace.filter((t) => t.startsWith("Delete"))).toEqual([]);
  });

  it("leaves a stray already gone alone, and never a declared id named as one", async () => {
    const { status } = await run({ strays: strays("gone999", "decl001") });
    expect(status).toEqual({});
  });
});
