/**
 * `expectNoDriftLost`: the one assertion every fault-matrix test makes about its run (issue 7), and
 * `readRun`, which reads back what history recorded for it.
 */
import { expect } from "vitest";
import type { CallRecord } from "../../emulator/call-log.ts";
import type { Emulator } from "../../emulator/server.ts";
import type { DriftEvent, RunRecord } from "../../lib/history/items.ts";
import type { DynamoHistory } from "../../lib/history/store.ts";
import type { IntegrationResult, IntegrationStatus, Report } from "../../lib/plan/report.ts";
import { type Key, keyOf, type WriteCounter } from "./fault-matrix.ts";

/** A run as history holds it: its drift events and its run record. */
export interface RecordedRun {
  events: DriftEvent[];
  run?: RunRecord;
}

/** Reads back what history recorded for `report`'s run (every item is stamped with its start). */
export async function readRun(history: DynamoHistory, report: Report): Promise<RecordedRun> {
  const window = { since: report.startedAt, until: report.startedAt };
  const events: DriftEvent[] = [];
  let cursor: string | undefined;
  do {
    const page = await history.events({ ...window, limit: 100, ...(cursor ? { cursor } : {}) });
    events.push(...page.items.filter((e) => e.runId === report.runId));
    cursor = page.cursor;
  } while (cursor);
  const runs = await history.runs({ ...window, limit: 100 });
  return { events, run: runs.items.find((r) => r.runId === report.runId) };
}

export interface NoDriftLostOptions {
  /** Integrations that differed from their declaration before the run. */
  drifted: readonly Key[];
  /** Planned deletes before the run. */
  pruned?: readonly Key[];
  /** History as recorded for this run (`readRun`), when history is up. */
  recorded?: RecordedRun;
  /** The CLI's output (human or `--json`), when history is down: the run's drift must be there. */
  output?: string;
  /** The orchestrator's writes during the run. */
  writes?: WriteCounter;
  /** The emulator and the call-log mark taken before the run: checks what reached the service. */
  emulator?: Emulator;
  since?: number;
  /** Integrations that must never receive a DeleteIntegration. */
  protected?: readonly Key[];
  /**
   * Requests may have been carried out with their answer lost (a client-side timeout): the SDK then sends
   * the very same request again, so the service may apply one write more than once, always identical.
   */
  answersMayBeLost?: boolean;
  /** The following run, faults off: it must converge, without redoing what this run did. */
  next?: () => Promise<Report>;
}

const APPLY_ENDS: readonly IntegrationStatus[] = ["UPDATED", "FAILED", "DEFERRED"];
const PRUNE_ENDS: readonly IntegrationStatus[] = ["DELETED", "FAILED", "DEFERRED"];
/** What the human output says of each status (lib/cli/render.ts). */
const HUMAN: Partial<Record<IntegrationStatus, RegExp>> = {
  DRIFTED: /drifted: /,
  UPDATED: /updated in place/,
  FAILED: /failed/,
  DEFERRED: /deferred/,
  DELETED: /deleted \(prune\)/,
  UNMANAGED: /will be deleted \(prune\)/,
};

/**
 * The fault matrix's invariant (issue 7), for one run:
 * - every integration drifted before it ends UPDATED, FAILED or DEFERRED in the report (a plan: DRIFTED),
 *   and every planned delete DELETED, FAILED or DEFERRED;
 * - history holds the same statuses (and errors) when it is up; the CLI's output shows them when it is down;
 * - the orchestrator sent at most one UpdateIntegration/DeleteIntegration per integration, and the report's
 *   `apiCalls` counts exactly those (first attempts; the SDK's attempts after them are `retries`);
 * - the service applied at most one write per integration, unless answers were lost (then the SDK's
 *   re-sends are the same request, so applying it twice changes nothing), and only to drifted or pruned
 *   integrations; no DeleteIntegration reached a managed or route-targeted integration;
 * - the next run, faults off, reaches IN_SYNC or RECONCILED, redoing nothing this run did.
 * Returns the next run's report, if there was one.
 */
