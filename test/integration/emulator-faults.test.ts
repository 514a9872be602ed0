/**
 * Injected faults, seen through the real SDK client: the token-bucket throttle, random 429s and 5xx,
 * latency, connection resets and scripted failures. A faulted call never changes state.
 */
import {
  ApiGatewayV2Client,
  GetIntegrationCommand,
  GetIntegrationsCommand,
  TooManyRequestsException,
  UpdateIntegrationCommand,
} from "@aws-sdk/client-apigatewayv2";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Emulator, type EmulatorOptions, startEmulator } from "../../emulator/server.ts";

let emulator: Emulator;
let client: ApiGatewayV2Client;
let apiId: string;
let integrationId: string;
/** The emulator's clock: tests move time instead of waiting for the bucket to refill. */
let clock: number;

async function start(options: EmulatorOptions = {}): Promise<void> {
  clock = 1_000_000;
  emulator = await startEmulator({ seed: 7, now: () => clock, ...options });
  client = new ApiGatewayV2Client({
    endpoint: emulator.url,
    region: "eu-west-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts: 1,
  });
  apiId = emulator.addApi({ name: "orders", protocolType: "HTTP" }).apiId;
  integrationId = emulator.addIntegration(apiId, {
    integrationType: "HTTP_PROXY",
    integrationMethod: "ANY",
    integrationUri: "https://o.example",
  }).integrationId;
}

beforeEach(() => start());

afterEach(async () => {
  client.destroy();
  await emulator.close();
});

const list = () => client.send(new GetIntegrationsCommand({ ApiId: apiId }));
const get = () => client.send(new GetIntegrationCommand({ ApiId: apiId, IntegrationId: integrationId }));
const describeAs = (description: string) =>
  client.send(
    new UpdateIntegrationCommand({ ApiId: apiId, IntegrationId: integrationId, Description: description }),
  );

/** The status of each call, or the error's name when it failed. */
async function outcomes(n: number, call: () => Promise<{ $metadata: { httpStatusCode?: number } }>) {
  const out: (number | string)[] = [];
  for (let i = 0; i < n; i++) {
    out.push(
      await call().then(
        (r) => r.$metadata.httpStatusCode ?? 0,
        (e: Error) => e.name,
      ),
    );
  }
  return out;
}

describe("token-bucket throttle", () => {
  it("answers 429 TooManyRequestsException once the burst is spent, and refills with time", async () => {
    emulator.faults.configure({ throttle: { ratePerSecond: 10, burst: 2 } });
    expect(await outcomes(3, list)).toEqual([200, 200, "TooManyRequestsException"]);
    const throttled = list();
    await expect(throttled).rejects.toBeInstanceOf(TooManyRequestsException);
    await expect(throttled).rejects.toMatchObject({
      message: "Too Many Requests",
      LimitType: "RequestsPerSecond",
      $metadata: { httpStatusCode: 429 },
    });
    clock += 100; // one token at 10 per second
    expect(await outcomes(2, list)).toEqual([200, "TooManyRequestsException"]);
    expect(emulator.calls.count({ fault: "throttle", status: 429 })).toBe(3);
  });

  it("leaves the integration unchanged when an update is throttled", async () => {
    emulator.faults.configure({ throttle: { ratePerSecond: 1, burst: 0 } });
    await expect(describeAs("changed")).rejects.toBeInstanceOf(TooManyRequestsException);
    expect(emulator.getIntegration(apiId, integrationId)).not.toHaveProperty("description");
  });

  it("throttles only the operations it is limited to, and sends Retry-After when asked", async () => {
    emulator.faults.configure({
      throttle: { ratePerSecond: 0.5, burst: 0, retryAfter: true, operations: ["UpdateIntegration"] },
    });
    expect(await outcomes(2, list)).toEqual([200, 200]);
    const res = await fetch(`${emulator.url}/v2/apis/${apiId}/integrations/${integrationId}`, {
      method: "PATCH",
      body: "{}",
    });
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("2");
    expect(await res.json()).toEqual({ message: "Too Many Requests", limitType: "RequestsPerSecond" });
  });

  it("stops throttling when the fault is turned off at runtime", async () => {
    emulator.faults.configure({ throttle: { ratePerSecond: 1, burst: 0 } });
    expect(await outcomes(1, list)).toEqual(["TooManyRequestsException"]);
    emulator.faults.configure({ throttle: undefined });
    expect(await outcomes(1, list)).toEqual([200]);
  });
});

describe("scripted failures", () => {
  it("fails the next N calls of one operation for one integration, then answers normally", async () => {
    emulator.faults.failNext({
      operation: "UpdateIntegration",
      integrationId,
      times: 2,
      status: 503,
      errorType: "ServiceUnavailableException",
    });
    expect(await outcomes(1, get)).toEqual([200]);
    const failed = describeAs("x");
    await expect(failed).rejects.toMatchObject({
      name: "ServiceUnavailableException",
      $fault: "server",
      $metadata: { httpStatusCode: 503 },
    });
    expect(await outcomes(2, () => describeAs("y"))).toEqual(["ServiceUnavailableException", 200]);
    expect(emulator.getIntegration(apiId, integrationId)).toMatchObject({ description: "y" });
    expect(emulator.faults.scripted).toEqual([]);
  });

  it("can script a connection reset", async () => {
    emulator.faults.failNext({ operation: "GetIntegrations", reset: true });
    await expect(list()).rejects.toMatchObject({ code: "ECONNRESET" });
    expect(await outcomes(1, list)).toEqual([200]);
  });
});

describe("random faults", () => {
  it("resets connections without answering and without changing state", async () => {
    emulator.faults.configure({ resets: { probability: 1 } });
    await expect(describeAs("lost")).rejects.toMatchObject({ code: "ECONNRESET" });
    expect(emulator.getIntegration(apiId, integrationId)).not.toHaveProperty("description");
    const [record] = emulator.calls.all();
    expect(record).toMatchObject({ operation: "UpdateIntegration", fault: "reset" });
    expect(record).not.toHaveProperty("status");
  });

  it("draws 5xx and 429 from the seed, so the same seed fails the same calls", async () => {
    const run = async () => {
      emulator.faults.configure({
        serverErrors: { probability: 0.3 },
        tooManyRequests: { probability: 0.2 },
      });
      return outcomes(12, list);
    };
    const first = await run();
    client.destroy();
    await emulator.close();
    await start();
    expect(await run()).toEqual(first);
    expect(first).toContain(200);
    expect(first.some((o) => o !== 200)).toBe(true);
    const expected = [
      200,
      "InternalServerException",
      "ServiceUnavailableException",
      "TooManyRequestsException",
    ];
    for (const outcome of first) expect(expected).toContain(outcome);
  });

  it("adds latency before answering", async () => {
    emulator.faults.configure({ latency: { ms: 80, operations: ["GetIntegration"] } });
    const t0 = performance.now();
    await list();
    const t1 = performance.now();
    await get();
    const t2 = performance.now();
    expect(t2 - t1).toBeGreaterThanOrEqual(75);
    expect(t1 - t0).toBeLessThan(75);
  });
});
