import { ACCOUNT_ID, REGION } from "../desired-state/schema.ts";
import { targetName } from "../fleet/targets.ts";
import {
  type EnvironmentOptions,
  type HistoryContext,
  historyFromEnvironment,
} from "../history/environment.ts";
import type { DriftEvent, RunRecord } from "../history/items.ts";
import { DEFAULT_LIMIT } from "../history/query.ts";
import { parseInstant } from "../history/time.ts";
import { jsonText, terminal } from "../text/escape.ts";
import type { CliIo } from "./io.ts";

/** `apigw-drift history` options, as the command line gives them. */
export interface HistoryOptions {
  /** Only drift events of this API. */
  api?: string;
  /** Only drift events of this integration. */
  integration?: string;
  /** ISO-8601 date or time, or a duration back from now (`24h`, `7d`). */
  since?: string;
  until?: string;
  /** At most this many, newest first (default 50). */
  limit?: number;
  /** Only what runs in this account and Region recorded (PRODUCT §9). */
  account?: string;
  region?: string;
  /** Run records instead of drift events. */
  runs?: boolean;
  json?: boolean;
}

export interface HistoryDeps {
  /** Opens history; by default from the environment (`DRIFT_HISTORY_TABLE`, else the embedded store). */
  open?: (env: CliIo["env"], cwd: string, options?: EnvironmentOptions) => Promise<HistoryContext>;
  now?: () => number;
}

/**
 * `apigw-drift history`: drift events (or, with `--runs`, run records) newest first, as a table or, with
 * `--json`, a JSON array alone on stdout. Exit 0 when read (even when empty), 1 on a bad option or a
 * history that cannot be read.
 */
export async function runHistory(
  options: HistoryOptions,
  io: CliIo,
  deps: HistoryDeps = {},
): Promise<number> {
  const now = (deps.now ?? Date.now)();
  const fail = (message: string) => {
    io.stderr(`error: ${terminal(message)}\n`);
    return 1;
  };
  const window = parseWindow(options, now);
  if (typeof window === "string") return fail(window);
  const { since, until } = window;
  const limit = options.limit ?? DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1) return fail(`--limit takes a whole number ≥ 1, not ${limit}`);
  if (options.runs && (options.api || options.integration)) {
    return fail("--runs lists whole runs; --api and --integration filter drift events only");
  }
  if (options.account !== undefined && !ACCOUNT_ID.test(options.account)) {
    return fail(`--account takes a 12-digit AWS account id, not "${options.account}"`);
  }
  if (options.region !== undefined && !REGION.test(options.region)) {
    return fail(`--region takes an AWS Region name such as eu-west-1, not "${options.region}"`);
  }
  const place = {
    ...(options.account ? { account: options.account } : {}),
    ...(options.region ? { region: options.region } : {}),
  };

  let context: HistoryContext;
  try {
    context = await (deps.open ?? historyFromEnvironment)(io.env, io.cwd, deps.now ? { now: deps.now } : {});
  } catch (error) {
    return fail((error as Error).message);
  }
  try {
    const query = {
      ...(typeof since === "number" ? { since: iso(since) } : {}),
      ...(typeof until === "number" ? { until: iso(until) } : {}),
      ...place,
      limit,
    };
    if (options.runs) {
      const page = await context.history.runs(query);
      io.stdout(options.json ? json(page.items) : runTable(page.items, context.location));
      if (page.cursor && !options.json) io.stderr(MORE);
    } else {
      const page = await context.history.events({
        ...query,
        ...(options.api ? { apiId: options.api } : {}),
        ...(options.integration ? { integrationId: options.integration } : {}),
      });
      io.stdout(options.json ? json(page.items.map(eventJson)) : eventTable(page.items, context.location));
      if (page.cursor && !options.json) io.stderr(MORE);
    }
    return 0;
  } catch (error) {
    return fail((error as Error).message);
  } finally {
    await context.close();
  }
}

const MORE =
  "older ones may be recorded too: raise --limit, or narrow with --since, --until, --api, --integration, --account or --region\n";

/**
 * `--since` and `--until` as instants (epoch ms; undefined when not given), or the message for a value
 * that is not one or for a window that ends before it starts. Shared by `history` and `report`.
 */
export function parseWindow(
  options: { since?: string; until?: string },
  now: number,
): { since?: number; until?: number } | string {
  const since = bound("--since", options.since, now, "start");
  const until = bound("--until", options.until, now, "end");
  if (typeof since === "string") return since;
  if (typeof until === "string") return until;
  if (since !== undefined && until !== undefined && since > until) {
    return `--since (${iso(since)}) is after --until (${iso(until)}): nothing can match`;
  }
  return { ...(since !== undefined ? { since } : {}), ...(until !== undefined ? { until } : {}) };
}

