import { GatewayError } from "../apigateway/errors.ts";
import { diffIntegration } from "../diff/diff.ts";
import { scrub, secretValues } from "../diff/redact.ts";
import type { PlannedIntegration } from "../plan/plan.ts";
import type { IntegrationResult } from "../plan/report.ts";
import { describeError } from "./failure.ts";
import { mapPool } from "./pool.ts";
import { stopped } from "./read.ts";
import type { RunRequest, RunServices } from "./reconcile.ts";

/**
 * Carries out the planned writes: one UpdateIntegration per drifted integration, then one
 * DeleteIntegration per prune candidate, concurrently under the gateway's limiter. Each write's answer
 * decides its result; one failure never stops the others; after the deadline, once the run is interrupted,
 * or once its lease is lost, nothing new starts (DEFERRED), and the writes in flight finish.
 * An update whose answer still differs from the declaration is FAILED as not converged: the removal
 * encodings are partly unverified, and this catches a wrong one without an extra call.
 */
export async function applyPlanned(
  planned: readonly PlannedIntegration[],
  request: RunRequest,
  services: RunServices,
  halted: () => string | undefined,
): Promise<IntegrationResult[]> {
  const writes = planned.filter((p) => p.result.action !== undefined);
  const total = writes.length;
  let done = 0;

  const write = async (p: PlannedIntegration): Promise<IntegrationResult> => {
    const { result } = p;
    if (stopped(request, services) || halted()) return { ...result, status: "DEFERRED" };
    try {
      if (result.action === "update") {
        const after = await services.gateway.updateIntegration(
          result.apiId,
          result.integrationId,
          p.update ?? {},
        );
        // Part of the drift no update can fix: the rest was fixed, and a person must still act.
        if (result.error) return { ...result, status: "FAILED" };
        const left = p.check ? diffIntegration(p.check.declaration, after, p.check.options) : [];
        if (left.length > 0) {
          return {
            ...result,
            status: "FAILED",
            error: {
              name: "NotConverged",
              message: `UpdateIntegration succeeded, but the service still differs at ${left.map((d) => d.path).join(", ")}; the service may not take this removal encoding (see the README's "What is unverified")`,
            },
          };
        }
        return { ...result, status: "UPDATED" };
      }
      await services.gateway.deleteIntegration(result.apiId, result.integrationId);
      return { ...result, status: "DELETED" };
    } catch (error) {
      // A route created since the read makes the integration in use: skipped, as planning would have.
      if (result.action === "delete" && error instanceof GatewayError && error.failure === "conflict") {
        return { ...result, status: "SKIPPED_IN_USE", action: undefined, error: describeError(error) };
      }
      // A service error may quote the request, or the live values; both may hold real secret values.
      const described = describeError(error);
      const message = scrub(described.message, p.secrets ?? secretValues(p.update), services.redact);
      return { ...result, status: "FAILED", error: { ...described, message } };
    } finally {
      services.onProgress?.({ phase: "apply", done: ++done, total });
    }
  };

  const updates = await mapPool(
    writes.filter((p) => p.result.action === "update"),
    services.concurrency,
    write,
  );
  const deletes = await mapPool(
    writes.filter((p) => p.result.action === "delete"),
    services.concurrency,
    write,
  );
  // Drift that no write can fix (plan said why) fails in an apply without a call.
  const unfixable = (r: IntegrationResult): IntegrationResult =>
    r.status === "DRIFTED" && r.error ? { ...r, status: "FAILED" } : r;
  return [
    ...planned.filter((p) => p.result.action === undefined).map((p) => unfixable(p.result)),
    ...updates,
    ...deletes,
  ];
}
