import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { GetItemCommand } from "@aws-sdk/client-dynamodb";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { injectDrift } from "../../emulator/seed.ts";
import type { Emulator } from "../../emulator/server.ts";
import type { StsEmulator } from "../../emulator/sts.ts";
import { createReconcileHandler } from "../../functions/reconcile/app.ts";
import { main } from "../../lib/cli/main.ts";
import type { DesiredState } from "../../lib/desired-state/state.ts";
import { documents } from "../../lib/desired-state/state.ts";
import { DynamoLease } from "../../lib/history/lease.ts";
import type { Report } from "../../lib/plan/report.ts";
import { InMemoryLease } from "../../lib/reconcile/lease.ts";
import { historyTable, startDynalite } from "../helpers/dynalite.ts";
import { captureOutput, handlerDeps, jsonLines, lambdaContext } from "../helpers/lambda-harness.ts";
import { captureIo, liveGateway, startWorld } from "../helpers/world.ts";

const HTTP_API = "a1b2c3d4e5";
const WS_API = "w9x8y7z6v5";
const DESIRED = resolve("desired-state");
const HTTP_FILE = join(DESIRED, "orders-http.yaml");
const WS_FILE = join(DESIRED, "chat-websocket.yaml");
/** What injectDrift leaves for an apply to fix: one update per integration it touched. */
const DRIFTED = ["cnx1a2b", "lmb7k2q", "msg5c6d", "prx3m9a"];

let emulator: Emulator;
let sts: StsEmulator;
let desired: DesiredState;
let close: () => Promise<void>;
let cwd: string;

beforeEach(async () => {
  ({ emulator, sts, desired, close } = await startWorld());
  cwd = await mkdtemp(join(tmpdir(), "apigw-drift-guards-"));
  injectDrift(emulator, documents(desired));
  emulator.calls.reset();
});
afterEach(async () => {
  await close();
  vi.unstubAllEnvs();
  await rm(cwd, { recursive: true, force: true });
});

/** The CLI with --json in its own folder (history in the embedded store there unless env names a table). */
async function cli(args: string[], env: Record<string, string | undefined> = {}) {
  const io = captureIo(env, cwd);
  const code = await main([...args, "--json"], io);
  return { code, report: JSON.parse(io.out) as Report, err: io.err };
}

/** The emulator's writes: none may happen when a guard refuses. */
function writes(): string[] {
  return emulator.calls
    .all()
    .filter((c) => c.operation === "UpdateIntegration" || c.operation === "DeleteIntegration")
    .map((c) => `${c.operation} ${c.integrationId}`);
}