export async function expectNoDriftLost(report: Report, o: NoDriftLostOptions): Promise<Report | undefined> {
  const results = new Map(report.integrations.map((r) => [keyOf(r), r]));
  const plan = report.mode === "plan";
  const watched = [...o.drifted, ...(o.pruned ?? [])];
  for (const key of o.drifted) {
    expect(plan ? ["DRIFTED"] : APPLY_ENDS, `${key} in the report`).toContain(results.get(key)?.status);
  }
  for (const key of o.pruned ?? []) {
    expect(plan ? ["UNMANAGED"] : PRUNE_ENDS, `${key} in the report`).toContain(results.get(key)?.status);
    expect(results.get(key)?.action, `${key} is a planned delete`).toBe("delete");
  }
  for (const r of report.integrations.filter((x) => x.status === "FAILED")) {
    expect(r.error?.message, `${keyOf(r)} says why it failed`).toBeTruthy();
  }

  if (o.recorded) {
    expect(o.recorded.run?.status, "the run record").toBe(report.status);
    const events = new Map(o.recorded.events.map((e) => [keyOf(e), e]));
    for (const key of watched) {
      const r = results.get(key)!;
      expect(events.get(key)?.status, `${key} in history`).toBe(r.status);
      expect(events.get(key)?.error?.name, `${key}'s error in history`).toBe(r.error?.name);
    }
  }
  if (o.output !== undefined) {
    expectInOutput(
      o.output,
      watched.map((k) => results.get(k)!),
    );
  }

  // apiCalls counts first attempts only: an SDK retry (even of a request whose answer was lost, which is
  // the same idempotent request again) is counted under `retries`, never as a second write.
  const attempted = (action: "update" | "delete", ends: IntegrationStatus[]) =>
    report.integrations.filter((r) => r.action === action && ends.includes(r.status)).length;
  expect(report.apiCalls.UpdateIntegration ?? 0, "UpdateIntegration first attempts").toBe(
    attempted("update", ["UPDATED", "FAILED"]),
  );
  expect(report.apiCalls.DeleteIntegration ?? 0, "DeleteIntegration first attempts").toBe(
    attempted("delete", ["DELETED", "FAILED"]) +
      report.integrations.filter((r) => r.status === "SKIPPED_IN_USE" && r.error).length,
  );
  if (o.writes) {
    for (const [key, n] of [...o.writes.updates, ...o.writes.deletes]) {
      expect(n, `writes the orchestrator sent for ${key}`).toBe(1);
    }
    expect(sum(o.writes.updates)).toBe(report.apiCalls.UpdateIntegration ?? 0);
    expect(sum(o.writes.deletes)).toBe(report.apiCalls.DeleteIntegration ?? 0);
  }

  if (o.emulator) expectWritesReached(o.emulator, o, report);

  if (!o.next) return undefined;
  const next = await o.next();
  expect(["IN_SYNC", "RECONCILED"], "the next run's status").toContain(next.status);
  const left = next.integrations.filter((r) =>
    ["DRIFTED", "FAILED", "DEFERRED", "MISSING"].includes(r.status),
  );
  expect(left.map(keyOf), "left after the next run").toEqual([]);
  const done = new Set(
    report.integrations.filter((r) => r.status === "UPDATED" || r.status === "DELETED").map(keyOf),
  );
  const redone = next.integrations.filter(
    (r) => (r.status === "UPDATED" || r.status === "DELETED") && done.has(keyOf(r)),
  );
  expect(redone.map(keyOf), "written again by the next run").toEqual([]);
  return next;
}

function expectWritesReached(emulator: Emulator, o: NoDriftLostOptions, report: Report): void {
  const calls = emulator.calls.all().filter((c) => c.seq > (o.since ?? 0));
  const deletes = calls.filter((c) => c.operation === "DeleteIntegration");
  for (const key of o.protected ?? []) {
    const [apiId = "", id = ""] = key.split("/");
    expect(deletes.filter((c) => c.integrationId === id).length, `DeleteIntegration sent to ${key}`).toBe(0);
    expect(emulator.getIntegration(apiId, id), `${key} still there`).toBeDefined();
  }
  const allowed = {
    UpdateIntegration: new Set(report.mode === "plan" ? [] : o.drifted),
    DeleteIntegration: new Set(report.mode === "plan" ? [] : (o.pruned ?? [])),
  };
  const applied = new Map<string, CallRecord[]>();
  for (const c of calls) {
    if (c.operation !== "UpdateIntegration" && c.operation !== "DeleteIntegration") continue;
    const key = keyOf(c);
    expect(allowed[c.operation].has(key), `${c.operation} sent to ${key}`).toBe(true);
    if (c.status !== 200 && c.status !== 204) continue;
    const id = `${c.operation} ${key}`;
    applied.set(id, [...(applied.get(id) ?? []), c]);
  }
  for (const [id, records] of applied) {
    if (o.answersMayBeLost) {
      expect(new Set(records.map((r) => JSON.stringify(r.body))).size, `distinct ${id} applied`).toBe(1);
    } else {
      expect(records.length, `${id} applied`).toBe(1);
    }
  }
}

/** The CLI output shows each result: from a `--json` report, or the human line of the integration. */
function expectInOutput(output: string, results: readonly IntegrationResult[]): void {
  if (output.trimStart().startsWith("{")) {
    const printed = new Map((JSON.parse(output) as Report).integrations.map((r) => [keyOf(r), r.status]));
    for (const r of results) expect(printed.get(keyOf(r)), `${keyOf(r)} in the output`).toBe(r.status);
    return;
  }
  const lines = output.split("\n");
  for (const r of results) {
    const line = lines.find((l) => l.includes(` ${r.integrationId}  `));
    expect(line, `${keyOf(r)} in the output`).toMatch(HUMAN[r.status] ?? new RegExp(r.status, "i"));
  }
}

function sum(counts: Map<Key, number>): number {
  let n = 0;
  for (const v of counts.values()) n += v;
  return n;
}
