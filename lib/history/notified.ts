/**
 * What was last announced for each integration's open drift (lib/notify's `NotifiedState`), kept in the
 * history table so a standing drift is announced once across runs (PRODUCT §8). One partition, so a run
 * reads every open state with one Query (there are as many as integrations drifted now, not as many as
 * are declared): `NOTIFIED` / `<apiId>#<integrationId>`, deterministic, so a retried write overwrites.
 * A state cleared (the drift reverted, the integration back in sync) is deleted. Items carry the history
 * TTL: a drift still open after the retention is announced again, as a reminder.
 */
import { type AttributeValue, QueryCommand, type QueryCommandOutput } from "@aws-sdk/client-dynamodb";
import { integrationKey } from "../attribution/match.ts";
import { deleteAll, putAll } from "./batch.ts";
import { describeError, HistoryError } from "./errors.ts";
import { TTL_ATTRIBUTE } from "./table.ts";
import type { HistoryWriter } from "./writer.ts";

export const NOTIFIED_PK = "NOTIFIED";

/** lib/notify's NotifiedState, as stored. */
export interface StoredNotifiedState {
  kind: "detected" | "unresolved";
  drift: string;
}

/** The states' changes a run makes: what to write, and what to clear. */
export interface NotifiedChanges {
  put: ReadonlyMap<string, StoredNotifiedState & { apiId: string; integrationId: string }>;
  remove: readonly { apiId: string; integrationId: string }[];
}

export class NotifiedStore {
  readonly #writer: HistoryWriter;

  constructor(writer: HistoryWriter) {
    this.#writer = writer;
  }

  /** Every open state, by integrationKey(apiId, integrationId); items past their TTL are skipped. */
  async load(now: number): Promise<Map<string, StoredNotifiedState>> {
    const out = new Map<string, StoredNotifiedState>();
    const { client, tableName } = this.#writer;
    let start: Record<string, AttributeValue> | undefined;
    do {
      let page: QueryCommandOutput;
      try {
        page = await client.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: "pk = :pk",
            ExpressionAttributeValues: { ":pk": { S: NOTIFIED_PK } },
            ExclusiveStartKey: start,
          }),
        );
      } catch (error) {
        throw new HistoryError(
          `reading the notification states from table ${tableName} failed: ${describeError(error)}`,
          { cause: error },
        );
      }
      for (const item of page.Items ?? []) {
        const [apiId, integrationId, kind, drift] = ["apiId", "integrationId", "kind", "drift"].map(
          (k) => item[k]?.S,
        );
        if (!apiId || !integrationId || !drift || (kind !== "detected" && kind !== "unresolved")) continue;
        // DynamoDB deletes expired items only eventually.
        if (Number(item[TTL_ATTRIBUTE]?.N ?? Number.POSITIVE_INFINITY) <= Math.floor(now / 1000)) continue;
        out.set(integrationKey(apiId, integrationId), { kind, drift });
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return out;
  }

  /** Writes the states that changed and deletes the cleared ones (BatchWriteItem, UnprocessedItems retried). */
  async save(changes: NotifiedChanges, now: number): Promise<void> {
    const w = this.#writer;
    const write = { client: w.client, tableName: w.tableName, ...w.options };
    const expiresAt = Math.floor(now / 1000) + w.retentionDays * 86_400;
    await putAll(
      [...changes.put.values()].map((s) => ({
        ...key(s),
        type: { S: "notified" },
        apiId: { S: s.apiId },
        integrationId: { S: s.integrationId },
        kind: { S: s.kind },
        drift: { S: s.drift },
        at: { S: new Date(now).toISOString() },
        [TTL_ATTRIBUTE]: { N: String(expiresAt) },
      })),
      write,
    );
    await deleteAll(changes.remove.map(key), write);
  }
}

function key(s: { apiId: string; integrationId: string }): Record<string, AttributeValue> {
  return { pk: { S: NOTIFIED_PK }, sk: { S: `${s.apiId}#${s.integrationId}` } };
}
