/**
 * The Lambda entry: a thin middy shell. Everything it runs is built once per cold start from the
 * environment (runtime.ts) and the logic lives in app.ts, which tests call directly.
 */
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import middy from "@middy/core";
import { createFunctionHandler } from "./app.ts";
import { createFunctionDeps } from "./runtime.ts";

const deps = createFunctionDeps(process.env);

export const handler = middy(createFunctionHandler(deps))
  .use(injectLambdaContext(deps.logger, { resetKeys: true }))
  .use(logMetrics(deps.metrics, { captureColdStartMetric: true }));
