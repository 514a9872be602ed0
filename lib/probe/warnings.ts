/**
 * What a probe result means for one run (PRODUCT §11, issue 16 item 3): where the account showed a
 * reading under which the product's update of a drifted integration cannot do what the plan says (a
 * template the update leaves out stays under a merge; a `""` that is stored or refused), the report says so
 * up front, naming the behaviour, the integration and the field, instead of the run learning it from a
 * NotConverged or a 400 after the write. Pure: the report, the desired state and the probe's readings in,
 * warnings out.
 *
 * The report carries each integration's diffs, not its live state nor the request; the live fields the
 * update is about are rebuilt from the declaration and those diffs (every drifted key is in them, redacted
 * values are just as good here), and the request is planned again by the product's own planner
 * (judge.ts). An AWS service integration whose file does not declare `integrationSubtype` is therefore
 * planned as one without: for it, warnings about `""` request parameters can be wrong.
 */
import type { DesiredState } from "../desired-state/state.ts";
import { type Diff, declaredFields } from "../diff/diff.ts";
import { parsePointer } from "../diff/pointer.ts";
import { contextOf, normaliseField } from "../model/fields.ts";
import type { LiveIntegration } from "../model/live.ts";
import type { Protocol } from "../model/service.ts";
import { diffOptionsFor } from "../plan/plan.ts";
import type { IntegrationResult, Report, ReportWarning } from "../plan/report.ts";
import { withReading } from "./assumptions.ts";
import { BASELINE, type BehaviourName, type Reading } from "./behaviours.ts";
import { judgeUpdate } from "./judge.ts";
import type { ProbeReadings } from "./result.ts";

/** What a reading does to the product's update, in words, where it breaks one. */
const MEANING: Partial<Record<string, string>> = {
  "requestParameters.emptyString=stored":
    'the service stores a request parameter sent with "" instead of removing it, and "" is the only removal there is',
  "requestParameters.emptyString=rejected":
    'the service refuses a request parameter sent with "", the only way to remove one',
  "requestTemplates.patch=merge":
    "the service merges requestTemplates, so a template the update leaves out stays",
  "responseParameters.emptyObject=rejected":
    "the service refuses a status code sent with {}, the only way to remove one",
  "description.emptyString=rejected": 'the service refuses description "", the only way to clear it',
  "stringFields.emptyString=rejected": 'the service refuses a field sent as "", the only way to clear it',
  "tlsConfig.emptyObject=rejected": "the service refuses tlsConfig {}, the only way to remove it",
  "subtype.updateWithoutSubtype=rejected":
    "the service refuses an update of an AWS service integration that does not name integrationSubtype",
  "subtype.requiredParametersOnUpdate=sent":
    "the service refuses an update of an AWS service integration that does not re-send its request parameters",
};

/** Behaviours a probe settles that are not about what one UpdateIntegration does. */
const NOT_ABOUT_UPDATES = new Set<BehaviourName>([
  "getIntegrations.maxPageSize",
  "throttle.refusedSpendsQuota",
]);

/**
 * The warnings `probe` readings give `report`'s drifted integrations (a plan's DRIFTED ones; an apply's
 * updates that failed or were not made), in report order. `source` names the probe result in messages.
 */
export function probeWarnings(
  probe: ProbeReadings,
  source: string,
  report: Pick<Report, "integrations" | "startedAt">,
  state: DesiredState,
): ReportWarning[] {
  const settled = (Object.entries(probe.readings) as [BehaviourName, Reading][]).filter(
    ([name, reading]) => !NOT_ABOUT_UPDATES.has(name) && reading !== BASELINE[name],
  );
  if (settled.length === 0) return [];
  const known = new Set(state.apis.map((a) => a.apiId));
  const out: ReportWarning[] = [];
  for (const result of report.integrations) {
    if (!isPlannedUpdate(result) || !known.has(result.apiId)) continue;
    const doc = state.document(result.apiId);
    const declaration = doc.integrations[result.integrationId];
    if (!declaration) continue;
    // Ignore entries resolved on the run's clock, as its plan resolved them.
    const options = diffOptionsFor(doc, result.integrationId, Date.parse(report.startedAt));
    const live = liveFromDiffs(declaration, result.diffs, doc.protocol);
    // A rebuilt state the product itself could not fix under the best-sourced readings is not one to judge.
    if (!judgeUpdate(declaration, live, options, BASELINE).ok) continue;
    for (const [name, reading] of settled) {
      const verdict = judgeUpdate(declaration, live, options, withReading(name, reading));
      if (verdict.ok) continue;
      const what =
        "refused" in verdict
          ? `would be refused (${verdict.refused.field})`
          : `would leave ${verdict.unfixed.join(", ")} drifted`;
      const meaning =
        MEANING[`${name}=${String(reading)}`] ?? `the service reads it as ${name}=${String(reading)}`;
      const evidence = probe.evidence[name] ? ` (${clip(probe.evidence[name])})` : "";
      out.push({
        message: `probe result ${source}: ${name} is ${String(reading)} on this account${evidence}, so the update of ${result.apiId}/${result.integrationId} ${what}: ${meaning}. Declare what live has, or delete and recreate the integration`,
      });
    }
  }
  return out;
}

/** Evidence quotes the service; in a warning, its first 160 characters say enough. */
function clip(text: string): string {
  return text.length <= 160 ? text : `${text.slice(0, 159)}…`;
}

function isPlannedUpdate(r: IntegrationResult): boolean {
  return r.status === "DRIFTED" || (r.status === "FAILED" && r.action === "update");
}

/**
 * The live integration as far as the diffs tell it: the declaration's (normalised) values, with each diff
 * undone — a key live has and the file lacks put back, a changed value set to live's, a value live lacks
 * taken out.
 */
export function liveFromDiffs(
  declaration: Parameters<typeof declaredFields>[0],
  diffs: readonly Diff[],
  protocol: Protocol,
): LiveIntegration {
  const context = contextOf(protocol, declaration, undefined);
  const live: Record<string, unknown> = {};
  for (const field of declaredFields(declaration)) {
    const value = normaliseField(field, declaration[field], context);
    if (value !== undefined) live[field] = structuredClone(value);
  }
  for (const d of diffs) {
    const tokens = parsePointer(d.path);
    if (d.kind === "removed") removeAt(live, tokens);
    else setAt(live, tokens, d.actual);
  }
  return { ...live, integrationId: "rebuilt" };
}

function setAt(target: Record<string, unknown>, tokens: readonly string[], value: unknown): void {
  let node = target;
  for (const token of tokens.slice(0, -1)) {
    const next = node[token];
    if (typeof next !== "object" || next === null || Array.isArray(next)) node[token] = {};
    node = node[token] as Record<string, unknown>;
  }
  const last = tokens.at(-1);
  if (last !== undefined) node[last] = structuredClone(value);
}

function removeAt(target: Record<string, unknown>, tokens: readonly string[]): void {
  let node: unknown = target;
  for (const token of tokens.slice(0, -1)) {
    node = (node as Record<string, unknown> | undefined)?.[token];
    if (typeof node !== "object" || node === null) return;
  }
  const last = tokens.at(-1);
  if (last !== undefined) delete (node as Record<string, unknown>)[last];
}
