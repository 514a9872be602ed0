/**
 * The emulator speaks API Gateway v2's restJson1 to the real SDK client: listing, defaults, the PATCH
 * merge with its removal encodings, validation, deletes and the call log. Faults: emulator-faults.test.ts.
 */
import {
  ApiGatewayV2Client,
  BadRequestException,
  ConflictException,
  CreateIntegrationCommand,
  DeleteIntegrationCommand,
  GetApiCommand,
  GetApisCommand,
  GetIntegrationCommand,
  GetIntegrationsCommand,
  GetRoutesCommand,
  type Integration,
  NotFoundException,
  UpdateIntegrationCommand,
  type UpdateIntegrationRequest,
} from "@aws-sdk/client-apigatewayv2";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Emulator, startEmulator } from "../../emulator/server.ts";

let emulator: Emulator;
let client: ApiGatewayV2Client;
let httpApi: string;
let wsApi: string;

beforeEach(async () => {
  emulator = await startEmulator({ seed: 42 });
  client = new ApiGatewayV2Client({
    endpoint: emulator.url,
    region: "eu-west-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts: 1,
  });
  httpApi = emulator.addApi({ name: "orders", protocolType: "HTTP" }).apiId;
  wsApi = emulator.addApi({ apiId: "wsapi00001", name: "chat", protocolType: "WEBSOCKET" }).apiId;
});

afterEach(async () => {
  client.destroy();
  await emulator.close();
});

const proxy = {
  integrationType: "HTTP_PROXY",
  integrationMethod: "ANY",
  integrationUri: "https://o.example",
};

function update(integrationId: string, fields: Omit<UpdateIntegrationRequest, "ApiId" | "IntegrationId">) {
  return client.send(
    new UpdateIntegrationCommand({ ApiId: httpApi, IntegrationId: integrationId, ...fields }),
  );
}

/** Every page of GetIntegrations, following nextToken as a paginator does. */
async function pages(apiId: string, maxResults?: string): Promise<Integration[][]> {
  const out: Integration[][] = [];
  let token: string | undefined;
  do {
    const page = await client.send(
      new GetIntegrationsCommand({ ApiId: apiId, MaxResults: maxResults, NextToken: token }),
    );
    out.push(page.Items ?? []);
    token = page.NextToken;
  } while (token);
  return out;
}

describe("listing", () => {
  it("pages integrations in insertion order and omits nextToken on the last page", async () => {
    const ids = Array.from({ length: 5 }, () => emulator.addIntegration(httpApi, proxy).integrationId);
    const got = await pages(httpApi, "2");
    expect(got.map((p) => p.length)).toEqual([2, 2, 1]);
    expect(got.flat().map((i) => i.IntegrationId)).toEqual(ids);
    expect(emulator.calls.filter({ operation: "GetIntegrations" }).map((c) => c.query.maxResults)).toEqual([
      "2",
      "2",
      "2",
    ]);
  });

  it("never skips an item when an earlier one is deleted between pages", async () => {
    const ids = Array.from({ length: 4 }, () => emulator.addIntegration(httpApi, proxy).integrationId);
    const first = await client.send(new GetIntegrationsCommand({ ApiId: httpApi, MaxResults: "2" }));
    emulator.removeIntegration(httpApi, ids[0]!);
    const second = await client.send(
      new GetIntegrationsCommand({ ApiId: httpApi, MaxResults: "2", NextToken: first.NextToken }),
    );
    expect(second.Items?.map((i) => i.IntegrationId)).toEqual(ids.slice(2));
  });

  it("returns 100 per page by default and refuses maxResults above 500 or a foreign token", async () => {
    for (let i = 0; i < 101; i++) emulator.addIntegration(httpApi, proxy);
    expect((await pages(httpApi)).map((p) => p.length)).toEqual([100, 1]);
    expect((await pages(httpApi, "500")).map((p) => p.length)).toEqual([101]);
    const tooBig = client.send(new GetIntegrationsCommand({ ApiId: httpApi, MaxResults: "501" }));
    await expect(tooBig).rejects.toBeInstanceOf(BadRequestException);
    const { NextToken } = await client.send(new GetIntegrationsCommand({ ApiId: httpApi, MaxResults: "1" }));
    const foreign = client.send(new GetIntegrationsCommand({ ApiId: wsApi, NextToken }));
    await expect(foreign).rejects.toThrow("Invalid nextToken");
  });

  it("lists APIs and routes and gets one API with its protocol", async () => {
    emulator.addRoute(httpApi, { routeKey: "GET /orders", target: "integrations/abc1234" });
    const apis = await client.send(new GetApisCommand({}));
    expect(apis.Items?.map((a) => [a.ApiId, a.ProtocolType])).toEqual([
      [httpApi, "HTTP"],
      [wsApi, "WEBSOCKET"],
    ]);
    const routes = await client.send(new GetRoutesCommand({ ApiId: httpApi }));
    expect(routes.Items).toMatchObject([{ RouteKey: "GET /orders", Target: "integrations/abc1234" }]);
    expect(await client.send(new GetApiCommand({ ApiId: wsApi }))).toMatchObject({ Name: "chat" });
    expect(httpApi).toMatch(/^[a-z0-9]{10}$/);
  });
});

