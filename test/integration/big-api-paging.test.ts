import { afterEach, describe, expect, it, vi } from "vitest";
import type { Behaviour } from "../../emulator/behaviour.ts";
import { type Emulator, startEmulator } from "../../emulator/server.ts";
import type { DesiredDocument, DesiredIntegration } from "../../lib/desired-state/schema.ts";
import { stateFromDocuments } from "../../lib/desired-state/state.ts";
import { reconcile } from "../../lib/reconcile/reconcile.ts";
import { desiredInput, testServices } from "../helpers/run.ts";
import { liveGateway } from "../helpers/world.ts";

// Paging is where an integration goes missing or is read twice: one API of 3,000 integrations, listed
// over several GetIntegrations pages, must plan exactly the drift that was made, at each page size the
// emulator can be told the service allows (behaviour getIntegrations.maxPageSize, unsettled: facts #15).
const API = "bigapi0001";
const COUNT = 3_000;
const id = (i: number) => `i${String(i).padStart(6, "0")}`;
const declared = (i: number): DesiredIntegration => ({
  integrationType: "HTTP_PROXY",
  integrationMethod: "ANY",
  integrationUri: `https://svc.example.com/r${i}`,
  payloadFormatVersion: "1.0",
  timeoutInMillis: 5_000,
});
// Each side of every page boundary the page sizes below make (25, 50, 100, 500), the first and the last
// integration, and a scatter in between.
const DRIFTED = [
  ...new Set([0, 24, 25, 49, 50, 99, 100, 101, 499, 500, 999, 1000, 1234, 2499, 2500, 2998, 2999]),
  ...Array.from({ length: 30 }, (_, k) => 13 + k * 97),
].sort((a, b) => a - b);

let emulator: Emulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
  vi.unstubAllEnvs();
});

async function bigWorld(behaviour: Partial<Behaviour>) {
  emulator = await startEmulator({ seed: 3, behaviour });
  vi.stubEnv("AWS_ENDPOINT_URL_APIGATEWAYV2", emulator.url);
  vi.stubEnv("AWS_REGION", "eu-west-1");
  vi.stubEnv("AWS_ACCESS_KEY_ID", "test");
  vi.stubEnv("AWS_SECRET_ACCESS_KEY", "test");
  emulator.addApi({ apiId: API, name: API, protocolType: "HTTP" });
  const integrations: Record<string, DesiredIntegration> = {};
  for (let i = 0; i < COUNT; i++) {
    integrations[id(i)] = declared(i);
    emulator.addIntegration(API, { integrationId: id(i), ...declared(i) });
  }
  for (const i of DRIFTED) emulator.overwriteIntegration(API, id(i), { timeoutInMillis: 7_000 + i });
  const doc: DesiredDocument = { apiId: API, protocol: "HTTP", integrations };
  return { emulator, state: stateFromDocuments([{ file: `desired-state/${API}.yaml`, doc }]) };
}

describe("one API of 3,000 integrations, listed over several GetIntegrations pages", () => {
  it.each([
    // [the service's largest page, pages served, requests refused for asking 500]
    [500, 6, 0],
    [100, 30, 1],
    [50, 60, 1],
    [25, 120, 1],
  ] as const)(
    "plans exactly the injected drift when the service pages at most %i: %i pages, %i refused request",
    async (max, pages, refused) => {
      const { emulator, state } = await bigWorld({ "getIntegrations.maxPageSize": max });
      const { gateway } = liveGateway();
      const services = testServices(gateway, { where: {} });

      const plan = await reconcile({ mode: "plan" }, desiredInput(state), services);

      expect(plan.status).toBe("DRIFTED");
      expect(plan.errors).toEqual([]);
      expect(plan.integrations).toHaveLength(COUNT);
      expect(new Set(plan.integrations.map((r) => r.integrationId)).size).toBe(COUNT);
      const drifted = plan.integrations.filter((r) => r.status === "DRIFTED");
      expect(drifted.map((r) => r.integrationId)).toEqual(DRIFTED.map(id));
      expect(drifted.map((r) => r.diffs)).toEqual(
        DRIFTED.map((i) => [
          { path: "/timeoutInMillis", kind: "changed", expected: 5_000, actual: 7_000 + i },
        ]),
      );
      expect(plan.summary).toMatchObject({ IN_SYNC: COUNT - DRIFTED.length, DRIFTED: DRIFTED.length });

      // The listing: one API found by GetApi, then the pages. Asked for 500, a service that pages at most
      // less refuses it (400, not clamped): the adapter goes on once at the service's default page size.
      const listing = emulator.calls.filter({ operation: "GetIntegrations" });
      expect(listing.filter((c) => c.status === 400).map((c) => c.query.maxResults)).toEqual(
        refused ? ["500"] : [],
      );
      const served = listing.filter((c) => c.status === 200);
      expect(served).toHaveLength(pages);
      expect(served.map((c) => c.query.maxResults)).toEqual(
        Array.from({ length: pages }, () => (refused ? undefined : "500")),
      );
      expect(served.map((c) => c.query.nextToken === undefined)).toEqual(
        Array.from({ length: pages }, (_, k) => k === 0),
      );
      expect(emulator.calls.operations({ faulted: false })).toEqual([
        "GetApi",
        ...listing.map(() => "GetIntegrations"),
      ]);

      // The drift applied over the same pages converges: a second plan finds nothing.
      const apply = await reconcile(
        { mode: "apply", limits: { maxUpdates: DRIFTED.length, maxDeletes: 0 } },
        desiredInput(state),
        services,
      );
      expect(apply.status).toBe("RECONCILED");
      expect(apply.summary).toMatchObject({ UPDATED: DRIFTED.length, FAILED: 0 });
      const again = await reconcile({ mode: "plan" }, desiredInput(state), services);
      expect(again.status).toBe("IN_SYNC");
      expect(again.summary.IN_SYNC).toBe(COUNT);
    },
    60_000,
  );
});
