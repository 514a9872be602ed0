/**
 * When history last saw an integration in sync: the start of the window attribution looks for its
 * author in (PRODUCT §8). History keeps drift events, not IN_SYNC ones, so "in sync" is read from what a
 * run did not record: walking the runs before this one, newest first, the first run that looked at the
 * integration and recorded no drift event for it saw it in sync (window from its start), and one that
 * fixed it (UPDATED, DELETED) left it in sync (from its start too: its own write is skipped as the tool's).
 * Runs that recorded it drifted (DRIFTED, MISSING, FAILED, DEFERRED, ...) are the current streak; runs that
 * did not look at it (another targeted selection, or a run that could not start) say nothing. Nothing
 * found in the runs read: undefined, and attribution looks back its 90 days.
 */
import { integrationKey } from "../attribution/match.ts";
import type { DriftEvent, RunRecord } from "./items.ts";
import type { EventQuery, Page, RunQuery } from "./query.ts";

/** What this needs of history: DynamoHistory's two queries. */
export interface HistoryReader {
  events(query: EventQuery): Promise<Page<DriftEvent>>;
  runs(query: RunQuery): Promise<Page<RunRecord>>;
}

/** Runs read back at most (one page): at a 15-minute schedule, a day of them. */
export const RUNS_READ = 100;
const CONCURRENCY = 8;

/**
 * For each integration, the ISO time it was last seen in sync before `before` (epoch ms, the current
 * run's start), or undefined when the runs read do not tell. Throws when history cannot be read.
 */
export async function lastSeenInSync(
  reader: HistoryReader,
  targets: readonly { apiId: string; integrationId: string }[],
  before: number,
): Promise<Map<string, string | undefined>> {
  const out = new Map<string, string | undefined>();
  if (targets.length === 0) return out;
  const runs = (await reader.runs({ until: new Date(before - 1).toISOString(), limit: RUNS_READ })).items;
  const oldest = runs.at(-1)?.startedAt;
  const queue = [...targets];
  const worker = async () => {
    for (let t = queue.shift(); t; t = queue.shift()) {
      const key = integrationKey(t.apiId, t.integrationId);
      if (oldest === undefined) {
        out.set(key, undefined);
        continue;
      }
      const events = await reader.events({
        apiId: t.apiId,
        integrationId: t.integrationId,
        since: oldest,
        limit: RUNS_READ + 10,
      });
      out.set(key, inSyncSince(runs, events.items, t));
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, targets.length) }, worker));
  return out;
}

/** The walk itself, pure: `runs` newest first, `events` the integration's drift events among them. */
export function inSyncSince(
  runs: readonly RunRecord[],
  events: readonly DriftEvent[],
  target: { apiId: string; integrationId: string },
): string | undefined {
  const statusByRun = new Map<string, string>();
  for (const e of events) {
    if (e.apiId === target.apiId && e.integrationId === target.integrationId)
      statusByRun.set(e.runId, e.status);
  }
  for (const run of runs) {
    if (!looked(run, target)) continue;
    const status = statusByRun.get(run.runId);
    if (status === undefined || status === "UPDATED" || status === "DELETED") return run.startedAt;
  }
  return undefined;
}

/** Whether a run looked at the integration: it read something, and its selection included it. */
function looked(run: RunRecord, target: { apiId: string; integrationId: string }): boolean {
  const total = Object.values(run.summary).reduce((n, v) => n + v, 0);
  if (total === 0) return false;
  const scope = run.scope;
  if (scope?.apiIds && !scope.apiIds.includes(target.apiId)) return false;
  return !scope?.integrationIds || scope.integrationIds.includes(target.integrationId);
}