describe("seeding", () => {
  it("serves drift injected out of band, past validation", async () => {
    const { integrationId } = emulator.addIntegration(httpApi, proxy);
    emulator.overwriteIntegration(httpApi, integrationId, {
      timeoutInMillis: 99_999,
      connectionType: undefined,
    });
    const live = await client.send(
      new GetIntegrationCommand({ ApiId: httpApi, IntegrationId: integrationId }),
    );
    expect(live.TimeoutInMillis).toBe(99_999);
    expect(live.ConnectionType).toBeUndefined();
  });
});

describe("CreateIntegration", () => {
  it("fills the server defaults per protocol and answers 201 with a 7-character id", async () => {
    const http = await client.send(
      new CreateIntegrationCommand({
        ApiId: httpApi,
        IntegrationType: "HTTP_PROXY",
        IntegrationMethod: "ANY",
        IntegrationUri: "https://o.example",
      }),
    );
    expect(http).toMatchObject({ ConnectionType: "INTERNET", TimeoutInMillis: 30_000 });
    expect(http.$metadata.httpStatusCode).toBe(201);
    expect(http.IntegrationId).toMatch(/^[a-z0-9]{7}$/);
    const ws = await client.send(new CreateIntegrationCommand({ ApiId: wsApi, IntegrationType: "MOCK" }));
    expect(ws).toMatchObject({ ConnectionType: "INTERNET", TimeoutInMillis: 29_000 });
    expect(emulator.getIntegration(wsApi, ws.IntegrationId!)).toMatchObject({ timeoutInMillis: 29_000 });
  });

  it("generates the same ids from the same seed", async () => {
    const again = await startEmulator({ seed: 42 });
    try {
      expect(again.addApi({ name: "orders", protocolType: "HTTP" }).apiId).toBe(httpApi);
    } finally {
      await again.close();
    }
  });
});

