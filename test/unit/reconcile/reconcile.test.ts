import { beforeEach, describe, expect, it } from "vitest";
import { GatewayError } from "../../../lib/apigateway/errors.ts";
import type { DesiredDocument } from "../../../lib/desired-state/schema.ts";
import { type DesiredState, stateFromDocuments, stateFromTexts } from "../../../lib/desired-state/state.ts";
import { InMemoryLease } from "../../../lib/reconcile/lease.ts";
import { type RunRequest, type RunServices, reconcile } from "../../../lib/reconcile/reconcile.ts";
import { MemoryGateway } from "../../helpers/memory-gateway.ts";
import { testServices } from "../../helpers/run.ts";

const HTTP_API = "a1b2c3d4e5";
const WS_API = "w9x8y7z6v5";

function state(...docs: DesiredDocument[]): DesiredState {
  return stateFromDocuments(docs.map((doc) => ({ file: `desired-state/${doc.apiId}.yaml`, doc })));
}

const httpDoc = (over: Partial<DesiredDocument> = {}): DesiredDocument => ({
  apiId: HTTP_API,
  protocol: "HTTP",
  integrations: {
    aaa1111: {
      integrationType: "HTTP_PROXY",
      integrationUri: "https://a.example.com",
      timeoutInMillis: 10000,
    },
    bbb2222: { description: "orders", requestParameters: { "overwrite:header.x-env": "prod" } },
  },
  ...over,
});
const wsDoc = (): DesiredDocument => ({
  apiId: WS_API,
  protocol: "WEBSOCKET",
  integrations: { ccc3333: { integrationType: "MOCK", passthroughBehavior: "NEVER" } },
});

/** A quick-create Lambda integration as the service holds it (an HTTP API Lambda needs payloadFormatVersion). */
const QUICK_CREATE_LAMBDA = {
  integrationType: "AWS_PROXY",
  integrationUri: "arn:aws:lambda:eu-west-1:123456789012:function:quick-create",
  payloadFormatVersion: "2.0",
};

let gateway: MemoryGateway;
beforeEach(() => {
  gateway = new MemoryGateway()
    .addApi(HTTP_API, "HTTP")
    .addIntegration(HTTP_API, "aaa1111", {
      integrationType: "HTTP_PROXY",
      integrationUri: "https://a.example.com",
      integrationMethod: "ANY",
      timeoutInMillis: 5000,
    })
    .addIntegration(HTTP_API, "bbb2222", {
      integrationType: "HTTP_PROXY",
      integrationUri: "https://b.example.com",
      integrationMethod: "GET",
      description: "orders",
      requestParameters: { "overwrite:header.x-env": "dev", "append:header.x-extra": "1" },
    })
    .addApi(WS_API, "WEBSOCKET")
    .addIntegration(WS_API, "ccc3333", { integrationType: "MOCK", passthroughBehavior: "NEVER" });
});

/** A run of the two example APIs; `over` sets fields of the request, the services, or the desired state. */
const run = (
  over: Partial<RunRequest> & Pick<RunRequest, "mode"> & Partial<RunServices> & { desired?: DesiredState },
) => {
  const { mode, apiIds, integrationIds, prune, limits, deadline, interrupt, desired, ...services } = over;
  return reconcile(
    { mode, runId: "run-1", apiIds, integrationIds, prune, limits, deadline, interrupt },
    { state: desired ?? state(httpDoc(), wsDoc()), revision: "abc" },
    testServices(gateway, { now: () => Date.parse("2026-11-25T12:00:00Z"), where: {}, ...services }),
  );
};

