import {
  ApiGatewayV2Client,
  DeleteIntegrationCommand,
  GetApiCommand,
  GetIntegrationCommand,
  GetIntegrationsCommand,
  GetRoutesCommand,
  UpdateIntegrationCommand,
} from "@aws-sdk/client-apigatewayv2";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { GatewayError } from "../../../lib/apigateway/errors.ts";
import { SdkGateway } from "../../../lib/apigateway/gateway.ts";
import { RateLimiter } from "../../../lib/apigateway/limiter.ts";

const sdk = mockClient(ApiGatewayV2Client);
const client = new ApiGatewayV2Client({
  region: "eu-west-1",
  credentials: { accessKeyId: "a", secretAccessKey: "b" },
});
const gateway = () => new SdkGateway(client, new RateLimiter({ rate: 1000 }));
const serviceError = (name: string, status: number) =>
  Object.assign(new Error(`${name} message`), { name, $metadata: { httpStatusCode: status } });

beforeEach(() => sdk.reset());

describe(SdkGateway.name, () => {
  it("follows nextToken through every page at the largest page size", async () => {
    sdk
      .on(GetIntegrationsCommand, { ApiId: "api", NextToken: undefined })
      .resolves({ Items: [{ IntegrationId: "a" }], NextToken: "t1" })
      .on(GetIntegrationsCommand, { ApiId: "api", NextToken: "t1" })
      .resolves({ Items: [{ IntegrationId: "b" }] });
    const items = await gateway().listIntegrations("api");
    expect(items.map((i) => i.integrationId)).toEqual(["a", "b"]);
    const calls = sdk.commandCalls(GetIntegrationsCommand).map((c) => c.args[0].input);
    expect(calls).toEqual([
      { ApiId: "api", NextToken: undefined, MaxResults: "500" },
      { ApiId: "api", NextToken: "t1", MaxResults: "500" },
    ]);
  });

  it("falls back to the service's page size when it refuses ours", async () => {
    sdk
      .on(GetRoutesCommand, { MaxResults: "500" })
      .rejects(serviceError("BadRequestException", 400))
      .on(GetRoutesCommand, { MaxResults: undefined })
      .resolves({ Items: [{ RouteId: "r1", RouteKey: "GET /", Target: "integrations/a" }] });
    expect(await gateway().listRoutes("api")).toEqual([{ routeId: "r1", target: "integrations/a" }]);
    expect(sdk.commandCalls(GetRoutesCommand)).toHaveLength(2);
  });

  it("translates SDK members into the API's wire names, keeping map keys", async () => {
    sdk.on(GetIntegrationCommand).resolves({
      $metadata: {},
      IntegrationId: "a",
      IntegrationType: "HTTP_PROXY",
      TimeoutInMillis: 5000,
      TlsConfig: { ServerNameToVerify: "x.example.com" },
      RequestParameters: { "overwrite:header.X-Env": "prod" },
      ResponseParameters: { "200": { "overwrite:statuscode": "204" } },
    });
    expect(await gateway().getIntegration("api", "a")).toEqual({
      integrationId: "a",
      integrationType: "HTTP_PROXY",
      timeoutInMillis: 5000,
      tlsConfig: { serverNameToVerify: "x.example.com" },
      requestParameters: { "overwrite:header.X-Env": "prod" },
      responseParameters: { "200": { "overwrite:statuscode": "204" } },
    });
  });

  it("sends an update in SDK members and returns the integration as the service holds it", async () => {
    sdk.on(UpdateIntegrationCommand).resolves({ $metadata: {}, IntegrationId: "a", Description: "d" });
    const after = await gateway().updateIntegration("api", "a", {
      description: "d",
      tlsConfig: {},
      requestParameters: { "overwrite:header.a": "" },
    });
    expect(after).toEqual({ integrationId: "a", description: "d" });
    expect(sdk.commandCalls(UpdateIntegrationCommand)[0]?.args[0].input).toEqual({
      ApiId: "api",
      IntegrationId: "a",
      Description: "d",
      TlsConfig: {},
      RequestParameters: { "overwrite:header.a": "" },
    });
  });

  it("answers undefined for an API or integration that does not exist", async () => {
    sdk.on(GetApiCommand).rejects(serviceError("NotFoundException", 404));
    sdk.on(GetIntegrationCommand).rejects(serviceError("NotFoundException", 404));
    expect(await gateway().getApi("api")).toBeUndefined();
    expect(await gateway().getIntegration("api", "a")).toBeUndefined();
  });

  it("reads an API's protocol", async () => {
    sdk.on(GetApiCommand).resolves({ ApiId: "api", Name: "orders", ProtocolType: "WEBSOCKET" });
    expect(await gateway().getApi("api")).toEqual({
      apiId: "api",
      name: "orders",
      protocolType: "WEBSOCKET",
    });
  });

  it("reports a delete of something already gone as not-found", async () => {
    sdk.on(DeleteIntegrationCommand).rejectsOnce(serviceError("NotFoundException", 404)).resolves({});
    expect(await gateway().deleteIntegration("api", "a")).toBe("not-found");
    expect(await gateway().deleteIntegration("api", "a")).toBe("deleted");
  });

  it("wraps other failures with the operation, API and integration", async () => {
    sdk.on(UpdateIntegrationCommand).rejects(serviceError("ConflictException", 409));
    const error = await gateway()
      .updateIntegration("api", "a", { description: "x" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({
      operation: "UpdateIntegration",
      apiId: "api",
      integrationId: "a",
      failure: "conflict",
      errorName: "ConflictException",
      message: "UpdateIntegration api/a failed: ConflictException: ConflictException message",
    });
  });

  it("fails an update of an integration deleted meanwhile", async () => {
    sdk.on(UpdateIntegrationCommand).rejects(serviceError("NotFoundException", 404));
    await expect(gateway().updateIntegration("api", "a", { description: "x" })).rejects.toMatchObject({
      failure: "not-found",
      errorName: "NotFoundException",
    });
  });

  it("fails a listing that fails, naming the API", async () => {
    sdk.on(GetIntegrationsCommand).rejects(serviceError("TooManyRequestsException", 429));
    await expect(gateway().listIntegrations("api")).rejects.toMatchObject({
      failure: "throttling",
      message: "GetIntegrations api failed: TooManyRequestsException: TooManyRequestsException message",
    });
  });
});
