import {
  CreateApiCommand,
  CreateIntegrationCommand,
  DeleteIntegrationCommand,
  GetApisCommand,
  GetIntegrationCommand,
  GetIntegrationsCommand,
  GetRoutesCommand,
  UpdateIntegrationCommand,
} from "@aws-sdk/client-apigatewayv2";
import { describe, expect, it } from "vitest";
import {
  createApi,
  createIntegration,
  createRoute,
  drift,
  liveIntegrations,
  motoTool,
  useMoto,
} from "../../helpers/moto.ts";
import { useCli } from "../../helpers/moto-cli.ts";

/**
 * Where moto 5.2.1 is simpler than API Gateway, each as the README's "moto as a second backend" lists it
 * (with the source line in moto/apigatewayv2/models.py). These pin moto, not the product: when one fails
 * after a moto upgrade, update the README row and the round-trip tests that rely on it.
 */
describe.runIf(motoTool().available)("moto's API Gateway v2, where it is simpler than AWS", () => {
  const moto = useMoto();
  const { importApi } = useCli();
  const proxy = (uri: string) =>
    ({ IntegrationType: "HTTP_PROXY", IntegrationUri: uri, IntegrationMethod: "GET" }) as const;

  it("answers every list in one page, ignoring maxResults, with no nextToken", async () => {
    const client = moto.server.client;
    const apiId = await createApi(client, "one", "HTTP");
    await createApi(client, "two", "WEBSOCKET");
    const ids = [
      await createIntegration(client, apiId, proxy("https://a.example.com")),
      await createIntegration(client, apiId, proxy("https://b.example.com")),
      await createIntegration(client, apiId, proxy("https://c.example.com")),
    ];
    await createRoute(client, apiId, "GET /a", ids[0]!);
    await createRoute(client, apiId, "GET /b", ids[1]!);
    const integrations = await client.send(new GetIntegrationsCommand({ ApiId: apiId, MaxResults: "1" }));
    expect(integrations.Items?.map((i) => i.IntegrationId)).toEqual(ids);
    expect(integrations.NextToken).toBeUndefined();
    const routes = await client.send(new GetRoutesCommand({ ApiId: apiId, MaxResults: "1" }));
    expect(routes.Items).toHaveLength(2);
    expect(routes.NextToken).toBeUndefined();
    const apis = await client.send(new GetApisCommand({ MaxResults: "1" }));
    expect(apis.Items?.map((a) => [a.Name, a.ProtocolType])).toEqual([
      ["one", "HTTP"],
      ["two", "WEBSOCKET"],
    ]);
    expect(apis.NextToken).toBeUndefined();
  });

  it("makes random ids of 8 lowercase letters for APIs, integrations and routes", async () => {
    const client = moto.server.client;
    const apiId = await createApi(client, "ids", "HTTP");
    const integrationId = await createIntegration(client, apiId, proxy("https://a.example.com"));
    const routeId = await createRoute(client, apiId, "GET /a", integrationId);
    for (const id of [apiId, integrationId, routeId]) expect(id).toMatch(/^[a-z]{8}$/);
  });

  it("replaces requestParameters whole on update and drops the keys sent with an empty value", async () => {
    const client = moto.server.client;
    const apiId = await createApi(client, "params", "HTTP");
    const id = await createIntegration(client, apiId, {
      ...proxy("https://a.example.com"),
      RequestParameters: { "overwrite:header.a": "1", "overwrite:header.b": "2" },
    });
    await drift(client, apiId, id, {
      RequestParameters: { "overwrite:header.b": "", "overwrite:header.c": "3" },
    });
    expect((await liveIntegrations(client, apiId))[id]?.RequestParameters).toEqual({
      "overwrite:header.c": "3",
    });
  });

  it("replaces requestTemplates whole on update and stores an empty template as one", async () => {
    const client = moto.server.client;
    const apiId = await createApi(client, "templates", "WEBSOCKET");
    const id = await createIntegration(client, apiId, {
      IntegrationType: "MOCK",
      RequestTemplates: { "application/json": "{}", "text/plain": "x" },
    });
    await drift(client, apiId, id, { RequestTemplates: { "text/plain": "" } });
    expect((await liveIntegrations(client, apiId))[id]?.RequestTemplates).toEqual({ "text/plain": "" });
  });

  it("replaces responseParameters whole on update and keeps a status code sent as {}", async () => {
    const client = moto.server.client;
    const apiId = await createApi(client, "responses", "HTTP");
    const id = await createIntegration(client, apiId, {
      ...proxy("https://a.example.com"),
      ResponseParameters: {
        "404": { "overwrite:statuscode": "410" },
        "500": { "overwrite:statuscode": "503" },
      },
    });
    await drift(client, apiId, id, { ResponseParameters: { "404": {} } });
    expect((await liveIntegrations(client, apiId))[id]?.ResponseParameters).toEqual({ "404": {} });
  });

  it("stores and echoes an empty tlsConfig and an empty description, and keeps tlsConfig on INTERNET", async () => {
    const client = moto.server.client;
    const apiId = await createApi(client, "tls", "HTTP");
    const id = await createIntegration(client, apiId, {
      ...proxy("https://a.example.com"),
      Description: "d",
      TlsConfig: { ServerNameToVerify: "a.example.com" },
    });
    // AWS ignores tlsConfig on an INTERNET integration (service-facts #9); moto keeps it.
    expect((await liveIntegrations(client, apiId))[id]?.TlsConfig).toEqual({
      ServerNameToVerify: "a.example.com",
    });
    await drift(client, apiId, id, { TlsConfig: {}, Description: "" });
    const live = (await liveIntegrations(client, apiId))[id];
    expect(live?.TlsConfig).toEqual({});
    expect(live?.Description).toBe("");
  });

  it("fills timeoutInMillis by integration type, not by protocol: 30000 on a WebSocket HTTP_PROXY", async () => {
    const client = moto.server.client;
    const ws = await createApi(client, "ws", "WEBSOCKET");
    const http = await createApi(client, "http", "HTTP");
    const timeout = async (apiId: string, type: "AWS" | "MOCK" | "HTTP_PROXY" | "AWS_PROXY") => {
      const id = await createIntegration(client, apiId, {
        IntegrationType: type,
        ...(type === "MOCK" ? {} : { IntegrationUri: "https://a.example.com" }),
      });
      return (await liveIntegrations(client, apiId))[id]?.TimeoutInMillis;
    };
    expect(await timeout(ws, "AWS")).toBe(29000);
    expect(await timeout(ws, "MOCK")).toBe(29000);
    expect(await timeout(ws, "HTTP_PROXY")).toBe(30000);
    expect(await timeout(ws, "AWS_PROXY")).toBe(30000);
    expect(await timeout(http, "HTTP_PROXY")).toBe(30000);
  });

  it("makes import of a WebSocket HTTP_PROXY without a seeded timeout refuse moto's 30000", async () => {
    const client = moto.server.client;
    const apiId = await createApi(client, "ws-default-timeout", "WEBSOCKET");
    const id = await createIntegration(client, apiId, {
      IntegrationType: "HTTP_PROXY",
      IntegrationUri: "https://a.example.com",
      IntegrationMethod: "POST",
    });
    const imported = await importApi(apiId);
    expect(imported.code).toBe(1);
    expect(imported.err).toBe(
      [
        "the imported state does not validate; nothing was written:",
        `${imported.file}:11:22 /integrations/${id}/timeoutInMillis timeoutInMillis 30000 is out of range: WebSocket APIs take 50 to 29000 ms`,
        "",
      ].join("\n"),
    );
  });

  it("fills integrationMethod POST for any URI without one and passthroughBehavior for AWS, HTTP and MOCK", async () => {
    const client = moto.server.client;
    const ws = await createApi(client, "defaults", "WEBSOCKET");
    const proxyId = await createIntegration(client, ws, {
      IntegrationType: "HTTP_PROXY",
      IntegrationUri: "https://a.example.com",
    });
    const mockId = await createIntegration(client, ws, { IntegrationType: "MOCK" });
    const live = await liveIntegrations(client, ws);
    // AWS requires a method on HTTP_PROXY; moto invents POST. Neither connectionType (AWS: INTERNET) nor a
    // WebSocket payloadFormatVersion (AWS: 1.0, service-facts #22) is filled.
    expect(live[proxyId]).toEqual({
      IntegrationId: proxyId,
      IntegrationMethod: "POST",
      IntegrationType: "HTTP_PROXY",
      IntegrationUri: "https://a.example.com",
      TimeoutInMillis: 30000,
    });
    expect(live[mockId]).toEqual({
      IntegrationId: mockId,
      // biome-ignore lint/suspicious/noTemplateCurlyInString: an API Gateway selection expression, not a template
      IntegrationResponseSelectionExpression: "${integration.response.statuscode}",
      IntegrationType: "MOCK",
      PassthroughBehavior: "WHEN_NO_MATCH",
      TimeoutInMillis: 29000,
    });
  });

  it("validates nothing: out-of-range timeouts, unknown types and the other protocol's types pass", async () => {
    const client = moto.server.client;
    const apiId = await createApi(client, "lax", "HTTP");
    const id = await createIntegration(client, apiId, {
      ...proxy("https://a.example.com"),
      TimeoutInMillis: 99999,
    });
    const bogus = await createIntegration(client, apiId, { IntegrationType: "BOGUS" as never });
    const wsOnly = await createIntegration(client, apiId, { IntegrationType: "MOCK" });
    const live = await liveIntegrations(client, apiId);
    expect(live[id]?.TimeoutInMillis).toBe(99999);
    expect(live[bogus]?.IntegrationType).toBe("BOGUS");
    expect(live[wsOnly]?.IntegrationType).toBe("MOCK");
  });

  it("deletes an integration a route targets and leaves the route pointing at it (AWS: 409)", async () => {
    const client = moto.server.client;
    const apiId = await createApi(client, "routed", "HTTP");
    const id = await createIntegration(client, apiId, proxy("https://a.example.com"));
    await createRoute(client, apiId, "GET /a", id);
    await client.send(new DeleteIntegrationCommand({ ApiId: apiId, IntegrationId: id }));
    expect(await liveIntegrations(client, apiId)).toEqual({});
    const routes = await client.send(new GetRoutesCommand({ ApiId: apiId }));
    expect(routes.Items?.map((r) => r.Target)).toEqual([`integrations/${id}`]);
  });

  it("answers a delete of a missing integration with 200 and an update of one with a 500 page", async () => {
    const client = moto.server.client;
    const apiId = await createApi(client, "missing", "HTTP");
    const deleted = await client.send(new DeleteIntegrationCommand({ ApiId: apiId, IntegrationId: "nope" }));
    // AWS answers 404 NotFoundException, and 204 to a delete that did delete something.
    expect(deleted.$metadata.httpStatusCode).toBe(200);
    const update = client.send(
      new UpdateIntegrationCommand({ ApiId: apiId, IntegrationId: "nope", Description: "x" }),
    );
    await expect(update).rejects.toMatchObject({ $metadata: { httpStatusCode: 500 } });
    // GetIntegration does answer as AWS does.
    await expect(
      client.send(new GetIntegrationCommand({ ApiId: apiId, IntegrationId: "nope" })),
    ).rejects.toMatchObject({
      name: "NotFoundException",
      message: "Invalid Integration identifier specified nope",
    });
  });

  it("takes an AWS-service update without integrationSubtype, and an empty request parameter on it", async () => {
    const client = moto.server.client;
    const apiId = await createApi(client, "sqs", "HTTP");
    const id = await createIntegration(client, apiId, {
      IntegrationType: "AWS_PROXY",
      IntegrationSubtype: "SQS-SendMessage",
      CredentialsArn: "arn:aws:iam::123456789012:role/r",
      PayloadFormatVersion: "1.0",
      RequestParameters: { QueueUrl: "https://sqs.eu-west-1.amazonaws.com/123456789012/q", MessageBody: "x" },
    });
    // AWS: 400 "Invalid integration URI specified" (service-facts #17) and 400 "Mapping expression missing
    // source or destination" (#11).
    await drift(client, apiId, id, {
      RequestParameters: {
        QueueUrl: "https://sqs.eu-west-1.amazonaws.com/123456789012/q",
        MessageBody: "",
      },
    });
    expect((await liveIntegrations(client, apiId))[id]).toMatchObject({
      IntegrationSubtype: "SQS-SendMessage",
      RequestParameters: { QueueUrl: "https://sqs.eu-west-1.amazonaws.com/123456789012/q" },
    });
  });

  it("has no quick create: CreateApi with a target makes no (managed) integration", async () => {
    const client = moto.server.client;
    const api = await client.send(
      new CreateApiCommand({
        Name: "quick",
        ProtocolType: "HTTP",
        Target: "arn:aws:lambda:eu-west-1:123456789012:function:f",
      }),
    );
    expect(await liveIntegrations(client, api.ApiId!)).toEqual({});
  });

  it("answers CreateIntegration with 200 (AWS: 201)", async () => {
    const client = moto.server.client;
    const apiId = await createApi(client, "created", "HTTP");
    const created = await client.send(
      new CreateIntegrationCommand({ ApiId: apiId, ...proxy("https://a.example.com") }),
    );
    expect(created.$metadata.httpStatusCode).toBe(200);
  });
});
