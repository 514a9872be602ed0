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

describe.runIf(motoTool().available)("HTTP API round trips against moto", () => {
  const moto = useMoto();
  const { importApi, plan, apply } = useCli();

  /** An HTTP API as a team runs it: a proxy with parameter mappings, a Lambda, a private integration. */
  async function seedHttpApi() {
    const client = moto.server.client;
    const apiId = await createApi(client, "orders", "HTTP");
    const proxy = await createIntegration(client, apiId, {
      IntegrationType: "HTTP_PROXY",
      IntegrationUri: "https://orders.example.com/{proxy}",
      IntegrationMethod: "ANY",
      PayloadFormatVersion: "1.0",
      TimeoutInMillis: 10000,
      Description: "orders backend",
      RequestParameters: { "overwrite:header.x-env": "prod" },
      ResponseParameters: { "404": { "overwrite:statuscode": "410" } },
    });
    const lambda = await createIntegration(client, apiId, {
      IntegrationType: "AWS_PROXY",
      IntegrationUri: "arn:aws:lambda:eu-west-1:123456789012:function:orders",
      PayloadFormatVersion: "2.0",
      TimeoutInMillis: 5000,
    });
    const vpc = await createIntegration(client, apiId, {
      IntegrationType: "HTTP_PROXY",
      IntegrationUri:
        "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/orders/50dc6c495c0c9188/0467ef3c8400ae65",
      IntegrationMethod: "GET",
      PayloadFormatVersion: "1.0",
      ConnectionType: "VPC_LINK",
      ConnectionId: "vl0abc1",
      TlsConfig: { ServerNameToVerify: "orders.internal.example.com" },
    });
    const imported = await importApi(apiId);
    expect(imported.code).toBe(0);
    return { apiId, proxy, lambda, vpc, file: imported.file };
  }

  it("imports an API so that a plan right after it is in sync", async () => {
    const { apiId, proxy, lambda, vpc, file } = await seedHttpApi();
    // moto's ids are random: the file is written from what moto holds, through the product's import.
    expect(await readFile(file, "utf8")).toBe(
      [
        "# yaml-language-server: $schema=../schema/desired-state.schema.json",
        `apiId: ${apiId}`,
        "protocol: HTTP",
        'account: "123456789012"',
        "region: eu-west-1",
        "integrations:",
        // Written in id order.
        ...[proxy, lambda, vpc].sort().flatMap((id) => integrationLines(id, { proxy, lambda, vpc })),
        "",
      ].join("\n"),
    );
    const run = await plan();
    expect(run.code).toBe(0);
    expect(run.report.status).toBe("IN_SYNC");
    expect(run.report.summary.IN_SYNC).toBe(3);
    expect(operations(run.sent)).toEqual(["GetApi", "GetIntegrations"]);
  });

  it("reports drift made through the SDK field by field, applies exactly that, and converges", async () => {
    const { apiId, proxy, lambda, vpc } = await seedHttpApi();
    const client = moto.server.client;
    // moto replaces a map whole on update, so each drift sends the whole map as the console would.
    await drift(client, apiId, proxy, {
      TimeoutInMillis: 12345,
      Description: "changed in the console",
      RequestParameters: { "overwrite:header.x-env": "prod", "append:header.x-debug": "1" },
      ResponseParameters: {
        "404": { "overwrite:statuscode": "404" },
        "500": { "overwrite:statuscode": "503" },
      },
    });
    await drift(client, apiId, vpc, { TlsConfig: { ServerNameToVerify: "other.internal.example.com" } });
    await drift(client, apiId, lambda, { TimeoutInMillis: 29000 });

    const drifted = await plan();
    expect(drifted.code).toBe(2);
    expect(drifted.report.status).toBe("DRIFTED");
    expect(resultFor(drifted.report, proxy)).toEqual({
      apiId,
      integrationId: proxy,
      status: "DRIFTED",
      action: "update",
      diffs: [
        {
          path: "/description",
          kind: "changed",
          expected: "orders backend",
          actual: "changed in the console",
        },
        { path: "/requestParameters/append:header.x-debug", kind: "added", actual: "1" },
        {
          path: "/responseParameters/404/overwrite:statuscode",
          kind: "changed",
          expected: "410",
          actual: "404",
        },
        { path: "/responseParameters/500/overwrite:statuscode", kind: "added", actual: "503" },
        { path: "/timeoutInMillis", kind: "changed", expected: 10000, actual: 12345 },
      ],
    });
    expect(resultFor(drifted.report, vpc).diffs).toEqual([
      {
        path: "/tlsConfig/serverNameToVerify",
        kind: "changed",
        expected: "orders.internal.example.com",
        actual: "other.internal.example.com",
      },
    ]);
    expect(resultFor(drifted.report, lambda).diffs).toEqual([
      { path: "/timeoutInMillis", kind: "changed", expected: 5000, actual: 29000 },
    ]);

    const applied = await apply();
    expect(applied.code).toBe(0);
    expect(applied.report.status).toBe("RECONCILED");
    expect(applied.report.summary.UPDATED).toBe(3);
    expect(applied.report.apiCalls).toEqual({
      GetApi: 1,
      GetIntegrations: 1,
      UpdateIntegration: 3,
      throttled: 0,
      retries: 0,
      // Who changed them: the loopback CloudTrail's empty UpdateIntegration and CreateIntegration pages.
      LookupEvents: 2,
    });
    const updates = applied.sent.filter((c) => c.operation === "UpdateIntegration").map((c) => c.input);
    expect(updates.sort(byIntegration)).toEqual(
      [
        {
          ApiId: apiId,
          IntegrationId: proxy,
          Description: "orders backend",
          // The request parameter removed with "", the status code removed with {} (PRODUCT §4).
          RequestParameters: { "append:header.x-debug": "", "overwrite:header.x-env": "prod" },
          ResponseParameters: { "404": { "overwrite:statuscode": "410" }, "500": {} },
          TimeoutInMillis: 10000,
        },
        {
          ApiId: apiId,
          IntegrationId: vpc,
          TlsConfig: { ServerNameToVerify: "orders.internal.example.com" },
        },
        { ApiId: apiId, IntegrationId: lambda, TimeoutInMillis: 5000 },
      ].sort(byIntegration),
    );

    const live = await liveIntegrations(client, apiId);
    expect(live[proxy]).toMatchObject({
      Description: "orders backend",
      RequestParameters: { "overwrite:header.x-env": "prod" },
      // moto keeps the emptied status code as {}; the product counts it as absent.
      ResponseParameters: { "404": { "overwrite:statuscode": "410" }, "500": {} },
      TimeoutInMillis: 10000,
    });
    const after = await plan();
    expect(after.report.status).toBe("IN_SYNC");
    expect(after.code).toBe(0);
  });

  it("clears a description the file sets to null, by sending an empty string", async () => {
    const { apiId, proxy, file } = await seedHttpApi();
    await editFile(file, "description: orders backend", "description: null");
    const drifted = await plan();
    expect(resultFor(drifted.report, proxy).diffs).toEqual([
      { path: "/description", kind: "added", actual: "orders backend" },
    ]);
    const applied = await apply();
    expect(applied.report.status).toBe("RECONCILED");
    expect(applied.sent.find((c) => c.operation === "UpdateIntegration")?.input).toEqual({
      ApiId: apiId,
      IntegrationId: proxy,
      Description: "",
    });
    expect((await liveIntegrations(moto.server.client, apiId))[proxy]?.Description).toBe("");
    expect((await plan()).report.status).toBe("IN_SYNC");
  });

  // PRODUCT §4: "Comparisons treat an empty object as absent": apply removes tlsConfig by sending {}, moto
  // stores and echoes {} (service-facts #23), and the field model reads the echoed {} as absent.
  it("removes a tlsConfig the file sets to null, and converges on moto's echoed {}", async () => {
    const { apiId, vpc, file } = await seedHttpApi();
    await editFile(
      file,
      "    tlsConfig:\n      serverNameToVerify: orders.internal.example.com\n",
      "    tlsConfig: null\n",
    );
    const drifted = await plan();
    expect(resultFor(drifted.report, vpc).diffs).toEqual([
      { path: "/tlsConfig", kind: "added", actual: { serverNameToVerify: "orders.internal.example.com" } },
    ]);
    const applied = await apply();
    expect(applied.sent.find((c) => c.operation === "UpdateIntegration")?.input).toEqual({
      ApiId: apiId,
      IntegrationId: vpc,
      TlsConfig: {},
    });
    expect((await liveIntegrations(moto.server.client, apiId))[vpc]?.TlsConfig).toEqual({});
    expect(resultFor(applied.report, vpc).status).toBe("UPDATED");
    expect(applied.report.status).toBe("RECONCILED");
    expect((await plan()).report.status).toBe("IN_SYNC");
  });

  it("prunes an undeclared integration, skips one a route targets, and decides from GetRoutes", async () => {
    const { apiId, proxy, lambda, vpc, file } = await seedHttpApi();
    const client = moto.server.client;
    const stray = await createIntegration(client, apiId, {
      IntegrationType: "HTTP_PROXY",
      IntegrationUri: "https://stray.example.com",
      IntegrationMethod: "GET",
      PayloadFormatVersion: "1.0",
    });
    const routed = await createIntegration(client, apiId, {
      IntegrationType: "HTTP_PROXY",
      IntegrationUri: "https://routed.example.com",
      IntegrationMethod: "GET",
      PayloadFormatVersion: "1.0",
    });
    // moto would delete this one anyway (AWS refuses with 409 ConflictException, service-facts #14):
    // only the product's own reading of the routes keeps it.
    await createRoute(client, apiId, "GET /routed", routed);
    await editFile(file, "region: eu-west-1\n", "region: eu-west-1\nprune: true\n");

    const planned = await plan();
    expect(planned.code).toBe(2);
    expect(resultFor(planned.report, stray)).toMatchObject({ status: "UNMANAGED", action: "delete" });
    expect(resultFor(planned.report, routed).status).toBe("SKIPPED_IN_USE");
    expect(operations(planned.sent)).toEqual(["GetApi", "GetIntegrations", "GetRoutes"]);

    const applied = await apply();
    expect(applied.code).toBe(0);
    expect(applied.report.status).toBe("RECONCILED");
    expect(resultFor(applied.report, stray).status).toBe("DELETED");
    expect(resultFor(applied.report, routed).status).toBe("SKIPPED_IN_USE");
    expect(operations(applied.sent)).toEqual(["GetApi", "GetIntegrations", "GetRoutes", "DeleteIntegration"]);
    expect(applied.sent[3]?.input).toEqual({ ApiId: apiId, IntegrationId: stray });
    expect(Object.keys(await liveIntegrations(client, apiId)).sort()).toEqual(
      [proxy, lambda, vpc, routed].sort(),
    );
    const after = await plan();
    expect(after.report.status).toBe("IN_SYNC");
    expect(resultFor(after.report, routed).status).toBe("SKIPPED_IN_USE");
  });
});

