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
    const planned = planApi({ desired: doc(), live, prune: false });
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
    const planned = planApi({ desired: doc(), live, routes, prune: true });
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
    const planned = planApi({ desired: doc(), live, prune: true, only: ["bbb2222", "ddd4444"] });
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
});
