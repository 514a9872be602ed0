import type { ReportEvent } from "./events.ts";
import { compare } from "./order.ts";

/** Detection-to-revert time for one API's integrations in the window. */
export interface RevertRow {
  apiId: string;
  /** Drift episodes an UPDATED event closed. */
  reverted: number;
  /** Of those, how many one apply found and fixed in the same run (time 0). */
  sameRun: number;
  medianMs?: number;
  worstMs?: number;
  /** The integration behind the worst time. */
  worstIntegration?: string;
  /** Episodes no UPDATED closed by the end of the window, and the oldest one's age then. */
  open: number;
  oldestOpenMs?: number;
}

/**
 * Per API, the time from an integration's first sighting as needing an update (DRIFTED, or FAILED on
 * an update) to the UPDATED event that fixed it. Times are between the runs' start times (history keeps
 * no per-write clock), so a drift one apply found and fixed counts as 0. An episode that began before the
 * window is measured from its first sighting inside it; history holds no IN_SYNC events, so a drift put
 * back by hand stays open until a later run sees the integration drift again or reverts it. `end` is
 * the instant open episodes are aged at. `events` must be sorted by time.
 */
export function revertsByApi(events: readonly ReportEvent[], end: number): RevertRow[] {
  const byApi = new Map<string, { times: { ms: number; integrationId: string }[]; open: number[] }>();
  const openSince = new Map<string, number>();
  const api = (apiId: string) => {
    const entry = byApi.get(apiId) ?? { times: [], open: [] };
    byApi.set(apiId, entry);
    return entry;
  };
  for (const e of events) {
    const key = `${e.apiId}\u0000${e.integrationId}`;
    const at = Date.parse(e.at);
    if (e.status === "DRIFTED" || (e.status === "FAILED" && e.action === "update")) {
      api(e.apiId);
      if (!openSince.has(key)) openSince.set(key, at);
    } else if (e.status === "UPDATED") {
      const start = openSince.get(key) ?? at;
      openSince.delete(key);
      api(e.apiId).times.push({ ms: at - start, integrationId: e.integrationId });
    }
  }
  for (const [key, start] of openSince) api(key.slice(0, key.indexOf("\u0000"))).open.push(end - start);

  return [...byApi.entries()]
    .sort(([a], [b]) => compare(a, b))
    .map(([apiId, { times, open }]) => {
      const row: RevertRow = {
        apiId,
        reverted: times.length,
        sameRun: times.filter((t) => t.ms === 0).length,
        open: open.length,
      };
      if (times.length > 0) {
        const sorted = times.map((t) => t.ms).sort((a, b) => a - b);
        row.medianMs = median(sorted);
        const worst = times.reduce((w, t) =>
          t.ms > w.ms || (t.ms === w.ms && compare(t.integrationId, w.integrationId) < 0) ? t : w,
        );
        row.worstMs = worst.ms;
        row.worstIntegration = worst.integrationId;
      }
      if (open.length > 0) row.oldestOpenMs = Math.max(...open);
      return row;
    });
}

function median(sorted: readonly number[]): number {
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