describe("UpdateIntegration", () => {
  it("merges the sent fields into the stored ones and returns the result", async () => {
    const { integrationId } = emulator.addIntegration(httpApi, { ...proxy, description: "old" });
    const out = await update(integrationId, { TimeoutInMillis: 5000 });
    expect(out).toMatchObject({
      Description: "old",
      TimeoutInMillis: 5000,
      IntegrationUri: "https://o.example",
    });
    expect(emulator.getIntegration(httpApi, integrationId)).toMatchObject({ timeoutInMillis: 5000 });
  });

  it("removes a request parameter sent as an empty string and keeps the others", async () => {
    const requestParameters = { "overwrite:header.a": "1", "overwrite:header.b": "2" };
    const { integrationId } = emulator.addIntegration(httpApi, { ...proxy, requestParameters });
    const out = await update(integrationId, { RequestParameters: { "overwrite:header.a": "" } });
    expect(out.RequestParameters).toEqual({ "overwrite:header.b": "2" });
  });

  it("removes a responseParameters status code sent as {}", async () => {
    const responseParameters = {
      "200": { "overwrite:header.x": "1" },
      "404": { "overwrite:statuscode": "410" },
    };
    const { integrationId } = emulator.addIntegration(httpApi, { ...proxy, responseParameters });
    const out = await update(integrationId, { ResponseParameters: { "404": {} } });
    expect(out.ResponseParameters).toEqual({ "200": { "overwrite:header.x": "1" } });
  });

  it("removes tlsConfig sent as {} and a description sent as an empty string", async () => {
    const { integrationId } = emulator.addIntegration(httpApi, {
      ...proxy,
      connectionType: "VPC_LINK",
      connectionId: "vpclink1",
      tlsConfig: { serverNameToVerify: "o.example" },
      description: "private",
    });
    const out = await update(integrationId, { TlsConfig: {}, Description: "" });
    expect(out.TlsConfig).toBeUndefined();
    expect(out.Description).toBeUndefined();
    expect(emulator.getIntegration(httpApi, integrationId)).not.toHaveProperty("tlsConfig");
  });

  it("replaces requestTemplates whole by default and merges them when configured to", async () => {
    const requestTemplates = { "application/json": "a", "text/plain": "b" };
    const { integrationId } = emulator.addIntegration(wsApi, { integrationType: "MOCK", requestTemplates });
    const send = (t: Record<string, string>) =>
      client.send(
        new UpdateIntegrationCommand({ ApiId: wsApi, IntegrationId: integrationId, RequestTemplates: t }),
      );
    expect((await send({ "text/plain": "c" })).RequestTemplates).toEqual({ "text/plain": "c" });
    emulator.behaviour["requestTemplates.patch"] = "merge";
    expect((await send({ "application/json": "d" })).RequestTemplates).toEqual({
      "text/plain": "c",
      "application/json": "d",
    });
  });

  it("refuses a field of the other protocol and an out-of-range timeout with 400 and no change", async () => {
    const { integrationId } = emulator.addIntegration(httpApi, proxy);
    const before = emulator.getIntegration(httpApi, integrationId);
    await expect(update(integrationId, { RequestTemplates: { a: "b" } })).rejects.toThrow(
      "requestTemplates is not supported for HTTP APIs",
    );
    const tooLong = update(integrationId, { TimeoutInMillis: 30_001 });
    await expect(tooLong).rejects.toBeInstanceOf(BadRequestException);
    await expect(tooLong).rejects.toMatchObject({ $metadata: { httpStatusCode: 400 } });
    const ws = emulator.addIntegration(wsApi, { integrationType: "MOCK" }).integrationId;
    const wsUpdate = new UpdateIntegrationCommand({
      ApiId: wsApi,
      IntegrationId: ws,
      TimeoutInMillis: 29_001,
    });
    await expect(client.send(wsUpdate)).rejects.toBeInstanceOf(BadRequestException);
    expect(emulator.getIntegration(httpApi, integrationId)).toEqual(before);
  });

  it("refuses combinations and values the service refuses", async () => {
    const lambda = {
      integrationType: "AWS_PROXY",
      integrationUri: "arn:aws:lambda:eu-west-1:1:function:f",
      payloadFormatVersion: "2.0",
    };
    const { integrationId } = emulator.addIntegration(httpApi, lambda);
    await expect(update(integrationId, { IntegrationMethod: "GET" })).rejects.toThrow(
      "HttpMethod must be POST for AWS_PROXY IntegrationType",
    );
    const other = emulator.addIntegration(httpApi, proxy).integrationId;
    await expect(update(other, { PayloadFormatVersion: "2.0" })).rejects.toBeInstanceOf(BadRequestException);
    await expect(update(other, { ConnectionType: "CABLE" as "INTERNET" })).rejects.toThrow(
      'Invalid value for connectionType: "CABLE"',
    );
  });

  it("answers a malformed body with a 400 BadRequestException in restJson1 form", async () => {
    const { integrationId } = emulator.addIntegration(httpApi, proxy);
    const res = await fetch(`${emulator.url}/v2/apis/${httpApi}/integrations/${integrationId}`, {
      method: "PATCH",
      body: "{not json",
    });
    expect(res.status).toBe(400);
    expect(res.headers.get("x-amzn-errortype")).toBe("BadRequestException");
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(await res.json()).toEqual({ message: "Could not parse request body into json" });
    expect(emulator.calls.all().at(-1)).toMatchObject({ body: "{not json", status: 400 });
  });
});

