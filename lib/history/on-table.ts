import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { Lease } from "../reconcile/lease.ts";
import type { HistoryRecorder } from "../reconcile/reconcile.ts";
import { retentionDaysFromEnvironment } from "./environment-values.ts";
import { HistoryError } from "./errors.ts";
import { DynamoLease } from "./lease.ts";
import { HistoryWriter } from "./writer.ts";

/** What a run takes from a history table it only writes to: the recorder and the lease. */
export interface WriteOnlyHistory {
  history: HistoryRecorder;
  lease: Lease;
  /** The apply lease of one target of a fleet (PRODUCT §9). */
  leaseFor(target: { account: string; region: string }): Lease;
  location: string;
  close(): Promise<void>;
}

/**
 * The history table `DRIFT_HISTORY_TABLE` names, for a run that records and takes the lease but never
 * queries: what the Lambda uses. This module imports neither the queries nor the embedded store, so the
 * function's bundle holds neither, and its role is granted only the actions it calls (a test derives them
 * from the bundle).
 */
export function historyOnTable(env: Record<string, string | undefined>): WriteOnlyHistory {
  const tableName = env.DRIFT_HISTORY_TABLE?.trim();
  if (!tableName) throw new HistoryError("DRIFT_HISTORY_TABLE must name the history table");
  // A table that accepts a connection and never answers must not hang the run past its deadline.
  const client = new DynamoDBClient({
    requestHandler: { requestTimeout: 10_000, throwOnRequestTimeout: true },
  });
  const lease = new DynamoLease({ client, tableName });
  return {
    history: new HistoryWriter({ client, tableName, retentionDays: retentionDaysFromEnvironment(env) }),
    lease,
    leaseFor: (target) => lease.forTarget(target),
    location: `DynamoDB table ${tableName}`,
    close: async () => client.destroy(),
  };
}
