import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import { historyOnTable } from "../../lib/history/on-table.ts";
import type { DesiredInput } from "../../lib/reconcile/reconcile.ts";
import { createRuntime, type Runtime } from "../../lib/runtime/runtime.ts";
import type { HandlerDeps } from "./app.ts";
import { parseConfig } from "./config.ts";
import { desiredSource } from "./desired-source.ts";
import { redactionKeySource } from "./redaction-key.ts";

/**
 * Everything the function needs, from its environment, once per cold start: the configuration, the logger
 * and metrics, the desired state built into the artifact, and the runtime (lib/runtime: the API Gateway
 * client, limiter and gateway, the history table and lease), built at the first invocation, after the
 * redaction key is read, and then reused by every warm invocation. A runtime that could not be built (the
 * key's parameter unreadable) is not kept: the next invocation tries again. The embedded local store is
 * never loaded.
 */
export function createFunctionDeps(env: Record<string, string | undefined>): HandlerDeps {
  const config = parseConfig(env);
  const logger = new Logger({ serviceName: env.POWERTOOLS_SERVICE_NAME ?? "apigw-drift" });
  const metrics = new Metrics({
    namespace: env.POWERTOOLS_METRICS_NAMESPACE ?? "ApigwDrift",
    serviceName: env.POWERTOOLS_SERVICE_NAME ?? "apigw-drift",
  });
  const key = redactionKeySource({
    parameterName: config.APIGW_DRIFT_REDACTION_KEY_PARAMETER,
    key: config.APIGW_DRIFT_REDACTION_KEY,
  });
  let desired: Promise<DesiredInput> | undefined;
  let runtime: Promise<Runtime> | undefined;
  let self: Promise<readonly string[]> | undefined;
  // The function's own identity, once per cold start: the role ARN the template passes, else whoever STS
  // says these credentials are (the role's session: any session of the role is the function).
  const ownArns = () => {
    self ??= config.APIGW_DRIFT_ROLE_ARN
      ? Promise.resolve([config.APIGW_DRIFT_ROLE_ARN])
      : import("../../lib/identity/caller.ts")
          .then(({ callerIdentity }) => callerIdentity())
          .then((caller) => [caller.arn])
          .catch((error: unknown) => {
            self = undefined;
            throw error;
          });
    return self;
  };
  return {
    config,
    logger,
    metrics,
    self: ownArns,
    desired: () => {
      desired ??= desiredSource();
      return desired;
    },
    runtime: () => {
      runtime ??= key()
        .then((redactionKey) =>
          createRuntime({
            rate: config.RATE_LIMIT,
            concurrency: config.CONCURRENCY,
            ...(redactionKey ? { redactionKey } : {}),
            history: { open: async () => historyOnTable(env), use: "record" },
            ...(config.ATTRIBUTION === "on"
              ? {
                  attribution: {
                    scope: "role" as const,
                    pageBudget: config.ATTRIBUTION_PAGES,
                    self: ownArns,
                  },
                }
              : {}),
            notifications: config.NOTIFICATIONS === "on",
          }),
        )
        .catch((error: unknown) => {
          runtime = undefined;
          throw error;
        });
      return runtime;
    },
  };
}
