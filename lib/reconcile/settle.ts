import { isDeepStrictEqual } from "node:util";
import type { Diff } from "../diff/diff.ts";
import { parsePointer } from "../diff/pointer.ts";
import { type Redactor, redactValue } from "../diff/redact.ts";
import { contextOf, isIntegrationField, normaliseField } from "../model/fields.ts";
import type { LiveIntegration } from "../model/live.ts";
import { type IntegrationResult, type Report, runStatus, summarise } from "../plan/report.ts";
import type { Intent } from "./reconcile.ts";

/**
 * What became of a write whose run ended without recording it, decided from the live integration now:
 * a delete happened when the integration is gone; an update happened when every drift it was to fix is
 * fixed (each compared in its redacted form, as the intent keeps it), did not when none is, and is FAILED
 * as partly applied otherwise. A write not made is DEFERRED: the run ended before it.
 */
export function settleIntent(
  intent: Intent,
  live: LiveIntegration | undefined,
  redact: Redactor,
): IntegrationResult {
  const base = {
    apiId: intent.apiId,
    integrationId: intent.integrationId,
    diffs: intent.diffs,
    action: intent.action,
  };
  if (intent.action === "delete") return { ...base, status: live ? "DEFERRED" : "DELETED" };
  if (!live) {
    return {
      ...base,
      status: "FAILED",
      error: { name: "Gone", message: `integration ${intent.integrationId} no longer exists` },
    };
  }
  const fixed = intent.diffs.filter((d) => holds(d, live, intent, redact)).length;
  if (fixed === intent.diffs.length) return { ...base, status: "UPDATED" };
  if (fixed === 0) return { ...base, status: "DEFERRED" };
  return {
    ...base,
    status: "FAILED",
    error: {
      name: "PartlyApplied",
      message: `${fixed} of the ${intent.diffs.length} differences the update was to fix are fixed; the next plan shows the rest`,
    },
  };
}

/** Whether live now shows what the file wanted at the diff's path (absent, for a key the file lacks). */
function holds(diff: Diff, live: LiveIntegration, intent: Intent, redact: Redactor): boolean {
  const [field, ...tokens] = parsePointer(diff.path);
  if (field === undefined || !isIntegrationField(field)) return false;
  let value: unknown = normaliseField(field, live[field], contextOf(intent.protocol, undefined, live));
  for (const token of tokens) value = (value as Record<string, unknown> | undefined)?.[token];
  if (diff.expected === undefined) return value === undefined;
  return isDeepStrictEqual(redactValue(diff.path, value, redact), diff.expected);
}

/**
 * The report a run that ended without recording would have left, rebuilt from its settled intents: its
 * writes as the live integrations show them, and an error saying so.
 */
export function settledReport(
  intents: readonly Intent[],
  results: IntegrationResult[],
  settledBy: string,
  at: string,
): Report {
  const first = intents[0]!;
  const integrations = [...results].sort((a, b) =>
    a.apiId === b.apiId ? (a.integrationId < b.integrationId ? -1 : 1) : a.apiId < b.apiId ? -1 : 1,
  );
  const applied = integrations.filter((r) => r.status === "UPDATED" || r.status === "DELETED").length;
  const status = runStatus("apply", integrations);
  return {
    runId: first.runId,
    startedAt: first.startedAt,
    finishedAt: at,
    mode: "apply",
    desiredRevision: first.desiredRevision,
    status: status === "RECONCILED" || status === "IN_SYNC" ? "PARTIAL" : status,
    summary: summarise(integrations),
    integrations,
    apiCalls: {},
    errors: [
      {
        message: `this run ended without recording its report (killed, or out of time); run ${settledBy} settled its ${intents.length} write-ahead intent${intents.length === 1 ? "" : "s"} from the live integrations: ${applied} applied, ${intents.length - applied} not`,
      },
    ],
    warnings: [],
  };
}
