import { styleText } from "node:util";
import type { ChangedBy } from "../attribution/types.ts";
import type { Diff } from "../diff/diff.ts";
import type { IntegrationResult, Report } from "../plan/report.ts";
import { htmlText, markdownCode, markdownText, terminal } from "../text/escape.ts";

type Color = "green" | "red" | "yellow" | "cyan" | "bold" | "dim";

/**
 * What each kind of diff means for live, in both renderers. `kind` follows CloudFormation (lib/diff/diff.ts,
 * PRODUCT §3): `removed` is a field the file has and live does not, which applying the file adds; `added`
 * is one live has and the file does not, which applying the file removes.
 */
const CHANGES: Record<Diff["kind"], { symbol: string; color: Color; word: string }> = {
  changed: { symbol: "~", color: "yellow", word: "change" },
  removed: { symbol: "+", color: "green", word: "add" },
  added: { symbol: "-", color: "red", word: "remove" },
};
const LEGEND =
  "~ change (live → desired), + add (in the file, not live), - remove (live has it, the file does not)";

/**
 * Renders a report like `terraform plan`: what will change (or changed), then a summary. Every value from
 * the files, the service or the environment is escaped for the terminal (lib/text/escape.ts).
 */
export function renderHuman(report: Report, options: { color: boolean }): string {
  const paint = (color: Color, text: string) =>
    options.color ? styleText(color, text, { validateStream: false }) : text;
  const lines: string[] = [];
  const verb = report.mode === "plan" ? "plan" : "apply";
  lines.push(
    paint(
      "bold",
      `apigw-drift ${verb} · desired revision ${terminal(short(report.desiredRevision))} · run ${terminal(report.runId)}`,
    ),
  );
  if (report.integrations.some((r) => r.status !== "IN_SYNC" && r.diffs.length > 0)) {
    lines.push(paint("dim", LEGEND));
  }

  let currentApi = "";
  for (const r of report.integrations) {
    if (r.status === "IN_SYNC") continue;
    if (r.apiId !== currentApi) {
      currentApi = r.apiId;
      lines.push("", paint("bold", `API ${terminal(r.apiId)}`));
    }
    const [symbol, color, label] = headline(r, report.mode);
    lines.push(`  ${paint(color, `${symbol} ${terminal(r.integrationId)}`)}  ${label}`);
    if (r.changedBy) lines.push(`      ${paint("cyan", changedByText(r.changedBy))}`);
    for (const d of r.diffs) lines.push(`      ${diffLine(d, paint)}`);
    if (r.error)
      lines.push(`      ${paint("red", `${terminal(r.error.name)}: ${terminal(r.error.message)}`)}`);
  }
  if (report.errors.length > 0) {
    lines.push("");
    for (const e of report.errors)
      lines.push(paint("red", `Error: ${terminal(`${location(e)}${e.message}`)}`));
  }
  // Warnings did not stop the run (a plan over the limits, a probe result's advice), but a person must see them.
  if ((report.warnings ?? []).length > 0) {
    lines.push("");
    for (const w of report.warnings) lines.push(paint("yellow", `Warning: ${terminal(w.message)}`));
  }
  lines.push("", summaryLine(report), paint(statusColor(report.status), `Status: ${report.status}`));
  return `${lines.join("\n")}\n`;
}

/** What a result of an API in `mode: observe` says: the write it would have had was held back. */
const OBSERVED = "observed, not changed (mode: observe)";

function headline(r: IntegrationResult, mode: Report["mode"]): [string, Color, string] {
  if (r.observed && r.status === "DRIFTED") return ["~", "yellow", `drifted: ${OBSERVED}`];
  if (r.observed && r.status === "UNMANAGED") {
    return [" ", "dim", `not declared: prune would delete it; ${OBSERVED}`];
  }
  switch (r.status) {
    case "DRIFTED":
      return ["~", "yellow", mode === "plan" ? "drifted: will be updated in place" : "drifted: not updated"];
    case "UPDATED":
      return ["~", "green", "updated in place"];
    case "MISSING":
      return ["!", "red", "declared but not live (apigw-drift never creates integrations)"];
    case "UNMANAGED":
      return r.action === "delete"
        ? ["-", "red", "not declared: will be deleted (prune)"]
        : [" ", "dim", "not declared (informational; the file does not prune)"];
    case "DELETED":
      return ["-", "green", "deleted (prune)"];
    case "SKIPPED_MANAGED":
      return [" ", "dim", "not declared, API Gateway manages it: never deleted"];
    case "SKIPPED_IN_USE":
      return [" ", "dim", "not declared, a route targets it: not deleted"];
    case "FAILED":
      return ["✗", "red", r.action ? `${r.action} failed` : "failed"];
    case "DEFERRED":
      return ["…", "yellow", "deferred: the run's time ran out before it"];
    default:
      return [" ", "dim", r.status.toLowerCase()];
  }
}

/** `~ /path: live → desired`; `+ /path: desired` (the file adds it); `- /path: live` (the file removes it). */
function diffLine(d: Diff, paint: (c: Color, t: string) => string): string {
  const { symbol, color } = CHANGES[d.kind];
  const value =
    d.kind === "changed"
      ? `${show(d.actual)} → ${show(d.expected)}`
      : show(d.kind === "removed" ? d.expected : d.actual);
  return paint(color, `${symbol} ${terminal(d.path)}: ${value}`);
}

