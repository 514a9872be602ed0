/**
 * The emulator's sourced behaviour and its switchable readings over real HTTP with the real SDK: the AWS
 * service integration 400s with the service's own words, readings set at start, between calls and from
 * the command line (`--behaviour`, `--behaviour-file`), GetIntegrations' page size, and whether a refused
 * call spends quota. The pure model's every reading: test/unit/emulator/model.test.ts.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  ApiGatewayV2Client,
  type BadRequestException,
  CreateIntegrationCommand,
  GetIntegrationCommand,
  GetIntegrationsCommand,
  UpdateIntegrationCommand,
} from "@aws-sdk/client-apigatewayv2";
import { afterEach, describe, expect, it } from "vitest";
import { type Emulator, type EmulatorOptions, startEmulator } from "../../emulator/server.ts";

let emulator: Emulator;
let client: ApiGatewayV2Client;
let httpApi: string;
let wsApi: string;

async function start(options: EmulatorOptions = {}): Promise<void> {
  emulator = await startEmulator({ seed: 9, ...options });
  client = new ApiGatewayV2Client({
    endpoint: emulator.url,
    region: "eu-west-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts: 1,
  });
  httpApi = emulator.addApi({ name: "orders", protocolType: "HTTP" }).apiId;
  wsApi = emulator.addApi({ name: "chat", protocolType: "WEBSOCKET" }).apiId;
}

afterEach(async () => {
  client?.destroy();
  await emulator?.close();
});

const sqs = {
  integrationType: "AWS_PROXY",
  integrationSubtype: "SQS-SendMessage",
  credentialsArn: "arn:aws:iam::123456789012:role/sqs",
  requestParameters: {
    QueueUrl: "$request.header.queueUrl",
    MessageBody: "$request.body.message",
    DelaySeconds: "0",
  },
};

const update = (apiId: string, integrationId: string, fields: Record<string, unknown>) =>
  client.send(new UpdateIntegrationCommand({ ApiId: apiId, IntegrationId: integrationId, ...fields }));

/** The service error an SDK call ended with, as the SDK surfaced it. */
async function refusal(call: Promise<unknown>): Promise<{ name: string; message: string; status?: number }> {
  try {
    await call;
  } catch (error) {
    const e = error as BadRequestException;
    return { name: e.name, message: e.message, status: e.$metadata?.httpStatusCode };
  }
  throw new Error("expected the call to be refused");
}

describe("AWS service integrations over the wire", () => {
  it("refuses an update that does not name integrationSubtype with 400 Invalid integration URI specified (facts #17)", async () => {
    await start();
    const { integrationId } = emulator.addIntegration(httpApi, sqs);
    const before = emulator.getIntegration(httpApi, integrationId);
    expect(
      await refusal(update(httpApi, integrationId, { RequestParameters: sqs.requestParameters })),
    ).toEqual({
      name: "BadRequestException",
      message: "Invalid integration URI specified",
      status: 400,
    });
    expect(emulator.getIntegration(httpApi, integrationId)).toEqual(before);
    const named = await update(httpApi, integrationId, {
      IntegrationSubtype: "SQS-SendMessage",
      RequestParameters: { ...sqs.requestParameters, DelaySeconds: "5" },
    });
    expect(named.RequestParameters?.DelaySeconds).toBe("5");
  });

  it('refuses a "" request parameter with the service\'s 400 (facts #11), and takes it under subtype.emptyStringParameter=accepted', async () => {
    await start();
    const { integrationId } = emulator.addIntegration(httpApi, sqs);
    const removal = {
      IntegrationSubtype: "SQS-SendMessage",
      IntegrationType: "AWS_PROXY",
      RequestParameters: { ...sqs.requestParameters, DelaySeconds: "" },
    };
    expect(await refusal(update(httpApi, integrationId, removal))).toEqual({
      name: "BadRequestException",
      message:
        "Invalid selection expression specified: Validation Result: warnings : [], errors : [Mapping expression missing source or destination]",
      status: 400,
    });
    emulator.behaviour["subtype.emptyStringParameter"] = "accepted";
    const out = await update(httpApi, integrationId, removal);
    expect(out.RequestParameters).toEqual({
      QueueUrl: "$request.header.queueUrl",
      MessageBody: "$request.body.message",
    });
  });

  it("creates one with its plain parameter names and no method, and refuses one missing a required parameter", async () => {
    await start();
    const created = await client.send(
      new CreateIntegrationCommand({
        ApiId: httpApi,
        IntegrationType: "AWS_PROXY",
        IntegrationSubtype: "EventBridge-PutEvents",
        RequestParameters: { Detail: "$request.body", DetailType: "order", Source: "shop" },
      }),
    );
    expect(created).toMatchObject({ PayloadFormatVersion: "1.0", TimeoutInMillis: 30_000 });
    expect(created.IntegrationMethod).toBeUndefined();
    const missing = client.send(
      new CreateIntegrationCommand({
        ApiId: httpApi,
        IntegrationType: "AWS_PROXY",
        IntegrationSubtype: "SQS-SendMessage",
        RequestParameters: { QueueUrl: "$request.header.q" },
      }),
    );
    expect(await refusal(missing)).toMatchObject({
      message: "Missing required request parameters for SQS-SendMessage: MessageBody",
      status: 400,
    });
  });
});

