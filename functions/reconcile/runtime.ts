import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { createApiGatewayClient } from "../../lib/apigateway/client.ts";
import { SdkGateway } from "../../lib/apigateway/gateway.ts";
import { RateLimiter } from "../../lib/apigateway/limiter.ts";
import { CallStats } from "../../lib/apigateway/stats.ts";
import { type DesiredState, loadDesiredFiles } from "../../lib/desired-state/load.ts";
import { DynamoLease } from "../../lib/history/lease.ts";
import { HistoryWriter } from "../../lib/history/writer.ts";
import type { HandlerDeps } from "./app.ts";
import { parseConfig } from "./config.ts";
import { desiredSource } from "./desired-source.ts";
import { redactionKeySource } from "./redaction-key.ts";

/**
 * Everything the function needs, built once per cold start from its environment: the history table and
 * lease on the SDK's standard configuration, the desired state built into the artifact (validated once),
 * and a fresh gateway (limiter and call counts) for each run. The embedded local store is never loaded.
 */
export function createRuntime(env: Record<string, string | undefined>): HandlerDeps {
  const config = parseConfig(env);
  const logger = new Logger({ serviceName: env.POWERTOOLS_SERVICE_NAME ?? "apigw-drift" });
  const metrics = new Metrics({
    namespace: env.POWERTOOLS_METRICS_NAMESPACE ?? "ApigwDrift",
    serviceName: env.POWERTOOLS_SERVICE_NAME ?? "apigw-drift",
  });
  // A table that accepts a connection and never answers must not hang the run past its deadline.
  const dynamo = new DynamoDBClient({
    requestHandler: { requestTimeout: 10_000, throwOnRequestTimeout: true },
  });
  const tableName = config.DRIFT_HISTORY_TABLE;
  let desired: Promise<{ state: DesiredState; revision: string }> | undefined;
  return {
    config,
    logger,
    metrics,
    history: new HistoryWriter({
      client: dynamo,
      tableName,
      retentionDays: config.DRIFT_HISTORY_RETENTION_DAYS,
    }),
    lease: new DynamoLease({ client: dynamo, tableName }),
    redactionKey: redactionKeySource({
      parameterName: config.APIGW_DRIFT_REDACTION_KEY_PARAMETER,
      key: config.APIGW_DRIFT_REDACTION_KEY,
    }),
    desired: () => {
      desired ??= desiredSource().then(({ files, revision }) => ({
        state: loadDesiredFiles(files),
        revision,
      }));
      return desired;
    },
    gateway: () => {
      const limiter = new RateLimiter({ rate: config.RATE_LIMIT, concurrency: config.CONCURRENCY });
      const stats = new CallStats();
      const client = createApiGatewayClient({ limiter, stats });
      return { gateway: new SdkGateway(client, limiter), apiCalls: () => stats.toRecord() };
    },
  };
}
