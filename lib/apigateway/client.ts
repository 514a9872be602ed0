import {
  ApiGatewayV2Client,
  type ServiceInputTypes,
  type ServiceOutputTypes,
} from "@aws-sdk/client-apigatewayv2";
import type { FinalizeRequestMiddleware } from "@smithy/types";
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
}

export const DEFAULT_MAX_ATTEMPTS = 8;
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

/**
 * An ApiGatewayV2Client on the SDK's standard configuration (region, credential chain,
 * `AWS_ENDPOINT_URL_APIGATEWAYV2`), with the SDK's standard retry strategy (capped exponential backoff
 * with full jitter, Retry-After honoured, 429/5xx/network errors retried, 4xx not) and, inside its retry
 * loop, our rate limiter and call counter, so retries wait for tokens and are counted too.
 */
export function createApiGatewayClient(options: ClientOptions): ApiGatewayV2Client {
  const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const client = new ApiGatewayV2Client({
    ...(options.region ? { region: options.region } : {}),
    maxAttempts,
    retryStrategy: new StandardRetryStrategy(maxAttempts),
    requestHandler: {
      requestTimeout: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
      connectionTimeout: 5_000,
    },
  });
  const { limiter, stats } = options;
  const limit: FinalizeRequestMiddleware<ServiceInputTypes, ServiceOutputTypes> =
    (next, context) => async (args) => {
      const header =
        (args.request as { headers?: Record<string, string> }).headers?.["amz-sdk-request"] ?? "";
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
  client.middlewareStack.addRelativeTo(limit, {
    name: "apigwDriftLimiter",
    relation: "after",
    toMiddleware: "retryMiddleware",
    override: true,
  });
  return client;
}