describe("guards through the CLI, against the emulator", () => {
  it("refuses a run in another Region than the files name, before any write", async () => {
    vi.stubEnv("AWS_REGION", "us-east-1");
    const { code, report } = await cli(["apply", "--desired", DESIRED]);
    expect(code).toBe(1);
    expect(report).toMatchObject({ status: "FAILED", integrations: [] });
    expect(report.errors).toEqual([
      // In file order: chat-websocket.yaml before orders-http.yaml.
      {
        file: WS_FILE,
        apiId: WS_API,
        message: `API ${WS_API} is in eu-west-1 by its file, but this run acts in us-east-1; run it with AWS_REGION=eu-west-1`,
      },
      {
        file: HTTP_FILE,
        apiId: HTTP_API,
        message: `API ${HTTP_API} is in eu-west-1 by its file, but this run acts in us-east-1; run it with AWS_REGION=eu-west-1`,
      },
    ]);
    // Checked before any call: the APIs are not looked up in a Region they do not live in.
    expect(emulator.calls.operations()).toEqual([]);
    expect(writes()).toEqual([]);

    // A pull-request plan says the same, and does not claim "no drift" for a run that compared nothing.
    const pr = captureIo({}, cwd);
    expect(await main(["plan", "--desired", DESIRED, "--markdown", "--no-history"], pr)).toBe(1);
    expect(pr.out).toContain(
      "Nothing was compared: the run stopped before reading any integration (see the errors below).\n",
    );
    expect(pr.out).toContain(
      `> **Error**: ${HTTP_FILE}: API ${HTTP_API} is in eu-west-1 by its file, but this run acts in us-east-1; run it with AWS_REGION=eu-west-1\n`,
    );
    expect(pr.out).not.toContain("No drift");
  });

  it.each([
    ["plan", ["plan", "--desired", DESIRED, "--no-history"]],
    ["apply", ["apply", "--desired", DESIRED]],
    ["accept", ["accept", "--desired", DESIRED]],
    ["import", ["import", "--api", HTTP_API, "--out", "-"]],
  ])("refuses %s without a Region, saying what to set, before any call", async (_n, args) => {
    // Neither AWS_REGION nor a profile's region (no config file): the SDK has no Region to call.
    vi.stubEnv("AWS_REGION", undefined);
    vi.stubEnv("AWS_PROFILE", undefined);
    vi.stubEnv("AWS_CONFIG_FILE", join(cwd, "no-config"));
    const io = captureIo({}, cwd);
    expect(await main(args, io)).toBe(1);
    expect(io.err).toContain(
      "apigw-drift: no AWS Region is set; set AWS_REGION (for example AWS_REGION=eu-west-1) or a region in your AWS profile. Nothing was read or changed\n",
    );
    expect(io.out).toBe("");
    expect(emulator.calls.all()).toEqual([]);
    expect(sts.calls).toEqual([]);
  });

  it.each([
    ["--account", ["--account", "999999999999"], {}],
    ["APIGW_DRIFT_ACCOUNT", [], { APIGW_DRIFT_ACCOUNT: "999999999999" }],
  ])(
    "refuses a run told (%s) it acts in an account its credentials are not in, before any call",
    async (_n, flags, env) => {
      const { code, report } = await cli(["apply", "--desired", DESIRED, ...flags], env);
      expect(code).toBe(1);
      expect(report).toMatchObject({ status: "FAILED", integrations: [] });
      expect(report.errors.map((e) => e.message)).toEqual([
        "the run was told it acts in account 999999999999 (--account / APIGW_DRIFT_ACCOUNT), but its credentials act in account 123456789012; correct --account, or use that account's credentials. Nothing was read or changed",
      ]);
      expect(emulator.calls.all()).toEqual([]);
    },
  );

  it("refuses a run whose credentials act in another account than the files name, before any write", async () => {
    sts.identities.set("test", { account: "999999999999", arn: "arn:aws:iam::999999999999:user/test" });
    const { code, report } = await cli(["apply", "--desired", DESIRED], { APIGW_DRIFT_ACCOUNT: undefined });
    expect(code).toBe(1);
    expect(report).toMatchObject({ status: "FAILED", integrations: [] });
    // Sorted by file: chat-websocket.yaml before orders-http.yaml.
    expect(report.errors.map((e) => e.message)).toEqual([
      `API ${WS_API} belongs to account 123456789012 by its file, but this run's credentials act in account 999999999999; run it with that account's credentials`,
      `API ${HTTP_API} belongs to account 123456789012 by its file, but this run's credentials act in account 999999999999; run it with that account's credentials`,
    ]);
    expect(writes()).toEqual([]);
  });

  it("refuses a file whose protocol is not the live API's, before any write", async () => {
    const folder = join(cwd, "desired");
    await mkdir(folder);
    // Drift the guard must keep from being fixed: live lmb7k2q has timeoutInMillis 12345 after injectDrift.
    await writeFile(
      join(folder, "orders.yaml"),
      `apiId: ${HTTP_API}\nprotocol: WEBSOCKET\nintegrations:\n  lmb7k2q:\n    timeoutInMillis: 20000\n`,
    );
    const { code, report } = await cli(["apply", "--desired", folder]);
    expect(code).toBe(1);
    expect(report).toMatchObject({ status: "FAILED", integrations: [] });
    expect(report.errors).toEqual([
      {
        file: join(folder, "orders.yaml"),
        apiId: HTTP_API,
        message: `API ${HTTP_API} is an HTTP API, but its file says protocol: WEBSOCKET; fix the file or its apiId`,
      },
    ]);
    expect(emulator.calls.operations()).toEqual(["GetApi"]);
    expect(emulator.getIntegration(HTTP_API, "lmb7k2q")?.timeoutInMillis).toBe(12_345);
  });

  it("warns a plan over --max-updates and blocks the apply, naming the limit to raise; applies once it is", async () => {
    const limit =
      '4 updates exceed maxUpdates 3 (if intended, raise it for this run: --max-updates 4, or "maxUpdates": 4 in a manual invoke)';
    // A plan is never BLOCKED (PRODUCT §4): it reports what it found and warns of the limit.
    const plan = await cli([
      "plan",
      "--desired",
      DESIRED,
      "--max-updates",
      "3",
      "--no-history",
      "--detailed-exitcode",
    ]);
    expect(plan.code).toBe(2);
    expect(plan.report.status).toBe("DRIFTED");
    expect(plan.report.errors).toEqual([]);
    expect(plan.report.warnings).toEqual([
      { message: `an apply of this plan would be blocked by the blast-radius guard: ${limit}` },
    ]);
    const { code, report } = await cli(["apply", "--desired", DESIRED, "--max-updates", "3", "--no-history"]);
    expect(code).toBe(1);
    expect(report.status).toBe("BLOCKED");
    expect(report.errors).toEqual([{ message: `blast-radius guard: ${limit}. Nothing was changed.` }]);
    for (const r of [plan.report, report]) {
      // The report still shows what would have changed, so the block can be judged.
      const planned = r.integrations.filter((i) => i.action === "update").map((i) => i.integrationId);
      expect(planned.sort()).toEqual(DRIFTED);
    }
    expect(writes()).toEqual([]);
    const raised = await cli(["apply", "--desired", DESIRED, "--max-updates", "4", "--no-history"]);
    expect(raised.report.status).toBe("RECONCILED");
    expect(writes().sort()).toEqual(DRIFTED.map((id) => `UpdateIntegration ${id}`));
  });

  it("blocks an apply whose prune would delete more than --max-deletes, before any write", async () => {
    const folder = join(cwd, "desired");
    await cp(DESIRED, folder, { recursive: true });
    const file = join(folder, "orders-http.yaml");
    await writeFile(file, (await readFile(file, "utf8")).replace("prune: false", "prune: true"));
    const { code, report } = await cli(["apply", "--desired", folder, "--max-deletes", "0", "--no-history"]);
    expect(code).toBe(1);
    expect(report.status).toBe("BLOCKED");
    expect(report.errors).toEqual([
      {
        message:
          'blast-radius guard: 1 delete exceeds maxDeletes 0 (if intended, raise it for this run: --max-deletes 1, or "maxDeletes": 1 in a manual invoke). Nothing was changed.',
      },
    ]);
    expect(writes()).toEqual([]);
  });
});

