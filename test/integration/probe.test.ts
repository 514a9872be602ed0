/**
 * `apigw-drift probe` (PRODUCT §11) against the project's emulator over real HTTP with the real SDK and
 * the product's client: it reports exactly the readings the emulator was started with (from a probe result
 * fixture), touches only the APIs it creates (asserted on the emulator's log), cleans up after itself and
 * after earlier probes, makes no call without --yes, and turns an unexpected error into "unknown" for that
 * behaviour alone. The built CLI under SIGINT and SIGKILL: probe-signals.test.ts.
 */
import { EventEmitter } from "node:events";
import { afterEach, describe, expect, it, vi } from "vitest";
import { BEHAVIOUR_NAMES } from "../../emulator/behaviour.ts";
import { type Emulator, type EmulatorOptions, startEmulator } from "../../emulator/server.ts";
import { assumptionOf } from "../../lib/probe/assumptions.ts";
import { iamPolicy } from "../../lib/probe/plan.ts";
import { expectOnlyOwnApis, fastConnection, probeCli, probeFixture } from "../helpers/probe.ts";

let emulator: Emulator;
let orders: string;

async function start(options: EmulatorOptions = {}): Promise<void> {
  emulator = await startEmulator({ seed: 11, ...options });
  vi.stubEnv("AWS_ENDPOINT_URL_APIGATEWAYV2", emulator.url);
  vi.stubEnv("AWS_REGION", "eu-west-1");
  vi.stubEnv("AWS_ACCESS_KEY_ID", "test");
  vi.stubEnv("AWS_SECRET_ACCESS_KEY", "test");
  // An API that is not the probe's, with an integration it must never touch.
  orders = emulator.addApi({ name: "orders", protocolType: "HTTP" }).apiId;
  emulator.addIntegration(orders, {
    integrationId: "ord0001",
    integrationType: "HTTP_PROXY",
    integrationMethod: "GET",
    integrationUri: "https://orders.example.com",
    requestParameters: { "append:header.x-probe-a": "$request.header.a" },
  });
}

afterEach(async () => {
  vi.unstubAllEnvs();
  await emulator?.close();
});

const ORDERS_INTEGRATION = {
  integrationId: "ord0001",
  integrationType: "HTTP_PROXY",
  integrationMethod: "GET",
  integrationUri: "https://orders.example.com",
  requestParameters: { "append:header.x-probe-a": "$request.header.a" },
  connectionType: "INTERNET",
  payloadFormatVersion: "1.0",
  timeoutInMillis: 30_000,
};

describe("probe without --yes", () => {
  it("prints one line per behaviour and the IAM policy, and sends nothing", async () => {
    await start();
    const connect = vi.fn(() => {
      throw new Error("the plan must not build a client");
    });
    const { code, out, err } = await probeCli([], { connect });
    expect({ code, err }).toEqual({ code: 0, err: "" });
    expect(connect).not.toHaveBeenCalled();
    expect(emulator.calls.all()).toEqual([]);
    for (const name of BEHAVIOUR_NAMES)
      expect(out).toMatch(new RegExp(`^${name.replace(".", "\\.")}[ :]`, "m"));
    expect(out).toContain(
      'description.emptyString (HTTP API): creates {"integrationType":"HTTP_PROXY","integrationMethod":"GET","integrationUri":"https://example.com/apigw-drift-probe","payloadFormatVersion":"1.0","description":"apigw-drift probe"}; sends UpdateIntegration {"description":""}; reads description back: description gone: clears; "": stored; a 400: rejected',
    );
    expect(out).toContain("tlsConfig.emptyObject: skipped without --vpc-link ID");
    expect(out).toContain("Calls: at most 40, one at a time, at most 5 per second");
    const policy = out.slice(out.indexOf("(Region eu-west-1):\n") + 20, out.lastIndexOf("}") + 1);
    expect(JSON.parse(policy)).toEqual(iamPolicy("eu-west-1", "123456789012"));
  });
});

