import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { Lease } from "../reconcile/lease.ts";
import type { HistoryRecorder } from "../reconcile/reconcile.ts";
import { retentionDaysFromEnvironment } from "./environment-values.ts";
import { HistoryError } from "./errors.ts";
import type { HistoryReader } from "./in-sync.ts";
import { DynamoLease } from "./lease.ts";
import { NotifiedStore } from "./notified.ts";
import { DynamoHistory } from "./store.ts";

/** What a run takes from the history table: the recorder, the lease, and the reads of attribution and notifications. */
export interface WriteOnlyHistory {
  history: HistoryRecorder;
  lease: Lease;
  /** The apply lease of one target of a fleet (PRODUCT §9). */
  leaseFor(target: { account: string; region: string }): Lease;
  reader: HistoryReader;
  notified: NotifiedStore;
  location: string;
  close(): Promise<void>;
}

/**
 * The history table `DRIFT_HISTORY_TABLE` names, for the Lambda: it records, takes the lease, and reads
 * only with Query (attribution's windows, the notification states, open intents). This module does not
 * import the embedded store, so the function's bundle does not hold it, and its role is granted only the
 * actions it calls (a test derives them from the bundle).
 */
export function historyOnTable(env: Record<string, string | undefined>): WriteOnlyHistory {
  const tableName = env.DRIFT_HISTORY_TABLE?.trim();
  if (!tableName) throw new HistoryError("DRIFT_HISTORY_TABLE must name the history table");
  // A table that accepts a connection and never answers must not hang the run past its deadline.
  const client = new DynamoDBClient({
    requestHandler: { requestTimeout: 10_000, throwOnRequestTimeout: true },
  });
  const history = new DynamoHistory({ client, tableName, retentionDays: retentionDaysFromEnvironment(env) });
  const lease = new DynamoLease({ client, tableName });
  return {
    history,
    lease,
    leaseFor: (target) => lease.forTarget(target),
    reader: history,
    notified: new NotifiedStore(history),
    location: `DynamoDB table ${tableName}`,
    close: async () => client.destroy(),
  };
}
