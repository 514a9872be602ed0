import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Context } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { injectDrift } from "../../emulator/seed.ts";
import type { Emulator as Server } from "../../emulator/server.ts";
import { DynamoHistory } from "../../lib/history/store.ts";
import type { Report } from "../../lib/plan/report.ts";
import { buildLambda } from "../../scripts/build-lambda.ts";
import { readTemplate, roleStatements } from "../helpers/cloudformation.ts";
import { historyTable, startDynalite } from "../helpers/dynalite.ts";
import { lambdaContext } from "../helpers/lambda-harness.ts";
import { startWorld } from "../helpers/world.ts";

type Handler = (event: unknown, context: Context) => Promise<Report>;

let dir: string;
let emulator: Server;
let closeWorld: () => Promise<void>;
let dynamo: Awaited<ReturnType<typeof startDynalite>>;
let table: string;
let handler: Handler;
let bundledSources: string[];

beforeAll(async () => {
  // The stand-in for `sam build`: the template's own build (the Makefile's script), into a scratch folder.
  dir = await mkdtemp(join(tmpdir(), "apigw-drift-lambda-"));
  const built = await buildLambda({ outdir: dir, revision: "0123456789abcdef0123456789abcdef01234567" });
  bundledSources = Object.keys(built.metafile.inputs).filter((f) => /^(lib|functions)\/.*\.ts$/.test(f));
  ({ emulator, close: closeWorld } = await startWorld());
  dynamo = await startDynalite();
  table = await historyTable(dynamo.client);
  vi.stubEnv("AWS_ENDPOINT_URL_DYNAMODB", dynamo.endpoint);
  vi.stubEnv("DRIFT_HISTORY_TABLE", table);
  vi.stubEnv("RECONCILE_MODE", "apply");
  vi.stubEnv("POWERTOOLS_METRICS_NAMESPACE", "ApigwDrift");
  vi.stubEnv("POWERTOOLS_SERVICE_NAME", "apigw-drift");
  // Quiet test output: test/integration/secrets.test.ts reads the function's logs and metrics.
  vi.stubEnv("POWERTOOLS_LOG_LEVEL", "SILENT");
  vi.stubEnv("POWERTOOLS_METRICS_DISABLED", "true");
  // The stand-in for the invoke: the bundle's cold start reads this environment.
  handler = (await import(pathToFileURL(built.outfile).href)).handler as Handler;
}, 60_000);

afterAll(async () => {
  await closeWorld();
  await dynamo.close();
  vi.unstubAllEnvs();
  await rm(dir, { recursive: true, force: true });
});

describe("the bundled Lambda handler", () => {
  it("reconciles the emulator on a scheduled event and records the run in history", async () => {
    injectDrift(emulator, []);
    emulator.overwriteIntegration("a1b2c3d4e5", "lmb7k2q", { timeoutInMillis: 12_345 });
    const report = await handler({ mode: "apply" }, lambdaContext());
    expect(report).toMatchObject({
      mode: "apply",
      status: "RECONCILED",
      desiredRevision: "0123456789abcdef0123456789abcdef01234567",
    });
    expect(report.integrations.find((r) => r.integrationId === "lmb7k2q")?.status).toBe("UPDATED");
    const history = new DynamoHistory({ client: dynamo.client, tableName: table });
    const runs = await history.runs();
    expect(runs.items.map((r) => r.runId)).toEqual([report.runId]);
    const events = await history.events({ integrationId: "lmb7k2q" });
    expect(events.items[0]).toMatchObject({ runId: report.runId, status: "UPDATED", mode: "apply" });
  });

  it("returns an unchanged world on a dry-run event", async () => {
    emulator.overwriteIntegration("w9x8y7z6v5", "msg5c6d", { timeoutInMillis: 100 });
    emulator.calls.reset();
    const report = await handler({ dryRun: true }, lambdaContext());
    expect(report.mode).toBe("plan");
    expect(report.status).toBe("DRIFTED");
    expect(emulator.calls.operations().filter((op) => !op.startsWith("Get"))).toEqual([]);
    expect(emulator.getIntegration("w9x8y7z6v5", "msg5c6d")?.timeoutInMillis).toBe(100);
  });

  it("plans only the APIs and integrations a manual event names", async () => {
    const report = await handler({ dryRun: true, integrationIds: ["msg5c6d"] }, lambdaContext());
    expect(report.integrations.map((r) => r.integrationId)).toEqual(["msg5c6d"]);
  });

  it("rejects an event with an unknown field, naming it", async () => {
    await expect(handler({ dryrun: true }, lambdaContext())).rejects.toThrow(
      'invalid event: unknown field "dryrun" (did you mean dryRun?); the event takes mode, dryRun, apiIds, integrationIds, maxDeletes, maxUpdates, prune',
    );
  });

  it("defers everything when the function has no time left", async () => {
    emulator.overwriteIntegration("w9x8y7z6v5", "msg5c6d", { timeoutInMillis: 200 });
    const report = await handler({ mode: "apply" }, lambdaContext(undefined, 1_000));
    expect(report.status).toBe("PARTIAL");
    expect(report.summary.DEFERRED).toBeGreaterThan(0);
    expect(report.summary.UPDATED).toBe(0);
  });

  it("is granted exactly the IAM actions its bundled code calls", () => {
    const used = new Set<string>();
    for (const file of bundledSources) {
      const text = readFileSync(file, "utf8");
      for (const [, names, client] of text.matchAll(
        /import\s*\{([^}]*)\}\s*from\s*"@aws-sdk\/client-(apigatewayv2|dynamodb)"/g,
      )) {
        for (const [, op] of names!.matchAll(/\b(\w+)Command\b/g)) used.add(iamAction(client!, op!));
      }
    }
    // Every statement on the function's role: its SAM Policies and the per-API policies (Fn::ForEach).
    const statements = roleStatements(readTemplate(), { ApiIds: "a1b2c3d4e5,w9x8y7z6v5" });
    const granted = new Set(statements.flatMap((s) => s.Action));
    expect([...used].sort()).toEqual([...granted].sort());
  });
});

/** The IAM action an SDK command needs: API Gateway's are HTTP verbs, DynamoDB's carry the operation name. */
function iamAction(client: string, operation: string): string {
  if (client === "dynamodb") return `dynamodb:${operation}`;
  if (operation.startsWith("Get")) return "apigateway:GET";
  if (operation.startsWith("Update")) return "apigateway:PATCH";
  if (operation.startsWith("Delete")) return "apigateway:DELETE";
  return "apigateway:POST";
}
