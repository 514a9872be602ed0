/**
 * Figure E, the event-driven path (PRODUCT §8): a console-style change by a named principal, its CloudTrail
 * record delivered as an SQS batch to the function's own handler (warm, as deployed: its runtime, history
 * on DynamoDB, notifications), from the handler's start to its return with the integration fixed. That is
 * the tool's own overhead: the SQS batching window (up to 20 s) and CloudTrail's delivery to EventBridge
 * (best effort, service-facts #27) come on top and are not measured. Held against a full scheduled run
 * fixing the same change: its API Gateway calls and its time.
 */
import type { AddressInfo } from "node:net";
import { ApiGatewayV2Client, UpdateIntegrationCommand } from "@aws-sdk/client-apigatewayv2";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { Context } from "aws-lambda";
import dynalite from "dynalite";
import {
  type CloudTrailRecord,
  eventBridgeEventOf,
  startCloudTrailEmulator,
} from "../emulator/cloudtrail.ts";
import { startEventBridgeEmulator } from "../emulator/eventbridge.ts";
import { startEmulator } from "../emulator/server.ts";
import { createReconcileHandler } from "../functions/reconcile/app.ts";
import { createFunctionDeps } from "../functions/reconcile/runtime.ts";
import { ensureTable } from "../lib/history/embedded.ts";
import { useEndpoint } from "./sdk.ts";
import { type Row, seconds } from "./table.ts";
import { desiredFiles, driftFields, loadGenerated, pickDrifted, seedEmulator } from "./world.ts";

const FULL = { apis: 20, integrationsPerApi: 100, runs: 7 };
const QUICK = { apis: 3, integrationsPerApi: 10, runs: 2 };
const ACCOUNT = "123456789012";
const ALICE = `arn:aws:sts::${ACCOUNT}:assumed-role/Admin/alice`;
const ROLE = `arn:aws:iam::${ACCOUNT}:role/apigw-drift-ReconcileFunctionRole-BENCH`;

const context = (): Context =>
  ({
    functionName: "apigw-drift-reconcile",
    invokedFunctionArn: `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:apigw-drift-reconcile`,
    awsRequestId: "bench",
    getRemainingTimeInMillis: () => 600_000,
  }) as unknown as Context;