describe.each(["all-defaults", "moto-like", "strict", "mixed"])(
  "probe --yes on an emulator started from %s.json",
  (fixture) => {
    it("reports exactly those readings, on its own scratch APIs only, and leaves none", async () => {
      const expected = probeFixture(fixture);
      await start({ probe: expected });
      const { code, out, err } = await probeCli(
        ["--yes", "--json", "--vpc-link", "vl-probe1"],
        { runId: () => "run00001", now: () => Date.parse("2026-03-01T10:00:00Z") },
        { APIGW_DRIFT_ACCOUNT: undefined },
      );
      expect(code, err).toBe(0);
      const result = JSON.parse(out);
      expect(Object.keys(result)).toEqual(["probedAt", "region", "behaviours"]);
      expect(result).toMatchObject({ probedAt: "2026-03-01T10:00:00.000Z", region: "eu-west-1" });
      const observed = Object.fromEntries(
        Object.entries(result.behaviours as Record<string, { observed: unknown }>).map(([n, b]) => [
          n,
          b.observed,
        ]),
      );
      const wanted = Object.fromEntries(
        Object.entries(expected.behaviours).map(([n, b]) => [
          n,
          n === "throttle.refusedSpendsQuota" ? "unknown" : b.observed,
        ]),
      );
      expect(observed).toEqual(wanted);
      for (const [name, entry] of Object.entries(
        result.behaviours as Record<string, Record<string, unknown>>,
      )) {
        expect(Object.keys(entry)).toEqual(["observed", "evidence", "assumed", "agrees"]);
        expect(entry.assumed).toEqual(assumptionOf(name as never).readings);
        expect(entry.agrees).toBe(
          entry.observed === "unknown" ? null : (entry.assumed as unknown[]).includes(entry.observed),
        );
      }
      const calls = expectOnlyOwnApis(emulator);
      expect(
        calls.filter((c) => c.operation === "CreateApi").map((c) => (c.body as { name: string }).name),
      ).toEqual(["apigw-drift-probe-run00001-http", "apigw-drift-probe-run00001-ws"]);
      expect(calls.filter((c) => c.operation === "DeleteApi").map((c) => c.status)).toEqual([204, 204]);
      expect(emulator.listIntegrations(orders)).toEqual([ORDERS_INTEGRATION]);
      expect(err).toContain("apigw-drift probe: deleted scratch API");
      // With no --account, the placeholder role names the account STS says the credentials are in.
      const roles = calls
        .map((c) => (c.body as { credentialsArn?: string } | undefined)?.credentialsArn)
        .filter((arn) => arn !== undefined);
      expect(roles.length).toBeGreaterThan(0);
      expect(new Set(roles)).toEqual(
        new Set(["arn:aws:iam::123456789012:role/apigw-drift-probe-placeholder"]),
      );
    });
  },
);

describe("probe --yes with the product's own client", () => {
  it("paces itself one call at a time at --rate: an emulator throttling at that rate refuses none", async () => {
    await start({ faults: { throttle: { ratePerSecond: 10, burst: 2 } } });
    const { code, out, err } = await probeCli(["--yes", "--json", "--rate", "10"], { connect: undefined });
    expect(code, err).toBe(0);
    expect(JSON.parse(out).behaviours["requestTemplates.patch"].observed).toBe("replace");
    expect(emulator.calls.count({ fault: "throttle" })).toBe(0);
    // GetApis twice, CreateApi and DeleteApi twice, 10 experiments' create and update, a read-back for the 6
    // the defaults do not refuse, and one GetIntegrations.
    expect(emulator.calls.count()).toBe(2 + 4 + 20 + 6 + 1);
  });
});

describe("probe --yes evidence and the table", () => {
  it("quotes the service: the field read back, and the 400's own words", async () => {
    await start({ behaviour: { "requestParameters.emptyString": "rejected" } });
    const { out } = await probeCli(["--yes", "--json"]);
    const { behaviours } = JSON.parse(out);
    expect(behaviours["requestParameters.emptyString"]).toEqual({
      observed: "rejected",
      evidence:
        "UpdateIntegration answered 400 BadRequestException: Invalid selection expression specified: Validation Result: warnings : [], errors : [Mapping expression missing source or destination]",
      assumed: ["removes"],
      agrees: false,
    });
    expect(behaviours["requestTemplates.patch"].evidence).toBe(
      'GetIntegration after the update: requestTemplates {"text/plain":"b"}',
    );
    expect(behaviours["getIntegrations.maxPageSize"].evidence).toBe("maxResults=500 accepted (8 items)");
    expect(behaviours["tlsConfig.emptyObject"]).toEqual({
      observed: "unknown",
      evidence: "not probed: needs a VPC link (--vpc-link ID) for a private integration",
      assumed: ["removes", "stored"],
      agrees: null,
    });
  });

  it("prints a table of behaviour, observed, assumed and agree, and names the disagreements", async () => {
    await start({ behaviour: { "requestTemplates.patch": "merge", "getIntegrations.maxPageSize": 100 } });
    const { code, out } = await probeCli(["--yes"]);
    expect(code).toBe(0);
    const lines = out.split("\n");
    expect(lines[2]).toMatch(/^behaviour +observed +apigw-drift assumes +agree\?$/);
    expect(lines).toContainEqual(expect.stringMatching(/^requestTemplates\.patch +merge +replace +NO$/));
    expect(lines).toContainEqual(
      expect.stringMatching(/^requestParameters\.patch +merge +merge \| replace +yes$/),
    );
    expect(lines).toContainEqual(expect.stringMatching(/^getIntegrations\.maxPageSize +100 +500 +NO$/));
    expect(lines).toContainEqual(
      expect.stringMatching(/^throttle\.refusedSpendsQuota +unknown +true \| false +\?$/),
    );
    expect(out).toContain(
      "  getIntegrations.maxPageSize: maxResults=500 answered 400 BadRequestException: maxResults must be an integer between 1 and 100, got 500; maxResults=100 accepted (8 items)",
    );
    expect(out).toContain(
      "apigw-drift assumes otherwise for requestTemplates.patch, getIntegrations.maxPageSize: run plan with --probe-result",
    );
  });
});

