import type { FleetConfig } from "../desired-state/fleet.ts";
import type { Report } from "../plan/report.ts";
import type { Progress, Where } from "../reconcile/reconcile.ts";
import type { Runtime } from "../runtime/runtime.ts";
import { assumeTargetRole, type StsCalls, TargetAccessError } from "./credentials.ts";
import type { OpenedTarget } from "./run.ts";
import type { FleetTarget } from "./targets.ts";

/** What opening a target takes, beyond the target: the CLI and the Lambda fill it in alike. */
export interface OpenContext {
  /** The run's own runtime: every target's client is built from it (lib/runtime forTarget). */
  runtime: Runtime;
  /** Where the run's own credentials act (the account guard's account, the claimed one). */
  home: Where;
  fleet?: FleetConfig;
  runId: string;
  sts?: StsCalls;
  signal?: AbortSignal;
  onProgress?: (progress: Progress) => void;
}

/**
 * One target's services: in the run's own account, its own credentials in the target's Region; in
 * another, the fleet.yaml role assumed there (TargetAccessError when there is none, or it refuses). Each
 * gets its own client and rate limiter, so every target runs at its own account and Region's quota.
 */
export async function openTarget(
  target: FleetTarget & { account: string; region: string },
  context: OpenContext,
): Promise<OpenedTarget> {
  const forTarget = context.runtime.forTarget;
  if (!forTarget) throw new TargetAccessError("this runtime cannot reach other targets (no forTarget)");
  const options = {
    ...(context.signal ? { signal: context.signal } : {}),
    ...(context.onProgress ? { onProgress: context.onProgress } : {}),
  };
  if (target.own) {
    const rt = forTarget({ region: target.region });
    return {
      services: rt.services({ where: { ...context.home, region: target.region }, ...options }),
      close: rt.close,
    };
  }
  if (!context.fleet) {
    throw new TargetAccessError(
      `no role to reach account ${target.account}: write desired-state/fleet.yaml with roleArn: arn:aws:iam::{account}:role/apigw-drift-spoke (the spoke role of templates/spoke-role.yaml), or run these APIs with that account's credentials`,
    );
  }
  const access = await assumeTargetRole({
    role: context.fleet,
    account: target.account,
    runId: context.runId,
    ...(context.sts ? { calls: context.sts } : {}),
  });
  const rt = forTarget({ region: target.region, credentials: access.credentials });
  const where: Where = { account: access.identity.account, region: target.region };
  return { services: rt.services({ where, ...options }), close: rt.close };
}

/**
 * Records the report of a target that could not be opened, in the run's history store, as its run
 * would have: a role that refuses is on record too.
 */
export async function recordUnopened(runtime: Runtime, report: Report): Promise<void> {
  if (!report.account || !report.region || !runtime.forTarget) return;
  const rt = runtime.forTarget({ region: report.region });
  try {
    await rt.services({ where: { account: report.account, region: report.region } }).history?.record(report);
  } finally {
    await rt.close();
  }
}
