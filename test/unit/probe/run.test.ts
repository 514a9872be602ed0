/**
 * runProbe's edges with a gateway in memory: the cleanup it owes whatever happens (a delete that fails, a
 * CreateApi whose answer is lost), the scratch guard, and the result document. The experiments against a
 * real service model are test/integration/probe.test.ts.
 */
import { describe, expect, it } from "vitest";
import type { ProbeApi, ProbeGateway } from "../../../lib/apigateway/probe-gateway.ts";
import type { LiveIntegration } from "../../../lib/model/live.ts";
import { EXPERIMENTS } from "../../../lib/probe/experiments.ts";
import { ProbeResultError, probeResult, readProbeResult } from "../../../lib/probe/result.ts";
import { runProbe } from "../../../lib/probe/run.ts";
import { ProbeSafetyError, ScratchApis, scratchName } from "../../../lib/probe/scratch.ts";

/** Stores APIs and integrations; each hook may throw in place of the call. */
class MemoryProbeGateway implements ProbeGateway {
  apis = new Map<string, ProbeApi>();
  integrations = new Map<string, LiveIntegration>();
  trace: string[] = [];
  next = 1;
  failDelete = new Set<string>();
  /** CreateApi stores the API, then throws as if the answer was lost. */
  loseCreateAnswer = false;

  async listApis() {
    this.trace.push("GetApis");
    return [...this.apis.values()];
  }
  async createApi(input: { name: string; protocolType: "HTTP" | "WEBSOCKET" }) {
    this.trace.push(`CreateApi ${input.name}`);
    const api = { apiId: `api${this.next++}`, name: input.name, protocolType: input.protocolType };
    this.apis.set(api.apiId, api);
    if (this.loseCreateAnswer) throw Object.assign(new Error("socket hang up"), { name: "TimeoutError" });
    return api;
  }
  async deleteApi(apiId: string) {
    this.trace.push(`DeleteApi ${apiId}`);
    if (this.failDelete.has(apiId)) {
      throw Object.assign(new Error("Too Many Requests"), { name: "TooManyRequestsException" });
    }
    return this.apis.delete(apiId) ? ("deleted" as const) : ("not-found" as const);
  }
  async createIntegration(apiId: string, fields: Record<string, unknown>) {
    this.trace.push(`CreateIntegration ${apiId}`);
    const integration = { integrationId: `int${this.next++}`, ...structuredClone(fields) } as LiveIntegration;
    this.integrations.set(integration.integrationId, integration);
    return integration;
  }
  async updateIntegration(apiId: string, integrationId: string, fields: Record<string, unknown>) {
    this.trace.push(`UpdateIntegration ${apiId}`);
    const next = { ...this.integrations.get(integrationId)!, ...structuredClone(fields) };
    this.integrations.set(integrationId, next);
    return next;
  }
  async getIntegration(apiId: string, integrationId: string) {
    this.trace.push(`GetIntegration ${apiId}`);
    return structuredClone(this.integrations.get(integrationId)!);
  }
  async integrationsPage(apiId: string) {
    this.trace.push(`GetIntegrations ${apiId}`);
    return { items: 0 };
  }
}

const options = { account: "123456789012", region: "eu-west-1", runId: "abcd1234", now: () => 0 };
const ONE = EXPERIMENTS.filter((x) => x.name === "description.emptyString");

describe("runProbe cleanup", () => {
  it("reports a scratch API it could not delete, for a person to delete, and still deletes the other", async () => {
    const gateway = new MemoryProbeGateway();
    gateway.failDelete.add("api1");
    const outcome = await runProbe(gateway, { ...options, experiments: ONE });
    expect(outcome.kind).toBe("ran");
    expect(outcome.cleanup).toEqual({
      deleted: [{ apiId: "api2", name: "apigw-drift-probe-abcd1234-ws", protocolType: "WEBSOCKET" }],
      failed: [
        {
          api: { apiId: "api1", name: "apigw-drift-probe-abcd1234-http", protocolType: "HTTP" },
          error: "TooManyRequestsException: Too Many Requests",
        },
      ],
    });
    // The second listing finds api1 again; it is not tried twice.
    expect(gateway.trace.filter((t) => t.startsWith("DeleteApi"))).toEqual([
      "DeleteApi api1",
      "DeleteApi api2",
    ]);
  });

  it("finds and deletes a scratch API whose CreateApi answer was lost", async () => {
    const gateway = new MemoryProbeGateway();
    gateway.loseCreateAnswer = true;
    const outcome = await runProbe(gateway, { ...options, experiments: ONE });
    expect(outcome).toMatchObject({
      kind: "failed",
      message:
        "could not create the scratch API apigw-drift-probe-abcd1234-http: TimeoutError: socket hang up",
    });
    expect(gateway.trace).toEqual([
      "GetApis",
      "CreateApi apigw-drift-probe-abcd1234-http",
      "GetApis",
      "DeleteApi api1",
    ]);
    expect(gateway.apis.size).toBe(0);
  });

  it("sends nothing once aborted before it starts", async () => {
    const gateway = new MemoryProbeGateway();
    const outcome = await runProbe(gateway, { ...options, signal: AbortSignal.abort() });
    expect(outcome).toEqual({ kind: "interrupted", cleanup: { deleted: [], failed: [] } });
    expect(gateway.trace).toEqual([]);
  });

  it("runs the experiments it is given, in order, and orders the result by behaviour", async () => {
    const gateway = new MemoryProbeGateway();
    const experiments = EXPERIMENTS.filter(
      (x) => x.name === "throttle.refusedSpendsQuota" || x.name === "description.emptyString",
    ).reverse();
    const outcome = await runProbe(gateway, { ...options, experiments });
    expect(outcome.kind === "ran" && Object.keys(outcome.behaviours)).toEqual([
      "description.emptyString",
      "throttle.refusedSpendsQuota",
    ]);
    // This gateway stores "" as sent.
    expect(outcome.kind === "ran" && outcome.behaviours["description.emptyString"]).toEqual({
      observed: "stored",
      evidence: 'GetIntegration after the update: description ""',
    });
  });
});