describe("the apply lease through the CLI, on a shared DynamoDB table", () => {
  let dynamo: Awaited<ReturnType<typeof startDynalite>>;
  let env: Record<string, string>;
  beforeEach(async () => {
    dynamo = await startDynalite();
    const table = await historyTable(dynamo.client);
    vi.stubEnv("AWS_ENDPOINT_URL_DYNAMODB", dynamo.endpoint);
    env = { DRIFT_HISTORY_TABLE: table };
  });
  afterEach(async () => {
    await dynamo.close();
  });

  /** The lease as a run elsewhere left it, taken at `at` for `ttlMs`. */
  const holdLease = (owner: string, at: number, ttlMs: number) =>
    new DynamoLease({ client: dynamo.client, tableName: env.DRIFT_HISTORY_TABLE!, now: () => at }).acquire(
      owner,
      ttlMs,
    );
  const leaseItem = async (target?: { account: string; region: string }) =>
    (
      await dynamo.client.send(
        new GetItemCommand({
          TableName: env.DRIFT_HISTORY_TABLE!,
          Key: {
            pk: { S: "LEASE#apply" },
            sk: { S: target ? `LEASE#${target.account}#${target.region}` : "LEASE" },
          },
          ConsistentRead: true,
        }),
      )
    ).Item;

  it("refuses an apply while another run holds the lease, says until when and what to do, writes nothing", async () => {
    const at = Date.now();
    expect(await holdLease("run-elsewhere", at, 120_000)).toEqual({ acquired: true });
    const until = new Date(at + 120_000).toISOString();
    const { code, report } = await cli(["apply", "--desired", DESIRED], env);
    expect(code).toBe(1);
    expect(report).toMatchObject({ status: "FAILED", integrations: [] });
    expect(report.errors).toEqual([
      {
        message: `another apply run (run-elsewhere) holds the lease until ${until}; nothing was changed. Wait for it to finish, or for the lease to expire if that run died`,
      },
    ]);
    expect(writes()).toEqual([]);
    // The refused run leaves the holder's lease alone, and is itself on record.
    expect((await leaseItem())?.owner?.S).toBe("run-elsewhere");
    const history = captureIo(env, cwd);
    expect(await main(["history", "--runs", "--json"], history)).toBe(0);
    const runs = JSON.parse(history.out) as { runId: string; status: string }[];
    expect(runs.map((r) => [r.runId, r.status])).toEqual([[report.runId, "FAILED"]]);
  });

  it("takes over the lease of a run that died once it has expired, applies, and releases it", async () => {
    const died = Date.now() - 10 * 60_000;
    await holdLease("run-that-died", died, 120_000);
    expect(Number((await leaseItem())?.leaseExpiresAt?.N)).toBeLessThan(Date.now());
    const { code, report } = await cli(["apply", "--desired", DESIRED], env);
    expect(code).toBe(0);
    expect(report.status).toBe("RECONCILED");
    expect(report.errors).toEqual([]);
    expect(writes().sort()).toEqual(DRIFTED.map((id) => `UpdateIntegration ${id}`));
    // The run took its target's lease and released it; the dead run's lease of old is left to expire.
    expect(await leaseItem({ account: "123456789012", region: "eu-west-1" })).toBeUndefined();
    expect((await leaseItem())?.owner?.S).toBe("run-that-died");
  });

  it("refuses an apply while another run holds its target's lease, and not for another target's", async () => {
    const at = Date.now();
    const elsewhere = new DynamoLease({
      client: dynamo.client,
      tableName: env.DRIFT_HISTORY_TABLE!,
      now: () => at,
    });
    await elsewhere
      .forTarget({ account: "123456789012", region: "us-east-1" })
      .acquire("other-region", 120_000);
    const first = await cli(["plan", "--desired", DESIRED], env);
    expect(first.code).toBe(0);
    await elsewhere
      .forTarget({ account: "123456789012", region: "eu-west-1" })
      .acquire("same-target", 120_000);
    const { code, report } = await cli(["apply", "--desired", DESIRED], env);
    expect(code).toBe(1);
    expect(report.errors).toEqual([
      {
        message: `another apply run (same-target) holds the lease until ${new Date(at + 120_000).toISOString()}; nothing was changed. Wait for it to finish, or for the lease to expire if that run died`,
      },
    ]);
    expect(writes()).toEqual([]);
  });

  it("refuses to write when the lease cannot be taken at all (no such table)", async () => {
    const { code, report } = await cli(["apply", "--desired", DESIRED], {
      DRIFT_HISTORY_TABLE: "no-such-table",
    });
    expect(code).toBe(1);
    expect(report.status).toBe("FAILED");
    expect(report.errors.map((e) => e.message)).toEqual([
      "cannot take the apply lease: could not take the lease in table no-such-table: ResourceNotFoundException: Requested resource not found; nothing was changed",
      "drift history was not recorded: 1 of 1 history items were not written to table no-such-table: BatchWriteItem failed: ResourceNotFoundException: Requested resource not found; this report and the logs hold the run's drift",
    ]);
    expect(writes()).toEqual([]);
  });
});

