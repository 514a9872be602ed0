import {
  ApiGatewayV2Client,
  type ServiceInputTypes,
  type ServiceOutputTypes,
} from "@aws-sdk/client-apigatewayv2";
import type {
  AwsCredentialIdentityProvider,
  FinalizeRequestMiddleware,
  RetryErrorInfo,
  RetryStrategyV2,
  RetryToken,
  StandardRetryBackoffStrategy,
  StandardRetryToken,
} from "@smithy/types";
import { StandardRetryStrategy } from "@smithy/util-retry";
import { DEFAULT_ATTEMPT_DEADLINE_MS, DeadlineHttpHandler, SilenceBreaker } from "./deadline.ts";
import { classify } from "./errors.ts";
import type { RateLimiter } from "./limiter.ts";
import type { CallStats } from "./stats.ts";

export interface ClientOptions {
  limiter: RateLimiter;
  stats: CallStats;
  /** Attempts per call, the first included. Batch runs can wait: more than the SDK's default 3. */
  maxAttempts?: number;
  /** Abandon (and retry) a request whose connection has been idle this long. */
  requestTimeoutMs?: number;
  /** Abandon (and retry) an attempt that has no complete answer, headers and body, in this long. */
  attemptDeadlineMs?: number;
  /** Told of each retry before its wait: for a line on stderr or in the logs. */
  onRetry?: (retry: RetryNotice) => void;
  /**
   * The Region of a fleet's target (and tests); the SDK's standard configuration (region, credentials,
   * endpoint) applies otherwise.
   */
  region?: string;
  /** A fleet target's credentials in another account (an assumed role); the standard chain otherwise. */
  credentials?: AwsCredentialIdentityProvider;
  /** Only for tests: sees the client once built (to add a recording middleware). */
  instrument?: (client: ApiGatewayV2Client) => void;
}

/** One retry the client is about to make, for people to see. */
export interface RetryNotice {
  operation: string;
  /** `apiId` or `apiId/integrationId`, when the call names them. */
  target?: string;
  /** The error's name (TooManyRequestsException, TimeoutError, ECONNRESET, …). */
  reason: string;
  /** The attempt about to be made (2 for the first retry), and the most there will be. */
  attempt: number;
  maxAttempts: number;
  waitMs: number;
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
 * The fragment every API Gateway call of the tool adds to its user agent. CloudTrail records the user
 * agent of each write, so attribution can tell the tool's own writes from anyone else's whoever ran it
 * (the Lambda's role, a CI role, a person's CLI): lib/attribution's selfIdentity `userAgentMarker`.
 */
export const TOOL_USER_AGENT = "apigw-drift";

/**
 * An ApiGatewayV2Client on the SDK's standard configuration (region, credential chain,
 * `AWS_ENDPOINT_URL_APIGATEWAYV2`), with the SDK's standard retry strategy (429/5xx/network errors
 * retried, 4xx not, Retry-After honoured) on a paced backoff (see pacedBackoff) and, inside its retry
 * loop, our rate limiter and call counter, so retries wait for tokens and are counted too.
 */
export function createApiGatewayClient(options: ClientOptions): ApiGatewayV2Client {
  const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const calls = new WeakMap<object, { operation: string; target?: string }>();
  const standard = new StandardRetryStrategy({ maxAttempts, backoff: pacedBackoff() });
  const client = new ApiGatewayV2Client({
    ...(options.region ? { region: options.region } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    customUserAgent: TOOL_USER_AGENT,
    maxAttempts,
    retryStrategy: options.onRetry
      ? reportingRetries(standard, maxAttempts, calls, options.onRetry)
      : standard,
    requestHandler: new DeadlineHttpHandler({
      inner: {
        requestTimeout: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
        // Without this, @smithy/node-http-handler only logs a warning when requestTimeout passes and keeps
        // waiting for the answer: a hung request would hang the run. With it, the request is abandoned with
        // a TimeoutError, which the retry strategy retries as transient (fault-matrix timeouts test).
        throwOnRequestTimeout: true,
        connectionTimeout: 5_000,
      },
      deadlineMs: options.attemptDeadlineMs ?? DEFAULT_ATTEMPT_DEADLINE_MS,
      breaker: new SilenceBreaker(),
    }),
  });
  const limit = pacingMiddleware<ServiceInputTypes, ServiceOutputTypes>(
    options.limiter,
    options.stats,
    calls,
  );
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
  calls?: WeakMap<object, { operation: string; target?: string }>,
): FinalizeRequestMiddleware<I, O> {
  return (next, context) => async (args) => {
    const header = (args.request as { headers?: Record<string, string> }).headers?.["amz-sdk-request"] ?? "";
    const attempt = Number(/attempt=(\d+)/.exec(header)?.[1] ?? 1);
    const operation = (context.commandName ?? "unknown").replace(/Command$/, "");
    await limiter.acquire();
    stats.attempt(operation, attempt);
    try {
      const result = await next(args);
      limiter.record(false);
      return result;
    } catch (error) {
      const throttled = classify(error) === "throttling";
      if (throttled) stats.throttled += 1;
      limiter.record(throttled);
      // What the failed attempt was, for the retry notice: the retry strategy sees only the error.
      if (calls && typeof error === "object" && error !== null)
        calls.set(error, { operation, ...targetOf(args.input) });
      throw error;
    }
  };
}

function targetOf(input: unknown): { target?: string } {
  const i = input as { ApiId?: string; IntegrationId?: string } | undefined;
  if (!i?.ApiId) return {};
  return { target: i.IntegrationId ? `${i.ApiId}/${i.IntegrationId}` : i.ApiId };
}

/** The standard retry strategy, telling `onRetry` of each retry it allows, with the wait it chose. */
function reportingRetries(
  inner: StandardRetryStrategy,
  maxAttempts: number,
  calls: WeakMap<object, { operation: string; target?: string }>,
  onRetry: (retry: RetryNotice) => void,
): RetryStrategyV2 {
  return {
    acquireInitialRetryToken: (scope: string) => inner.acquireInitialRetryToken(scope),
    refreshRetryTokenForRetry: async (token: RetryToken, info: RetryErrorInfo) => {
      const next = await inner.refreshRetryTokenForRetry(token as StandardRetryToken, info);
      const error = info.error as { name?: string; code?: string } | undefined;
      const call = error ? calls.get(error) : undefined;
      onRetry({
        operation: call?.operation ?? "request",
        ...(call?.target ? { target: call.target } : {}),
        reason:
          error?.code && error.code !== error.name
            ? `${error.name} (${error.code})`
            : (error?.name ?? "Error"),
        attempt: next.getRetryCount() + 1,
        maxAttempts,
        waitMs: next.getRetryDelay(),
      });
      return next;
    },
    recordSuccess: (token: RetryToken) => inner.recordSuccess(token as StandardRetryToken),
  };
}