describe(reconcile.name, () => {
  it("plans with one GetApi and one listing per API and writes nothing", async () => {
    const report = await run({ mode: "plan" });
    expect(report.status).toBe("DRIFTED");
    expect(report.summary).toMatchObject({ DRIFTED: 2, IN_SYNC: 1 });
    expect(gateway.trace.filter((t) => !t.startsWith("GetApi "))).toEqual([
      `GetIntegrations ${HTTP_API}`,
      `GetIntegrations ${WS_API}`,
    ]);
    expect(gateway.trace.filter((t) => t.startsWith("GetApi ")).sort()).toEqual([
      `GetApi ${HTTP_API}`,
      `GetApi ${WS_API}`,
    ]);
    expect(report).toMatchObject({
      runId: "run-1",
      mode: "plan",
      desiredRevision: "abc",
      startedAt: "2026-11-25T12:00:00.000Z",
      errors: [],
    });
  });

  it("applies one UpdateIntegration per drifted integration, after which a plan is in sync", async () => {
    const report = await run({ mode: "apply" });
    expect(report.status).toBe("RECONCILED");
    expect(report.integrations.map((r) => [r.integrationId, r.status])).toEqual([
      ["aaa1111", "UPDATED"],
      ["bbb2222", "UPDATED"],
      ["ccc3333", "IN_SYNC"],
    ]);
    const writes = gateway.trace.filter((t) => t.startsWith("Update") || t.startsWith("Delete"));
    expect(writes.sort()).toEqual([
      `UpdateIntegration ${HTTP_API}/aaa1111`,
      `UpdateIntegration ${HTTP_API}/bbb2222`,
    ]);
    expect(gateway.integration(HTTP_API, "bbb2222")?.requestParameters).toEqual({
      "overwrite:header.x-env": "prod",
    });
    expect((await run({ mode: "plan" })).status).toBe("IN_SYNC");
  });

  it("never writes to an API in mode: observe, and an apply leaves its drift DRIFTED (PARTIAL)", async () => {
    gateway.addIntegration(HTTP_API, "ddd4444", {
      integrationType: "HTTP_PROXY",
      integrationUri: "https://d.example.com",
      integrationMethod: "GET",
    });
    const report = await run({
      mode: "apply",
      desired: state(httpDoc({ mode: "observe", prune: true }), wsDoc()),
      limits: { maxUpdates: 0, maxDeletes: 0 },
    });
    // Nothing of the observed API counts against the blast radius: the apply is not BLOCKED.
    expect(report.status).toBe("PARTIAL");
    expect(report.integrations.map((r) => [r.integrationId, r.status, r.action, r.observed])).toEqual([
      ["aaa1111", "DRIFTED", undefined, true],
      ["bbb2222", "DRIFTED", undefined, true],
      ["ddd4444", "UNMANAGED", undefined, true],
      ["ccc3333", "IN_SYNC", undefined, undefined],
    ]);
    expect(gateway.trace.filter((t) => !t.startsWith("Get"))).toEqual([]);
    expect(gateway.integration(HTTP_API, "aaa1111")?.timeoutInMillis).toBe(5000);
  });

  it("warns in the report of each ignore entry past its until day, and shows its path as drift", async () => {
    const desired = state(
      httpDoc({
        ignore: [
          { path: "/timeoutInMillis", reason: "load test (TICKET-123)", until: "2026-11-24" },
          { path: "/requestParameters", until: "2026-11-25" },
        ],
      }),
    );
    const report = await run({ mode: "plan", desired, apiIds: [HTTP_API] });
    expect(report.warnings).toEqual([
      {
        message: `desired-state/${HTTP_API}.yaml: ignore /timeoutInMillis on every integration of API ${HTTP_API} expired on 2026-11-24 (reason: load test (TICKET-123)); it is drift again: remove the entry, or set a later until`,
      },
    ]);
    expect(report.integrations.map((r) => [r.integrationId, r.diffs.map((d) => d.path)])).toEqual([
      ["aaa1111", ["/timeoutInMillis"]],
      ["bbb2222", []],
    ]);
  });

  it("stops the whole run before any write when one API fails a guard", async () => {
    const report = await run({
      mode: "apply",
      desired: state(httpDoc({ region: "us-east-1" }), wsDoc()),
      where: { region: "eu-west-1" },
    });
    expect(report.status).toBe("FAILED");
    expect(report.integrations).toEqual([]);
    expect(report.errors).toEqual([
      {
        file: `desired-state/${HTTP_API}.yaml`,
        apiId: HTTP_API,
        message: `API ${HTTP_API} is in us-east-1 by its file, but this run acts in eu-west-1; run it with AWS_REGION=us-east-1`,
      },
    ]);
    expect(gateway.trace.every((t) => t.startsWith("GetApi "))).toBe(true);
  });

  it("fails a run told its account (--account) when the credentials' account is unknown, without a call", async () => {
    const report = await run({
      mode: "apply",
      desired: state(httpDoc(), wsDoc()),
      where: {
        region: "eu-west-1",
        claimedAccount: "123456789012",
        accountUnknown: "STS GetCallerIdentity failed: connect ECONNREFUSED 127.0.0.1:9",
      },
    });
    expect(report).toMatchObject({ status: "FAILED", integrations: [] });
    expect(report.errors.map((e) => e.message)).toEqual([
      "the run was told it acts in account 123456789012 (--account / APIGW_DRIFT_ACCOUNT), but the account its credentials act in is unknown (STS GetCallerIdentity failed: connect ECONNREFUSED 127.0.0.1:9); check the credentials and that STS is reachable. Nothing was read or changed",
    ]);
    expect(gateway.trace).toEqual([]);
  });

  it("fails a run whose file's protocol differs from the live API", async () => {
    const doc = { ...wsDoc(), apiId: HTTP_API };
    const report = await run({ mode: "plan", desired: state(doc) });
    expect(report.status).toBe("FAILED");
    expect(report.errors[0]?.message).toBe(
      `API ${HTTP_API} is an HTTP API, but its file says protocol: WEBSOCKET; fix the file or its apiId`,
    );
  });

  it("reports an API that does not exist as that API's problem: MISSING, named, and the rest goes on", async () => {
    const message =
      "API zzzzzzzzzz does not exist in eu-west-1; check the apiId in desired-state/zzzzzzzzzz.yaml and the run's credentials and Region";
    const report = await run({
      mode: "apply",
      desired: state(httpDoc(), { ...wsDoc(), apiId: "zzzzzzzzzz" }),
      where: { region: "eu-west-1" },
    });
    expect(report.status).toBe("PARTIAL");
    expect(report.errors).toEqual([{ file: "desired-state/zzzzzzzzzz.yaml", apiId: "zzzzzzzzzz", message }]);
    expect(report.integrations.map((r) => [r.apiId, r.integrationId, r.status, r.error?.name])).toEqual([
      [HTTP_API, "aaa1111", "UPDATED", undefined],
      [HTTP_API, "bbb2222", "UPDATED", undefined],
      ["zzzzzzzzzz", "ccc3333", "MISSING", "NotFoundException"],
    ]);
  });

  it("fails an invalid desired state without a single call", async () => {
    const error = { file: "x.yaml", line: 1, column: 1, pointer: "", message: "bad" };
    const report = await run({ mode: "apply", desired: stateFromTexts([], [error]) });
    expect(report).toMatchObject({ status: "FAILED", errors: [error], integrations: [] });
    expect(gateway.trace).toEqual([]);
  });

  it("refuses ids that are not in the desired state", async () => {
    const report = await run({ mode: "plan", apiIds: ["nope"], integrationIds: ["zzz9999"] });
    expect(report.status).toBe("FAILED");
    expect(report.errors.map((e) => e.message)).toEqual([
      `API nope has no desired-state file; known APIs: ${HTTP_API}, ${WS_API}`,
      "integration zzz9999 is not declared in the desired state of the selected APIs",
    ]);
    expect(gateway.trace).toEqual([]);
  });

  it("reads a targeted integration with GetIntegration only", async () => {
    const report = await run({ mode: "plan", integrationIds: ["aaa1111"] });
    expect(report.integrations.map((r) => r.integrationId)).toEqual(["aaa1111"]);
    expect(gateway.trace).toEqual([`GetApi ${HTTP_API}`, `GetIntegration ${HTTP_API}/aaa1111`]);
  });

  it("prunes what a file does not declare, except managed and route-targeted integrations", async () => {
    gateway
      .addIntegration(HTTP_API, "ddd4444", {
        integrationType: "HTTP_PROXY",
        integrationUri: "https://d.example.com",
        integrationMethod: "GET",
      })
      .addIntegration(HTTP_API, "eee5555", { ...QUICK_CREATE_LAMBDA, apiGatewayManaged: true })
      .addIntegration(HTTP_API, "fff6666", {
        integrationType: "HTTP_PROXY",
        integrationUri: "https://d.example.com",
        integrationMethod: "GET",
      })
      .addRoute(HTTP_API, "r1", "integrations/fff6666");
    const report = await run({ mode: "apply", desired: state(httpDoc({ prune: true })) });
    const status = Object.fromEntries(report.integrations.map((r) => [r.integrationId, r.status]));
    expect(status).toMatchObject({
      ddd4444: "DELETED",
      eee5555: "SKIPPED_MANAGED",
      fff6666: "SKIPPED_IN_USE",
    });
    expect(gateway.trace.filter((t) => t.startsWith("Delete"))).toEqual([
      `DeleteIntegration ${HTTP_API}/ddd4444`,
    ]);
    expect(gateway.trace).toContain(`GetRoutes ${HTTP_API}`);
  });

  it("turns pruning off for one run with prune: false", async () => {
    gateway.addIntegration(HTTP_API, "ddd4444", {
      integrationType: "HTTP_PROXY",
      integrationUri: "https://d.example.com",
      integrationMethod: "GET",
    });
    const report = await run({ mode: "apply", desired: state(httpDoc({ prune: true })), prune: false });
    expect(report.integrations.find((r) => r.integrationId === "ddd4444")?.status).toBe("UNMANAGED");
    expect(gateway.trace.some((t) => t.startsWith("GetRoutes") || t.startsWith("Delete"))).toBe(false);
  });

  it("blocks a plan over the blast radius and writes nothing", async () => {
    const report = await run({ mode: "apply", limits: { maxUpdates: 1, maxDeletes: 5 } });
    expect(report.status).toBe("BLOCKED");
    expect(report.errors.at(-1)?.message).toContain("2 updates exceed maxUpdates 1");
    expect(report.summary.DRIFTED).toBe(2);
    expect(gateway.trace.some((t) => t.startsWith("Update"))).toBe(false);
  });

  it("exits cleanly when another apply holds the lease, and plans take none", async () => {
    const lease = new InMemoryLease(() => 0);
    await lease.acquire("other-run", 60_000);
    const blocked = await run({ mode: "apply", lease });
    expect(blocked.status).toBe("FAILED");
    expect(blocked.errors[0]?.message).toBe(
      "another apply run (other-run) holds the lease until 1970-01-01T00:01:00.000Z; nothing was changed. Wait for it to finish, or for the lease to expire if that run died",
    );
    expect(gateway.trace.some((t) => t.startsWith("Update"))).toBe(false);
    expect((await run({ mode: "plan", lease })).status).toBe("DRIFTED");
  });

  it("releases its lease when it ends", async () => {
    const lease = new InMemoryLease(() => 0);
    await run({ mode: "apply", lease });
    expect(await lease.acquire("next-run", 1000)).toEqual({ acquired: true });
  });

  it("defers what it has not started when the deadline passes", async () => {
    let clock = 0;
    gateway.beforeCall = (entry) => {
      if (entry.startsWith("UpdateIntegration")) clock = 1_000;
    };
    const report = await run({ mode: "apply", now: () => clock, deadline: 500 });
    const statuses = report.integrations.filter((r) => r.action === "update").map((r) => r.status);
    expect(statuses.sort()).toEqual(["DEFERRED", "UPDATED"]);
    expect(report.status).toBe("PARTIAL");
  });

  it("defers reading an API once the deadline has passed", async () => {
    const report = await run({ mode: "plan", now: () => 10, deadline: 0 });
    expect(report.summary.DEFERRED).toBe(3);
    expect(report.status).toBe("PARTIAL");
  });

  it("keeps going when one update fails", async () => {
    const cause = Object.assign(new Error("Invalid request"), { name: "BadRequestException" });
    gateway.failures.set(
      `UpdateIntegration ${HTTP_API}/aaa1111`,
      new GatewayError("UpdateIntegration", HTTP_API, "aaa1111", cause),
    );
    const report = await run({ mode: "apply" });
    expect(report.status).toBe("PARTIAL");
    expect(report.integrations[0]).toMatchObject({
      integrationId: "aaa1111",
      status: "FAILED",
      error: {
        name: "BadRequestException",
        message: `UpdateIntegration ${HTTP_API}/aaa1111 failed: BadRequestException: Invalid request`,
      },
    });
    expect(report.integrations[1]?.status).toBe("UPDATED");
  });

  it("fails one API's integrations when its listing fails, and reconciles the others", async () => {
    gateway.failures.set(`GetIntegrations ${HTTP_API}`, new Error("socket hang up"));
    const report = await run({ mode: "apply" });
    expect(report.integrations.map((r) => [r.integrationId, r.status])).toEqual([
      ["aaa1111", "FAILED"],
      ["bbb2222", "FAILED"],
      ["ccc3333", "IN_SYNC"],
    ]);
    expect(report.errors[0]?.message).toBe(`reading API ${HTTP_API} failed: socket hang up`);
    expect(report.status).toBe("PARTIAL");
  });

  it("reports an update the service did not take as not converged", async () => {
    const doc = httpDoc({
      integrations: { aaa1111: { tlsConfig: { serverNameToVerify: "x" }, connectionType: "VPC_LINK" } },
    });
    // Our model of the service drops tlsConfig unless the integration is VPC_LINK; make it stay INTERNET.
    const update = gateway.updateIntegration.bind(gateway);
    gateway.updateIntegration = (api, id, fields) =>
      update(api, id, { ...fields, connectionType: "INTERNET" });
    const report = await run({ mode: "apply", desired: state(doc) });
    expect(report.integrations[0]?.status).toBe("FAILED");
    expect(report.integrations[0]?.error?.name).toBe("NotConverged");
    expect(report.integrations[0]?.error?.message).toContain("/connectionType, /tlsConfig");
  });

  it("skips a delete a route made in use since the read", async () => {
    gateway.addIntegration(HTTP_API, "ddd4444", {
      integrationType: "HTTP_PROXY",
      integrationUri: "https://d.example.com",
      integrationMethod: "GET",
    });
    const conflict = Object.assign(new Error("referenced by routes"), { name: "ConflictException" });
    gateway.failures.set(
      `DeleteIntegration ${HTTP_API}/ddd4444`,
      new GatewayError("DeleteIntegration", HTTP_API, "ddd4444", conflict),
    );
    const report = await run({ mode: "apply", desired: state(httpDoc({ prune: true })) });
    expect(report.integrations.find((r) => r.integrationId === "ddd4444")?.status).toBe("SKIPPED_IN_USE");
  });

  it("reports progress per phase", async () => {
    const seen: string[] = [];
    await run({ mode: "apply", onProgress: (p) => seen.push(`${p.phase} ${p.done}/${p.total}`) });
    expect(seen).toEqual(["read 1/2", "read 2/2", "apply 1/2", "apply 2/2"]);
  });

  it("records the report in history before returning it", async () => {
    const recorded: string[] = [];
    const report = await run({ mode: "plan", history: { record: async (r) => void recorded.push(r.runId) } });
    expect(recorded).toEqual(["run-1"]);
    expect(report.status).toBe("DRIFTED");
  });

  it("says so, and still returns every drift, when history cannot be written", async () => {
    const history = {
      record: async () => {
        throw new Error("ProvisionedThroughputExceededException after 8 attempts");
      },
    };
    const report = await run({ mode: "apply", history });
    expect(report.status).toBe("PARTIAL");
    expect(report.summary.UPDATED).toBe(2);
    expect(report.errors.at(-1)?.message).toBe(
      "drift history was not recorded: ProvisionedThroughputExceededException after 8 attempts; this report and the logs hold the run's drift",
    );
  });

  it("starts no further writes once its lease cannot be renewed", async () => {
    const lease = new InMemoryLease();
    lease.renew = async () => {
      throw new Error("the lease is held by run-2");
    };
    const update = gateway.updateIntegration.bind(gateway);
    gateway.updateIntegration = async (api, id, fields) => {
      await new Promise((r) => setTimeout(r, 60));
      return update(api, id, fields);
    };
    // The run makes progress (each call counted), so the keeper tries to renew, and the renewal fails.
    const report = await run({
      mode: "apply",
      lease,
      leaseTtlMs: 30,
      concurrency: 1,
      apiCalls: () => ({ calls: Math.floor(performance.now()) }),
    });
    expect(report.integrations.filter((r) => r.action === "update").map((r) => r.status)).toEqual([
      "UPDATED",
      "DEFERRED",
    ]);
    expect(report.errors.at(-1)?.message).toBe(
      "the apply lease was lost (the lease is held by run-2); no further writes were started",
    );
    expect(report.status).toBe("PARTIAL");
  });

  it("writes nothing when the lease cannot be taken at all", async () => {
    const lease = new InMemoryLease();
    lease.acquire = async () => {
      throw new Error("connect ECONNREFUSED 127.0.0.1:1");
    };
    const report = await run({ mode: "apply", lease });
    expect(report.status).toBe("FAILED");
    expect(report.errors).toEqual([
      { message: "cannot take the apply lease: connect ECONNREFUSED 127.0.0.1:1; nothing was changed" },
    ]);
    expect(gateway.trace.some((t) => t.startsWith("Update") || t.startsWith("GetIntegrations"))).toBe(false);
  });

  it("never repeats a secret from the request in a failed update's error", async () => {
    const doc = httpDoc({
      integrations: {
        aaa1111: { requestParameters: { "overwrite:header.authorization": "'Bearer top-secret'" } },
      },
    });
    const cause = Object.assign(new Error("Invalid value 'Bearer top-secret' for header"), {
      name: "BadRequestException",
    });
    gateway.failures.set(
      `UpdateIntegration ${HTTP_API}/aaa1111`,
      new GatewayError("UpdateIntegration", HTTP_API, "aaa1111", cause),
    );
    const report = await run({ mode: "apply", desired: state(doc) });
    const failed = report.integrations.find((r) => r.integrationId === "aaa1111")!;
    expect(failed.status).toBe("FAILED");
    expect(JSON.stringify(report)).not.toContain("top-secret");
    expect(failed.error?.message).toMatch(/Invalid value \*\*\*[0-9a-f]{8} for header/);
  });
});
