import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Context } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { injectDrift } from "../../emulator/seed.ts";
import type { Emulator as Server } from "../../emulator/server.ts";
import { createRedactor } from "../../lib/diff/redact.ts";
import { DynamoHistory } from "../../lib/history/store.ts";
import type { Report } from "../../lib/plan/report.ts";
import { buildLambda } from "../../scripts/build-lambda.ts";
import { readTemplate, roleStatements } from "../helpers/cloudformation.ts";
import { historyTable, startDynalite } from "../helpers/dynalite.ts";
import { lambdaContext } from "../helpers/lambda-harness.ts";
import { startSsm } from "../helpers/ssm-server.ts";
import { startWorld } from "../helpers/world.ts";

type Handler = (event: unknown, context: Context) => Promise<Report>;

let dir: string;
let emulator: Server;
let closeWorld: () => Promise<void>;
let dynamo: Awaited<ReturnType<typeof startDynalite>>;
let table: string;
let handler: Handler;
let bundledSources: string[];
let bundle: string;

beforeAll(async () => {
  // The stand-in for `sam build`: the template's own build (the Makefile's script), into a scratch folder.
  dir = await mkdtemp(join(tmpdir(), "apigw-drift-lambda-"));
  const built = await buildLambda({ outdir: dir, revision: "0123456789abcdef0123456789abcdef01234567" });
  bundledSources = Object.keys(built.metafile.inputs).filter((f) => /^(lib|functions)\/.*\.ts$/.test(f));
  bundle = built.outfile;
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
      // Static imports, and the dynamic ones of clients loaded only when needed (redaction-key.ts).
      for (const [, imported, loaded, client] of text.matchAll(
        /(?:import\s*\{([^}]*)\}\s*from|const\s*\{([^}]*)\}\s*=\s*await\s+import\()\s*"@aws-sdk\/client-(apigatewayv2|dynamodb|ssm|cloudtrail|eventbridge|sts)"/g,
      )) {
        for (const [, op] of (imported ?? loaded)!.matchAll(/\b(\w+)Command\b/g)) {
          for (const action of iamActions(client!, op!)) used.add(action);
        }
      }
      // A fleet's targets in other accounts: the SDK's provider calls STS AssumeRole (lib/fleet).
      if (
        /import\s*\{[^}]*\bfromTemporaryCredentials\b[^}]*\}\s*from\s*"@aws-sdk\/credential-providers"/.test(
          text,
        )
      ) {
        used.add("sts:AssumeRole");
      }
    }
    expect(used).toContain("sts:AssumeRole");
    expect(used).toContain("ssm:GetParameter");
    expect(used).toContain("cloudtrail:LookupEvents");
    expect(used).toContain("events:PutEvents");
    // Not called by the code: Lambda polls the event queue with the function's role, which needs these for
    // each SQS event source mapping (Lambda developer guide, "Execution role permissions" for SQS).
    const template = readTemplate();
    const mappings = Object.values(template.Resources).filter(
      (r) => r.Type === "AWS::Lambda::EventSourceMapping",
    );
    expect(mappings).toHaveLength(1);
    for (const action of ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"])
      used.add(action);
    // Every statement on the function's role: its SAM Policies and the per-API policies (Fn::ForEach), with
    // the conditional ones of a deploy that names the redaction key's parameter and its customer key.
    const granted = (given: Record<string, string>) =>
      [
        ...new Set(
          roleStatements(readTemplate(), { ApiIds: "a1b2c3d4e5,w9x8y7z6v5", ...given }).flatMap(
            (s) => s.Action,
          ),
        ),
      ].sort();
    expect(
      granted({
        RedactionKeyParameter: "/apigw-drift/redaction-key",
        RedactionKeyKmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
      }),
    ).toEqual([...used].sort());
    // Without the parameter, the code never calls SSM (redaction-key.ts) and the role cannot either.
    expect(granted({})).toEqual([...used].filter((a) => !/^(ssm|kms):/.test(a)).sort());
  });
});