describe(ScratchApis.name, () => {
  const refusing: ProbeGateway = new Proxy({} as ProbeGateway, {
    get: (_, name) => () => {
      throw new Error(`${String(name)} must not be called`);
    },
  });

  it("refuses, before sending anything, every call naming an API the probe did not create", async () => {
    const guarded = new ScratchApis().guard(refusing);
    await expect(guarded.deleteApi("orders1234")).rejects.toThrow(
      new ProbeSafetyError("refusing DeleteApi on API orders1234: the probe did not create it"),
    );
    await expect(guarded.createIntegration("orders1234", {})).rejects.toThrow(
      "refusing CreateIntegration on API orders1234: the probe did not create it",
    );
    await expect(guarded.updateIntegration("orders1234", "abc", {})).rejects.toThrow(
      "refusing UpdateIntegration on API orders1234: the probe did not create it",
    );
    await expect(guarded.getIntegration("orders1234", "abc")).rejects.toThrow("refusing GetIntegration");
    await expect(guarded.integrationsPage("orders1234", 25)).rejects.toThrow("refusing GetIntegrations");
    await expect(guarded.createApi({ name: "orders", protocolType: "HTTP" })).rejects.toThrow(
      "refusing CreateApi orders: not a scratch API name",
    );
  });

  it("adopts only scratch API names", () => {
    const scratch = new ScratchApis();
    expect(() =>
      scratch.adopt({ apiId: "x1", name: "apigw-drift-probe-by-hand", protocolType: "HTTP" }),
    ).toThrow("refusing to take API x1 (apigw-drift-probe-by-hand): not a probe's scratch API");
    expect(() => scratchName("Not-A-Run", "HTTP")).toThrow(
      "not a scratch API name: apigw-drift-probe-Not-A-Run-http",
    );
  });
});

describe(readProbeResult.name, () => {
  it("takes the readings a probe settled, skipping unknown ones and names it does not know", () => {
    expect(
      readProbeResult({
        probedAt: "2026-03-01T10:00:00.000Z",
        region: "eu-west-1",
        behaviours: {
          "getIntegrations.maxPageSize": { observed: "100", evidence: "maxResults=500 refused" },
          "requestTemplates.patch": { observed: "unknown", evidence: "a 500" },
          "later.behaviour": { observed: "x" },
        },
      }),
    ).toEqual({
      readings: { "getIntegrations.maxPageSize": 100 },
      evidence: { "getIntegrations.maxPageSize": "maxResults=500 refused" },
      probedAt: "2026-03-01T10:00:00.000Z",
      region: "eu-west-1",
    });
  });

  it("refuses what is not a probe result", () => {
    expect(() => readProbeResult([])).toThrow(
      new ProbeResultError(
        'not a probe result: expected { "behaviours": { "<name>": { "observed": ... } } } (the output of apigw-drift probe --yes --json)',
      ),
    );
  });

  it("writes what the product assumes beside each observation, and whether they agree", () => {
    const result = probeResult("t", "r", {
      "requestTemplates.patch": { observed: "merge", evidence: "e" },
      "throttle.refusedSpendsQuota": { observed: "unknown", evidence: "not probed" },
    });
    expect(result).toEqual({
      probedAt: "t",
      region: "r",
      behaviours: {
        "requestTemplates.patch": { observed: "merge", evidence: "e", assumed: ["replace"], agrees: false },
        "throttle.refusedSpendsQuota": {
          observed: "unknown",
          evidence: "not probed",
          assumed: [true, false],
          agrees: null,
        },
      },
    });
  });
});
