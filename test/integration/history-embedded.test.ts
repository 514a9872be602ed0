import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { CreateTableCommand } from "@aws-sdk/client-dynamodb";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ensureTable, openEmbeddedStore } from "../../lib/history/embedded.ts";
import { historyFromEnvironment } from "../../lib/history/environment.ts";
import { HistoryBusyError } from "../../lib/history/errors.ts";
import { DynamoHistory } from "../../lib/history/store.ts";
import { drifted, sampleReport, startDynalite } from "../helpers/dynalite.ts";

let cwd: string;
beforeEach(async () => {
  cwd = await mkdtemp(join(tmpdir(), "apigw-drift-embedded-"));
});
afterEach(async () => {
  vi.unstubAllEnvs();
  await rm(cwd, { recursive: true, force: true });
});

const NOW = Date.parse("2025-03-10T12:00:00.000Z");
const report = sampleReport("2025-03-09T08:00:00.000Z", [drifted("api1", "int1")]);

describe("the embedded store", () => {
  it("keeps history in .apigw-drift/ between runs", async () => {
    const first = await openEmbeddedStore({ cwd });
    await new DynamoHistory({ client: first.client, tableName: first.tableName }).record(report);
    await first.close();
    await first.close(); // twice is harmless
    expect(existsSync(join(cwd, ".apigw-drift/history.lock"))).toBe(false);
    expect(await readFile(join(cwd, ".apigw-drift/.gitignore"), "utf8")).toBe("*\n");

    const again = await openEmbeddedStore({ cwd });
    try {
      const history = new DynamoHistory({ client: again.client, tableName: again.tableName, now: () => NOW });
      expect((await history.runs()).items.map((r) => r.runId)).toEqual([report.runId]);
      expect((await history.events()).items.map((e) => e.integrationId)).toEqual(["int1"]);
    } finally {
      await again.close();
    }
  });

  it("refuses a second store on the same folder with a clear message, and the first goes on", async () => {
    const first = await openEmbeddedStore({ cwd });
    try {
      const error = await openEmbeddedStore({ cwd }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(HistoryBusyError);
      expect((error as Error).message).toMatch(
        new RegExp(
          `^another apigw-drift run is using \\.apigw-drift/ \\(pid ${process.pid} on ${hostname()}, since \\S+\\); wait for it, or remove \\.apigw-drift/history\\.lock if no run is alive$`,
        ),
      );
      await new DynamoHistory({ client: first.client, tableName: first.tableName }).record(report);
    } finally {
      await first.close();
    }
  });

  it("refuses a run in another process while one holds the folder", async () => {
    const first = await openEmbeddedStore({ cwd });
    try {
      const child = await runChild(cwd, "open");
      expect(child.code).toBe(1);
      expect(child.output).toContain(`another apigw-drift run is using .apigw-drift/ (pid ${process.pid} on`);
    } finally {
      await first.close();
    }
  });

  it("refuses a folder whose LevelDB lock is held outside its lock file", async () => {
    const other = await startDynalite({ path: join(cwd, ".apigw-drift/history") });
    try {
      await ensureTable(other.client, "someone-elses");
      await expect(openEmbeddedStore({ cwd })).rejects.toThrow(
        /^another process is using \.apigw-drift\/ \(LevelDB reports: IO error: lock .*\); wait for it, or stop it$/,
      );
      expect(existsSync(join(cwd, ".apigw-drift/history.lock"))).toBe(false);
    } finally {
      await other.close();
    }
  });

  it("takes over the folder of a run that was killed, with its data intact", async () => {
    const child = startChild(cwd, "hold");
    await new Promise<void>((resolve) =>
      child.stdout?.on("data", (d: Buffer) => d.includes("held") && resolve()),
    );
    child.kill("SIGKILL");
    await new Promise((resolve) => child.once("exit", resolve));
    expect(existsSync(join(cwd, ".apigw-drift/history.lock"))).toBe(true);

    const store = await openEmbeddedStore({ cwd });
    try {
      const history = new DynamoHistory({ client: store.client, tableName: store.tableName, now: () => NOW });
      expect((await history.runs()).items.map((r) => r.runId)).toEqual(["run-from-child"]);
    } finally {
      await store.close();
    }
  });

  it("refuses a table of another layout instead of misreading it", async () => {
    const dynamo = await startDynalite();
    try {
      await dynamo.client.send(
        new CreateTableCommand({
          TableName: "old",
          BillingMode: "PAY_PER_REQUEST",
          AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }],
          KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
        }),
      );
      await expect(ensureTable(dynamo.client, "old")).rejects.toThrow(
        "table old has another key layout than this apigw-drift expects (made by another version?); move its folder away to start a fresh history",
      );
    } finally {
      await dynamo.close();
    }
  });

  it("creates the table once when two callers ensure it at the same time", async () => {
    const dynamo = await startDynalite({ createTableMs: 30 });
    try {
      await Promise.all([ensureTable(dynamo.client, "shared"), ensureTable(dynamo.client, "shared")]);
      await expect(ensureTable(dynamo.client, "slow", { timeoutMs: 0 })).rejects.toThrow(
        "table slow is still CREATING; try again",
      );
    } finally {
      await dynamo.close();
    }
  });

  it("says so when the folder cannot be used", async () => {
    await writeFile(join(cwd, ".apigw-drift"), "a file where the folder should be");
    await expect(openEmbeddedStore({ cwd })).rejects.toThrow(/EEXIST|ENOTDIR/);
    await rm(join(cwd, ".apigw-drift"));
    await mkdir(join(cwd, ".apigw-drift/history"), { recursive: true });
    await writeFile(join(cwd, ".apigw-drift/history/CURRENT"), "MANIFEST-999999\n");
    await expect(openEmbeddedStore({ cwd })).rejects.toThrow(
      /^cannot open the local history in .*: IO error: .*MANIFEST-999999: No such file or directory; move the folder away to start a fresh history$/,
    );
    expect(existsSync(join(cwd, ".apigw-drift/history.lock"))).toBe(false);
  });
});