function summaryLine(report: Report): string {
  const s = report.summary;
  const deletes = report.integrations.filter((r) => r.status === "UNMANAGED" && r.action === "delete").length;
  const observed = report.integrations.filter((r) => r.observed && r.status === "DRIFTED").length;
  const parts =
    report.mode === "plan"
      ? [
          `${s.DRIFTED - observed} to update`,
          `${deletes} to delete`,
          `${s.MISSING} missing`,
          `${s.IN_SYNC} in sync`,
          `${s.UNMANAGED - deletes + s.SKIPPED_MANAGED + s.SKIPPED_IN_USE} unmanaged`,
        ]
      : [
          `${s.UPDATED} updated`,
          `${s.DELETED} deleted`,
          `${s.FAILED} failed`,
          `${s.DEFERRED} deferred`,
          `${s.MISSING} missing`,
          `${s.IN_SYNC} in sync`,
        ];
  if (observed > 0) parts.push(`${observed} drifted but observed (mode: observe)`);
  const failedReads =
    report.mode === "plan" && s.FAILED + s.DEFERRED > 0 ? `, ${s.FAILED + s.DEFERRED} not read` : "";
  const calls = Object.entries(report.apiCalls)
    .map(([k, v]) => `${terminal(k)} ${v}`)
    .join(", ");
  return `${report.mode === "plan" ? "Plan" : "Apply"}: ${parts.join(", ")}${failedReads}.${calls ? ` API calls: ${calls}.` : ""}`;
}

function statusColor(status: Report["status"]): Color {
  if (status === "IN_SYNC" || status === "RECONCILED") return "green";
  if (status === "DRIFTED") return "yellow";
  return "red";
}

/**
 * Renders a report as a pull-request comment. Ids, paths and values are code spans, messages are escaped
 * text (lib/text/escape.ts): nothing from the files or the service becomes markup, HTML or a mention.
 */
export function renderMarkdown(report: Report): string {
  const out: string[] = [];
  out.push(`### apigw-drift ${report.mode}: ${report.status}`, "");
  out.push(
    `Desired revision ${markdownCode(short(report.desiredRevision))} · run ${markdownCode(report.runId)}`,
    "",
  );
  const changed = report.integrations.filter((r) => r.status !== "IN_SYNC");
  if (changed.length === 0) {
    // A run stopped by a guard or an invalid file looked at nothing: that is not "no drift".
    out.push(
      report.integrations.length === 0 && report.errors.length > 0
        ? "Nothing was compared: the run stopped before reading any integration (see the errors below)."
        : "No drift: every declared integration matches its desired state.",
      "",
    );
  } else {
    // Who changed it (PRODUCT §8) gets a column when attribution named anyone in this report.
    const attributed = changed.some((r) => r.changedBy);
    out.push(
      attributed
        ? "| API | integration | status | differences | changed by |"
        : "| API | integration | status | differences |",
      attributed ? "|---|---|---|---|---|" : "|---|---|---|---|",
    );
    for (const r of changed) {
      const what =
        r.action === "delete" && r.status === "UNMANAGED"
          ? "UNMANAGED (delete)"
          : r.observed
            ? `${r.status} (${r.status === "UNMANAGED" ? "prune would delete it; " : ""}${OBSERVED})`
            : r.status;
      const by = !attributed ? "" : r.changedBy ? ` ${changedByCell(r.changedBy)} |` : " — |";
      out.push(`| ${code(r.apiId)} | ${code(r.integrationId)} | ${what} | ${r.diffs.length} |${by}`);
    }
    out.push("");
    for (const r of changed.filter((x) => x.diffs.length > 0 || x.error)) {
      out.push(
        `<details><summary><code>${htmlText(`${r.apiId}/${r.integrationId}`)}</code>: ${r.status}</summary>`,
        "",
      );
      if (r.diffs.length > 0) {
        out.push("| path | change | live | desired |", "|---|---|---|---|");
        for (const d of r.diffs) {
          out.push(
            `| ${code(d.path)} | ${CHANGES[d.kind].word} | ${mdValue(d.actual)} | ${mdValue(d.expected)} |`,
          );
        }
      }
      if (r.error) out.push("", `**${markdownText(r.error.name)}**: ${markdownText(r.error.message)}`);
      out.push("", "</details>", "");
    }
  }
  for (const e of report.errors) out.push(`> **Error**: ${markdownText(`${location(e)}${e.message}`)}`, "");
  for (const w of report.warnings ?? []) out.push(`> **Warning**: ${markdownText(w.message)}`, "");
  const s = report.summary;
  out.push(
    `${s.IN_SYNC} in sync · ${s.DRIFTED} drifted · ${s.UPDATED} updated · ${s.MISSING} missing · ${s.FAILED} failed · ${s.DELETED} deleted`,
  );
  return `${out.join("\n")}\n`;
}

/** "changed by <principal> at <time> (<eventName>)": every part comes from CloudTrail, so escaped. */
function changedByText(by: ChangedBy): string {
  return `changed by ${terminal(by.principal)} at ${terminal(by.at)} (${terminal(by.eventName)})`;
}

/** The markdown column's cell: the principal as code, the time and event as text. */
function changedByCell(by: ChangedBy): string {
  return `${code(by.principal)} at ${markdownText(by.at)} (${markdownText(by.eventName)})`;
}

function location(e: Report["errors"][number]): string {
  if (e.file && e.line) return `${e.file}:${e.line}:${e.column ?? 1} ${e.pointer || "/"} `;
  return e.file ? `${e.file}: ` : "";
}

/** A value as JSON (a string shows its quotes), escaped for the terminal: JSON leaves C1 and bidi raw. */
function show(v: unknown): string {
  return v === undefined ? "(absent)" : terminal(JSON.stringify(v));
}

function mdValue(v: unknown): string {
  return v === undefined ? "—" : code(JSON.stringify(v));
}

/** A code span in a table cell. */
function code(text: string): string {
  return markdownCode(text, { table: true });
}

function short(revision: string): string {
  return /^[0-9a-f]{40}/.test(revision) ? revision.slice(0, 12) + revision.slice(40) : revision;
}