describe("guards in the Lambda handler: account and Region from the invoked function's ARN", () => {
  it.each([
    [
      "another Region",
      "arn:aws:lambda:us-east-1:123456789012:function:apigw-drift-reconcile",
      (api: string) =>
        `API ${api} is in eu-west-1 by its file, but this run acts in us-east-1; run it with AWS_REGION=eu-west-1`,
    ],
    [
      "another account",
      "arn:aws:lambda:eu-west-1:999999999999:function:apigw-drift-reconcile",
      (api: string) =>
        `API ${api} belongs to account 123456789012 by its file, but this run's credentials act in account 999999999999; run it with that account's credentials`,
    ],
  ])("fails a function deployed in %s before the lease and any write", async (_n, arn, message) => {
    const lease = new InMemoryLease();
    const acquire = vi.spyOn(lease, "acquire");
    const { deps, recorded } = handlerDeps({
      desired,
      gateway: () => {
        const live = liveGateway();
        return { gateway: live.gateway, apiCalls: () => live.stats.toRecord() };
      },
      lease,
    });
    const { value: report, output } = await captureOutput(async () => {
      const r = await createReconcileHandler(deps)({ mode: "apply" }, lambdaContext(arn));
      deps.metrics.publishStoredMetrics();
      return r;
    });
    expect(report).toMatchObject({ status: "FAILED", integrations: [] });
    expect(report?.errors).toEqual([
      { file: "desired-state/chat-websocket.yaml", apiId: WS_API, message: message(WS_API) },
      { file: "desired-state/orders-http.yaml", apiId: HTTP_API, message: message(HTTP_API) },
    ]);
    expect(acquire).not.toHaveBeenCalled();
    expect(emulator.calls.operations()).toEqual([]);
    expect(recorded.map((r) => r.status)).toEqual(["FAILED"]);
    const lines = jsonLines(output);
    expect(lines.filter((l) => l.message === "run error")).toHaveLength(2);
    expect(lines.find((l) => "_aws" in l)).toMatchObject({ RunFailed: 1, Updated: 0 });
  });
});

