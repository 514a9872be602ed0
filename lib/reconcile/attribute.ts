/**
 * The run's attribution step (PRODUCT §8): after the plan and before any write, who last changed each
 * integration that drifted, is MISSING, or is an undeclared one planned for deletion. Authors a run already
 * knows (the event-driven path takes them from the CloudTrail events that woke it) are used as they are;
 * the rest are looked up (CloudTrail LookupEvents, through the composition root's service), unless the run
 * turned lookups off. It never fails the run: what it could not find stays unattributed, with a warning.
 */
import { integrationKey } from "../attribution/match.ts";
import type { AttributionTarget, ChangedBy } from "../attribution/types.ts";
import type { PlannedIntegration } from "../plan/plan.ts";
import type { IntegrationResult, ReportWarning } from "../plan/report.ts";

/** What a run asks of attribution. */
export interface AttributionRequest {
  /** false: no lookup (`--no-attribution`, ATTRIBUTION=off, the event-driven path). Default true. */
  lookup?: boolean;
  /** Authors already known, by integrationKey(apiId, integrationId): used as they are, never looked up. */
  known?: ReadonlyMap<string, ChangedBy>;
}

/** Finds authors; built by the composition root (lib/runtime) around CloudTrail and history. */
export interface AttributionLookup {
  /** Never throws: what it could not find is absent, with a warning for people. */
  lookup(
    targets: readonly AttributionTarget[],
    options: { startedAt: number; signal?: AbortSignal },
  ): Promise<{ changedBy: ReadonlyMap<string, ChangedBy>; warnings: readonly string[] }>;
}

/** Attribution may take this long at most, so it never eats a run's deadline or outlives its lease. */
export const ATTRIBUTION_TIME_BUDGET_MS = 60_000;

/** The results whose author is wanted: drift (diffs), MISSING, and planned deletes of undeclared ones. */
export function wantsAuthor(r: IntegrationResult): boolean {
  if (r.diffs.length > 0) return true;
  // An API that does not exist makes every declaration MISSING, with an error saying so: DeleteApi, not
  // DeleteIntegration, explains those, and looking each one up would spend the page budget on nothing.
  if (r.status === "MISSING") return r.error === undefined;
  return r.status === "UNMANAGED" && r.action === "delete";
}

export interface AttributionStep {
  planned: PlannedIntegration[];
  /** The other results (absent APIs, failed reads), enriched the same way. */
  results: IntegrationResult[];
  warnings: ReportWarning[];
}

/**
 * Adds `changedBy` to the results that want one. `deadline` (epoch ms) and `interrupt` stop lookups between
 * pages; so does ATTRIBUTION_TIME_BUDGET_MS.
 */
export async function attributeResults(
  planned: readonly PlannedIntegration[],
  results: readonly IntegrationResult[],
  context: {
    request?: AttributionRequest;
    lookup?: AttributionLookup;
    startedAt: number;
    now: () => number;
    deadline?: number;
    interrupt?: AbortSignal;
  },
): Promise<AttributionStep> {
  const known = context.request?.known ?? new Map<string, ChangedBy>();
  const key = (r: IntegrationResult) => integrationKey(r.apiId, r.integrationId);
  const all = [...results, ...planned.map((p) => p.result)];
  const wanted = all.filter((r) => wantsAuthor(r) && !known.has(key(r)));
  const found = new Map<string, ChangedBy>(known);
  const warnings: ReportWarning[] = [];
  if (wanted.length > 0 && context.lookup && context.request?.lookup !== false) {
    const stop = new AbortController();
    const budget = Math.min(
      ATTRIBUTION_TIME_BUDGET_MS,
      context.deadline === undefined ? Number.POSITIVE_INFINITY : context.deadline - context.now(),
    );
    const timer = setTimeout(() => stop.abort(), Math.max(0, budget));
    timer.unref?.();
    const onInterrupt = () => stop.abort();
    context.interrupt?.addEventListener("abort", onInterrupt, { once: true });
    try {
      const answer = await context.lookup.lookup(
        wanted.map((r) => ({ apiId: r.apiId, integrationId: r.integrationId, status: r.status })),
        { startedAt: context.startedAt, signal: stop.signal },
      );
      for (const [k, v] of answer.changedBy) found.set(k, v);
      warnings.push(...answer.warnings.map((message) => ({ message })));
    } finally {
      clearTimeout(timer);
      context.interrupt?.removeEventListener("abort", onInterrupt);
    }
  }
  const enrich = (r: IntegrationResult): IntegrationResult => {
    const by = wantsAuthor(r) ? found.get(key(r)) : undefined;
    return by ? { ...r, changedBy: by } : r;
  };
  return {
    planned: planned.map((p) => ({ ...p, result: enrich(p.result) })),
    results: results.map(enrich),
    warnings,
  };
}
