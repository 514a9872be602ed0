import { describe, expect, it } from "vitest";
import { stateFromDocuments } from "../../../lib/desired-state/state.ts";
import { fleetStatus, runFleet } from "../../../lib/fleet/run.ts";
import { groupTargets } from "../../../lib/fleet/targets.ts";
import type { Report } from "../../../lib/plan/report.ts";
import { MemoryGateway } from "../../helpers/memory-gateway.ts";
import { desiredInput, testServices } from "../../helpers/run.ts";

const HOME = { account: "111111111111", region: "eu-west-1" };
const doc = (apiId: string, where: { account?: string; region?: string }) => ({
  file: `d/${apiId}.yaml`,
  doc: {
    apiId,
    protocol: "HTTP" as const,
    ...where,
    integrations: { int0001: { timeoutInMillis: 10000 } },
  },
});
const state = stateFromDocuments([
  doc("apihome001", {}),
  doc("apieast001", { region: "us-east-1" }),
  doc("apispke001", { account: "222222222222", region: "eu-west-1" }),
]);
const targets = groupTargets(state.apis, HOME);

/** One gateway per target, each holding only its own API, drifted. */
function gateways() {
  const byTarget = new Map<string, MemoryGateway>();
  for (const t of targets) {
    const gateway = new MemoryGateway();
    for (const a of t.apis) {
      gateway.addApi(a.apiId, "HTTP").addIntegration(a.apiId, "int0001", {
        integrationType: "HTTP_PROXY",
        integrationUri: "https://x.example.com",
        integrationMethod: "ANY",
        timeoutInMillis: 29000,
      });
    }
    byTarget.set(`${t.account}/${t.region}`, gateway);
  }
  return byTarget;
}

describe(runFleet.name, () => {
  it("runs each target on its own services, its APIs only, and stamps its account and Region", async () => {
    const byTarget = gateways();
    const opened: string[] = [];
    const closed: string[] = [];
    const fleet = await runFleet({ mode: "apply" }, desiredInput(state), targets, {
      runId: "fleet-run",
      concurrency: 2,
      open: async (t) => {
        const name = `${t.account}/${t.region}`;
        opened.push(name);
        return {
          services: testServices(byTarget.get(name)!, { where: { account: t.account, region: t.region } }),
          close: async () => {
            closed.push(name);
          },
        };
      },
    });
    expect(fleet.runId).toBe("fleet-run");
    expect(fleet.status).toBe("RECONCILED");
    expect(
      fleet.reports.map((r) => [r.account, r.region, r.status, r.integrations.map((i) => i.apiId)]),
    ).toEqual([
      ["111111111111", "eu-west-1", "RECONCILED", ["apihome001"]],
      ["111111111111", "us-east-1", "RECONCILED", ["apieast001"]],
      ["222222222222", "eu-west-1", "RECONCILED", ["apispke001"]],
    ]);
    expect(opened.sort()).toEqual(closed.sort());
    for (const [name, gateway] of byTarget) {
      const own = targets.find((t) => `${t.account}/${t.region}` === name)!.apis[0]!.apiId;
      expect(gateway.trace.filter((e) => e.startsWith("UpdateIntegration"))).toEqual([
        `UpdateIntegration ${own}/int0001`,
      ]);
    }
  });

  it("fails a target that cannot be opened with its error, records it, and runs the others", async () => {
    const byTarget = gateways();
    const recorded: Report[] = [];
    const fleet = await runFleet({ mode: "plan" }, desiredInput(state), targets, {
      concurrency: 8,
      open: async (t) => {
        if (t.account === "222222222222")
          throw new Error("cannot assume role X for account 222222222222: denied");
        const where = { account: t.account, region: t.region };
        return { services: testServices(byTarget.get(`${t.account}/${t.region}`)!, { where }) };
      },
      recordFailure: async (r) => {
        recorded.push(r);
      },
    });
    expect(fleet.status).toBe("FAILED");
    expect(fleet.reports.map((r) => r.status)).toEqual(["DRIFTED", "DRIFTED", "FAILED"]);
    expect(fleet.reports[2]).toMatchObject({
      account: "222222222222",
      region: "eu-west-1",
      mode: "plan",
      integrations: [],
      apiCalls: {},
      errors: [{ message: "cannot assume role X for account 222222222222: denied" }],
    });
    expect(recorded).toEqual([fleet.reports[2]]);
  });

  it("fails a group it cannot place, naming its APIs and what to do", async () => {
    const [unplaced] = groupTargets([state.apis[0]!], {});
    const fleet = await runFleet({ mode: "plan" }, desiredInput(state), [unplaced!], {
      concurrency: 1,
      open: async () => {
        throw new Error("never opened");
      },
    });
    expect(fleet.reports[0]!.errors).toEqual([
      {
        message:
          "APIs apieast001 name no account and the run's own account is unknown (STS GetCallerIdentity failed); check the credentials, or write account: in their files",
      },
    ]);
  });

  it("defers the targets not started when the run is interrupted", async () => {
    const stop = new AbortController();
    stop.abort();
    const fleet = await runFleet({ mode: "apply", interrupt: stop.signal }, desiredInput(state), targets, {
      concurrency: 1,
      open: async () => {
        throw new Error("never opened");
      },
    });
    expect(fleet.reports.map((r) => [r.status, r.summary.DEFERRED])).toEqual([
      ["PARTIAL", 1],
      ["PARTIAL", 1],
      ["PARTIAL", 1],
    ]);
    expect(fleet.reports[0]!.errors).toEqual([
      { message: "not started: the run stopped before target 111111111111/eu-west-1" },
    ]);
  });

  it("turns a crash inside a target into that target's FAILED report", async () => {
    const fleet = await runFleet({ mode: "plan" }, desiredInput(state), [targets[0]!], {
      concurrency: 1,
      targetRunId: () => "the-invocation",
      open: async () => ({
        services: {
          ...testServices(new MemoryGateway()),
          apiCalls: () => {
            throw new Error("boom");
          },
        },
      }),
    });
    expect(fleet.reports[0]).toMatchObject({
      runId: "the-invocation",
      status: "FAILED",
      errors: [{ message: "the run in 111111111111/eu-west-1 failed: boom" }],
    });
  });
});

describe(fleetStatus.name, () => {
  it("is the worst of the targets' statuses", () => {
    const of = (...statuses: Report["status"][]) =>
      fleetStatus(statuses.map((status) => ({ status }) as Report));
    expect(of("IN_SYNC", "RECONCILED")).toBe("RECONCILED");
    expect(of("RECONCILED", "DRIFTED")).toBe("DRIFTED");
    expect(of("DRIFTED", "PARTIAL", "IN_SYNC")).toBe("PARTIAL");
    expect(of("BLOCKED", "PARTIAL")).toBe("BLOCKED");
    expect(of("BLOCKED", "FAILED", "IN_SYNC")).toBe("FAILED");
    expect(of()).toBe("IN_SYNC");
  });
});
