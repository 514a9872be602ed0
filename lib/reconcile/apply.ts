import { GatewayError } from "../apigateway/errors.ts";
import type { DesiredApi } from "../desired-state/load.ts";
import { diffIntegration } from "../diff/diff.ts";
import { scrub, secretValues } from "../diff/redact.ts";
import { diffOptionsFor, type PlannedIntegration } from "../plan/plan.ts";
import type { IntegrationResult } from "../plan/report.ts";
import { describeError } from "./failure.ts";
import { mapPool } from "./pool.ts";
import type { RunContext } from "./read.ts";

/**
 * Carries out the planned writes: one UpdateIntegration per drifted integration, then one
 * DeleteIntegration per prune candidate, concurrently under the gateway's limiter. Each write's answer
 * decides its result; one failure never stops the others; after the deadline, or once the run's lease is
 * lost, nothing new starts (DEFERRED).
 * An update whose answer still differs from the declaration is FAILED as not converged: the removal
 * encodings are partly unverified, and this catches a wrong one without an extra call.
 */
export async function applyPlanned(
  planned: readonly PlannedIntegration[],
  apis: readonly DesiredApi[],
  context: RunContext,
): Promise<IntegrationResult[]> {
  const docs = new Map(apis.map((a) => [a.doc.apiId, a.doc]));
  const writes = planned.filter((p) => p.result.action !== undefined);
  const total = writes.length;
  let done = 0;

  const write = async (p: PlannedIntegration): Promise<IntegrationResult> => {
    const { result } = p;
    const late = context.deadline !== undefined && context.now() >= context.deadline;
    if (late || context.halted?.()) return { ...result, status: "DEFERRED" };
    try {
      if (result.action === "update") {
        const doc = docs.get(result.apiId)!;
        const after = await context.gateway.updateIntegration(
          result.apiId,
          result.integrationId,
          p.update ?? {},
        );
        // Part of the drift no update can fix: the rest was fixed, and a person must still act.
        if (result.error) return { ...result, status: "FAILED" };
        const declaration = doc.integrations[result.integrationId] ?? {};
        const left = diffIntegration(declaration, after, diffOptionsFor(doc, result.integrationId));
        if (left.length > 0) {
          return {
            ...result,
            status: "FAILED",
            error: {
              name: "NotConverged",
              message: `UpdateIntegration succeeded, but the service still differs at ${left.map((d) => d.path).join(", ")}; the service may not take this removal encoding (see the README's unverified encodings)`,
            },
          };
        }
        return { ...result, status: "UPDATED" };
      }
      await context.gateway.deleteIntegration(result.apiId, result.integrationId);
      return { ...result, status: "DELETED" };
    } catch (error) {
      // A route created since the read makes the integration in use: skipped, as planning would have.
      if (result.action === "delete" && error instanceof GatewayError && error.failure === "conflict") {
        return { ...result, status: "SKIPPED_IN_USE", action: undefined, error: describeError(error) };
      }
      // A service error may quote the request; the request holds the real secret values.
      const described = describeError(error);
      const message = scrub(described.message, secretValues(p.update), context.redact);
      return { ...result, status: "FAILED", error: { ...described, message } };
    } finally {
      context.onProgress?.({ phase: "apply", done: ++done, total });
    }
  };

  const updates = await mapPool(
    writes.filter((p) => p.result.action === "update"),
    context.concurrency,
    write,
  );
  const deletes = await mapPool(
    writes.filter((p) => p.result.action === "delete"),
    context.concurrency,
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
