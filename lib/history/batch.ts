import {
  type AttributeValue,
  BatchWriteItemCommand,
  type DynamoDBClient,
  type WriteRequest,
} from "@aws-sdk/client-dynamodb";
import { describeError, HistoryWriteError } from "./errors.ts";

export interface BatchWriteOptions {
  client: DynamoDBClient;
  tableName: string;
  /** BatchWriteItem calls per batch of 25, the first included, before its unprocessed items are given up. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Batches in flight at most. */
  concurrency: number;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
}

/** DynamoDB's limit of requests per BatchWriteItem call. */
export const BATCH_SIZE = 25;

/**
 * Puts every item with BatchWriteItem, 25 at a time. A call can succeed and still hand some requests
 * back as UnprocessedItems (throttling of the table or an index); those are sent again after a capped
 * exponential backoff with full jitter, as the DynamoDB developer guide asks, for a bounded number of
 * attempts. Errors the SDK throws have already been through its own retries. Throws a
 * {@link HistoryWriteError} that counts the items not written.
 */
export async function putAll(items: readonly Record<string, AttributeValue>[], options: BatchWriteOptions) {
  await writeAll(
    items.map((Item) => ({ PutRequest: { Item } })),
    options,
  );
}

/** Deletes every item by its key with BatchWriteItem, as putAll puts them. */
export async function deleteAll(keys: readonly Record<string, AttributeValue>[], options: BatchWriteOptions) {
  await writeAll(
    keys.map((Key) => ({ DeleteRequest: { Key } })),
    options,
  );
}

async function writeAll(requests: readonly WriteRequest[], options: BatchWriteOptions) {
  const items = requests;
  const batches: WriteRequest[][] = [];
  for (let i = 0; i < items.length; i += BATCH_SIZE) batches.push(items.slice(i, i + BATCH_SIZE));
  let written = 0;
  let next = 0;
  let failure: { unprocessed: boolean; cause?: unknown } | undefined;
  const worker = async () => {
    while (next < batches.length && !failure) {
      const batch = batches[next++]!;
      try {
        const left = await writeBatch(batch, options);
        written += batch.length - left;
        if (left > 0) failure ??= { unprocessed: true };
      } catch (cause) {
        failure ??= { unprocessed: false, cause };
      }
    }
  };
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(options.concurrency, batches.length)) }, worker),
  );
  if (!failure) return;

  const counts = { unwritten: items.length - written, total: items.length };
  const what = `${counts.unwritten} of ${counts.total} history items were not written to table ${options.tableName}`;
  throw failure.unprocessed
    ? new HistoryWriteError(
        `${what}: DynamoDB still returned them as UnprocessedItems after ${options.maxAttempts} attempts (the table or an index is throttled); try again later, or check the table's capacity`,
        counts,
      )
    : new HistoryWriteError(`${what}: BatchWriteItem failed: ${describeError(failure.cause)}`, counts, {
        cause: failure.cause,
      });
}

/** One batch until done or out of attempts; resolves to how many requests are left unprocessed. */
async function writeBatch(batch: WriteRequest[], options: BatchWriteOptions): Promise<number> {
  let pending = batch;
  for (let attempt = 1; ; attempt++) {
    const out = await options.client.send(
      new BatchWriteItemCommand({ RequestItems: { [options.tableName]: pending } }),
    );
    pending = out.UnprocessedItems?.[options.tableName] ?? [];
    if (pending.length === 0) return 0;
    if (attempt >= options.maxAttempts) return pending.length;
    const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1));
    await options.sleep(Math.floor(options.random() * ceiling));
  }
}
