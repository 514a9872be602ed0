import { describe, expect, it } from "vitest";
import type { DesiredDocument } from "../../../lib/desired-state/schema.ts";
import { createRedactor } from "../../../lib/diff/redact.ts";
import { planApi } from "../../../lib/plan/plan.ts";

const doc = (over: Partial<DesiredDocument> = {}): DesiredDocument => ({
  apiId: "a1b2c3d4e5",
  protocol: "HTTP",
  integrations: {
    aaa1111: { description: "one" },
    bbb2222: { timeoutInMillis: 10000 },
    ccc3333: {},
  },
  ...over,
});

/** The run's clock in these tests: 2027-02-01T09:00Z. */
const NOW = Date.UTC(2027, 1, 1, 9);

const live = [
  { integrationId: "aaa1111", description: "one" },
  { integrationId: "bbb2222", timeoutInMillis: 5000 },
  { integrationId: "ddd4444", integrationType: "HTTP_PROXY" },
  { integrationId: "eee5555", apiGatewayManaged: true },
  { integrationId: "fff6666" },
];
const routes = [{ routeId: "r1", target: "integrations/fff6666" }, { routeId: "r2" }];

describe(planApi.name, () => {
  it("gives every integration looked at one result, sorted by id", () => {
    const planned = planApi({ desired: doc(), live, prune: false, now: NOW });
    expect(planned.map((p) => [p.result.integrationId, p.result.status, p.result.action])).toEqual([
      ["aaa1111", "IN_SYNC", undefined],
      ["bbb2222", "DRIFTED", "update"],
      ["ccc3333", "MISSING", undefined],
      ["ddd4444", "UNMANAGED", undefined],
      ["eee5555", "UNMANAGED", undefined],
      ["fff6666", "UNMANAGED", undefined],
    ]);
    expect(planned[1]!.update).toEqual({ timeoutInMillis: 10000 });
    expect(planned.every((p) => p.result.apiId === "a1b2c3d4e5")).toBe(true);
  });

  it("plans deletes when pruning, but never of managed or route-targeted integrations", () => {
    const planned = planApi({ desired: doc(), live, routes, prune: true, now: NOW });
    const byId = Object.fromEntries(planned.map((p) => [p.result.integrationId, p.result]));
    expect(byId.ddd4444).toMatchObject({ status: "UNMANAGED", action: "delete" });
    expect(byId.eee5555).toEqual({
      apiId: "a1b2c3d4e5",
      integrationId: "eee5555",
      status: "SKIPPED_MANAGED",
      diffs: [],
    });
    expect(byId.fff6666).toEqual({
      apiId: "a1b2c3d4e5",
      integrationId: "fff6666",
      status: "SKIPPED_IN_USE",
      diffs: [],
    });
  });

  it("looks only at the targeted integrations", () => {
    const planned = planApi({ desired: doc(), live, prune: true, only: ["bbb2222", "ddd4444"], now: NOW });
    expect(planned.map((p) => p.result.integrationId)).toEqual(["bbb2222", "ddd4444"]);
  });

  it("combines file-level and integration-level ignore pointers", () => {
    const desired = doc({
      ignore: ["/description"],
      integrations: { aaa1111: { description: "x", timeoutInMillis: 100, ignore: ["/timeoutInMillis"] } },
    });
    const planned = planApi({
      desired,
      live: [{ integrationId: "aaa1111", description: "y" }],
      prune: false,
      now: NOW,
    });
    expect(planned[0]!.result.status).toBe("IN_SYNC");
  });

  it("redacts secrets in the result but applies the real value", () => {
    const redact = createRedactor("k");
    const desired = doc({
      integrations: { aaa1111: { requestParameters: { "overwrite:header.authorization": "'new-secret'" } } },
    });
    const [planned] = planApi({
      desired,
      live: [{ integrationId: "aaa1111", requestParameters: { "overwrite:header.authorization": "'old'" } }],
      prune: false,
      redact,
      now: NOW,
    });
    expect(planned!.result.diffs).toEqual([
      {
        path: "/requestParameters/overwrite:header.authorization",
        kind: "changed",
        expected: redact("'new-secret'"),
        actual: redact("'old'"),
      },
    ]);
    expect(JSON.stringify(planned!.result)).not.toContain("new-secret");
    expect(planned!.update).toEqual({
      requestParameters: { "overwrite:header.authorization": "'new-secret'" },
    });
  });

  describe("ignore entries with until", () => {
    const desired = doc({
      ignore: [{ path: "/timeoutInMillis", reason: "load test (TICKET-123)", until: "2027-01-31" }],
      integrations: {
        bbb2222: {
          timeoutInMillis: 10000,
          description: "two",
          ignore: [{ path: "/description", until: "2027-02-01" }],
        },
      },
    });
    const liveTwo = [{ integrationId: "bbb2222", timeoutInMillis: 5000, description: "changed" }];

    it("ignores the path up to and including the until day (UTC)", () => {
      const [planned] = planApi({ desired, live: liveTwo, prune: false, now: Date.UTC(2027, 0, 31, 23, 59) });
      expect(planned!.result).toEqual({
        apiId: "a1b2c3d4e5",
        integrationId: "bbb2222",
        status: "IN_SYNC",
        diffs: [],
      });
    });

    it("owns the path again from the day after: it is drift, and the update fixes it", () => {
      const [planned] = planApi({ desired, live: liveTwo, prune: false, now: NOW });
      expect(planned!.result.diffs).toEqual([
        { path: "/timeoutInMillis", kind: "changed", expected: 10000, actual: 5000 },
      ]);
      expect(planned!.update).toEqual({ timeoutInMillis: 10000 });
      const [later] = planApi({ desired, live: liveTwo, prune: false, now: Date.UTC(2027, 1, 2) });
      expect(later!.result.diffs.map((d) => d.path)).toEqual(["/description", "/timeoutInMillis"]);
    });
  });

  describe("mode: observe", () => {
    const observed = doc({ mode: "observe" });

    it("reports drift as DRIFTED, marked observed, with no action and no update", () => {
      const planned = planApi({ desired: observed, live, routes, prune: true, now: NOW });
      expect(
        planned.map((p) => [p.result.integrationId, p.result.status, p.result.action, p.result.observed]),
      ).toEqual([
        ["aaa1111", "IN_SYNC", undefined, undefined],
        ["bbb2222", "DRIFTED", undefined, true],
        ["ccc3333", "MISSING", undefined, undefined],
        // Prune is planned as it would be, and held back: no delete.
        ["ddd4444", "UNMANAGED", undefined, true],
        ["eee5555", "SKIPPED_MANAGED", undefined, undefined],
        ["fff6666", "SKIPPED_IN_USE", undefined, undefined],
      ]);
      expect(planned[1]!.result.diffs).toEqual([
        { path: "/timeoutInMillis", kind: "changed", expected: 10000, actual: 5000 },
      ]);
      expect(planned.some((p) => p.update !== undefined || p.check !== undefined)).toBe(false);
    });

    it("drops what an update could not fix: no write is planned, so nothing fails for it", () => {
      const desired = doc({
        mode: "observe",
        integrations: { aaa1111: { integrationSubtype: "SQS-SendMessage", integrationType: "AWS_PROXY" } },
      });
      const enforced = planApi({
        desired: { ...desired, mode: "enforce" },
        live: [
          {
            integrationId: "aaa1111",
            integrationType: "AWS_PROXY",
            integrationSubtype: "SQS-ReceiveMessage",
          },
        ],
        prune: false,
        now: NOW,
      });
      expect(enforced[0]!.result.error?.name).toBe("CannotFixInPlace");
      const [planned] = planApi({
        desired,
        live: [
          {
            integrationId: "aaa1111",
            integrationType: "AWS_PROXY",
            integrationSubtype: "SQS-ReceiveMessage",
          },
        ],
        prune: false,
        now: NOW,
      });
      expect(planned!.result).toEqual({
        apiId: "a1b2c3d4e5",
        integrationId: "aaa1111",
        status: "DRIFTED",
        diffs: [
          {
            path: "/integrationSubtype",
            kind: "changed",
            expected: "SQS-SendMessage",
            actual: "SQS-ReceiveMessage",
          },
        ],
        observed: true,
      });
    });
  });
});
