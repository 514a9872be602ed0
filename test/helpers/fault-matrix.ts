/**
 * The fault matrix's shared pieces (issue 7): a world with known drift, a gateway that counts what the
 * orchestrator sends, compressed retry jitter and waits. The assertion itself is in no-drift-lost.ts.
 */
import { afterAll, afterEach, beforeAll, beforeEach, vi } from "vitest";
import type { CallRecord } from "../../emulator/call-log.ts";
import type { Emulator } from "../../emulator/server.ts";
import { createApiGatewayClient } from "../../lib/apigateway/client.ts";
import { type Gateway, SdkGateway } from "../../lib/apigateway/gateway.ts";
import { type LimiterOptions, RateLimiter } from "../../lib/apigateway/limiter.ts";
import { CallStats } from "../../lib/apigateway/stats.ts";
import type { RuntimeFactory } from "../../lib/cli/run.ts";
import { type DesiredState, documents, stateFromDocuments } from "../../lib/desired-state/state.ts";
import { DynamoLease } from "../../lib/history/lease.ts";
import { DynamoHistory } from "../../lib/history/store.ts";
import { reconcile } from "../../lib/reconcile/reconcile.ts";
import { historyTable, startDynalite } from "./dynalite.ts";
import { desiredInput, tapGateway, testServices, wrappedRuntime } from "./run.ts";
import { addBulkDrift, startWorld } from "./world.ts";

export const HTTP_API = "a1b2c3d4e5";
export const WS_API = "w9x8y7z6v5";
export const ACCOUNT = "123456789012";
export const REGION = "eu-west-1";

/** `apiId/integrationId`: integration ids are unique per API only. */
export type Key = `${string}/${string}`;
export const keyOf = (r: { apiId?: string; integrationId?: string }): Key =>
  `${r.apiId ?? ""}/${r.integrationId ?? ""}`;

/** What the world looks like before the faulted run: what differs, what prunes, what must survive. */
export interface DriftedWorld {
  desired: DesiredState;
  /** Declared integrations whose live state differs from the file. */
  drifted: Key[];
  /** Undeclared integrations of a pruning API: planned deletes. */
  pruned: Key[];
  /** Integrations no run may delete: API-Gateway-managed and route-targeted ones. */
  protected: Key[];
}

/**
 * Adds `bulk` drifted integrations to the HTTP API of the example desired state (live timeout 1000, file
 * 2000), optionally drift on two WebSocket integrations, and, with `prune`, turns pruning on for the HTTP
 * API with a managed integration, a route-targeted one and `prune.strays` undeclared ones.
 */
export function driftedWorld(
  emulator: Emulator,
  example: DesiredState,
  options: { bulk: number; webSocketDrift?: boolean; prune?: { strays: number } },
): DriftedWorld {
  const world: DriftedWorld = { desired: example, drifted: [], pruned: [], protected: [] };
  const apis = documents(example).map((api) => {
    if (api.doc.apiId !== HTTP_API) return api;
    const integrations = { ...api.doc.integrations };
    for (const id of addBulkDrift(emulator, HTTP_API, integrations, options.bulk)) {
      world.drifted.push(`${HTTP_API}/${id}`);
    }
    if (options.prune) {
      const managed = emulator.addIntegration(HTTP_API, {
        integrationType: "AWS_PROXY",
        integrationUri: "arn:aws:lambda:eu-west-1:123456789012:function:quick-create",
        payloadFormatVersion: "2.0",
        apiGatewayManaged: true,
      });
      const routed = emulator.addIntegration(HTTP_API, {
        integrationType: "HTTP_PROXY",
        integrationUri: "https://in-use.example.com",
        integrationMethod: "GET",
      });
      emulator.addRoute(HTTP_API, {
        routeKey: "GET /in-use",
        target: `integrations/${routed.integrationId}`,
      });
      world.protected.push(`${HTTP_API}/${managed.integrationId}`, `${HTTP_API}/${routed.integrationId}`);
      for (let i = 0; i < options.prune.strays; i++) {
        const stray = emulator.addIntegration(HTTP_API, {
          integrationType: "HTTP_PROXY",
          integrationUri: "https://old.example.com",
          integrationMethod: "GET",
          description: "created by hand, not in git",
        });
        world.pruned.push(`${HTTP_API}/${stray.integrationId}`);
      }
    }
    return { ...api, doc: { ...api.doc, integrations, ...(options.prune ? { prune: true } : {}) } };
  });
  if (options.webSocketDrift) {
    emulator.overwriteIntegration(WS_API, "msg5c6d", { timeoutInMillis: 100 });
    emulator.overwriteIntegration(WS_API, "cnx1a2b", { description: "edited in the console" });
    world.drifted.push(`${WS_API}/msg5c6d`, `${WS_API}/cnx1a2b`);
  }
  world.desired = stateFromDocuments(apis);
  return world;
}

/**
 * Counts the writes the orchestrator asks of its gateway, per integration: the product's own calls, before
 * the SDK's retry loop (whose attempts are the same request sent again).
 */
export class WriteCounter {
  readonly updates = new Map<Key, number>();
  readonly deletes = new Map<Key, number>();

  wrap(gateway: Gateway): Gateway {
    const bump = (counts: Map<Key, number>, key: Key) => counts.set(key, (counts.get(key) ?? 0) + 1);
    return tapGateway(gateway, (method, [apiId, id]) => {
      if (method === "updateIntegration") bump(this.updates, `${apiId}/${id}`);
      if (method === "deleteIntegration") bump(this.deletes, `${apiId}/${id}`);
    });
  }

