/**
 * The key layout of the history table (see `table.ts`). Pure string building: every key of an item is
 * a function of the report, so a retried write lands on the same items.
 */

/**
 * The apply lease of old: one item per table, shared by every apply run that records there. Runs of this
 * version take their target's lease (leaseKey) and only respect this one while a run of an earlier
 * version holds it; a run whose account or Region is unknown still takes it.
 */
export const LEASE_KEY = { pk: "LEASE#apply", sk: "LEASE" } as const;

/**
 * The apply lease of one target (PRODUCT §9: guards and lease per target): `LEASE#apply` /
 * `LEASE#<account>#<region>`. Every lease shares the old item's partition, so one Query finds them all
 * (the embedded store drops them when it opens).
 */
export function leaseKey(target?: { account: string; region: string }): { pk: string; sk: string } {
  return target ? { pk: LEASE_KEY.pk, sk: `LEASE#${target.account}#${target.region}` } : LEASE_KEY;
}

/**
 * Sorts after every character ids and timestamps use (`~` is 0x7E, above digits, letters, `#`, `-`, `:`
 * and `.`), so `<prefix><until>~` is an inclusive upper bound for keys that start with `<prefix><until>`.
 */
export const AFTER = "~";

/**
 * The UTC month of an ISO-8601 instant: the byTime bucket. A month, not a day: whatever the width, every
 * write of the moment lands in the current bucket (and time-ordered sort keys cannot be split for heat),
 * so wider buckets cost nothing on writes and let a 90-day listing be 4 Queries instead of 92.
 */
export function monthOf(iso: string): string {
  return iso.slice(0, 7);
}

export interface EventKeyParts {
  at: string;
  apiId: string;
  integrationId: string;
  runId: string;
}

export function eventKeys(e: EventKeyParts) {
  return {
    pk: `INTEGRATION#${e.integrationId}`,
    sk: `EVENT#${e.at}#${e.apiId}#${e.runId}`,
    byApiPk: `API#${e.apiId}`,
    byApiSk: `${e.at}#${e.integrationId}#${e.runId}`,
    byTimePk: `EVENT#${monthOf(e.at)}`,
    byTimeSk: `${e.at}#${e.apiId}#${e.integrationId}#${e.runId}`,
  };
}

export function runKeys(r: { startedAt: string; runId: string }) {
  return {
    pk: `RUN#${r.runId}`,
    sk: "RUN",
    byTimePk: `RUN#${monthOf(r.startedAt)}`,
    byTimeSk: `${r.startedAt}#${r.runId}`,
  };
}