describe("an unexpected answer in one experiment", () => {
  it("a 500 that outlasts the retries makes that behaviour unknown, with the error, and the rest still run", async () => {
    await start();
    emulator.faults.failNext({
      operation: "UpdateIntegration",
      status: 500,
      errorType: "InternalServerException",
      message: "Internal server error",
      times: 2,
    });
    const { code, out } = await probeCli(["--yes", "--json"], {
      connect: fastConnection({ maxAttempts: 2 }),
    });
    expect(code).toBe(0);
    const { behaviours } = JSON.parse(out);
    expect(behaviours["requestParameters.patch"]).toMatchObject({
      observed: "unknown",
      evidence: "UpdateIntegration answered 500 InternalServerException: Internal server error",
      agrees: null,
    });
    expect(behaviours["requestParameters.emptyString"].observed).toBe("removes");
    expect(behaviours["subtype.change"].observed).toBe("rejected");
    expect(emulator.calls.count({ operation: "UpdateIntegration", status: 500 })).toBe(2);
    expectOnlyOwnApis(emulator);
  });

  it("a 400 with an odd message on a create makes that behaviour unknown, with the message, and the rest still run", async () => {
    await start();
    emulator.faults.failNext({
      operation: "CreateIntegration",
      status: 400,
      errorType: "BadRequestException",
      message: "Something unexpected happened",
    });
    const { code, out } = await probeCli(["--yes", "--json"]);
    expect(code).toBe(0);
    const { behaviours } = JSON.parse(out);
    expect(behaviours["requestParameters.patch"]).toMatchObject({
      observed: "unknown",
      evidence: "CreateIntegration answered 400 BadRequestException: Something unexpected happened",
    });
    expect(behaviours["requestTemplates.patch"].observed).toBe("replace");
    expectOnlyOwnApis(emulator);
  });

  it("a read-back that shows none of the readings is unknown, quoting what it shows", async () => {
    await start();
    // A service that keeps the old value when sent "" has none of the readings: the gateway plays one.
    const { out } = await probeCli(["--yes", "--json"], {
      connect: () => {
        const connection = fastConnection()();
        const update = connection.gateway.updateIntegration.bind(connection.gateway);
        connection.gateway.updateIntegration = async (apiId, id, fields) =>
          update(
            apiId,
            id,
            "description" in fields && fields.description === "" ? { description: "kept" } : fields,
          );
        return connection;
      },
    });
    expect(JSON.parse(out).behaviours["description.emptyString"]).toMatchObject({
      observed: "unknown",
      evidence: 'GetIntegration after the update shows none of the readings: description "kept"',
    });
  });
});

