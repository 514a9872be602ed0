import { activeIgnores, utcDay } from "../desired-state/ignore.ts";
import type { DesiredDocument, DesiredIntegration } from "../desired-state/schema.ts";
import { type DiffOptions, diffIntegration } from "../diff/diff.ts";
import { createRedactor, type Redactor, redactDiff, secretValues } from "../diff/redact.ts";
import type { LiveIntegration } from "../model/live.ts";
import type { IntegrationResult } from "./report.ts";
import { buildUpdate, type UpdateFields } from "./update.ts";

/** A route, as far as pruning cares: what it targets (`integrations/{integrationId}`). */
export interface LiveRoute {
  routeId: string;
  target?: string;
}

/** One integration's plan: its report entry and, when there is one, the write that would fix it. */
export interface PlannedIntegration {
  result: IntegrationResult;
  /** The UpdateIntegration fields (real values, never shown), when the result is DRIFTED. */
  update?: UpdateFields;
  /**
   * What the service's answer to the update is checked against (the declaration and its diff options), so
   * the run can let go of the API's document once it is planned.
   */
  check?: { declaration: DesiredIntegration; options: DiffOptions };
  /** The secret values of the request, the declaration and the live integration: scrubbed from errors. */
  secrets?: string[];
}

export interface PlanApiInput {
  desired: DesiredDocument;
  live: readonly LiveIntegration[];
  /** The API's routes; needed only when pruning. */
  routes?: readonly LiveRoute[];
  /** Pruning in effect for this run: the file's `prune`, unless the run turned it off. */
  prune: boolean;
  /** A targeted run looks only at these integration ids. */
  only?: readonly string[];
  redact?: Redactor;
  /** The run's clock (epoch ms): an ignore entry whose `until` is before its UTC day no longer applies. */
  now: number;
}

/** The error of a drifted integration that an update cannot (wholly) fix in place. */
export function cannotFix(reasons: readonly { message: string }[]): { name: string; message: string } {
  return { name: "CannotFixInPlace", message: reasons.map((r) => r.message).join("; ") };
}

/**
 * The diff options of one declared integration: its API's protocol and both levels of ignore pointers
 * that still apply at `now` (an entry past its `until` day is left out: the field is owned again).
 */
export function diffOptionsFor(doc: DesiredDocument, integrationId: string, now: number): DiffOptions {
  return optionsOn(doc, integrationId, utcDay(now));
}

/** diffOptionsFor on a UTC day already known: a plan works its day out once, not per integration. */
function optionsOn(doc: DesiredDocument, integrationId: string, today: string): DiffOptions {
  return {
    protocol: doc.protocol,
    ignore: [
      ...activeIgnores(doc.ignore, today),
      ...activeIgnores(doc.integrations[integrationId]?.ignore, today),
    ],
  };
}

/**
 * Plans one API: a result per integration looked at (sorted by id) with redacted diffs, the update that
 * fixes each drifted one, and the prune decisions. Pure. An API-Gateway-managed integration is never a
 * delete candidate, nor is one a route targets. An API in `mode: observe` is planned the same way but
 * nothing is written to it: its results carry no action (so apply sends nothing and the blast-radius guard
 * counts nothing) and are marked `observed` where a write was held back.
 */
export function planApi(input: PlanApiInput): PlannedIntegration[] {
  const planned = planEnforced(input);
  return input.desired.mode === "observe" ? planned.map(observe) : planned;
}

/**
 * An observed API's plan entry: the drift as found, without the write. Without the reason an update
 * could not fix it either: that is about a write that will not happen, and would fail the apply.
 */
function observe(p: PlannedIntegration): PlannedIntegration {
  if (p.result.status !== "DRIFTED" && p.result.action !== "delete") return { result: p.result };
  const { action: _action, error: _error, ...rest } = p.result;
  return { result: { ...rest, observed: true } };
}

function planEnforced(input: PlanApiInput): PlannedIntegration[] {
  const { desired } = input;
  const apiId = desired.apiId;
  const redact = input.redact ?? createRedactor();
  const inScope = (id: string) => !input.only || input.only.includes(id);
  const liveById = new Map(
    input.live.filter((i) => inScope(i.integrationId)).map((i) => [i.integrationId, i]),
  );
  const targeted = new Set(
    (input.routes ?? [])
      .map((r) => /^integrations\/(.+)$/.exec(r.target ?? "")?.[1])
      .filter((id) => id !== undefined),
  );
  const out: PlannedIntegration[] = [];
  const today = utcDay(input.now);

  for (const [integrationId, declaration] of Object.entries(desired.integrations)) {
    if (!inScope(integrationId)) continue;
    const live = liveById.get(integrationId);
    if (!live) {
      out.push({ result: { apiId, integrationId, status: "MISSING", diffs: [] } });
      continue;
    }
    const options = optionsOn(desired, integrationId, today);
    const diffs = diffIntegration(declaration, live, options);
    if (diffs.length === 0) {
      out.push({ result: { apiId, integrationId, status: "IN_SYNC", diffs: [] } });
      continue;
    }
    const fix = buildUpdate(declaration, live, options, diffs);
    const result: IntegrationResult = {
      apiId,
      integrationId,
      status: "DRIFTED",
      diffs: diffs.map((d) => redactDiff(d, redact)),
    };
    if (fix?.fields) result.action = "update";
    // What no UpdateIntegration can fix is said at plan time, not learnt from a service 400 after a write.
    if (fix && fix.cannot.length > 0) result.error = cannotFix(fix.cannot);
    out.push(
      fix?.fields
        ? {
            result,
            update: fix.fields,
            check: { declaration, options },
            secrets: secretValues(fix.fields, declaration, live),
          }
        : { result },
    );
  }

  for (const [integrationId, live] of liveById) {
    if (Object.hasOwn(desired.integrations, integrationId)) continue;
    const result: IntegrationResult = { apiId, integrationId, status: "UNMANAGED", diffs: [] };
    if (input.prune) {
      if (live.apiGatewayManaged === true) result.status = "SKIPPED_MANAGED";
      else if (targeted.has(integrationId)) result.status = "SKIPPED_IN_USE";
      else result.action = "delete";
    }
    out.push({ result });
  }
  return out.sort((a, b) =>
    a.result.integrationId < b.result.integrationId
      ? -1
      : a.result.integrationId > b.result.integrationId
        ? 1
        : 0,
  );
}
