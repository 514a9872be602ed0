/**
 * The Lambda entry: a thin middy shell. Everything it runs is built once per cold start from the
 * environment (runtime.ts) and the logic lives in app.ts, which tests call directly.
 */
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import middy from "@middy/core";
import { createFunctionHandler } from "./app.ts";
import { createFunctionDeps } from "./runtime.ts";

/**
 * Built at module load, in the function's init phase. Exported so the cold-start benchmark can build the
 * first invocation's setup (`deps.runtime()`, `deps.desired()`) from the artifact as deployed, without a run.
 */
export const deps = createFunctionDeps(process.env);

export const handler = middy(createFunctionHandler(deps))
  .use(injectLambdaContext(deps.logger, { resetKeys: true }))
  .use(logMetrics(deps.metrics, { captureColdStartMetric: true }));