describe("server defaults and refusals over the wire", () => {
  it("refuses an HTTP API Lambda created without payloadFormatVersion and fills POST on one created with it", async () => {
    await start();
    const lambda = {
      ApiId: httpApi,
      IntegrationType: "AWS_PROXY" as const,
      IntegrationUri: "arn:aws:lambda:eu-west-1:123456789012:function:f",
    };
    expect(await refusal(client.send(new CreateIntegrationCommand(lambda)))).toMatchObject({
      message: "PayloadFormatVersion is required for AWS_PROXY integrations of HTTP APIs",
      status: 400,
    });
    const created = await client.send(
      new CreateIntegrationCommand({ ...lambda, PayloadFormatVersion: "2.0" }),
    );
    expect(created).toMatchObject({ IntegrationMethod: "POST", PayloadFormatVersion: "2.0" });
  });

  it("gives WebSocket integrations the response selection expression of their type (facts #22)", async () => {
    await start();
    const mock = await client.send(new CreateIntegrationCommand({ ApiId: wsApi, IntegrationType: "MOCK" }));
    // biome-ignore lint/suspicious/noTemplateCurlyInString: an API Gateway selection expression
    expect(mock.IntegrationResponseSelectionExpression).toBe("${integration.response.statuscode}");
    const proxy = await client.send(
      new CreateIntegrationCommand({
        ApiId: wsApi,
        IntegrationType: "HTTP_PROXY",
        IntegrationMethod: "PUT",
        IntegrationUri: "http://www.example.net",
        ConnectionType: "VPC_LINK",
        ConnectionId: "abc123",
      }),
    );
    expect(proxy).toMatchObject({
      ConnectionType: "VPC_LINK",
      ConnectionId: "abc123",
      PayloadFormatVersion: "1.0",
    });
    expect(proxy.IntegrationResponseSelectionExpression).toBeUndefined();
  });
});

describe("behaviours set at start and between calls", () => {
  it("echoes a removed tlsConfig back as {} under tlsConfig.emptyObject=stored (moto's reading)", async () => {
    await start({ behaviour: { "tlsConfig.emptyObject": "stored" } });
    const { integrationId } = emulator.addIntegration(httpApi, {
      integrationType: "HTTP_PROXY",
      integrationMethod: "ANY",
      integrationUri: "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/x/1/2",
      connectionType: "VPC_LINK",
      connectionId: "vl1",
      tlsConfig: { serverNameToVerify: "x.example" },
    });
    expect((await update(httpApi, integrationId, { TlsConfig: {} })).TlsConfig).toEqual({});
    const got = await client.send(
      new GetIntegrationCommand({ ApiId: httpApi, IntegrationId: integrationId }),
    );
    expect(got.TlsConfig).toEqual({});
    emulator.behaviour["tlsConfig.emptyObject"] = "rejected";
    expect(await refusal(update(httpApi, integrationId, { TlsConfig: {} }))).toMatchObject({ status: 400 });
  });

  it("follows a reading changed between two calls, and refuses a value no reading has", async () => {
    await start();
    const { integrationId } = emulator.addIntegration(httpApi, {
      integrationType: "HTTP_PROXY",
      integrationMethod: "ANY",
      integrationUri: "https://o.example",
      requestParameters: { "overwrite:header.a": "1", "overwrite:header.b": "2" },
    });
    const send = () => update(httpApi, integrationId, { RequestParameters: { "overwrite:header.c": "3" } });
    expect(Object.keys((await send()).RequestParameters ?? {})).toEqual([
      "overwrite:header.a",
      "overwrite:header.b",
      "overwrite:header.c",
    ]);
    emulator.configureBehaviour({ "requestParameters.patch": "replace" });
    expect((await send()).RequestParameters).toEqual({ "overwrite:header.c": "3" });
    expect(() => emulator.configureBehaviour({ "requestParameters.patch": "mix" as "merge" })).toThrow(
      'behaviour requestParameters.patch takes merge | replace, not "mix"',
    );
    expect(emulator.behaviour["requestParameters.patch"]).toBe("replace");
    await expect(
      startEmulator({ behaviour: { "description.emptyString": "kept" as "stored" } }),
    ).rejects.toThrow('behaviour description.emptyString takes clears | stored | rejected, not "kept"');
  });

  it("seeds through the readings in force, as CreateIntegration would", async () => {
    await start({ behaviour: { "requestParameters.emptyString": "rejected" } });
    const seed = {
      integrationType: "HTTP_PROXY",
      integrationMethod: "ANY",
      integrationUri: "https://o.example",
      requestParameters: { "overwrite:header.a": "" },
    };
    expect(() => emulator.addIntegration(httpApi, seed)).toThrow(
      "Invalid selection expression specified: Validation Result: warnings : [], errors : [Mapping expression missing source or destination]",
    );
    emulator.behaviour["requestParameters.emptyString"] = "stored";
    expect(emulator.addIntegration(httpApi, seed).requestParameters).toEqual({ "overwrite:header.a": "" });
  });

  it.each([25, 50, 100] as const)(
    "refuses maxResults above getIntegrations.maxPageSize=%i and pages at most that many by default",
    async (max) => {
      await start({ behaviour: { "getIntegrations.maxPageSize": max } });
      for (let i = 0; i < max + 1; i++) {
        emulator.addIntegration(httpApi, {
          integrationType: "HTTP_PROXY",
          integrationUri: `https://b${i}.example`,
        });
      }
      const tooBig = client.send(new GetIntegrationsCommand({ ApiId: httpApi, MaxResults: String(max + 1) }));
      expect(await refusal(tooBig)).toEqual({
        name: "BadRequestException",
        message: `maxResults must be an integer between 1 and ${max}, got ${max + 1}`,
        status: 400,
      });
      const full = await client.send(new GetIntegrationsCommand({ ApiId: httpApi, MaxResults: String(max) }));
      expect(full.Items).toHaveLength(max);
      const byDefault = await client.send(new GetIntegrationsCommand({ ApiId: httpApi }));
      expect(byDefault.Items).toHaveLength(Math.min(max, 100));
    },
  );
});

