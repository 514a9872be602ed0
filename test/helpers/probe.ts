import { readFileSync } from "node:fs";
import { expect } from "vitest";
import type { CallRecord } from "../../emulator/call-log.ts";
import type { Emulator } from "../../emulator/server.ts";
import { createApiGatewayClient } from "../../lib/apigateway/client.ts";
import { RateLimiter } from "../../lib/apigateway/limiter.ts";
import { SdkProbeGateway } from "../../lib/apigateway/probe-gateway.ts";
import { CallStats } from "../../lib/apigateway/stats.ts";
import { main } from "../../lib/cli/main.ts";
import type { ProbeConnection, ProbeDeps } from "../../lib/cli/probe.ts";
import { captureIo } from "./world.ts";

const SCRATCH = /^apigw-drift-probe-[a-z0-9]{8}-(http|ws)$/;

/** A probe result fixture (test/fixtures/probe/NAME.json), parsed. */
export function probeFixture(name: string): {
  behaviours: Record<string, { observed: unknown; evidence: string }>;
} {
  return JSON.parse(readFileSync(`test/fixtures/probe/${name}.json`, "utf8"));
}

/**
 * The probe's connection as the CLI builds it (the product's client, limiter and adapter over real HTTP),
 * with a limiter fast enough for tests and, if asked, fewer attempts per call.
 */
export function fastConnection(options: { maxAttempts?: number } = {}): () => ProbeConnection {
  return () => {
    const limiter = new RateLimiter({ rate: 1000, burst: 1000, concurrency: 1 });
    const client = createApiGatewayClient({
      limiter,
      stats: new CallStats(),
      requestTimeoutMs: 2_000,
      ...(options.maxAttempts ? { maxAttempts: options.maxAttempts } : {}),
    });
    return {
      gateway: new SdkProbeGateway(client, limiter),
      region: () => client.config.region(),
      close: () => client.destroy(),
    };
  };
}

/** Runs `apigw-drift probe ARGS` in-process; the SDK's standard environment must point at the service. */
export async function probeCli(
  args: readonly string[],
  deps: ProbeDeps = {},
  env: Record<string, string | undefined> = {},
) {
  const io = captureIo({ AWS_REGION: process.env.AWS_REGION, ...env });
  // `connect: undefined` asks for the CLI's own connection (its limiter at --rate).
  const probe = "connect" in deps ? deps : { connect: fastConnection(), ...deps };
  const code = await main(["probe", ...args], io, { probe });
  return { code, out: io.out, err: io.err };
}

/**
 * What the emulator's log shows a probe did to APIs: every CreateApi named a scratch API, every call that
 * names an API named one the probe created (or one of `leftovers`), and no scratch API is left.
 */
export function expectOnlyOwnApis(
  emulator: Emulator,
  options: { leftovers?: readonly string[]; remaining?: readonly string[] } = {},
): CallRecord[] {
  const leftovers = options.leftovers ?? [];
  const calls = emulator.calls.all();
  const creates = calls.filter((c) => c.operation === "CreateApi");
  for (const c of creates) expect((c.body as { name?: string }).name).toMatch(SCRATCH);
  const own = new Set([...creates.map((c) => c.createdId).filter((id) => id !== undefined), ...leftovers]);
  for (const c of calls.filter((r) => r.apiId !== undefined)) {
    expect({ operation: c.operation, own: own.has(c.apiId!) }).toEqual({ operation: c.operation, own: true });
  }
  const scratch = emulator.listApis().filter((a) => SCRATCH.test(a.name));
  expect(scratch.map((a) => a.name)).toEqual(options.remaining ?? []);
  return calls;
}
