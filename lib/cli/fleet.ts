import { randomUUID } from "node:crypto";
import { DEFAULT_FLEET_CONCURRENCY } from "../desired-state/fleet.ts";
import type { DesiredState } from "../desired-state/state.ts";
import { StsCalls } from "../fleet/credentials.ts";
import { openTarget, recordUnopened } from "../fleet/open.ts";
import { type FleetReport, fleetStatus, runFleet } from "../fleet/run.ts";
import { type FleetTarget, groupTargets, selectedApis, targetName } from "../fleet/targets.ts";
import type { Mode, Report } from "../plan/report.ts";
import { addProbeWarnings } from "../probe/load.ts";
import type { DesiredInput, RunRequest, Where } from "../reconcile/reconcile.ts";
import type { Runtime } from "../runtime/runtime.ts";
import { markdownCode, terminal } from "../text/escape.ts";
import { type CliIo, writeJson } from "./io.ts";
import { renderHuman, renderMarkdown } from "./render.ts";

/**
 * The targets of a fleet run, or undefined for a run of one target as before fleets (PRODUCT §9): the
 * selected files span several (account, Region) targets, or fleet.yaml is there and the one target is
 * not where the credentials act. A selection naming an unknown id runs as one target too, whose report
 * says so.
 */
export function fleetTargets(
  state: DesiredState,
  where: Where,
  selection: { apiIds?: readonly string[]; integrationIds?: readonly string[] },
): FleetTarget[] | undefined {
  const apis = selectedApis(state.apis, selection);
  if (!apis) return undefined;
  const targets = groupTargets(apis, where);
  if (targets.length === 0) return undefined;
  if (targets.length === 1) {
    const [only] = targets as [FleetTarget];
    if (!state.fleet || (only.own && only.region === where.region)) return undefined;
  }
  return targets;
}

/**
 * `plan` / `apply` over a fleet: each target with its own client, credentials (the fleet.yaml role in
 * other accounts) and rate limiter, `concurrency` targets at once; one report per target, grouped in the
 * output; the exit code of the worst.
 */
export async function runFleetCommand(o: {
  mode: Mode;
  request: RunRequest;
  desired: DesiredInput;
  targets: FleetTarget[];
  runtime: Runtime;
  where: Where;
  options: { json?: boolean; markdown?: boolean; probeResult?: string };
  io: CliIo;
  /** Changes each target's report before it is printed (a plan whose history store could not open). */
  amend?: (report: Report) => Report;
}): Promise<FleetReport> {
  const { runtime, where, io, desired } = o;
  const fleet = desired.state.fleet;
  const sts = new StsCalls();
  const runId = randomUUID();
  const context = { runtime, home: where, runId, sts, ...(fleet ? { fleet } : {}) };
  const report = await runFleet(o.request, desired, o.targets, {
    runId,
    concurrency: fleet?.concurrency ?? DEFAULT_FLEET_CONCURRENCY,
    open: (target) => openTarget(target, context),
    recordFailure: (failed) => recordUnopened(runtime, failed),
    onTarget: (r) => {
      if (!o.options.json && !o.options.markdown) {
        io.stderr(`target ${terminal(targetName(r))}: ${r.status}\n`);
      }
    },
  });
  const reports = o.amend ? report.reports.map(o.amend) : report.reports;
  for (const r of reports) {
    addProbeWarnings(r, desired.state, o.options.probeResult ?? io.env.APIGW_DRIFT_PROBE_RESULT, io.cwd);
  }
  // The run's own GetCallerIdentity, and each other account's AssumeRole and GetCallerIdentity.
  const withSts: FleetReport = {
    ...report,
    reports,
    ...(o.amend ? { status: fleetStatus(reports) } : {}),
    stsCalls: { ...sts.toRecord(), GetCallerIdentity: sts.GetCallerIdentity + 1 },
  };
  printFleet(withSts, o.options, io);
  return withSts;
}

/** A fleet of one target prints that target's Report alone, as a run of one target always did. */
export function printFleet(report: FleetReport, options: { json?: boolean; markdown?: boolean }, io: CliIo) {
  const only = report.reports.length === 1 ? report.reports[0] : undefined;
  if (options.json) writeJson(only ?? report, io);
  else if (options.markdown) io.stdout(only ? renderMarkdown(only) : renderFleetMarkdown(report));
  else io.stdout(only ? renderHuman(only, { color: io.color === true }) : renderFleetHuman(report, io));
}

/** One section per target, each headed by its account and Region, then the fleet's line. */
export function renderFleetHuman(report: FleetReport, io: Pick<CliIo, "color">): string {
  const out: string[] = [];
  for (const r of report.reports) {
    out.push(`=== target ${terminal(targetName(r))} ===`, renderHuman(r, { color: io.color === true }));
  }
  out.push(`${fleetLine(report)}\n`);
  return out.join("\n");
}

/** A pull-request comment for a fleet: one section per target, as the single report's comment. */
export function renderFleetMarkdown(report: FleetReport): string {
  const out = [
    `## apigw-drift fleet: ${report.status}`,
    "",
    `Run ${markdownCode(report.runId)} · ${report.reports.length} targets`,
    "",
    "| target | status |",
    "|---|---|",
    ...report.reports.map((r) => `| ${markdownCode(targetName(r), { table: true })} | ${r.status} |`),
    "",
  ];
  for (const r of report.reports) {
    out.push(`#### Target ${markdownCode(targetName(r))}`, "", renderMarkdown(r));
  }
  return `${out.join("\n")}`;
}

function fleetLine(report: FleetReport): string {
  const counts = new Map<string, number>();
  for (const r of report.reports) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
  const parts = [...counts].map(([status, n]) => `${n} ${status}`).join(", ");
  const sts = report.stsCalls
    ? ` STS calls: ${Object.entries(report.stsCalls)
        .map(([k, v]) => `${k} ${v}`)
        .join(", ")}.`
    : "";
  return `Fleet: ${report.reports.length} targets (${parts}).${sts}\nStatus: ${report.status}`;
}
