import {
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import type { Lease, LeaseGrant } from "../reconcile/lease.ts";
import { describeError, HistoryError } from "./errors.ts";
import { LEASE_KEY, leaseKey } from "./keys.ts";
import { TTL_ATTRIBUTE } from "./table.ts";

export interface DynamoLeaseOptions {
  client: DynamoDBClient;
  tableName: string;
  now?: () => number;
  /** The target whose lease this is (leaseKey); without one, the table's old single lease. */
  target?: { account: string; region: string };
}

type Key = { pk: { S: string }; sk: { S: string } };
const keyOf = (k: { pk: string; sk: string }): Key => ({ pk: { S: k.pk }, sk: { S: k.sk } });
const LEGACY = keyOf(LEASE_KEY);
// `owner` is a DynamoDB reserved word, hence the name placeholder in every expression.
const NAMES = { "#owner": "owner" };
// A dead lease item is removed by TTL a day after it expired; until then it is simply takeable.
const TTL_GRACE_SECONDS = 86_400;

/**
 * The apply lease as one item of the history table (PRODUCT §4). Acquire is a conditional PutItem that
 * succeeds when no lease exists, the lease has expired, or the caller already holds it; renew and release
 * are conditional on the owner, so a run that lost its lease can never extend or drop another's. Expiry
 * is compared in epoch milliseconds from the caller's clock: runs sharing a table need clocks within a
 * small fraction of the lease's TTL (2 minutes by default), which NTP-synced hosts and Lambda give.
 */
export class DynamoLease implements Lease {
  readonly #client: DynamoDBClient;
  readonly #table: string;
  readonly #now: () => number;
  readonly #key: Key;
  readonly #targeted: boolean;

  constructor(options: DynamoLeaseOptions) {
    this.#client = options.client;
    this.#table = options.tableName;
    this.#now = options.now ?? Date.now;
    this.#key = keyOf(leaseKey(options.target));
    this.#targeted = options.target !== undefined;
  }

  /** The lease of `target` on the same table and clock. */
  forTarget(target: { account: string; region: string }): DynamoLease {
    return new DynamoLease({ client: this.#client, tableName: this.#table, now: this.#now, target });
  }

  /**
   * Takes the lease. A target's lease also respects the table's old single lease while an unexpired run
   * holds it: a run of an earlier version applies wherever its credentials point, so it may be in this
   * target (upgrade every runner of a table together: an old run that starts later does not see this one).
   */
  async acquire(owner: string, ttlMs: number): Promise<LeaseGrant> {
    const grant = await this.#take(this.#key, owner, ttlMs);
    if (!grant.acquired || !this.#targeted) return grant;
    const old = await this.#holder(LEGACY);
    if (old && old.holder !== owner && Date.parse(old.expiresAt) >= this.#now()) {
      await this.release(owner);
      return { acquired: false, ...old };
    }
    return grant;
  }

  async #take(key: Key, owner: string, ttlMs: number): Promise<LeaseGrant> {
    // Twice at most: a refusal is explained by reading the item, which may have been released meanwhile.
    for (let attempt = 0; attempt < 2; attempt++) {
      const now = this.#now();
      const expires = now + ttlMs;
      try {
        await this.#client.send(
          new PutItemCommand({
            TableName: this.#table,
            Item: {
              ...key,
              type: { S: "lease" },
              owner: { S: owner },
              acquiredAt: { S: new Date(now).toISOString() },
              leaseExpiresAt: { N: String(expires) },
              [TTL_ATTRIBUTE]: { N: String(Math.ceil(expires / 1000) + TTL_GRACE_SECONDS) },
            },
            ConditionExpression: "attribute_not_exists(pk) OR leaseExpiresAt < :now OR #owner = :me",
            ExpressionAttributeNames: NAMES,
            ExpressionAttributeValues: { ":now": { N: String(now) }, ":me": { S: owner } },
          }),
        );
        return { acquired: true };
      } catch (error) {
        if (!refused(error)) throw this.#fail("take the lease", error);
      }
      const holder = await this.#holder(key);
      if (holder) return { acquired: false, ...holder };
    }
    throw new HistoryError(
      `the apply lease in table ${this.#table} changed hands while it was being taken; try again`,
    );
  }

  async renew(owner: string, ttlMs: number): Promise<void> {
    const expires = this.#now() + ttlMs;
    try {
      await this.#client.send(
        new UpdateItemCommand({
          TableName: this.#table,
          Key: this.#key,
          UpdateExpression: "SET leaseExpiresAt = :expires, #ttl = :ttl",
          ConditionExpression: "#owner = :me",
          ExpressionAttributeNames: { ...NAMES, "#ttl": TTL_ATTRIBUTE },
          ExpressionAttributeValues: {
            ":expires": { N: String(expires) },
            ":ttl": { N: String(Math.ceil(expires / 1000) + TTL_GRACE_SECONDS) },
            ":me": { S: owner },
          },
        }),
      );
    } catch (error) {
      if (!refused(error)) throw this.#fail("renew the lease", error);
      const holder = await this.#holder(this.#key);
      throw new HistoryError(
        `lease lost: run ${owner} no longer holds the apply lease (${holder ? `run ${holder.holder} holds it until ${holder.expiresAt}` : "nobody holds it"}); it stops writing`,
      );
    }
  }

  /** Drops the lease if the caller still holds it; a lease already taken over is left alone. */
  async release(owner: string): Promise<void> {
    try {
      await this.#client.send(
        new DeleteItemCommand({
          TableName: this.#table,
          Key: this.#key,
          ConditionExpression: "#owner = :me",
          ExpressionAttributeNames: NAMES,
          ExpressionAttributeValues: { ":me": { S: owner } },
        }),
      );
    } catch (error) {
      if (!refused(error)) throw this.#fail("release the lease", error);
    }
  }

  async #holder(key: Key): Promise<{ holder: string; expiresAt: string } | undefined> {
    try {
      const out = await this.#client.send(
        new GetItemCommand({ TableName: this.#table, Key: key, ConsistentRead: true }),
      );
      const owner = out.Item?.owner?.S;
      const expires = Number(out.Item?.leaseExpiresAt?.N);
      if (!owner || !Number.isFinite(expires)) return undefined;
      return { holder: owner, expiresAt: new Date(expires).toISOString() };
    } catch (error) {
      throw this.#fail("read the lease", error);
    }
  }

  #fail(what: string, error: unknown): HistoryError {
    return new HistoryError(`could not ${what} in table ${this.#table}: ${describeError(error)}`, {
      cause: error,
    });
  }
}

/** The condition of a write did not hold: the answer "someone else has it", not a failure. */
function refused(error: unknown): boolean {
  return (error as { name?: string })?.name === "ConditionalCheckFailedException";
}
