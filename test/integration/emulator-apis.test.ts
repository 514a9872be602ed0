/**
 * The emulator's CreateApi and DeleteApi over real HTTP with the real SDK (the probe's scratch APIs, PRODUCT
 * §11), and starting it from a probe result. Wire shapes: SDK model (POST /v2/apis → 201, DELETE
 * /v2/apis/{ApiId} → 204); emulator/create-api.ts names the rest.
 */

import { readFileSync } from "node:fs";
import {
  ApiGatewayV2Client,
  CreateApiCommand,
  CreateIntegrationCommand,
  DeleteApiCommand,
  GetApiCommand,
  GetApisCommand,
  GetIntegrationsCommand,
} from "@aws-sdk/client-apigatewayv2";
import { afterEach, describe, expect, it } from "vitest";
import { BEHAVIOURS, type BehaviourName } from "../../emulator/behaviour.ts";
import { type Emulator, startEmulator } from "../../emulator/server.ts";

// biome-ignore lint/suspicious/noTemplateCurlyInString: an API Gateway selection expression, not JS
const HTTP_ROUTES = "${request.method} ${request.path}";

let emulator: Emulator;
let client: ApiGatewayV2Client;

async function start(options: Parameters<typeof startEmulator>[0] = {}): Promise<void> {
  emulator = await startEmulator({ seed: 5, now: () => Date.parse("2026-03-01T10:00:00Z"), ...options });
  client = new ApiGatewayV2Client({
    endpoint: emulator.url,
    region: "eu-west-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts: 1,
  });
}

afterEach(async () => {
  client?.destroy();
  await emulator?.close();
});

async function refusal(call: Promise<unknown>): Promise<{ name: string; message: string; status?: number }> {
  try {
    await call;
  } catch (error) {
    const e = error as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, message: e.message, status: e.$metadata?.httpStatusCode };
  }
  throw new Error("expected the call to be refused");
}

describe("CreateApi", () => {
  it("creates an HTTP API with its tags and the default route selection expression, answering 201", async () => {
    await start();
    const created = await client.send(
      new CreateApiCommand({ Name: "apigw-drift-probe-x", ProtocolType: "HTTP", Tags: { owner: "probe" } }),
    );
    expect(created.$metadata.httpStatusCode).toBe(201);
    expect(created).toMatchObject({
      Name: "apigw-drift-probe-x",
      ProtocolType: "HTTP",
      RouteSelectionExpression: HTTP_ROUTES,
      Tags: { owner: "probe" },
      CreatedDate: new Date("2026-03-01T10:00:00Z"),
    });
    expect(created.ApiId).toMatch(/^[a-z0-9]{10}$/);
    const listed = await client.send(new GetApisCommand({}));
    expect(listed.Items?.map((a) => [a.ApiId, a.Name, a.Tags])).toEqual([
      [created.ApiId, "apigw-drift-probe-x", { owner: "probe" }],
    ]);
    expect(emulator.calls.filter({ operation: "CreateApi" })).toMatchObject([
      { method: "POST", path: "/v2/apis", status: 201, createdId: created.ApiId },
    ]);
  });

  it("creates a WebSocket API with the route selection expression it is given", async () => {
    await start();
    const created = await client.send(
      new CreateApiCommand({
        Name: "chat",
        ProtocolType: "WEBSOCKET",
        RouteSelectionExpression: "$request.body.action",
      }),
    );
    expect(created).toMatchObject({
      ProtocolType: "WEBSOCKET",
      RouteSelectionExpression: "$request.body.action",
    });
    expect(created.Tags).toBeUndefined();
  });

  it.each([
    [
      "a WebSocket API without a route selection expression",
      { Name: "chat", ProtocolType: "WEBSOCKET" },
      "RouteSelectionExpression is required for WEBSOCKET APIs",
    ],
    [
      "an HTTP API with another route selection expression",
      { Name: "orders", ProtocolType: "HTTP", RouteSelectionExpression: "$request.body.action" },
      `RouteSelectionExpression must be ${HTTP_ROUTES} for HTTP APIs`,
    ],
    [
      "a quick create, which the emulator does not model",
      { Name: "orders", ProtocolType: "HTTP", Target: "https://example.com" },
      "The emulator does not model quick create (CreateApi with target); see emulator/create-api.ts",
    ],
    ["an API without a name", { ProtocolType: "HTTP" }, "Name is required"],
  ])("refuses %s with a 400 and stores nothing", async (_, input, message) => {
    await start();
    expect(await refusal(client.send(new CreateApiCommand(input as never)))).toEqual({
      name: "BadRequestException",
      message,
      status: 400,
    });
    expect((await client.send(new GetApisCommand({}))).Items).toEqual([]);
  });
});

