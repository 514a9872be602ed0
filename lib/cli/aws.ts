import { createApiGatewayClient } from "../apigateway/client.ts";
import { type Gateway, SdkGateway } from "../apigateway/gateway.ts";
import { RateLimiter } from "../apigateway/limiter.ts";
import { CallStats } from "../apigateway/stats.ts";

export interface AwsOptions {
  rate?: number;
  concurrency?: number;
}

export interface AwsContext {
  gateway: Gateway;
  stats: CallStats;
  limiter: RateLimiter;
  /** The Region the SDK's standard configuration resolved, if any. */
  region: () => Promise<string | undefined>;
}

/** The live edge of a CLI run: one client on the SDK's standard configuration, one limiter, one counter. */
export function createAwsContext(options: AwsOptions): AwsContext {
  const limiter = new RateLimiter({ rate: options.rate, concurrency: options.concurrency });
  const stats = new CallStats();
  const client = createApiGatewayClient({ limiter, stats });
  return {
    gateway: new SdkGateway(client, limiter),
    stats,
    limiter,
    region: async () => {
      try {
        return await client.config.region();
      } catch {
        return undefined;
      }
    },
  };
}