const byIntegration = (a: { IntegrationId?: unknown }, b: { IntegrationId?: unknown }) =>
  String(a.IntegrationId) < String(b.IntegrationId) ? -1 : 1;

/** The lines `import` writes for each seeded integration. */
function integrationLines(id: string, ids: { proxy: string; lambda: string; vpc: string }): string[] {
  if (id === ids.proxy)
    return [
      `  ${id}:`,
      "    description: orders backend",
      "    integrationType: HTTP_PROXY",
      "    integrationUri: https://orders.example.com/{proxy}",
      "    integrationMethod: ANY",
      "    timeoutInMillis: 10000",
      "    requestParameters:",
      "      overwrite:header.x-env: prod",
      "    responseParameters:",
      '      "404":',
      '        overwrite:statuscode: "410"',
    ];
  if (id === ids.lambda)
    return [
      `  ${id}:`,
      "    integrationType: AWS_PROXY",
      "    integrationUri: arn:aws:lambda:eu-west-1:123456789012:function:orders",
      '    payloadFormatVersion: "2.0"',
      "    timeoutInMillis: 5000",
    ];
  return [
    `  ${id}:`,
    "    integrationType: HTTP_PROXY",
    "    integrationUri: arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/orders/50dc6c495c0c9188/0467ef3c8400ae65",
    "    integrationMethod: GET",
    "    connectionType: VPC_LINK",
    "    connectionId: vl0abc1",
    "    tlsConfig:",
    "      serverNameToVerify: orders.internal.example.com",
  ];
}