  /** The CLI's runtime with this counter around every run's gateway (for `main`'s `deps.runtime`). */
  runtime(): RuntimeFactory {
    return wrappedRuntime((gateway) => this.wrap(gateway));
  }
}

/** Test limiter settings: fast, so the emulator's faults, not our pacing, decide what happens. */
export const FAST_LIMITER: LimiterOptions = { rate: 1000, burst: 1000, concurrency: 8 };

/**
 * The real adapter and SDK client over HTTP to the emulator (found through the environment, as in a real
 * run), with the product's retry strategy; `maxAttempts` and `requestTimeoutMs` are the client's own
 * options, left at the product's defaults unless a test sets them.
 */
export function faultGateway(
  options: { limiter?: LimiterOptions; maxAttempts?: number; requestTimeoutMs?: number } = {},
) {
  const limiter = new RateLimiter(options.limiter ?? FAST_LIMITER);
  const stats = new CallStats();
  const client = createApiGatewayClient({
    limiter,
    stats,
    ...(options.maxAttempts ? { maxAttempts: options.maxAttempts } : {}),
    ...(options.requestTimeoutMs ? { requestTimeoutMs: options.requestTimeoutMs } : {}),
  });
  const writes = new WriteCounter();
  return {
    gateway: writes.wrap(new SdkGateway(client, limiter)),
    apiCalls: () => stats.toRecord(),
    limiter,
    writes,
  };
}

/**
 * Retry backoffs draw each delay uniformly from [0, cap] ("full jitter", the cap growing exponentially):
 * the API Gateway client's and the SDK's own for DynamoDB. Draws from the low tenth of that range are
 * outcomes a real run can meet; pinning them there (seeded, so runs repeat) keeps a storm test to seconds
 * without touching the product's retry configuration. Restored by `vi.restoreAllMocks()`.
 */
export function compressJitter(factor = 0.1, seed = 0x2545f491): void {
  let state = seed >>> 0;
  // mulberry32
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  vi.spyOn(Math, "random").mockImplementation(() => next() * factor);
}

/** The last call-log sequence number: the calls of the next run are the ones after it. */
export function mark(emulator: Emulator): number {
  return emulator.calls.all().at(-1)?.seq ?? 0;
}

/** Resolves once `condition` holds, polling every few milliseconds; rejects after `timeoutMs`. */
export async function waitFor(
  condition: () => boolean,
  timeoutMs = 10_000,
  what = "a condition",
): Promise<void> {
  const until = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * Waits until the emulator has finished every call it received: a request whose client gave up (a
 * timeout, a killed process) is still carried out after its latency, as the service would.
 */
export function settle(emulator: Emulator): Promise<void> {
  const open = (c: CallRecord) => c.status === undefined && c.fault === undefined;
  return waitFor(() => !emulator.calls.all().some(open), 10_000, "the emulator's calls in flight");
}

/** What a fault test works on: the seeded emulator, the example desired state, history and lease on dynalite. */
export interface FaultWorld {
  emulator: Emulator;
  example: DesiredState;
  dynamo: Awaited<ReturnType<typeof startDynalite>>;
  history: DynamoHistory;
  lease: DynamoLease;
}

/**
 * Registers the hooks every fault test shares: one dynalite per file, and per test a fresh emulator seeded
 * from the examples, a fresh history table with its lease, and (unless told not to) compressed jitter;
 * `onReady` gets the world before each test.
 */
export function useFaultWorld(
  onReady: (world: FaultWorld) => void,
  options: { compressJitter?: boolean } = {},
): void {
  const world = {} as FaultWorld;
  let close: () => Promise<void> = async () => {};
  beforeAll(async () => {
    world.dynamo = await startDynalite();
  });
  afterAll(async () => {
    await world.dynamo.close();
  });
  beforeEach(async () => {
    const started = await startWorld();
    world.emulator = started.emulator;
    world.example = started.desired;
    close = started.close;
    const tableName = await historyTable(world.dynamo.client);
    world.history = new DynamoHistory({ client: world.dynamo.client, tableName });
    world.lease = new DynamoLease({ client: world.dynamo.client, tableName });
    if (options.compressJitter !== false) compressJitter();
    onReady(world);
  });
  afterEach(async () => {
    await close();
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });
}

/** One apply of a fault test: the world's desired state over `gateway`, with history and lease. */
export function faultApply(options: {
  world: { desired: DesiredState };
  revision: string;
  gateway: { gateway: Gateway; apiCalls?: () => Record<string, number> };
  history?: DynamoHistory;
  lease?: DynamoLease;
  now?: () => number;
  deadline?: number;
  concurrency?: number;
}) {
  return reconcile(
    { mode: "apply", ...(options.deadline !== undefined ? { deadline: options.deadline } : {}) },
    desiredInput(options.world.desired, options.revision),
    testServices(options.gateway.gateway, {
      ...(options.gateway.apiCalls ? { apiCalls: options.gateway.apiCalls } : {}),
      where: { account: ACCOUNT, region: REGION },
      ...(options.history ? { history: options.history } : {}),
      ...(options.lease ? { lease: options.lease } : {}),
      ...(options.now ? { now: options.now } : {}),
      ...(options.concurrency ? { concurrency: options.concurrency } : {}),
    }),
  );
}
