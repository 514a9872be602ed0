import { DynamoDBClient, type DynamoDBClientConfig } from "@aws-sdk/client-dynamodb";
import { retentionDaysFromEnvironment } from "./environment-values.ts";
import { DynamoLease } from "./lease.ts";
import type { LockOptions } from "./lock.ts";
import { NotifiedStore } from "./notified.ts";
import { DynamoHistory } from "./store.ts";

/** History and lease on one table, and how to let go of it. */
export interface HistoryContext {
  history: DynamoHistory;
  lease: DynamoLease;
  /** The apply lease of one target of a fleet (PRODUCT §9). */
  leaseFor(target: { account: string; region: string }): DynamoLease;
  /** The same history, as attribution reads it (since each integration was last in sync). */
  reader: DynamoHistory;
  notified: NotifiedStore;
  tableName: string;
  /** Where history lives, for messages: `DynamoDB table X` or `the local store in /path/.apigw-drift/history`. */
  location: string;
  /** Closes the client (and the embedded server and its folder lock). Call it once the run is done. */
  close(): Promise<void>;
}

export interface EnvironmentOptions {
  now?: () => number;
  /** Only for tests: extra client configuration for the table case. */
  clientConfig?: DynamoDBClientConfig;
  lock?: LockOptions;
}

/**
 * History from the environment (PRODUCT §5): `DRIFT_HISTORY_TABLE` names a DynamoDB table, reached with
 * the SDK's standard configuration (Region, credential chain, `AWS_ENDPOINT_URL_DYNAMODB`, all read by
 * the SDK from the process environment); without it, the embedded store in `<cwd>/.apigw-drift/`.
 * `DRIFT_HISTORY_RETENTION_DAYS` sets the items' TTL (default 90).
 */
export async function historyFromEnvironment(
  env: Record<string, string | undefined>,
  cwd: string,
  options: EnvironmentOptions = {},
): Promise<HistoryContext> {
  const retentionDays = retentionDaysFromEnvironment(env);
  const tableName = env.DRIFT_HISTORY_TABLE?.trim();
  if (tableName) {
    // A table that accepts a connection and never answers must not hang the run.
    const client = new DynamoDBClient({
      requestHandler: { requestTimeout: 10_000, throwOnRequestTimeout: true },
      ...options.clientConfig,
    });
    return {
      ...onTable(client, tableName, retentionDays, options.now),
      location: `DynamoDB table ${tableName}`,
      close: async () => client.destroy(),
    };
  }
  // Loaded only here, so a build that always names a table (the Lambda) never starts LevelDB.
  const { openEmbeddedStore } = await import("./embedded.ts");
  const store = await openEmbeddedStore({ cwd, lock: options.lock });
  return {
    ...onTable(store.client, store.tableName, retentionDays, options.now),
    location: `the local store in ${store.folder}`,
    close: store.close,
  };
}

function onTable(client: DynamoDBClient, tableName: string, retentionDays: number, now?: () => number) {
  const history = new DynamoHistory({ client, tableName, retentionDays, ...(now ? { now } : {}) });
  const lease = new DynamoLease({ client, tableName, ...(now ? { now } : {}) });
  return {
    history,
    lease,
    leaseFor: (target: { account: string; region: string }) => lease.forTarget(target),
    reader: history,
    notified: new NotifiedStore(history),
    tableName,
  };
}

export { retentionDaysFromEnvironment };
