import { openTarget, recordUnopened } from "../../lib/fleet/open.ts";
import { runFleet } from "../../lib/fleet/run.ts";
import { groupTargets, targetName } from "../../lib/fleet/targets.ts";
import type { Report } from "../../lib/plan/report.ts";
import type { DesiredInput, RunRequest, Where } from "../../lib/reconcile/reconcile.ts";
import type { Runtime } from "../../lib/runtime/runtime.ts";
import { InvalidEventError } from "./event.ts";

/** What `{"listTargets": true}` returns: the Map state's items, one invoke each. */
export interface TargetList {
  targets: { target: { account: string; region: string } }[];
}

/** True for the state machine's first state: `{"listTargets": true}` and nothing else. */
export function isListTargets(event: unknown): boolean {
  if (typeof event !== "object" || event === null || Array.isArray(event)) return false;
  const keys = Object.keys(event);
  return keys.length === 1 && (event as { listTargets?: unknown }).listTargets === true;
}

/**
 * The targets of the built-in desired state, for the hub's state machine (PRODUCT §9): grouped as the CLI
 * groups them, a file without account or Region being the function's own (its ARN's). Each item is the
 * event of one invoke, `{"target": {...}}`.
 */
export function listTargets(desired: DesiredInput, home: Where): TargetList {
  return {
    targets: groupTargets(desired.state.apis, home)
      .filter((t) => t.account && t.region)
      .map((t) => ({ target: { account: t.account!, region: t.region! } })),
  };
}

/**
 * One item of the hub's state machine (`{"target": {"account", "region"}}`, PRODUCT §9): only that
 * target's APIs of the built-in desired state, in its Region, with the fleet.yaml role assumed when it is
 * another account's; its own client, limiter and lease, as the CLI's fleet runs each target.
 */
export async function reconcileTarget(o: {
  target: { account: string; region: string };
  request: RunRequest & { runId: string };
  desired: DesiredInput;
  runtime: Runtime;
  /** Where the function itself runs (its ARN): its account is the hub's. */
  home: Where;
  signal: AbortSignal;
}): Promise<Report> {
  const targets = groupTargets(o.desired.state.apis, o.home);
  const chosen = targets.find((t) => t.account === o.target.account && t.region === o.target.region);
  if (!chosen) {
    throw new InvalidEventError(
      `invalid event: target ${targetName(o.target)} has no API in the desired state built into this function; its targets are ${targets.map(targetName).join(", ") || "none"}`,
    );
  }
  const fleet = o.desired.state.fleet;
  const { runId } = o.request;
  const result = await runFleet(o.request, o.desired, [chosen], {
    runId,
    concurrency: 1,
    targetRunId: () => runId,
    open: (target) =>
      openTarget(target, {
        runtime: o.runtime,
        home: o.home,
        runId,
        signal: o.signal,
        ...(fleet ? { fleet } : {}),
      }),
    recordFailure: (failed) => recordUnopened(o.runtime, failed),
  });
  return result.reports[0]!;
}
