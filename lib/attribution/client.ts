/**
 * The CloudTrail client attribution uses: the only importer of `@aws-sdk/client-cloudtrail` besides the
 * lookup driver. LookupEvents has a quota of its own, "two per second, per account, per Region" (API
 * reference), so the client paces itself with its own RateLimiter, not the API Gateway one.
 */
import {
  CloudTrailClient,
  type ServiceInputTypes,
  type ServiceOutputTypes,
} from "@aws-sdk/client-cloudtrail";
import type { AwsCredentialIdentityProvider } from "@smithy/types";
import { StandardRetryStrategy } from "@smithy/util-retry";
import { DEFAULT_REQUEST_TIMEOUT_MS, pacedBackoff, pacingMiddleware } from "../apigateway/client.ts";
import { RateLimiter } from "../apigateway/limiter.ts";
import { CallStats } from "../apigateway/stats.ts";

/** LookupEvents' documented rate; the burst is ours (the quota names none). */
export const LOOKUP_QUOTA = { rate: 2, burst: 2 } as const;
/** Attempts per page, the first included. */
export const DEFAULT_LOOKUP_ATTEMPTS = 6;

export interface CloudTrailClientOptions {
  /** Default: a RateLimiter at LOOKUP_QUOTA, one request at a time. */
  limiter?: RateLimiter;
  /** Default: a fresh CallStats; read it back from the returned `stats`. */
  stats?: CallStats;
  maxAttempts?: number;
  requestTimeoutMs?: number;
  /** Only for tests: the SDK's standard configuration (Region, credentials, endpoint) applies otherwise. */
  region?: string;
  /** A fragment for the SDK's user agent (the SDK's `customUserAgent`). */
  customUserAgent?: string;
  /** Another account's credentials (a fleet target's assumed role); the SDK's standard chain when absent. */
  credentials?: AwsCredentialIdentityProvider;
}

export interface PacedCloudTrailClient {
  client: CloudTrailClient;
  limiter: RateLimiter;
  stats: CallStats;
}

/** The limiter LookupEvents calls share by default: 2 per second, burst 2, one in flight. */
export function lookupLimiter(): RateLimiter {
  return new RateLimiter({ ...LOOKUP_QUOTA, concurrency: 1 });
}

/**
 * A CloudTrailClient on the SDK's standard configuration (Region, credential chain,
 * `AWS_ENDPOINT_URL_CLOUDTRAIL`) with the same retry as API Gateway calls: the SDK's standard strategy
 * (ThrottlingException, 429, 5xx and network errors retried; other 4xx not) on the paced backoff, and inside
 * its retry loop the limiter and the call counter, so every attempt waits for a token and is counted.
 */
export function createCloudTrailClient(options: CloudTrailClientOptions = {}): PacedCloudTrailClient {
  const maxAttempts = options.maxAttempts ?? DEFAULT_LOOKUP_ATTEMPTS;
  const limiter = options.limiter ?? lookupLimiter();
  const stats = options.stats ?? new CallStats();
  const client = new CloudTrailClient({
    ...(options.region ? { region: options.region } : {}),
    ...(options.customUserAgent ? { customUserAgent: options.customUserAgent } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    maxAttempts,
    retryStrategy: new StandardRetryStrategy({ maxAttempts, backoff: pacedBackoff() }),
    requestHandler: {
      requestTimeout: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
      throwOnRequestTimeout: true,
      connectionTimeout: 5_000,
    },
  });
  const pace = pacingMiddleware<ServiceInputTypes, ServiceOutputTypes>(limiter, stats);
  client.middlewareStack.addRelativeTo(pace, {
    name: "apigwDriftLookupLimiter",
    relation: "after",
    toMiddleware: "retryMiddleware",
    override: true,
  });
  return { client, limiter, stats };
}
