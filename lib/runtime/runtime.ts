import { type ClientOptions, createApiGatewayClient, type RetryNotice } from "../apigateway/client.ts";
import { SdkGateway } from "../apigateway/gateway.ts";
import { DEFAULT_CONCURRENCY, RateLimiter } from "../apigateway/limiter.ts";
import { CallStats } from "../apigateway/stats.ts";
import { createRedactor, type Redactor } from "../diff/redact.ts";
import type { Lease } from "../reconcile/lease.ts";
import type { HistoryRecorder, Progress, RunServices, Where } from "../reconcile/reconcile.ts";

/** A history store as a run uses it: the table's (or the embedded store's) recorder and lease. */
export interface RunHistory {
  history: HistoryRecorder;
  lease: Lease;
  /** For messages: `DynamoDB table X`, `the local store in …`. */
  location: string;
  close(): Promise<void>;
}

/**
 * What a run is built from: the CLI and the Lambda each fill this in from their own inputs (flags and
 * environment; the function's environment and context) and get the same run.
 */
export interface RuntimeConfig {
  /** Client-side requests per second and calls in flight (default: the account's quota, 8). */
  rate?: number;
  concurrency?: number;
  /** How the history store is opened, and what the run takes from it. */
  history?: {
    open: () => Promise<RunHistory>;
    /**
     * `record`: the run's report and drift events, and the apply lease; `lease`: only the lease (an apply
     * with --no-history still takes one, PRODUCT §4).
     */
    use: "record" | "lease";
  };
  /** The key of redacted values' hashes (APIGW_DRIFT_REDACTION_KEY). */
  redactionKey?: string;
  now?: () => number;
  /** Told of each retry before its wait (the CLI prints a line on stderr). */
  onRetry?: (retry: RetryNotice) => void;
  /** Only for tests: abandon (and retry) a request after this long without an answer. */
  requestTimeoutMs?: number;
  /** Only for tests: the total deadline of one attempt, headers and body (30 s by default). */
  attemptDeadlineMs?: number;
  /** Only for tests: sees the API Gateway client once built (to record what a run sends). */
  instrument?: ClientOptions["instrument"];
}

/** A built runtime: clients, limiter and history, opened once and reused by every run until closed. */
export interface Runtime {
  /** The services of one run: the same clients, and call counts that start at zero. */
  services(options: {
    where: Where;
    onProgress?: (progress: Progress) => void;
    /** Aborts the run's calls in flight: a run that must end now (the Lambda's time nearly up). */
    signal?: AbortSignal;
  }): RunServices;
  /** The Region the SDK's standard configuration resolved, if any. */
  region(): Promise<string | undefined>;
  /** Where history lives, for messages (`DynamoDB table X`, `the local store in …`), when it is open. */
  historyLocation?: string;
  readonly redact: Redactor;
  /** Closes the clients and the history store (and its folder lock). Safe to call twice. */
  close(): Promise<void>;
}

/**
 * The composition root: one place builds what a run needs from a small config — the API Gateway client on
 * the SDK's standard configuration with the product's retry and timeout settings, the rate limiter, the
 * gateway, the history store and lease, the redactor and the clock. The CLI builds one per command; the
 * Lambda one per cold start, reused by every warm invocation.
 */
export async function createRuntime(config: RuntimeConfig): Promise<Runtime> {
  const now = config.now ?? Date.now;
  const concurrency = config.concurrency ?? DEFAULT_CONCURRENCY;
  const limiter = new RateLimiter({ rate: config.rate, concurrency });
  const stats = new CallStats();
  const client = createApiGatewayClient({
    limiter,
    stats,
    ...(config.requestTimeoutMs ? { requestTimeoutMs: config.requestTimeoutMs } : {}),
    ...(config.instrument ? { instrument: config.instrument } : {}),
    ...(config.onRetry ? { onRetry: config.onRetry } : {}),
    ...(config.attemptDeadlineMs ? { attemptDeadlineMs: config.attemptDeadlineMs } : {}),
  });
  const gateway = new SdkGateway(client, limiter);
  const redact = createRedactor(config.redactionKey);
  const store = config.history ? await config.history.open() : undefined;
  let closed = false;
  return {
    redact,
    ...(store ? { historyLocation: store.location } : {}),
    services: ({ where, onProgress, signal }) => {
      stats.reset();
      return {
        gateway: gateway.withSignal(signal),
        apiCalls: () => stats.toRecord(),
        where,
        ...(store && config.history?.use === "record" ? { history: store.history } : {}),
        ...(store ? { lease: store.lease } : {}),
        redact,
        now,
        concurrency,
        ...(onProgress ? { onProgress } : {}),
      };
    },
    region: async () => {
      try {
        return await client.config.region();
      } catch {
        return undefined;
      }
    },
    close: async () => {
      if (closed) return;
      closed = true;
      client.destroy();
      await store?.close();
    },
  };
}