describe("historyFromEnvironment", () => {
  it("uses DRIFT_HISTORY_TABLE through the SDK's standard configuration (AWS_ENDPOINT_URL_DYNAMODB)", async () => {
    const dynamo = await startDynalite();
    vi.stubEnv("AWS_ENDPOINT_URL_DYNAMODB", dynamo.endpoint);
    vi.stubEnv("AWS_REGION", "eu-west-1");
    vi.stubEnv("AWS_ACCESS_KEY_ID", "test");
    vi.stubEnv("AWS_SECRET_ACCESS_KEY", "test");
    await ensureTable(dynamo.client, "drift-history");
    const context = await historyFromEnvironment(
      { DRIFT_HISTORY_TABLE: "drift-history", DRIFT_HISTORY_RETENTION_DAYS: "7" },
      cwd,
      { now: () => NOW },
    );
    try {
      expect(context).toMatchObject({ tableName: "drift-history", location: "DynamoDB table drift-history" });
      expect(context.history.retentionDays).toBe(7);
      await context.history.record(report);
      expect((await context.history.events()).items).toHaveLength(1);
      expect(await context.lease.acquire("run-a", 1000)).toEqual({ acquired: true });
      expect(existsSync(join(cwd, ".apigw-drift"))).toBe(false);
    } finally {
      await context.close();
      await dynamo.close();
    }
  });

  it("falls back to the embedded store in the working directory", async () => {
    const context = await historyFromEnvironment({}, cwd);
    try {
      expect(context.location).toBe(`the local store in ${join(cwd, ".apigw-drift/history")}`);
      expect(context.history.retentionDays).toBe(90);
      await context.history.record(report);
    } finally {
      await context.close();
    }
  });
});

const CHILD = {
  // Opens the store and reports how that went.
  open: `
    import { openEmbeddedStore } from ${JSON.stringify(join(process.cwd(), "lib/history/embedded.ts"))};
    try { const s = await openEmbeddedStore({ cwd: process.cwd() }); await s.close(); }
    catch (e) { console.error(e.message); process.exit(1); }`,
  // Records a run, then holds the store until killed.
  hold: `
    import { openEmbeddedStore } from ${JSON.stringify(join(process.cwd(), "lib/history/embedded.ts"))};
    import { DynamoHistory } from ${JSON.stringify(join(process.cwd(), "lib/history/store.ts"))};
    const s = await openEmbeddedStore({ cwd: process.cwd() });
    const report = ${JSON.stringify({ ...report, runId: "run-from-child" })};
    await new DynamoHistory({ client: s.client, tableName: s.tableName }).record(report);
    console.log("held");
    setInterval(() => {}, 1000);`,
};

function startChild(dir: string, script: keyof typeof CHILD): ChildProcess {
  return spawn(process.execPath, ["--input-type=module", "-e", CHILD[script]], {
    cwd: dir,
    stdio: ["ignore", "pipe", "pipe"],
  });
}

async function runChild(dir: string, script: keyof typeof CHILD) {
  const child = startChild(dir, script);
  let output = "";
  child.stdout?.on("data", (d: Buffer) => {
    output += d;
  });
  child.stderr?.on("data", (d: Buffer) => {
    output += d;
  });
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  return { code, output };
}