describe("the blast-radius guard in the Lambda handler", () => {
  it("blocks a manual event's run over its maxUpdates before any write, and counts it as RunBlocked", async () => {
    const lease = new InMemoryLease();
    const acquire = vi.spyOn(lease, "acquire");
    const { deps } = handlerDeps({
      desired,
      gateway: () => {
        const live = liveGateway();
        return { gateway: live.gateway, apiCalls: () => live.stats.toRecord() };
      },
      lease,
    });
    const { value: report, output } = await captureOutput(async () => {
      const r = await createReconcileHandler(deps)({ mode: "apply", maxUpdates: 3 }, lambdaContext());
      deps.metrics.publishStoredMetrics();
      return r;
    });
    expect(report?.status).toBe("BLOCKED");
    expect(report?.errors).toEqual([
      {
        message:
          'blast-radius guard: 4 updates exceed maxUpdates 3 (if intended, raise it for this run: --max-updates 4, or "maxUpdates": 4 in a manual invoke). Nothing was changed.',
      },
    ]);
    expect(writes()).toEqual([]);
    expect(jsonLines(output).find((l) => "_aws" in l)).toMatchObject({
      RunBlocked: 1,
      RunFailed: 0,
      Updated: 0,
    });
    // The lease is taken before reading (an apply reads what it will write), and released at the end.
    expect(acquire).toHaveBeenCalledTimes(1);
    expect(await lease.acquire("next-run", 1000)).toEqual({ acquired: true });
  });
});
