import { resolve } from "node:path";
import { type HistoryContext, historyFromEnvironment } from "../history/environment.ts";
import type { DriftEvent } from "../history/items.ts";
import { renderReportHtml } from "../report/html.ts";
import { buildReportView } from "../report/view.ts";
import { terminal } from "../text/escape.ts";
import { type HistoryDeps, parseWindow } from "./history.ts";
import type { CliIo } from "./io.ts";
import { WriteRefusedError, writeFileAtomic } from "./write-file.ts";

/** `apigw-drift report` options, as the command line gives them. */
export interface ReportOptions {
  /** The HTML file to write. */
  html: string;
  /** As for `history`; default 30 days back. */
  since?: string;
  until?: string;
  api?: string;
}

export const DEFAULT_REPORT_SINCE = "30d";
/** Events read per history query: large pages, few round trips. */
const PAGE = 1000;

/**
 * `apigw-drift report --html FILE`: reads every drift event in the window through the same queries as
 * `history` (the table or the embedded store), turns them into one self-contained HTML page and writes
 * it atomically. Exit 0 when written; 1 on a bad option, a history that cannot be read, or a file that
 * cannot be written.
 */
export async function runReport(options: ReportOptions, io: CliIo, deps: HistoryDeps = {}): Promise<number> {
  const now = (deps.now ?? Date.now)();
  const fail = (message: string) => {
    io.stderr(`error: ${terminal(message)}\n`);
    return 1;
  };
  if (!options.html.trim()) return fail("--html takes the path of the HTML file to write");
  const window = parseWindow({ since: options.since ?? DEFAULT_REPORT_SINCE, until: options.until }, now);
  if (typeof window === "string") return fail(window);
  const since = window.since!;
  const until = window.until ?? now;
  if (since > until) {
    return fail(`--since (${iso(since)}) is after now (${iso(until)}): pass an --until after it`);
  }

  let context: HistoryContext;
  try {
    context = await (deps.open ?? historyFromEnvironment)(io.env, io.cwd, deps.now ? { now: deps.now } : {});
  } catch (error) {
    return fail((error as Error).message);
  }
  const events: DriftEvent[] = [];
  try {
    let cursor: string | undefined;
    do {
      const page = await context.history.events({
        since: iso(since),
        until: iso(until),
        limit: PAGE,
        ...(options.api ? { apiId: options.api } : {}),
        ...(cursor ? { cursor } : {}),
      });
      events.push(...page.items);
      cursor = page.cursor;
    } while (cursor);
  } catch (error) {
    return fail((error as Error).message);
  } finally {
    await context.close();
  }

  const view = buildReportView(events, {
    now,
    since,
    until,
    source: context.location,
    ...(options.api ? { apiId: options.api } : {}),
  });
  try {
    await writeFileAtomic(resolve(io.cwd, options.html), renderReportHtml(view), options.html);
  } catch (error) {
    if (error instanceof WriteRefusedError) return fail(error.message);
    return fail(`cannot write ${options.html}: ${(error as Error).message}`);
  }
  io.stderr(
    `wrote ${terminal(options.html)}: ${view.sightings} drift sighting${view.sightings === 1 ? "" : "s"} of ${view.integrations} integration${view.integrations === 1 ? "" : "s"} in ${view.apis} API${view.apis === 1 ? "" : "s"}, ${iso(since)} to ${iso(until)}, from ${terminal(context.location)}\n`,
  );
  return 0;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
