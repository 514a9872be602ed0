import { vi } from "vitest";
import { seedFromDesired } from "../../emulator/seed.ts";
import type { Emulator } from "../../emulator/server.ts";
import { type EmulatorOptions, startEmulator } from "../../emulator/server.ts";
import { startStsEmulator } from "../../emulator/sts.ts";
import { createApiGatewayClient } from "../../lib/apigateway/client.ts";
import { SdkGateway } from "../../lib/apigateway/gateway.ts";
import { type LimiterOptions, RateLimiter } from "../../lib/apigateway/limiter.ts";
import { CallStats } from "../../lib/apigateway/stats.ts";
import type { CliIo } from "../../lib/cli/io.ts";
import { readDesiredFolder } from "../../lib/desired-state/folder.ts";
import { documents } from "../../lib/desired-state/state.ts";

/**
 * An emulator seeded from the example desired state, with the SDK's standard environment pointing at
 * it: the same configuration path a real run takes, on loopback, with fake credentials.
 */
export async function startWorld(options: EmulatorOptions = {}) {
  const emulator = await startEmulator({ seed: 7, ...options });
  // Whose credentials "test" are: a user of the account the example files name.
  const sts = await startStsEmulator({ defaultAccount: "123456789012" });
  const desired = await readDesiredFolder("desired-state");
  seedFromDesired(emulator, documents(desired));
  vi.stubEnv("AWS_ENDPOINT_URL_APIGATEWAYV2", emulator.url);
  vi.stubEnv("AWS_ENDPOINT_URL_STS", sts.url);
  vi.stubEnv("AWS_REGION", "eu-west-1");
  vi.stubEnv("AWS_ACCESS_KEY_ID", "test");
  vi.stubEnv("AWS_SECRET_ACCESS_KEY", "test");
  return {
    emulator,
    sts,
    desired,
    close: async () => {
      await emulator.close();
      await sts.close();
    },
  };
}

/** The real adapter over HTTP, with a limiter fast enough for tests unless told otherwise. */
export function liveGateway(limiter: LimiterOptions = { rate: 1000, burst: 1000, concurrency: 8 }) {
  const rateLimiter = new RateLimiter(limiter);
  const stats = new CallStats();
  const client = createApiGatewayClient({ limiter: rateLimiter, stats, requestTimeoutMs: 2_000 });
  return { gateway: new SdkGateway(client, rateLimiter), stats, limiter: rateLimiter };
}

/** A CLI io that records what a user would see. */
export function captureIo(
  env: Record<string, string | undefined> = {},
  cwd: string = process.cwd(),
): CliIo & { out: string; err: string } {
  const io = {
    out: "",
    err: "",
    cwd,
    env: { APIGW_DRIFT_ACCOUNT: "123456789012", DESIRED_REVISION: "test-revision", ...env },
    stdout: (t: string) => {
      io.out += t;
    },
    stderr: (t: string) => {
      io.err += t;
    },
  };
  return io;
}

/**
 * Adds `count` HTTP_PROXY integrations (`bulk000`, …) to `apiId` with a 1 s timeout, and declares each in
 * `integrations` with a 2 s timeout: `count` drifted integrations. Returns their ids.
 */
export function addBulkDrift(
  emulator: Emulator,
  apiId: string,
  integrations: Record<string, unknown>,
  count: number,
): string[] {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const id = `bulk${String(i).padStart(3, "0")}`;
    emulator.addIntegration(apiId, {
      integrationId: id,
      integrationType: "HTTP_PROXY",
      integrationMethod: "GET",
      integrationUri: `https://b${i}.example.com`,
      timeoutInMillis: 1000,
    });
    integrations[id] = { integrationUri: `https://b${i}.example.com`, timeoutInMillis: 2000 };
    ids.push(id);
  }
  return ids;
}
