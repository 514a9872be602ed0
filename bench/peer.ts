/**
 * The peer of figure 3: a refresh-then-apply modelled on Terraform's (terraform-provider-aws reads each
 * aws_apigatewayv2_integration with GetIntegration, parallelism 10 by default, then updates what
 * differs), on the raw SDK client with its default retry (standard mode, 3 attempts) and no client-side
 * rate limit. Drift is decided with our own diff, so only the calling pattern differs from ours.
 *
 * Kinder to the peer than Terraform is: a refresh error here skips that integration, where Terraform
 * would stop the whole plan; and there is no read after each update, where the provider re-reads.
 */
import {
  ApiGatewayV2Client,
  GetIntegrationCommand,
  UpdateIntegrationCommand,
} from "@aws-sdk/client-apigatewayv2";
import { fromSdkIntegration, toSdkUpdate } from "../lib/apigateway/convert.ts";
import type { DesiredApi } from "../lib/desired-state/state.ts";
import type { LiveIntegration } from "../lib/model/live.ts";
import { type PlannedIntegration, planApi } from "../lib/plan/plan.ts";
import { mapPool } from "../lib/reconcile/pool.ts";
import { type AttemptTrace, traceAttempts } from "./sdk.ts";

export const PEER_PARALLELISM = 10;

export interface PeerOutcome {
  wallMs: number;
  reads: number;
  failedReads: number;
  drifted: number;
  updates: number;
  failedUpdates: number;
  /** The client's resolved retry settings, as evidence of "the SDK's default". */
  maxAttempts: number;
  retryMode: string;
  /** Error names of calls that failed after their retries, counted. */
  failures: Record<string, number>;
  trace: AttemptTrace;
}

/** Runs the peer against the SDK's standard configuration (see useEndpoint). */
export async function runPeer(apis: readonly DesiredApi[]): Promise<PeerOutcome> {
  const client = new ApiGatewayV2Client({});
  const trace = traceAttempts(client, "retryMiddleware");
  const failures: Record<string, number> = {};
  const fail = (error: unknown) => {
    const name = (error as { name?: string }).name ?? "Error";
    failures[name] = (failures[name] ?? 0) + 1;
  };
  try {
    const maxAttempts = await client.config.maxAttempts();
    const mode = client.config.retryMode;
    const retryMode = typeof mode === "string" ? mode : await mode();
    trace.start();
    const started = performance.now();

    // Refresh: one GetIntegration per integration in the state.
    const targets = apis.flatMap(({ doc }) =>
      Object.keys(doc.integrations).map((integrationId) => ({ apiId: doc.apiId, integrationId })),
    );
    const live = new Map<string, LiveIntegration[]>();
    let failedReads = 0;
    await mapPool(targets, PEER_PARALLELISM, async ({ apiId, integrationId }) => {
      try {
        const { $metadata: _, ...out } = await client.send(
          new GetIntegrationCommand({ ApiId: apiId, IntegrationId: integrationId }),
        );
        const list = live.get(apiId) ?? [];
        list.push(fromSdkIntegration(out));
        live.set(apiId, list);
      } catch (error) {
        failedReads += 1;
        fail(error);
      }
    });

    // Plan what was read, then apply: one UpdateIntegration per drifted integration.
    const planned: PlannedIntegration[] = [];
    for (const { doc } of apis) {
      const read = live.get(doc.apiId) ?? [];
      const only = read.map((i) => i.integrationId);
      planned.push(...planApi({ desired: doc, live: read, prune: false, only, now: Date.now() }));
    }
    const drifted = planned.filter((p) => p.result.action === "update");
    let failedUpdates = 0;
    await mapPool(drifted, PEER_PARALLELISM, async ({ result, update }) => {
      try {
        await client.send(
          new UpdateIntegrationCommand(toSdkUpdate(result.apiId, result.integrationId, update ?? {})),
        );
      } catch (error) {
        failedUpdates += 1;
        fail(error);
      }
    });
    return {
      wallMs: performance.now() - started,
      reads: targets.length,
      failedReads,
      drifted: drifted.length,
      updates: drifted.length,
      failedUpdates,
      maxAttempts,
      retryMode,
      failures,
      trace,
    };
  } finally {
    client.destroy();
  }
}
