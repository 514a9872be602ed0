import { type AttributeValue, QueryCommand, type QueryCommandInput } from "@aws-sdk/client-dynamodb";
import { describeError, HistoryError } from "./errors.ts";
import { type DriftEvent, eventFromItem, type RunRecord, runFromItem } from "./items.ts";
import {
  decodeCursor,
  type EventQuery,
  encodeCursor,
  type Page,
  type Partition,
  pageLimit,
  planEvents,
  planRuns,
  queryFingerprint,
  type RunQuery,
} from "./query.ts";
import { TTL_ATTRIBUTE } from "./table.ts";
import { HistoryWriter } from "./writer.ts";

/** Month buckets read at once while a time walk is short of a page. */
const READ_AHEAD = 4;

/**
 * Drift history in one DynamoDB table (layout in `table.ts`): the recorder a run calls once at its end,
 * and the queries behind `apigw-drift history`. Items expire through TTL after the retention; reads skip
 * items already past it, since DynamoDB deletes them only eventually (and the embedded store never).
 *
 * @example
 * const history = new DynamoHistory({ client: new DynamoDBClient({}), tableName: "drift-history" });
 * await history.record(report);
 * const { items, cursor } = await history.events({ apiId: "a1b2c3d4e5", since: "2025-01-01" });
 */
export class DynamoHistory extends HistoryWriter {
  /** Drift events, newest first: by integration, by API, or by time window across all APIs. */
  async events(query: EventQuery = {}): Promise<Page<DriftEvent>> {
    return this.#page("events", query, planEvents, eventFromItem);
  }

  /** Run records, newest first. */
  async runs(query: RunQuery = {}): Promise<Page<RunRecord>> {
    return this.#page("runs", query, planRuns, runFromItem);
  }

  async #page<T>(
    kind: "events" | "runs",
    query: EventQuery,
    plan: (q: EventQuery, now: number, retentionDays: number) => Partition[],
    convert: (item: Record<string, AttributeValue>) => T,
  ): Promise<Page<T>> {
    const limit = pageLimit(query.limit);
    const fingerprint = queryFingerprint(kind, query);
    const start = query.cursor
      ? decodeCursor(query.cursor, fingerprint)
      : { query: fingerprint, now: this.options.now(), partition: 0 };
    // Planned with the first page's clock, so every page of one listing walks the same buckets.
    const partitions = plan(query, start.now, this.retentionDays);
    const items: T[] = [];
    let index = start.partition;
    let key = start.key;
    while (index < partitions.length && items.length < limit) {
      // A time walk may cross empty months: read a few ahead at once rather than one round trip each.
      const width = key ? 1 : Math.min(READ_AHEAD, partitions.length - index);
      const remaining = limit - items.length;
      const outs = await Promise.all(
        Array.from({ length: width }, (_, j) =>
          this.#query(partitions[index + j]!, remaining, j === 0 ? key : undefined, query),
        ),
      );
      for (const out of outs) {
        const taken = out.items.slice(0, limit - items.length);
        items.push(...taken.map(convert));
        if (taken.length < out.items.length) {
          // The page filled up inside this partition: the next one starts after the last item given.
          key = keyOf(taken.at(-1)!, partitions[index]!);
          break;
        }
        key = out.lastKey;
        if (key) break; // this partition has more; later ones read ahead are read again on the next turn
        index += 1;
        if (items.length >= limit) break;
      }
    }
    if (index >= partitions.length) return { items };
    return { items, cursor: encodeCursor({ query: fingerprint, now: start.now, partition: index, key }) };
  }

  async #query(
    p: Partition,
    limit: number,
    startKey: Record<string, AttributeValue> | undefined,
    place: { account?: string; region?: string },
  ) {
    const filters = [`(attribute_not_exists(#ttl) OR #ttl > :now)`];
    const names: Record<string, string> = { "#pk": p.pkName, "#sk": p.skName, "#ttl": TTL_ATTRIBUTE };
    const values: Record<string, AttributeValue> = {
      ":pk": { S: p.pk },
      ":from": { S: p.from },
      ":to": { S: p.to },
      ":now": { N: String(Math.floor(this.options.now() / 1000)) },
    };
    if (p.apiId) {
      filters.push("apiId = :api");
      values[":api"] = { S: p.apiId };
    }
    // REGION is a DynamoDB reserved word: both through names.
    if (place.account) {
      filters.push("#account = :account");
      names["#account"] = "account";
      values[":account"] = { S: place.account };
    }
    if (place.region) {
      filters.push("#region = :region");
      names["#region"] = "region";
      values[":region"] = { S: place.region };
    }
    const input: QueryCommandInput = {
      TableName: this.tableName,
      IndexName: p.index,
      KeyConditionExpression: "#pk = :pk AND #sk BETWEEN :from AND :to",
      FilterExpression: filters.join(" AND "),
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ScanIndexForward: false,
      // The filter is applied after Limit, so a page may come back short: the caller reads on.
      Limit: limit,
      ExclusiveStartKey: startKey,
    };
    try {
      const out = await this.client.send(new QueryCommand(input));
      return { items: out.Items ?? [], lastKey: out.LastEvaluatedKey };
    } catch (error) {
      throw new HistoryError(
        `reading drift history from table ${this.tableName} failed: ${describeError(error)}`,
        { cause: error },
      );
    }
  }
}

/** The key of an item in the table or index a partition reads: what ExclusiveStartKey takes. */
function keyOf(item: Record<string, AttributeValue>, p: Partition): Record<string, AttributeValue> {
  const names = ["pk", "sk", p.pkName, p.skName];
  return Object.fromEntries(names.filter((n) => item[n]).map((n) => [n, item[n]!]));
}
