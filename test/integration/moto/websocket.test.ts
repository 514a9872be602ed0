import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import {
  createApi,
  createIntegration,
  createRoute,
  drift,
  liveIntegrations,
  motoTool,
  operations,
  useMoto,
} from "../../helpers/moto.ts";
import { editFile, resultFor, useCli } from "../../helpers/moto-cli.ts";

const LAMBDA_URI =
  "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:chat/invocations";

describe.runIf(motoTool().available)("WebSocket API round trips against moto", () => {
  const moto = useMoto();
  const { importApi, plan, apply } = useCli();

  /**
   * A chat API: a Lambda behind request templates, an HTTP proxy, a mock. Timeouts are seeded explicitly:
   * moto fills 30000 for a WebSocket HTTP_PROXY left without one (AWS: 29000, the WebSocket maximum).
   */
  async function seedWebSocketApi() {
    const client = moto.server.client;
    const apiId = await createApi(client, "chat", "WEBSOCKET");
    const lambda = await createIntegration(client, apiId, {
      IntegrationType: "AWS",
      IntegrationUri: LAMBDA_URI,
      IntegrationMethod: "POST",
      Description: "chat messages",
      TimeoutInMillis: 20000,
      PassthroughBehavior: "WHEN_NO_TEMPLATES",
      ContentHandlingStrategy: "CONVERT_TO_TEXT",
      TemplateSelectionExpression: "\\$default",
      RequestTemplates: { "application/json": '{"action":"$input.json(\'$.action\')"}' },
    });
    const proxy = await createIntegration(client, apiId, {
      IntegrationType: "HTTP_PROXY",
      IntegrationUri: "https://chat.example.com/messages",
      IntegrationMethod: "POST",
      TimeoutInMillis: 15000,
      RequestParameters: { "integration.request.header.x-env": "'prod'" },
    });
    const mock = await createIntegration(client, apiId, {
      IntegrationType: "MOCK",
      RequestTemplates: { "application/json": '{"statusCode": 200}' },
    });
    const imported = await importApi(apiId);
    expect(imported.code).toBe(0);
    return { apiId, lambda, proxy, mock, file: imported.file };
  }

  it("imports an API so that a plan right after it is in sync", async () => {
    const { apiId, lambda, proxy, mock, file } = await seedWebSocketApi();
    const lines: Record<string, string[]> = {
      [lambda]: [
        "    description: chat messages",
        "    integrationType: AWS",
        `    integrationUri: ${LAMBDA_URI}`,
        "    timeoutInMillis: 20000",
        "    passthroughBehavior: WHEN_NO_TEMPLATES",
        "    contentHandlingStrategy: CONVERT_TO_TEXT",
        "    templateSelectionExpression: \\$default",
        "    requestTemplates:",
        `      application/json: "{\\"action\\":\\"$input.json('$.action')\\"}"`,
      ],
      [proxy]: [
        "    integrationType: HTTP_PROXY",
        "    integrationUri: https://chat.example.com/messages",
        "    integrationMethod: POST",
        "    timeoutInMillis: 15000",
        "    requestParameters:",
        "      integration.request.header.x-env: \"'prod'\"",
      ],
      // moto's 29000 timeout, WHEN_NO_MATCH passthrough and response selection expression are defaults
      // or read-only, so import leaves them out.
      [mock]: [
        "    integrationType: MOCK",
        "    requestTemplates:",
        "      application/json: '{\"statusCode\": 200}'",
      ],
    };
    expect(await readFile(file, "utf8")).toBe(
      [
        "# yaml-language-server: $schema=../schema/desired-state.schema.json",
        `apiId: ${apiId}`,
        "protocol: WEBSOCKET",
        'account: "123456789012"',
        "region: eu-west-1",
        "integrations:",
        ...[lambda, proxy, mock].sort().flatMap((id) => [`  ${id}:`, ...lines[id]!]),
        "",
      ].join("\n"),
    );
    const run = await plan();
    expect(run.report.status).toBe("IN_SYNC");
    expect(run.report.summary.IN_SYNC).toBe(3);
    expect(run.code).toBe(0);
  });

  it("reports drift made through the SDK field by field, applies exactly that, and converges", async () => {
    const { apiId, lambda, proxy, mock } = await seedWebSocketApi();
    const client = moto.server.client;
    await drift(client, apiId, lambda, {
      Description: "edited by hand",
      // The whole map, as moto replaces it: one template changed, one added.
      RequestTemplates: { "application/json": '{"action":"ping"}', "text/plain": "$input.body" },
    });
    await drift(client, apiId, proxy, {
      TimeoutInMillis: 29000,
      RequestParameters: {
        "integration.request.header.x-env": "'prod'",
        "integration.request.querystring.debug": "'true'",
      },
    });
    await drift(client, apiId, mock, { PassthroughBehavior: "NEVER" });

    const drifted = await plan();
    expect(drifted.code).toBe(2);
    expect(resultFor(drifted.report, lambda).diffs).toEqual([
      { path: "/description", kind: "changed", expected: "chat messages", actual: "edited by hand" },
      {
        path: "/requestTemplates/application~1json",
        kind: "changed",
        expected: '{"action":"$input.json(\'$.action\')"}',
        actual: '{"action":"ping"}',
      },
      { path: "/requestTemplates/text~1plain", kind: "added", actual: "$input.body" },
    ]);
    expect(resultFor(drifted.report, proxy).diffs).toEqual([
      { path: "/requestParameters/integration.request.querystring.debug", kind: "added", actual: "'true'" },
      { path: "/timeoutInMillis", kind: "changed", expected: 15000, actual: 29000 },
    ]);
    // The file does not declare passthroughBehavior for the mock, so it does not own it: no drift.
    expect(resultFor(drifted.report, mock).status).toBe("IN_SYNC");

    const applied = await apply();
    expect(applied.code).toBe(0);
    expect(applied.report.status).toBe("RECONCILED");
    expect(operations(applied.sent)).toEqual([
      "GetApi",
      "GetIntegrations",
      "UpdateIntegration",
      "UpdateIntegration",
    ]);
    const updates = Object.fromEntries(
      applied.sent
        .filter((c) => c.operation === "UpdateIntegration")
        .map((c) => [String(c.input.IntegrationId), c.input]),
    );
    expect(updates[lambda]).toEqual({
      ApiId: apiId,
      IntegrationId: lambda,
      Description: "chat messages",
      // Templates: the whole desired map, never a "" marker (an empty template is a valid body).
      RequestTemplates: { "application/json": '{"action":"$input.json(\'$.action\')"}' },
    });
    expect(updates[proxy]).toEqual({
      ApiId: apiId,
      IntegrationId: proxy,
      RequestParameters: {
        "integration.request.header.x-env": "'prod'",
        "integration.request.querystring.debug": "",
      },
      TimeoutInMillis: 15000,
    });
    const live = await liveIntegrations(client, apiId);
    expect(live[lambda]?.RequestTemplates).toEqual({
      "application/json": '{"action":"$input.json(\'$.action\')"}',
    });
    expect(live[proxy]?.RequestParameters).toEqual({ "integration.request.header.x-env": "'prod'" });
    expect((await plan()).report.status).toBe("IN_SYNC");
  });

  it("prunes an undeclared integration and skips one a route targets", async () => {
    const { apiId, lambda, proxy, mock, file } = await seedWebSocketApi();
    const client = moto.server.client;
    const stray = await createIntegration(client, apiId, { IntegrationType: "MOCK" });
    const routed = await createIntegration(client, apiId, { IntegrationType: "MOCK" });
    await createRoute(client, apiId, "$default", routed);
    await editFile(file, "region: eu-west-1\n", "region: eu-west-1\nprune: true\n");

    const applied = await apply();
    expect(applied.report.status).toBe("RECONCILED");
    expect(resultFor(applied.report, stray).status).toBe("DELETED");
    expect(resultFor(applied.report, routed).status).toBe("SKIPPED_IN_USE");
    expect(operations(applied.sent)).toEqual(["GetApi", "GetIntegrations", "GetRoutes", "DeleteIntegration"]);
    expect(applied.sent[3]?.input).toEqual({ ApiId: apiId, IntegrationId: stray });
    expect(Object.keys(await liveIntegrations(client, apiId)).sort()).toEqual(
      [lambda, proxy, mock, routed].sort(),
    );
    expect((await plan()).report.status).toBe("IN_SYNC");
  });

  // PRODUCT §2, service-facts #19: WebSocket APIs have private integrations, connectionType VPC_LINK with
  // connectionId = the id of a REST-API VPC link; import keeps it and a changed one is drift.
  it("imports a WebSocket private integration with its connectionId, and reports a changed one", async () => {
    const client = moto.server.client;
    const apiId = await createApi(client, "chat-private", "WEBSOCKET");
    const vpc = await createIntegration(client, apiId, {
      IntegrationType: "HTTP_PROXY",
      IntegrationUri: "https://nlb.internal.example.com/chat",
      IntegrationMethod: "POST",
      ConnectionType: "VPC_LINK",
      ConnectionId: "rest0vl",
      TimeoutInMillis: 15000,
    });
    const imported = await importApi(apiId);
    expect(imported.code).toBe(0);
    expect(await readFile(imported.file, "utf8")).toContain(
      "    connectionType: VPC_LINK\n    connectionId: rest0vl\n",
    );
    await drift(client, apiId, vpc, { ConnectionId: "rest1vl" });
    expect(resultFor((await plan()).report, vpc).diffs).toEqual([
      { path: "/connectionId", kind: "changed", expected: "rest0vl", actual: "rest1vl" },
    ]);
  });
});