describe("what the probe cannot do", () => {
  it("exits 1 when it cannot create a scratch API, and leaves nothing behind", async () => {
    await start();
    emulator.faults.failNext({
      operation: "CreateApi",
      status: 403,
      errorType: "AccessDeniedException",
      message: "User is not authorized to perform: apigateway:POST",
    });
    const { code, out, err } = await probeCli(["--yes", "--json"], { runId: () => "nocreate" });
    expect({ code, out }).toEqual({ code: 1, out: "" });
    expect(err).toContain(
      "apigw-drift probe: could not create the scratch API apigw-drift-probe-nocreate-http: 403 AccessDeniedException: User is not authorized to perform: apigateway:POST",
    );
    expect(emulator.calls.operations()).toEqual(["GetApis", "CreateApi", "GetApis"]);
  });

  it("exits 1 without credentials, before it creates anything", async () => {
    await start();
    vi.stubEnv("AWS_ACCESS_KEY_ID", "");
    vi.stubEnv("AWS_SECRET_ACCESS_KEY", "");
    vi.stubEnv("AWS_PROFILE", "apigw-drift-no-such-profile");
    vi.stubEnv("AWS_CONFIG_FILE", "/nonexistent/apigw-drift/config");
    vi.stubEnv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/apigw-drift/credentials");
    vi.stubEnv("AWS_EC2_METADATA_DISABLED", "true");
    const { code, err } = await probeCli(["--yes"]);
    expect(code).toBe(1);
    expect(err).toMatch(/^apigw-drift probe: could not list the account's APIs: CredentialsProviderError: /m);
    expect(emulator.calls.all()).toEqual([]);
  });
});

describe("leftovers of earlier probes", () => {
  async function withLeftovers() {
    let clock = Date.parse("2026-03-01T09:00:00Z");
    await start({ now: () => clock });
    const old = emulator.addApi({ name: "apigw-drift-probe-oldrun01-http", protocolType: "HTTP" }).apiId;
    clock = Date.parse("2026-03-01T09:58:00Z");
    const young = emulator.addApi({ name: "apigw-drift-probe-youngrun-ws", protocolType: "HTTP" }).apiId;
    const lookalike = emulator.addApi({ name: "apigw-drift-probe-by-hand", protocolType: "HTTP" }).apiId;
    clock = Date.parse("2026-03-01T10:00:00Z");
    return { old, young, lookalike };
  }

  it("deletes the old ones, leaves the young ones and names that are not a probe's, and says so", async () => {
    const { old, young, lookalike } = await withLeftovers();
    const { code, err } = await probeCli(["--yes", "--json"], {
      now: () => Date.parse("2026-03-01T10:00:00Z"),
    });
    expect(code).toBe(0);
    expect(err).toContain(
      `apigw-drift probe: deleted scratch API ${old} (apigw-drift-probe-oldrun01-http), left by an earlier probe\n`,
    );
    expect(err).toContain(
      `apigw-drift probe: left ${young} (apigw-drift-probe-youngrun-ws): created 120 s ago, perhaps by a probe still running; --clean-all deletes it\n`,
    );
    expect(emulator.getApi(old)).toBeUndefined();
    expect(emulator.getApi(lookalike)?.name).toBe("apigw-drift-probe-by-hand");
    expectOnlyOwnApis(emulator, { leftovers: [old], remaining: ["apigw-drift-probe-youngrun-ws"] });
  });

  it("deletes the young ones too with --clean-all", async () => {
    const { old, young } = await withLeftovers();
    const { code } = await probeCli(["--yes", "--json", "--clean-all"], {
      now: () => Date.parse("2026-03-01T10:00:00Z"),
    });
    expect(code).toBe(0);
    expectOnlyOwnApis(emulator, { leftovers: [old, young] });
  });
});

describe("an interrupt", () => {
  it("stops after the call in flight, deletes its scratch APIs, and exits 130; a second signal still cleans up", async () => {
    const signals = new EventEmitter();
    // Another handler (the CLI's own, io.ts) is held off while the probe runs, and put back after.
    const cliHandler = vi.fn();
    signals.on("SIGINT", cliHandler);
    let sent = 0;
    await start({
      onWrite: (write) => {
        if (write.operation !== "UpdateIntegration") return;
        sent += 1;
        if (sent === 1) {
          signals.emit("SIGINT", "SIGINT");
          signals.emit("SIGTERM", "SIGTERM");
        }
      },
    });
    const { code, out, err } = await probeCli(["--yes", "--json"], {
      signals,
    });
    expect({ code, out }).toEqual({ code: 130, out: "" });
    expect(err).toContain(
      "apigw-drift probe: SIGINT: stopping after the call in flight, then deleting the scratch APIs\n",
    );
    expect(err).toContain("apigw-drift probe: SIGTERM again: still deleting the scratch APIs");
    expect(err).toContain("apigw-drift probe: interrupted; no scratch API is left\n");
    expect(emulator.calls.count({ operation: "UpdateIntegration" })).toBe(1);
    expect(emulator.calls.count({ operation: "GetIntegration" })).toBe(0);
    expectOnlyOwnApis(emulator);
    expect(cliHandler).not.toHaveBeenCalled();
    expect(signals.listeners("SIGINT")).toEqual([cliHandler]);
    expect(signals.listenerCount("SIGTERM")).toBe(0);
  });
});