describe("DeleteIntegration and missing resources", () => {
  it("deletes with 204, after which GetIntegration answers 404 NotFoundException", async () => {
    const { integrationId } = emulator.addIntegration(httpApi, proxy);
    const out = await client.send(
      new DeleteIntegrationCommand({ ApiId: httpApi, IntegrationId: integrationId }),
    );
    expect(out.$metadata.httpStatusCode).toBe(204);
    const get = client.send(new GetIntegrationCommand({ ApiId: httpApi, IntegrationId: integrationId }));
    await expect(get).rejects.toBeInstanceOf(NotFoundException);
    await expect(get).rejects.toMatchObject({
      ResourceType: "Integration",
      $metadata: { httpStatusCode: 404 },
    });
    const noApi = client.send(new GetIntegrationsCommand({ ApiId: "nosuchapi0" }));
    await expect(noApi).rejects.toMatchObject({ name: "NotFoundException", ResourceType: "Api" });
  });

  it("refuses to delete an integration API Gateway manages", async () => {
    const { integrationId } = emulator.addIntegration(httpApi, { ...proxy, apiGatewayManaged: true });
    const del = client.send(new DeleteIntegrationCommand({ ApiId: httpApi, IntegrationId: integrationId }));
    await expect(del).rejects.toBeInstanceOf(BadRequestException);
    expect(emulator.getIntegration(httpApi, integrationId)).toMatchObject({ apiGatewayManaged: true });
  });

  it("refuses with 409 ConflictException to delete an integration a route targets", async () => {
    const { integrationId } = emulator.addIntegration(httpApi, proxy);
    const { routeId } = emulator.addRoute(httpApi, {
      routeKey: "ANY /",
      target: `integrations/${integrationId}`,
    });
    const del = client.send(new DeleteIntegrationCommand({ ApiId: httpApi, IntegrationId: integrationId }));
    await expect(del).rejects.toBeInstanceOf(ConflictException);
    await expect(del).rejects.toThrow(
      `Cannot delete Integration because it is referenced by the following Routes with Ids: [${routeId}]`,
    );
    expect(emulator.getIntegration(httpApi, integrationId)).toBeDefined();
  });

  it("answers a path it does not serve with 404 NotFoundException", async () => {
    const res = await fetch(`${emulator.url}/v2/domainnames`);
    expect(res.status).toBe(404);
    expect(res.headers.get("x-amzn-errortype")).toBe("NotFoundException");
    expect(emulator.calls.all()).toMatchObject([{ operation: "Unknown", status: 404 }]);
  });
});

describe("call log", () => {
  it("records each call in order with its operation, ids, status and write body", async () => {
    const { integrationId } = emulator.addIntegration(httpApi, proxy);
    await client.send(new GetIntegrationsCommand({ ApiId: httpApi }));
    await update(integrationId, { Description: "d" });
    await expect(update("nosuch1", { Description: "d" })).rejects.toBeInstanceOf(NotFoundException);
    expect(emulator.calls.operations()).toEqual([
      "GetIntegrations",
      "UpdateIntegration",
      "UpdateIntegration",
    ]);
    expect(emulator.calls.all()[1]).toMatchObject({
      seq: 2,
      method: "PATCH",
      path: `/v2/apis/${httpApi}/integrations/${integrationId}`,
      apiId: httpApi,
      integrationId,
      status: 200,
      body: { description: "d" },
    });
    expect(emulator.calls.filter({ status: 404 })).toMatchObject([{ errorType: "NotFoundException" }]);
    expect(emulator.calls.count({ faulted: true })).toBe(0);
    emulator.calls.reset();
    expect(emulator.calls.all()).toEqual([]);
  });
});
