import {
  type AttributeValue,
  type DynamoDBClient,
  QueryCommand,
  type QueryCommandOutput,
} from "@aws-sdk/client-dynamodb";
import type { Report } from "../plan/report.ts";
import type { HistoryRecorder } from "../reconcile/reconcile.ts";
import { deleteAll, putAll } from "./batch.ts";
import { describeError, HistoryError } from "./errors.ts";
import { INTENTS_PK, type Intent, intentFromItem, intentItem, intentKey } from "./intents.ts";
import { reportItems } from "./items.ts";
import { DEFAULT_RETENTION_DAYS } from "./table.ts";

export interface DynamoHistoryOptions {
  /** A DynamoDB client on the SDK's standard configuration, or one pointed at the embedded store. */
  client: DynamoDBClient;
  tableName: string;
  /** How long items live (their TTL), in days. Default 90. */
  retentionDays?: number;
  /** BatchWriteItem attempts per batch while DynamoDB returns UnprocessedItems. Default 8. */
  maxAttempts?: number;
  /** Backoff between those attempts: full jitter under min(maxDelayMs, baseDelayMs × 2^n). */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Batches written in parallel. Default 4. */
  concurrency?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

/** The resolved options, defaults filled in. */
export type ResolvedOptions = Required<Omit<DynamoHistoryOptions, "client" | "tableName" | "retentionDays">>;

/**
 * The write half of drift history: what a run calls once at its end. The Lambda bundles only this, so its
 * role needs no read permission on the table (template.yaml; a test derives the actions from the bundle).
 */
export class HistoryWriter implements HistoryRecorder {
  readonly tableName: string;
  readonly retentionDays: number;
  readonly client: DynamoDBClient;
  readonly options: ResolvedOptions;

  constructor(options: DynamoHistoryOptions) {
    const retentionDays = options.retentionDays ?? DEFAULT_RETENTION_DAYS;
    if (!Number.isInteger(retentionDays) || retentionDays < 1) {
      throw new HistoryError(
        `the history retention must be a whole number of days ≥ 1, not ${retentionDays}`,
      );
    }
    this.client = options.client;
    this.tableName = options.tableName;
    this.retentionDays = retentionDays;
    this.options = {
      maxAttempts: options.maxAttempts ?? 8,
      baseDelayMs: options.baseDelayMs ?? 50,
      maxDelayMs: options.maxDelayMs ?? 5_000,
      concurrency: options.concurrency ?? 4,
      now: options.now ?? Date.now,
      sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
      random: options.random ?? Math.random,
    };
  }

  /**
   * Writes the run's drift events, then its run record. The keys come from the report alone, so a
   * retried or repeated call overwrites the same items. Throws a `HistoryWriteError` saying how many
   * items were not written when DynamoDB keeps refusing some.
   */
  async record(report: Report): Promise<void> {
    const { events, run } = reportItems(report, { retentionDays: this.retentionDays });
    const write = { client: this.client, tableName: this.tableName, ...this.options };
    await putAll(events, write);
    await putAll([run], write);
    // The run is on record: its write-ahead intents are settled.
    const written = report.integrations.filter((r) => r.action !== undefined);
    if (report.mode === "apply" && written.length > 0) {
      await deleteAll(
        written.map((r) =>
          intentKey({ runId: report.runId, apiId: r.apiId, integrationId: r.integrationId }),
        ),
        write,
      );
    }
  }

  /** Records the writes a run is about to make, before it makes any (write-ahead history, PRODUCT §4). */
  async intend(intents: readonly Intent[]): Promise<void> {
    const write = { client: this.client, tableName: this.tableName, ...this.options };
    await putAll(
      intents.map((i) => intentItem(i, this.retentionDays)),
      write,
    );
  }

  /** Every intent still open: writes of runs that ended without recording them. */
  async openIntents(): Promise<Intent[]> {
    const intents: Intent[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      let out: QueryCommandOutput;
      try {
        out = await this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: "pk = :pk",
            ExpressionAttributeValues: { ":pk": { S: INTENTS_PK } },
            ExclusiveStartKey: start,
          }),
        );
      } catch (error) {
        throw new HistoryError(
          `reading the open write-ahead intents from table ${this.tableName} failed: ${describeError(error)}`,
          { cause: error },
        );
      }
      for (const item of out.Items ?? []) intents.push(intentFromItem(item));
      start = out.LastEvaluatedKey;
    } while (start);
    return intents;
  }
}