describe("DeleteApi", () => {
  it("deletes the API with its integrations, answering 204, and is a 404 for an API that is not there", async () => {
    await start();
    const keep = emulator.addApi({ name: "orders", protocolType: "HTTP" }).apiId;
    const gone = emulator.addApi({ name: "scratch", protocolType: "HTTP" }).apiId;
    await client.send(
      new CreateIntegrationCommand({
        ApiId: gone,
        IntegrationType: "HTTP_PROXY",
        IntegrationMethod: "GET",
        IntegrationUri: "https://example.com",
      }),
    );
    const deleted = await client.send(new DeleteApiCommand({ ApiId: gone }));
    expect(deleted.$metadata.httpStatusCode).toBe(204);
    expect(emulator.getApi(gone)).toBeUndefined();
    expect(await refusal(client.send(new GetApiCommand({ ApiId: gone })))).toMatchObject({
      name: "NotFoundException",
      status: 404,
    });
    expect(await refusal(client.send(new GetIntegrationsCommand({ ApiId: gone })))).toMatchObject({
      status: 404,
    });
    expect(await refusal(client.send(new DeleteApiCommand({ ApiId: gone })))).toEqual({
      name: "NotFoundException",
      message: `Invalid API identifier specified ${gone}`,
      status: 404,
    });
    expect(emulator.getApi(keep)?.name).toBe("orders");
    expect(emulator.calls.filter({ operation: "DeleteApi" }).map((r) => [r.apiId, r.status])).toEqual([
      [gone, 204],
      [gone, 404],
    ]);
  });
});

describe("starting from a probe result", () => {
  it("takes each observed reading, keeps the default where the probe could not tell, and says so", async () => {
    await start({
      probe: {
        probedAt: "2026-03-01T10:00:00.000Z",
        region: "eu-west-1",
        behaviours: {
          "requestTemplates.patch": { observed: "merge", evidence: "kept application/json" },
          "getIntegrations.maxPageSize": { observed: 100, evidence: "maxResults=500 refused" },
          "throttle.refusedSpendsQuota": { observed: "unknown", evidence: "not probed" },
          "someday.newBehaviour": { observed: "x", evidence: "a newer probe" },
        },
      },
      behaviour: { "description.emptyString": "stored" },
    });
    expect(emulator.behaviour).toMatchObject({
      "requestTemplates.patch": "merge",
      "getIntegrations.maxPageSize": 100,
      "throttle.refusedSpendsQuota": false,
      "description.emptyString": "stored",
    });
    expect(emulator.probeWarnings).toEqual([
      "behaviour throttle.refusedSpendsQuota was not settled by the probe; keeping false",
      'ignoring unknown behaviour "someday.newBehaviour"',
    ]);
  });

  it.each(["all-defaults", "moto-like", "strict", "mixed"])(
    "takes every reading %s.json settles",
    async (fixture) => {
      const probe = JSON.parse(readFileSync(`test/fixtures/probe/${fixture}.json`, "utf8"));
      await start({ probe });
      for (const [name, entry] of Object.entries(probe.behaviours as Record<string, { observed: unknown }>)) {
        const want =
          entry.observed === "unknown" ? BEHAVIOURS[name as BehaviourName].default : entry.observed;
        expect({ name, reading: emulator.behaviour[name as BehaviourName] }).toEqual({ name, reading: want });
      }
    },
  );

  it("refuses a probe result with a value the behaviour does not take", async () => {
    await expect(
      startEmulator({ probe: { behaviours: { "requestParameters.patch": { observed: "sometimes" } } } }),
    ).rejects.toThrow('behaviour requestParameters.patch takes merge | replace, not "sometimes"');
  });
});