export async function eventPath(quick: boolean) {
  const shape = quick ? QUICK : FULL;
  const state = loadGenerated(desiredFiles(shape));
  // One integration per measured run, plus a warm-up and the scheduled run's.
  const targets = pickDrifted(state, shape.runs + 2, 11);
  const trail = await startCloudTrailEmulator({
    accountId: ACCOUNT,
    throttle: false,
    principals: { AKIDALICE: { type: "AssumedRole", arn: ALICE } },
  });
  const emulator = await startEmulator({ seed: 11, onWrite: trail.onWrite });
  const bus = await startEventBridgeEmulator();
  const dynamo = dynalite({ createTableMs: 0 });
  await new Promise<void>((resolve) => dynamo.listen(0, "127.0.0.1", () => resolve()));
  const dynamoUrl = `http://127.0.0.1:${(dynamo.address() as AddressInfo).port}`;
  seedEmulator(emulator, state, []);
  useEndpoint(emulator.url);
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_CLOUDTRAIL: trail.url,
    AWS_ENDPOINT_URL_EVENTBRIDGE: bus.url,
    AWS_ENDPOINT_URL_DYNAMODB: dynamoUrl,
    POWERTOOLS_LOG_LEVEL: "SILENT",
    POWERTOOLS_METRICS_DISABLED: "true",
  });
  const setup = new DynamoDBClient({ endpoint: dynamoUrl });
  await ensureTable(setup, "history");
  setup.destroy();
  const deps = createFunctionDeps({
    DRIFT_HISTORY_TABLE: "history",
    RECONCILE_MODE: "apply",
    APIGW_DRIFT_ROLE_ARN: ROLE,
  });
  deps.desired = async () => ({ state, revision: "bench" });
  const handler = createReconcileHandler(deps);
  const person = new ApiGatewayV2Client({
    endpoint: emulator.url,
    region: "eu-west-1",
    credentials: { accessKeyId: "AKIDALICE", secretAccessKey: "bench" },
  });
  /** Alice's console edit of `target`; the CloudTrail record it left. */
  const change = async (target: { apiId: string; integrationId: string }, k: number) => {
    const live = emulator.getIntegration(target.apiId, target.integrationId) as Record<string, unknown>;
    const fields = driftFields(live, k);
    const input = Object.fromEntries(
      Object.entries(fields).map(([f, v]) => [f.charAt(0).toUpperCase() + f.slice(1), v]),
    );
    await person.send(
      new UpdateIntegrationCommand({ ApiId: target.apiId, IntegrationId: target.integrationId, ...input }),
    );
    return trail.records()[0] as CloudTrailRecord;
  };
  const batch = (record: CloudTrailRecord) => ({
    Records: [
      {
        messageId: `m-${record.eventID}`,
        eventSource: "aws:sqs" as const,
        body: JSON.stringify(eventBridgeEventOf(record)),
      },
    ],
  });
  try {
    const samples: { ms: number; calls: string[]; status: string; failures: number }[] = [];
    for (const [k, target] of targets.slice(0, shape.runs + 1).entries()) {
      const record = await change(target, k);
      emulator.calls.reset();
      trail.calls.reset();
      const started = performance.now();
      const { report, batchItemFailures } = await handler(batch(record), context());
      const ms = performance.now() - started;
      const result = report.integrations.find((r) => r.integrationId === target.integrationId);
      // The first delivery builds the runtime (cold start, figure 5): a warm-up, not a sample.
      if (k > 0) {
        samples.push({
          ms,
          calls: emulator.calls.operations(),
          status: `${result?.status}${result?.changedBy?.principal === ALICE ? "" : " (unattributed)"}`,
          failures: batchItemFailures.length + trail.calls.all().length,
        });
      }
    }
    // The scheduled sweep fixing the same kind of change: every API listed and read.
    const last = targets[shape.runs + 1]!;
    await change(last, shape.runs + 1);
    emulator.calls.reset();
    trail.calls.reset();
    const sweepStarted = performance.now();
    const sweep = await handler({ mode: "apply" }, context());
    const sweepMs = performance.now() - sweepStarted;
    const sweepCalls = emulator.calls.operations();
    const sweepLookups = trail.calls.all().length;

    const sorted = samples.map((s) => s.ms).sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)]!;
    const calls = Math.max(...samples.map((s) => s.calls.length));
    const problems = [
      ...samples.filter((s) => s.status !== "UPDATED").map((s) => `a delivery ended ${s.status}`),
      ...samples
        .filter((s) => s.failures > 0)
        .map(() => "a delivery failed records back or called CloudTrail"),
      ...(sweep.status === "RECONCILED" ? [] : [`the scheduled run ended ${sweep.status}`]),
    ];
    const met = problems.length === 0 && calls <= 3;
    const count = (ops: string[]) => {
      const by = new Map<string, number>();
      for (const op of ops) by.set(op, (by.get(op) ?? 0) + 1);
      return [...by].map(([op, n]) => `${op} ${n}`).join(", ");
    };
    const rows: Row[] = [
      {
        figure: `E1. event path: API Gateway calls to fix one console change (${shape.apis}×${shape.integrationsPerApi})`,
        ours: `${calls} calls`,
        reference: `scheduled run ${sweepCalls.length} calls`,
        ratio: calls / sweepCalls.length,
        target: "≤ 3 calls",
        result: met ? "met" : "MISSED",
        reason: met
          ? `each delivery: ${count(samples[0]!.calls)}; no LookupEvents (changedBy from the event). The scheduled run: ${count(sweepCalls)}, and ${sweepLookups} LookupEvents to attribute`
          : `measured: ${problems.join("; ") || `${calls} calls`}`,
      },
      {
        figure: "E2. event path: delivery → fixed, the tool's own time (warm, median)",
        ours: `${median.toFixed(0)} ms`,
        reference: `scheduled run ${seconds(sweepMs)}`,
        ratio: median / sweepMs,
        target: "—",
        result: "info",
        reason: `the handler given the SQS batch, to its return with the integration UPDATED: reads, the write, history (lease, write-ahead intent, record), notifications; median of ${samples.length} (${sorted.map((m) => m.toFixed(0)).join(", ")} ms). Not included: the mapping's batching window (up to 20 s) and CloudTrail's delivery to EventBridge (best effort, no SLA). A schedule of rate(15 minutes) finds the same change 7.5 minutes later on average`,
      },
    ];
    return {
      rows,
      raw: {
        shape,
        samples,
        medianMs: median,
        scheduled: { ms: sweepMs, calls: sweepCalls, lookups: sweepLookups, status: sweep.status },
      },
    };
  } finally {
    person.destroy();
    await (await deps.runtime()).close();
    await emulator.close();
    await trail.close();
    await bus.close();
    await new Promise<void>((resolve) => dynamo.close(() => resolve()));
  }
}
