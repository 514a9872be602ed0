import type { DesiredApiEntry, DesiredState } from "../desired-state/state.ts";
import type { LiveIntegration } from "../model/live.ts";
import { type PlannedIntegration, planApi } from "../plan/plan.ts";
import type { IntegrationResult, ReportError } from "../plan/report.ts";
import { describeError } from "./failure.ts";
import { mapPool } from "./pool.ts";
import type { RunRequest, RunServices } from "./reconcile.ts";

export interface ReadOutcome {
  planned: PlannedIntegration[];
  /** Integrations that could not be planned: FAILED (the read failed) or DEFERRED (the deadline). */
  results: IntegrationResult[];
  errors: ReportError[];
}

/** Runs targeting at most this many integrations read them one by one instead of listing. */
export const TARGETED_READ_LIMIT = 5;

/**
 * Reads each API's live state and plans it, one API at a time per worker: the API's document is read from
 * the desired state, planned against what the service holds, and let go; only results, and the update and
 * declaration of each drifted integration, are kept. A run targeting a few integrations reads them one by
 * one (GetIntegration); any other lists them (GetIntegrations, every page). Routes are read only when the
 * API prunes. A failed read fails that API's integrations, not the run; after the deadline, or once the
 * run is interrupted, nothing new starts.
 */
export async function readAndPlan(
  apis: readonly DesiredApiEntry[],
  state: DesiredState,
  request: RunRequest,
  services: RunServices,
): Promise<ReadOutcome> {
  const out: ReadOutcome = { planned: [], results: [], errors: [] };
  const only = request.integrationIds;
  const allStrays = only ? (request.strays ?? []) : [];
  const targeted =
    only !== undefined &&
    only.length + allStrays.length <= (services.targetedReadLimit ?? TARGETED_READ_LIMIT);
  let done = 0;
  await mapPool(apis, services.concurrency, async (api) => {
    const declared = api.integrationIds.filter((id) => !only || only.includes(id));
    // Undeclared ids a targeted run was told of (someone's CreateIntegration): read, and pruned if the file
    // prunes. Nothing else undeclared is looked at, so nothing else can be deleted.
    const strays = allStrays
      .filter((s) => s.apiId === api.apiId && !api.integrationIds.includes(s.integrationId))
      .map((s) => s.integrationId);
    const fail = (status: "FAILED" | "DEFERRED", error?: IntegrationResult["error"]) => {
      for (const integrationId of declared) {
        out.results.push({ apiId: api.apiId, integrationId, status, diffs: [], ...(error ? { error } : {}) });
      }
    };
    if (stopped(request, services)) {
      fail("DEFERRED");
      return;
    }
    // Pruning needs the whole picture, so a targeted run prunes only the strays it was named.
    const prune = request.prune !== false && api.prune && (!only || strays.length > 0);
    try {
      let live: LiveIntegration[];
      if (targeted) {
        const ids = [...declared, ...strays];
        const found = await Promise.all(ids.map((id) => services.gateway.getIntegration(api.apiId, id)));
        live = found.filter((i) => i !== undefined);
      } else {
        live = await services.gateway.listIntegrations(api.apiId);
      }
      const routes = prune ? await services.gateway.listRoutes(api.apiId) : undefined;
      const desired = state.document(api.apiId);
      out.planned.push(
        ...planApi({
          desired,
          live,
          routes,
          prune,
          ...(only ? { only: [...only, ...strays] } : {}),
          redact: services.redact,
          now: services.now(),
        }),
      );
    } catch (error) {
      const described = describeError(error);
      // Abandoned because the run must end now (the Lambda's time nearly up): the next run reads it.
      if (described.name === "AbortError") {
        fail("DEFERRED");
        return;
      }
      fail("FAILED", described);
      out.errors.push({
        file: api.file,
        apiId: api.apiId,
        message: `reading API ${api.apiId} failed: ${described.message}`,
      });
    } finally {
      services.onProgress?.({ phase: "read", done: ++done, total: apis.length });
    }
  });
  return out;
}

/** True once the run must start nothing new: past its deadline, or interrupted. */
export function stopped(request: RunRequest, services: RunServices): boolean {
  if (request.interrupt?.aborted) return true;
  return request.deadline !== undefined && services.now() >= request.deadline;
}