/** The instant, undefined when absent, or the message for a value that is not one. */
function bound(flag: string, value: string | undefined, now: number, end: "start" | "end") {
  if (value === undefined) return undefined;
  const ms = parseInstant(value, now, end);
  return (
    ms ??
    `${flag} takes an ISO-8601 date (2025-01-31), date and time (2025-01-31T12:00:00Z) or a duration back from now (30m, 24h, 7d, 2w), not "${value}"`
  );
}

/** The drift event of `history --json`: the same keys, in the same order, every time. */
function eventJson(e: DriftEvent) {
  return {
    runId: e.runId,
    at: e.at,
    mode: e.mode,
    desiredRevision: e.desiredRevision,
    ...(e.account ? { account: e.account } : {}),
    ...(e.region ? { region: e.region } : {}),
    apiId: e.apiId,
    integrationId: e.integrationId,
    status: e.status,
    action: e.action,
    diffs: e.diffs,
    error: e.error,
    changedBy: e.changedBy,
    ...(e.truncated ? { truncated: e.truncated } : {}),
  };
}

function json(value: unknown): string {
  return `${jsonText(value)}\n`;
}

function eventTable(events: readonly DriftEvent[], location: string): string {
  if (events.length === 0) return `no drift events recorded in ${terminal(location)} match\n`;
  const placed = spansTargets(events);
  // Who changed it (PRODUCT §8) gets a column when attribution named anyone on this page.
  const attributed = events.some((e) => e.changedBy);
  const rows = events.map((e) => [
    when(e.at),
    e.mode,
    ...(placed ? [targetName(e)] : []),
    e.apiId,
    e.integrationId,
    e.status,
    e.runId.slice(0, 8),
    ...(attributed ? [e.changedBy ? changedBy(e.changedBy) : ""] : []),
    changes(e),
  ]);
  const header = [
    "AT",
    "MODE",
    ...(placed ? ["TARGET"] : []),
    "API",
    "INTEGRATION",
    "STATUS",
    "RUN",
    ...(attributed ? ["CHANGED BY"] : []),
    "CHANGES",
  ];
  return `${table(header, rows)}\n${count(events.length, "drift event")}, newest first, from ${terminal(location)}\n`;
}

function runTable(runs: readonly RunRecord[], location: string): string {
  if (runs.length === 0) return `no runs recorded in ${terminal(location)} match\n`;
  const placed = spansTargets(runs);
  const rows = runs.map((r) => [
    when(r.startedAt),
    r.mode,
    ...(placed ? [targetName(r)] : []),
    r.status,
    r.desiredRevision.slice(0, 12),
    r.runId,
    String(r.events),
    Object.entries(r.summary)
      .filter(([, n]) => n > 0)
      .map(([s, n]) => `${n} ${s.toLowerCase().replaceAll("_", " ")}`)
      .join(", ") || "nothing looked at",
  ]);
  const header = [
    "STARTED",
    "MODE",
    ...(placed ? ["TARGET"] : []),
    "STATUS",
    "REVISION",
    "RUN",
    "EVENTS",
    "INTEGRATIONS",
  ];
  return `${table(header, rows)}\n${count(runs.length, "run")}, newest first, from ${terminal(location)}\n`;
}

/**
 * Whether the rows come from more than one target (account, Region): only then is the TARGET column
 * shown, so the history of a single target reads as it always did.
 */
function spansTargets(rows: readonly { account?: string; region?: string }[]): boolean {
  return new Set(rows.filter((r) => r.account || r.region).map(targetName)).size > 1;
}

/** "<principal> at <time> (<eventName>)", as the plan prints it after "changed by". */
function changedBy(by: NonNullable<DriftEvent["changedBy"]>): string {
  return `${by.principal} at ${when(by.at)} (${by.eventName})`;
}

/**
 * `~ /path` per diff, as the plan prints them: `~` changed, `+` the file adds it (kind `removed`: the file
 * has it, live does not), `-` the file removes it (kind `added`: live only).
 */
function changes(e: DriftEvent): string {
  const parts = e.diffs.map(
    (d) => `${d.kind === "changed" ? "~" : d.kind === "removed" ? "+" : "-"} ${terminal(d.path)}`,
  );
  if (e.error) parts.push(`✗ ${terminal(e.error.name)}: ${terminal(e.error.message)}`);
  const text = parts.join(", ") || (e.action ? `(${e.action})` : "");
  return text.length > 100 ? `${text.slice(0, 99)}…` : text;
}

/** Columns padded to their widest cell; every cell is escaped first, so widths are what is shown. */
function table(header: string[], untrusted: string[][]): string {
  const rows = untrusted.map((r) => r.map(terminal));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)].join("\n");
}

function when(at: string): string {
  return `${at.slice(0, 10)} ${at.slice(11, 19)}Z`;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function count(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? "" : "s"}`;
}
