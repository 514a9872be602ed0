import {
  ApiGatewayV2Client,
  type ServiceInputTypes,
  type ServiceOutputTypes,
} from "@aws-sdk/client-apigatewayv2";
import type { FinalizeRequestMiddleware, StandardRetryBackoffStrategy } from "@smithy/types";
import { StandardRetryStrategy } from "@smithy/util-retry";
import { classify } from "./errors.ts";
import type { RateLimiter } from "./limiter.ts";
import type { CallStats } from "./stats.ts";

export interface ClientOptions {
  limiter: RateLimiter;
  stats: CallStats;
  /** Attempts per call, the first included. Batch runs can wait: more than the SDK's default 3. */
  maxAttempts?: number;
  /** Abandon (and retry) a request that has not answered in this long. */
  requestTimeoutMs?: number;
  /** Only for tests: the SDK's standard configuration (region, credentials, endpoint) applies otherwise. */
  region?: string;
  /** Only for tests: sees the client once built (to add a recording middleware). */
  instrument?: (client: ApiGatewayV2Client) => void;
}

export const DEFAULT_MAX_ATTEMPTS = 8;
/** Backoff base and cap for retries, throttled ones included (see pacedBackoff). */
export const RETRY_BASE_MS = 100;
export const RETRY_CAP_MS = 20_000;

/**
 * Capped exponential backoff with full jitter, random(0, min(cap, base × 2^attempt)), for every retry. The
 * SDK's standard strategy uses a 1 s base for throttling errors, right for a client that does not pace
 * itself; ours retries through the rate limiter, which already waits for the quota, so a throttled call
 * goes back in line after a short jitter instead of idling for seconds at the end of a run. The strategy
 * still waits at least as long as a Retry-After header asks.
 */
export function pacedBackoff(random: () => number = Math.random): StandardRetryBackoffStrategy {
  return {
    computeNextBackoffDelay: (attempt: number) =>
      Math.floor(random() * Math.min(RETRY_CAP_MS, RETRY_BASE_MS * 2 ** attempt)),
    // The strategy sets a larger base for throttling errors; this backoff keeps its own.
    setDelayBase: () => {},
  };
}
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

/**
 * An ApiGatewayV2Client on the SDK's standard configuration (region, credential chain,
 * `AWS_ENDPOINT_URL_APIGATEWAYV2`), with the SDK's standard retry strategy (429/5xx/network errors
 * retried, 4xx not, Retry-After honoured) on a paced backoff (see pacedBackoff) and, inside its retry
 * loop, our rate limiter and call counter, so retries wait for tokens and are counted too.
 */
export function createApiGatewayClient(options: ClientOptions): ApiGatewayV2Client {
  const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const client = new ApiGatewayV2Client({
    ...(options.region ? { region: options.region } : {}),
    maxAttempts,
    retryStrategy: new StandardRetryStrategy({ maxAttempts, backoff: pacedBackoff() }),
    requestHandler: {
      requestTimeout: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
      // Without this, @smithy/node-http-handler only logs a warning when requestTimeout passes and keeps
      // waiting for the answer: a hung request would hang the run. With it, the request is abandoned with
      // a TimeoutError, which the retry strategy retries as transient (fault-matrix timeouts test).
      throwOnRequestTimeout: true,
      connectionTimeout: 5_000,
    },
  });
  const limit = pacingMiddleware<ServiceInputTypes, ServiceOutputTypes>(options.limiter, options.stats);
  client.middlewareStack.addRelativeTo(limit, {
    name: "apigwDriftLimiter",
    relation: "after",
    toMiddleware: "retryMiddleware",
    override: true,
  });
  options.instrument?.(client);
  return client;
}

/**
 * The middleware that puts a limiter and a call counter inside an SDK client's retry loop (add it after
 * `retryMiddleware`): every attempt waits for a token and is counted, and each answer is fed back to the
 * limiter as throttled or not. Shared with the CloudTrail client (lib/attribution/client.ts).
 */
export function pacingMiddleware<I extends object, O extends object>(
  limiter: RateLimiter,
  stats: CallStats,
): FinalizeRequestMiddleware<I, O> {
  return (next, context) => async (args) => {
    const header = (args.request as { headers?: Record<string, string> }).headers?.["amz-sdk-request"] ?? "";
    const attempt = Number(/attempt=(\d+)/.exec(header)?.[1] ?? 1);
    await limiter.acquire();
    stats.attempt((context.commandName ?? "unknown").replace(/Command$/, ""), attempt);
    try {
      const result = await next(args);
      limiter.record(false);
      return result;
    } catch (error) {
      const throttled = classify(error) === "throttling";
      if (throttled) stats.throttled += 1;
      limiter.record(throttled);
      throw error;
    }
  };
}
