import type { Gateway } from "../apigateway/gateway.ts";
import type { DesiredApi } from "../desired-state/load.ts";
import type { Redactor } from "../diff/redact.ts";
import type { LiveIntegration } from "../model/live.ts";
import { type PlannedIntegration, planApi } from "../plan/plan.ts";
import type { IntegrationResult, ReportError } from "../plan/report.ts";
import { describeError } from "./failure.ts";
import { mapPool } from "./pool.ts";
import type { Progress } from "./reconcile.ts";

export interface RunContext {
  gateway: Gateway;
  /** Work items in flight at most; the gateway's limiter bounds the calls themselves. */
  concurrency: number;
  deadline?: number;
  now: () => number;
  redact: Redactor;
  onProgress?: (progress: Progress) => void;
  /** Why the run must start no more writes (its lease was lost), if it must stop. */
  halted?: () => string | undefined;
}

export interface ReadOptions extends RunContext {
  integrationIds?: readonly string[];
  prune?: boolean;
  targetedReadLimit: number;
}

export interface ReadOutcome {
  planned: PlannedIntegration[];
  /** Integrations that could not be planned: FAILED (the read failed) or DEFERRED (the deadline). */
  results: IntegrationResult[];
  errors: ReportError[];
}

/**
 * Reads each API's live state and plans it. A run targeting a few integrations reads them one by one
 * (GetIntegration); any other lists them (GetIntegrations, every page). Routes are read only when the API
 * prunes. A failed read fails that API's integrations, not the run; after the deadline nothing new starts.
 */
export async function readAndPlan(apis: readonly DesiredApi[], options: ReadOptions): Promise<ReadOutcome> {
  const out: ReadOutcome = { planned: [], results: [], errors: [] };
  const only = options.integrationIds;
  const targeted = only !== undefined && only.length <= options.targetedReadLimit;
  let done = 0;
  await mapPool(apis, options.concurrency, async ({ file, doc }) => {
    const declared = Object.keys(doc.integrations).filter((id) => !only || only.includes(id));
    const fail = (status: "FAILED" | "DEFERRED", error?: IntegrationResult["error"]) => {
      for (const integrationId of declared.sort()) {
        out.results.push({
          apiId: doc.apiId,
          integrationId,
          status,
          diffs: [],
          ...(error ? { error } : {}),
        });
      }
    };
    if (options.deadline !== undefined && options.now() >= options.deadline) {
      fail("DEFERRED");
      return;
    }
    // Pruning needs the whole picture, so a targeted run never prunes.
    const prune = options.prune !== false && doc.prune === true && !only;
    try {
      let live: LiveIntegration[];
      if (targeted) {
        const found = await Promise.all(declared.map((id) => options.gateway.getIntegration(doc.apiId, id)));
        live = found.filter((i) => i !== undefined);
      } else {
        live = await options.gateway.listIntegrations(doc.apiId);
      }
      const routes = prune ? await options.gateway.listRoutes(doc.apiId) : undefined;
      out.planned.push(...planApi({ desired: doc, live, routes, prune, only, redact: options.redact }));
    } catch (error) {
      const described = describeError(error);
      fail("FAILED", described);
      out.errors.push({
        file,
        apiId: doc.apiId,
        message: `reading API ${doc.apiId} failed: ${described.message}`,
      });
    } finally {
      options.onProgress?.({ phase: "read", done: ++done, total: apis.length });
    }
  });
  return out;
}