describe("the bundled Lambda handler with its redaction key in SSM", () => {
  const NAME = "/apigw-drift/redaction-key";
  const SSM_KEY = "key-from-ssm-7f3a9c";
  let ssm: Awaited<ReturnType<typeof startSsm>>;
  let cold = 0;
  /** A new cold start of the bundle (a fresh module instance) in the environment stubbed so far. */
  const coldStart = async () =>
    (await import(`${pathToFileURL(bundle).href}?cold-start=${++cold}`)).handler as Handler;

  beforeAll(async () => {
    ssm = await startSsm();
    vi.stubEnv("AWS_ENDPOINT_URL_SSM", ssm.endpoint);
    vi.stubEnv("APIGW_DRIFT_REDACTION_KEY_PARAMETER", NAME);
  });
  afterAll(async () => {
    await ssm.close();
  });

  it("hashes redacted values with the key from SSM, read once at the first invocation", async () => {
    ssm.put({ Name: NAME, Type: "SecureString", Value: SSM_KEY });
    ssm.requests.length = 0;
    const handler = await coldStart();
    expect(ssm.requests).toEqual([]);
    const live = {
      ...(emulator.getIntegration("a1b2c3d4e5", "prx3m9a")!.requestParameters as Record<string, string>),
    };
    live["overwrite:header.authorization"] = "Bearer live-token";
    emulator.overwriteIntegration("a1b2c3d4e5", "prx3m9a", { requestParameters: live });
    const report = await handler({ dryRun: true, integrationIds: ["prx3m9a"] }, lambdaContext());
    const diff = report.integrations[0]?.diffs.find((d) => d.path.endsWith("authorization"));
    // The live value is a credential: redacted, with the key from SSM (which side is redacted is the
    // redaction rules' business; the key is this test's).
    expect(diff).toMatchObject({
      path: "/requestParameters/overwrite:header.authorization",
      kind: "changed",
      actual: createRedactor(SSM_KEY)("Bearer live-token"),
    });
    expect(diff?.actual).not.toBe(createRedactor()("Bearer live-token"));
    await handler({ dryRun: true, integrationIds: ["prx3m9a"] }, lambdaContext());
    expect(ssm.requests).toEqual([
      { target: "AmazonSSM.GetParameter", body: { Name: NAME, WithDecryption: true } },
    ]);
  });

  it("fails the invocation before any call when the parameter is missing, naming it", async () => {
    ssm.delete(NAME);
    const handler = await coldStart();
    emulator.calls.reset();
    await expect(handler({ mode: "apply" }, lambdaContext())).rejects.toThrow(
      `cannot read the redaction key's SSM parameter "${NAME}": it does not exist in this account and Region (ParameterNotFound).`,
    );
    expect(emulator.calls.operations()).toEqual([]);
  });
});

/**
 * The IAM actions an SDK command needs: API Gateway's are HTTP verbs, DynamoDB's, CloudTrail's and
 * EventBridge's (`events:`) carry the operation name, STS GetCallerIdentity needs none, and SSM's
 * GetParameter of a SecureString (redaction-key.ts decrypts) needs kms:Decrypt on a customer key.
 */
function iamActions(client: string, operation: string): string[] {
  if (client === "dynamodb") return [`dynamodb:${operation}`];
  if (client === "cloudtrail") return [`cloudtrail:${operation}`];
  if (client === "eventbridge") return [`events:${operation}`];
  // GetCallerIdentity: "No permissions are required to perform this operation" (STS API reference).
  if (client === "sts") return operation === "GetCallerIdentity" ? [] : [`sts:${operation}`];
  if (client === "ssm")
    return operation === "GetParameter" ? ["ssm:GetParameter", "kms:Decrypt"] : [`ssm:${operation}`];
  if (operation.startsWith("Get")) return ["apigateway:GET"];
  if (operation.startsWith("Update")) return ["apigateway:PATCH"];
  if (operation.startsWith("Delete")) return ["apigateway:DELETE"];
  return ["apigateway:POST"];
}
