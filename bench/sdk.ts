/**
 * What the benchmark needs around the AWS SDK: the standard environment pointed at a local emulator (the
 * same path a real run takes), and a trace of every attempt the client sends, retries included.
 */
import type { ApiGatewayV2Client, ServiceInputTypes, ServiceOutputTypes } from "@aws-sdk/client-apigatewayv2";
import type { FinalizeRequestMiddleware } from "@smithy/types";
import { SdkGateway } from "../lib/apigateway/gateway.ts";
import { DEFAULT_CONCURRENCY, type RateLimiter } from "../lib/apigateway/limiter.ts";
import type { CallStats } from "../lib/apigateway/stats.ts";
import { createRedactor } from "../lib/diff/redact.ts";
import type { RunServices } from "../lib/reconcile/reconcile.ts";

/**
 * Points the SDK's standard configuration at `endpoint` with fake credentials. Any profile or session in
 * the environment is dropped: the benchmark never talks to AWS.
 */
export function useEndpoint(endpoint: string): void {
  process.env.AWS_ENDPOINT_URL_APIGATEWAYV2 = endpoint;
  process.env.AWS_REGION = "eu-west-1";
  process.env.AWS_ACCESS_KEY_ID = "bench";
  process.env.AWS_SECRET_ACCESS_KEY = "bench";
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
}

/** One attempt as the client sent it. */
export interface Attempt {
  /** ms since the trace's origin, when the request left (after any client-side token wait). */
  at: number;
  operation: string;
  /** 1 for the first attempt of a call, 2.. for retries. */
  attempt: number;
  outcome: "ok" | "throttled" | "error";
}

export interface AttemptTrace {
  attempts: Attempt[];
  /** Resets the origin to now (call just before the run). */
  start(): void;
}

/**
 * Records every attempt of `client`, inside its retry loop: `after` names the middleware ours goes after
 * (our limiter, so the time is when the request really leaves; or `retryMiddleware` for a plain client).
 */
export function traceAttempts(client: ApiGatewayV2Client, after: string): AttemptTrace {
  let origin = performance.now();
  const attempts: Attempt[] = [];
  const trace: FinalizeRequestMiddleware<ServiceInputTypes, ServiceOutputTypes> =
    (next, context) => async (args) => {
      const headers = (args.request as { headers?: Record<string, string> }).headers ?? {};
      const attempt = Number(/attempt=(\d+)/.exec(headers["amz-sdk-request"] ?? "")?.[1] ?? 1);
      const record: Attempt = {
        at: performance.now() - origin,
        operation: (context.commandName ?? "unknown").replace(/Command$/, ""),
        attempt,
        outcome: "ok",
      };
      attempts.push(record);
      try {
        return await next(args);
      } catch (error) {
        const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
        record.outcome = status === 429 ? "throttled" : "error";
        throw error;
      }
    };
  client.middlewareStack.addRelativeTo(trace, {
    name: "benchAttemptTrace",
    relation: "after",
    toMiddleware: after,
  });
  return {
    attempts,
    start: () => {
      origin = performance.now();
    },
  };
}

/** The last time a call was first sent: everything after it is waiting on retries (the backoff tail). */
export function lastFirstAttempt(attempts: readonly Attempt[]): number {
  let last = 0;
  for (const a of attempts) if (a.attempt === 1 && a.at > last) last = a.at;
  return last;
}

/**
 * The services of a measured run over `client`, paced by `limiter` and counted by `stats`: what the
 * composition root builds, without history, attribution or notifications (the figures measure API Gateway).
 */
export function benchServices(
  client: ApiGatewayV2Client,
  limiter: RateLimiter,
  stats: CallStats,
): RunServices {
  return {
    gateway: new SdkGateway(client, limiter),
    apiCalls: () => stats.toRecord(),
    where: {},
    redact: createRedactor(),
    now: Date.now,
    concurrency: DEFAULT_CONCURRENCY,
  };
}
