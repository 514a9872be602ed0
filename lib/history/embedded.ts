import { mkdir, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import {
  CreateTableCommand,
  DeleteItemCommand,
  DescribeTableCommand,
  DynamoDBClient,
  type TableDescription,
} from "@aws-sdk/client-dynamodb";
import dynalite from "dynalite";
import { describeError, HistoryBusyError, HistoryError } from "./errors.ts";
import { LEASE_KEY } from "./keys.ts";
import { type LockHolder, type LockOptions, lockFile } from "./lock.ts";
import { createTableInput, HISTORY_TABLE } from "./table.ts";

/** The folder, under the working directory, where local runs keep their history. */
export const EMBEDDED_FOLDER = ".apigw-drift";
/** The table inside the embedded store. */
export const EMBEDDED_TABLE = "apigw-drift-history";

/** A DynamoDB endpoint of our own, for the same `DynamoHistory` and `DynamoLease` code as a real table. */
export interface EmbeddedStore {
  client: DynamoDBClient;
  tableName: string;
  /** The LevelDB folder the data lives in. */
  folder: string;
  /** Stops the server, closes the folder and releases its lock. Safe to call twice. */
  close(): Promise<void>;
}

export interface EmbeddedOptions {
  /** The working directory; the store lives in `<cwd>/.apigw-drift/`. */
  cwd: string;
  lock?: LockOptions;
}

/**
 * Starts dynalite on 127.0.0.1 (a free port) over `<cwd>/.apigw-drift/history`, kept between runs, and
 * creates the history table there from `HISTORY_TABLE` if it is not there yet. One run at a time per
 * folder: a second one fails fast with a {@link HistoryBusyError} naming the run that holds it, as
 * Terraform does with its state lock by default.
 *
 * dynalite has no TTL (and no transactions): items keep their `expiresAt`, reads skip expired ones, and
 * nothing is ever deleted locally. UpdateTimeToLive is therefore not called here.
 */
export async function openEmbeddedStore(options: EmbeddedOptions): Promise<EmbeddedStore> {
  const root = join(options.cwd, EMBEDDED_FOLDER);
  const folder = join(root, "history");
  await mkdir(root, { recursive: true });
  // History is local state, never something to commit.
  await writeFile(join(root, ".gitignore"), "*\n", { flag: "wx" }).catch(() => undefined);
  const lock = await lockFile(join(root, "history.lock"), busyError, options.lock);
  try {
    await checkFolder(folder);
  } catch (error) {
    await lock.release();
    throw error;
  }

  const server = dynalite({ path: folder, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  let client: DynamoDBClient | undefined;
  let closed = false;
  // dynalite throws a LevelDB failure (a full disk, a file made unreadable) from inside its request
  // callback, which would take the whole process down: no report, the lock left behind. While the store
  // is open, such a failure is caught here instead: the request in flight is cut, and every later request
  // fails at once with what went wrong, so the run reports it (PARTIAL, history not recorded) and ends.
  let broken: Error | undefined;
  const onStoreFault = (error: unknown) => {
    if (!isStoreFault(error)) {
      // Not ours: leave it to whoever else listens, or do what Node would have done without us.
      if (process.listenerCount("uncaughtException") > 1) return;
      process.off("uncaughtException", onStoreFault);
      process.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`);
      process.exit(1);
    }
    broken ??= storeFailure(folder, error);
    server.closeAllConnections();
  };
  process.on("uncaughtException", onStoreFault);
  const close = async () => {
    if (closed) return;
    closed = true;
    process.off("uncaughtException", onStoreFault);
    client?.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await lock.release();
  };
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    client = new DynamoDBClient({
      endpoint: `http://127.0.0.1:${port}`,
      region: "local",
      // dynalite checks no signature; these keep the SDK away from the credential chain.
      credentials: { accessKeyId: "apigw-drift-local", secretAccessKey: "apigw-drift-local" },
      // Once the store has failed, nothing is sent to it again: every call says why, at once.
      maxAttempts: 3,
    });
    client.middlewareStack.add(
      (next) => async (args) => {
        if (broken) throw broken;
        try {
          return await next(args);
        } catch (error) {
          throw broken ?? error;
        }
      },
      { step: "initialize", name: "apigwDriftStoreFault" },
    );
    await ensureTable(client, EMBEDDED_TABLE);
    // We hold the folder's lock, so no live run uses this store: a lease item here was left by a run that
    // died (a killed CLI). Drop it, or the next apply would wait out its TTL for nothing.
    await client.send(
      new DeleteItemCommand({
        TableName: EMBEDDED_TABLE,
        Key: { pk: { S: LEASE_KEY.pk }, sk: { S: LEASE_KEY.sk } },
      }),
    );
    return { client, tableName: EMBEDDED_TABLE, folder, close };
  } catch (error) {
    await close();
    throw error instanceof HistoryError
      ? error
      : new HistoryError(`cannot open the local history in ${folder}: ${describeError(error)}`, {
          cause: error,
        });
  }
}

/** The part of abstract-level's API the check uses. */
interface LevelDb {
  open(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Opens and closes the LevelDB folder once before dynalite does, with the very `level` module dynalite
 * loads. dynalite does not report a failed open: its first request then throws inside its HTTP handler
 * and takes the process down. Opening it here first turns a corrupt folder, a permission problem or a
 * LOCK held outside our lock file (a run that raced ours, a `dynalite --path` by hand) into an error that
 * says what is wrong. Our lock file is held meanwhile, so no other run slips in between.
 */
async function checkFolder(folder: string): Promise<void> {
  const fromDynalite = createRequire(createRequire(import.meta.url).resolve("dynalite"));
  const { Level } = fromDynalite("level") as { Level: new (path: string, o: object) => LevelDb };
  const db = new Level(folder, { valueEncoding: "json" });
  try {
    await db.open();
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    if (cause?.code === "LEVEL_LOCKED") {
      throw new HistoryBusyError(
        `another process is using ${EMBEDDED_FOLDER}/ (LevelDB reports: ${cause.message}); wait for it, or stop it`,
        { cause: error },
      );
    }
    throw new HistoryError(
      `cannot open the local history in ${folder}: ${cause?.message ?? describeError(error)}; move the folder away to start a fresh history`,
      { cause: error },
    );
  } finally {
    await db.close();
  }
}

function busyError(holder: LockHolder | undefined): Error {
  const who = holder
    ? `pid ${holder.pid} on ${holder.host}, since ${holder.since}`
    : "its lock file is being written or cannot be read";
  return new HistoryBusyError(
    `another apigw-drift run is using ${EMBEDDED_FOLDER}/ (${who}); wait for it, or remove ${EMBEDDED_FOLDER}/history.lock if no run is alive`,
  );
}

/**
 * Creates the history table from `HISTORY_TABLE` unless it exists, and waits until it is ACTIVE. A table
 * that exists with another layout (an older apigw-drift) is refused rather than misread.
 */
export async function ensureTable(
  client: DynamoDBClient,
  tableName: string,
  options: { timeoutMs?: number; sleep?: (ms: number) => Promise<void> } = {},
): Promise<void> {
  const sleep = options.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  let table = await describe(client, tableName);
  if (!table) {
    try {
      await client.send(new CreateTableCommand(createTableInput(tableName)));
    } catch (error) {
      if ((error as { name?: string }).name !== "ResourceInUseException") throw error;
    }
    table = await describe(client, tableName);
  }
  while (table?.TableStatus !== "ACTIVE") {
    if (Date.now() > deadline) {
      throw new HistoryError(`table ${tableName} is still ${table?.TableStatus ?? "missing"}; try again`);
    }
    await sleep(10);
    table = await describe(client, tableName);
  }
  const layout = (t: {
    KeySchema?: readonly { AttributeName?: string; KeyType?: string }[];
    GlobalSecondaryIndexes?: readonly { IndexName?: string }[];
  }) =>
    [
      ...(t.KeySchema ?? []).map((k) => `${k.AttributeName}:${k.KeyType}`),
      ...(t.GlobalSecondaryIndexes ?? []).map((g) => g.IndexName).sort(),
    ].join(",");
  if (layout(table) !== layout(HISTORY_TABLE)) {
    throw new HistoryError(
      `table ${tableName} has another key layout than this apigw-drift expects (made by another version?); move its folder away to start a fresh history`,
    );
  }
}

async function describe(client: DynamoDBClient, tableName: string): Promise<TableDescription | undefined> {
  try {
    return (await client.send(new DescribeTableCommand({ TableName: tableName }))).Table;
  } catch (error) {
    if ((error as { name?: string }).name === "ResourceNotFoundException") return undefined;
    throw error;
  }
}

/** A LevelDB failure thrown from inside dynalite: its `level` errors carry LEVEL_* codes. */
function isStoreFault(error: unknown): boolean {
  const code = (error as { code?: string })?.code ?? "";
  return code.startsWith("LEVEL_") || /^(IO error|Corruption):/.test((error as Error)?.message ?? "");
}

/** What a failed store says: what happened, and what to do about it. */
function storeFailure(folder: string, error: unknown): HistoryError {
  const message = (error as Error).message;
  const advice = /No space left|ENOSPC/.test(message)
    ? "the disk is full: free some space, then run again (the next apply settles what this one wrote)"
    : /Permission denied|EACCES|EPERM|Read-only/i.test(message)
      ? "its files cannot be written: check the folder's permissions and the file system"
      : "move the folder away to start a fresh history";
  return new HistoryError(`the local history store in ${folder} failed: ${message}; ${advice}`, {
    cause: error,
  });
}