describe("throttle.refusedSpendsQuota (facts #24)", () => {
  /** Statuses of calls at the given clock times (ms), against a 10/s bucket with a burst of 1. */
  async function statuses(spends: boolean, times: number[]): Promise<number[]> {
    let now = 0;
    await start({
      now: () => now,
      behaviour: { "throttle.refusedSpendsQuota": spends },
      faults: { throttle: { ratePerSecond: 10, burst: 1 } },
    });
    const out: number[] = [];
    for (const t of times) {
      now = t;
      try {
        await client.send(new GetIntegrationsCommand({ ApiId: httpApi }));
        out.push(200);
      } catch (error) {
        out.push((error as BadRequestException).$metadata.httpStatusCode ?? 0);
      }
    }
    return out;
  }

  it("spends no token on a refused call by default: the next token comes 100 ms after the last success", async () => {
    expect(await statuses(false, [0, 0, 100, 100])).toEqual([200, 429, 200, 429]);
  });

  it("spends a token on each refused call when true, so a retry at the refill rate is refused again", async () => {
    expect(await statuses(true, [0, 0, 100, 300])).toEqual([200, 429, 429, 200]);
  });
});

describe("emulator/main.ts", () => {
  let child: ChildProcess | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    if (child?.pid !== undefined && child.exitCode === null) child.kill("SIGTERM");
    child = undefined;
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });

  /** Runs main.ts; resolves with what it printed once it printed `until` (or exited). */
  function run(args: string[], until: RegExp): Promise<{ out: string; err: string; code: number | null }> {
    return new Promise((resolve) => {
      const proc = spawn(process.execPath, ["emulator/main.ts", "--port", "0", ...args], { stdio: "pipe" });
      child = proc;
      let out = "";
      let err = "";
      const done = (code: number | null) => resolve({ out, err, code });
      proc.stdout.on("data", (d: Buffer) => {
        out += d.toString();
        if (until.test(out)) done(null);
      });
      proc.stderr.on("data", (d: Buffer) => {
        err += d.toString();
      });
      proc.on("exit", (code) => done(code));
    });
  }

  it("starts with the readings of a probe file and of --behaviour, warning about unknown names", async () => {
    dir = await mkdtemp(join(tmpdir(), "emulator-main-"));
    const file = join(dir, "probe.json");
    const behaviours: Record<string, { observed: unknown }> = {
      "requestTemplates.patch": { observed: "merge" },
      "getIntegrations.maxPageSize": { observed: 100 },
      "stage.cache": { observed: "yes" },
    };
    await writeFile(file, JSON.stringify({ probedAt: "2026-12-01T00:00:00Z", behaviours }));
    const { out, err } = await run(
      ["--behaviour-file", file, "--behaviour", "getIntegrations.maxPageSize=25"],
      /behaviour getIntegrations\.maxPageSize=25\n/,
    );
    expect(out).toMatch(/^API Gateway v2 emulator listening on http:\/\/127\.0\.0\.1:\d+\n/);
    expect(out).toContain("  behaviour requestTemplates.patch=merge\n");
    expect(err).toBe(`warning: --behaviour-file ${file}: ignoring unknown behaviour "stage.cache"\n`);
  });

  it("exits 1 naming the readings when a --behaviour value is not one", async () => {
    const { code, err } = await run(["--behaviour", "tlsConfig.emptyObject=kept"], /never/);
    expect(code).toBe(1);
    expect(err).toMatch(
      /^behaviour tlsConfig\.emptyObject takes removes \| stored \| rejected, not "kept"\n/,
    );
    expect(err).toContain("  tlsConfig.emptyObject=removes|stored|rejected\n");
  });
});
