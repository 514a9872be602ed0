import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import type { Context } from "aws-lambda";
import { vi } from "vitest";
import type { HandlerDeps } from "../../functions/reconcile/app.ts";
import { parseConfig } from "../../functions/reconcile/config.ts";
import type { Gateway } from "../../lib/apigateway/gateway.ts";
import type { DesiredState } from "../../lib/desired-state/state.ts";
import { createRedactor } from "../../lib/diff/redact.ts";
import type { Report } from "../../lib/plan/report.ts";
import { InMemoryLease, type Lease } from "../../lib/reconcile/lease.ts";
import type { Runtime } from "../../lib/runtime/runtime.ts";

/** The ARN of the deployed function: its Region and account are what the guards check. */
export const FUNCTION_ARN = "arn:aws:lambda:eu-west-1:123456789012:function:apigw-drift-reconcile";

/** What the Lambda service passes to the handler. */
export function lambdaContext(invokedFunctionArn = FUNCTION_ARN, remainingMs = 600_000): Context {
  return {
    functionName: "apigw-drift-reconcile",
    functionVersion: "$LATEST",
    invokedFunctionArn,
    memoryLimitInMB: "512",
    awsRequestId: "11111111-2222-3333-4444-555555555555",
    logGroupName: "/apigw-drift/test/reconcile",
    logStreamName: "test",
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => remainingMs,
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

/**
 * Handler dependencies with in-memory history and lease, a runtime whose runs use the gateway `gateway()`
 * gives (built once, as a cold start builds it), and a Powertools Logger and Metrics as deployed.
 */
export function handlerDeps(options: {
  desired: DesiredState;
  gateway: () => { gateway: Gateway; apiCalls: () => Record<string, number> };
  lease?: Lease;
  env?: Record<string, string>;
}) {
  const recorded: Report[] = [];
  let runtimesBuilt = 0;
  let desiredReads = 0;
  const config = parseConfig({ DRIFT_HISTORY_TABLE: "history", ...options.env });
  const lease = options.lease ?? new InMemoryLease();
  const history = {
    record: async (report: Report) => {
      recorded.push(structuredClone(report));
    },
  };
  let runtime: Runtime | undefined;
  const deps: HandlerDeps = {
    config,
    desired: async () => {
      desiredReads++;
      return { state: options.desired, revision: "0123456789abcdef0123456789abcdef01234567" };
    },
    runtime: async () => {
      if (runtime) return runtime;
      runtimesBuilt++;
      const { gateway, apiCalls } = options.gateway();
      const redact = createRedactor(config.APIGW_DRIFT_REDACTION_KEY);
      runtime = {
        redact,
        services: ({ where }) => ({
          gateway,
          apiCalls,
          where,
          history,
          lease,
          redact,
          now: Date.now,
          concurrency: config.CONCURRENCY,
        }),
        region: async () => "eu-west-1",
        close: async () => {},
      };
      return runtime;
    },
    logger: new Logger({ serviceName: "apigw-drift" }),
    metrics: new Metrics({ namespace: "ApigwDrift", serviceName: "apigw-drift" }),
  };
  return { deps, recorded, runtimesBuilt: () => runtimesBuilt, desiredReads: () => desiredReads };
}

/**
 * Runs `fn` and returns everything it wrote to stdout and stderr: what CloudWatch Logs would receive from
 * the Powertools Logger (JSON lines) and Metrics (EMF), which write to the process streams directly.
 */
export async function captureOutput<T>(
  fn: () => Promise<T>,
): Promise<{ value?: T; error?: unknown; output: string }> {
  let output = "";
  const sink = (chunk: unknown) => {
    output += typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString("utf8");
    return true;
  };
  const out = vi.spyOn(process.stdout, "write").mockImplementation(sink as typeof process.stdout.write);
  const err = vi.spyOn(process.stderr, "write").mockImplementation(sink as typeof process.stderr.write);
  try {
    const value = await fn();
    return { value, output };
  } catch (error) {
    return { error, output };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

/** The JSON lines of captured output (log entries and EMF documents). */
export function jsonLines(output: string): Record<string, unknown>[] {
  return output
    .split("\n")
    .filter((l) => l.trim().startsWith("{"))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}
