import { randomUUID } from "node:crypto";
import type { Gateway } from "../apigateway/gateway.ts";
import { expiredWarnings } from "../desired-state/ignore.ts";
import type { DesiredApiEntry, DesiredState } from "../desired-state/state.ts";
import type { Diff } from "../diff/diff.ts";
import type { Redactor } from "../diff/redact.ts";
import type { Protocol } from "../model/service.ts";
import {
  type BlastRadiusLimits,
  blockedMessage,
  checkApiGuards,
  checkBlastRadius,
  DEFAULT_LIMITS,
  wouldBlockMessage,
} from "../plan/guards.ts";
import {
  compareReportErrors,
  compareResults,
  type IntegrationResult,
  type Mode,
  type Report,
  type ReportError,
  type ReportWarning,
  type RunScope,
  runStatus,
  summarise,
} from "../plan/report.ts";
import { findApis } from "./apis.ts";
import { applyPlanned } from "./apply.ts";
import { type AttributionLookup, type AttributionRequest, attributeResults } from "./attribute.ts";
import { type Lease, LeaseKeeper } from "./lease.ts";
import { readAndPlan, stopped } from "./read.ts";
import { settledReport, settleIntent } from "./settle.ts";

export interface Progress {
  phase: "read" | "apply";
  done: number;
  total: number;
}

/** What a run is asked to do. */
export interface RunRequest {
  mode: Mode;
  /** Only these APIs (each must have a file). */
  apiIds?: readonly string[];
  /** Only these integrations (each must be declared in a selected API). */
  integrationIds?: readonly string[];
  /** false turns pruning off for this run; otherwise each file's `prune` decides. */
  prune?: boolean;
  limits?: BlastRadiusLimits;
  runId?: string;
  /** Epoch ms after which nothing new starts; the rest is DEFERRED. */
  deadline?: number;
  /** Aborted by SIGINT/SIGTERM: no new call starts, the writes in flight finish, the run reports. */
  interrupt?: AbortSignal;
  /**
   * Undeclared integrations a targeted run reads too, so that a pruning API's file deletes them with every
   * guard (the event-driven path: someone's CreateIntegration). Their APIs must be selected.
   */
  strays?: readonly { apiId: string; integrationId: string }[];
  /** Who changed what (PRODUCT §8): authors already known, or no lookup at all. Default: look up. */
  attribution?: AttributionRequest;
}

/** The desired state a run enforces, and the git revision it came from. */
export interface DesiredInput {
  state: DesiredState;
  /** The git SHA of the desired state, or "unknown". */
  revision: string;
}

/** Where a run acts, as its credentials say (STS for the CLI, the function's ARN in Lambda). */
export interface Where {
  account?: string;
  region?: string;
  /** Why `account` is unknown: the credentials' identity could not be read. */
  accountUnknown?: string;
  /**
   * The account the caller says the run acts in (`--account`, APIGW_DRIFT_ACCOUNT): only a cross-check of
   * `account`, never a substitute for it (PRODUCT §4).
   */
  claimedAccount?: string;
  /** The ARN the credentials act as (STS GetCallerIdentity): the tool's own identity for attribution. */
  callerArn?: string;
}

/** Everything a run talks to or reads the time from: built by the composition root (lib/runtime). */
export interface RunServices {
  gateway: Gateway;
  /** The report's apiCalls, read when the run ends. */
  apiCalls: () => Record<string, number>;
  where: Where;
  /** Records the report when the run ends. */
  history?: HistoryRecorder;
  /** Taken by apply runs before their first write. */
  lease?: Lease;
  leaseTtlMs?: number;
  redact: Redactor;
  now: () => number;
  /** Work items (API reads, writes) in flight at most. */
  concurrency: number;
  /** Runs targeting at most this many integrations read them one by one instead of listing. */
  targetedReadLimit?: number;
  onProgress?: (progress: Progress) => void;
  /** Who changed drifted integrations (CloudTrail); absent: results carry no `changedBy` unless known. */
  attribution?: AttributionLookup;
}

/** Short, and renewed while the run writes: a run that dies blocks the next one for two minutes at most. */
export const DEFAULT_LEASE_TTL_MS = 2 * 60 * 1000;

/**
 * A write a run is about to make (PRODUCT §4, write-ahead history): recorded before the write is sent,
 * cleared when the run records its report. One left open means its run ended without recording (killed,
 * out of time); the next apply settles it by reading the live integration.
 */
export interface Intent {
  runId: string;
  /** The run's startedAt, and what its report would have named. */
  startedAt: string;
  mode: Mode;
  desiredRevision: string;
  apiId: string;
  integrationId: string;
  protocol: Protocol;
  action: "update" | "delete";
  /** The drift the write fixes, redacted as in the report: what the live integration is checked against. */
  diffs: Diff[];
  /** Where the write goes (PRODUCT §9): a fleet's run settles only its own target's intents. */
  account?: string;
  region?: string;
}

/** Where a run's report is remembered (the DynamoDB history table, or the embedded store). */
export interface HistoryRecorder {
  /**
   * Records the run and its drift events, and clears the run's intents; throws when it could not, after
   * its own retries.
   */
  record(report: Report): Promise<void>;
  /** Records the writes a run is about to make, before any is sent. */
  intend?(intents: readonly Intent[]): Promise<void>;
  /** The intents runs left open: writes they may have made and never recorded. */
  openIntents?(): Promise<Intent[]>;
}

/**
 * One run, then its history: the report is recorded before it is returned. When history cannot be
 * written, nothing is dropped silently: the report says so (an error entry; an otherwise successful run
 * becomes PARTIAL) and still carries every drift, for the caller's output and logs.
 */
export async function reconcile(
  request: RunRequest,
  desired: DesiredInput,
  services: RunServices,
): Promise<Report> {
  const report = await runOnce(request, desired, services);
  if (!services.history) return report;
  try {
    await services.history.record(report);
    return report;
  } catch (error) {
    const keep = report.status === "FAILED" || report.status === "BLOCKED";
    return {
      ...report,
      status: keep ? report.status : "PARTIAL",
      errors: [
        ...report.errors,
        {
          message: `drift history was not recorded: ${(error as Error).message}; this report and the logs hold the run's drift`,
        },
      ],
    };
  }
}

/**
 * One run: the guards for every API first (a mismatch stops the run before it writes; an API that does not
 * exist is that API's problem), the lease for an apply, then read and plan each API, the blast-radius
 * guard over the whole plan, and the writes. One failing integration never stops the others. Returns the
 * report of PRODUCT §3.
 */
async function runOnce(request: RunRequest, desired: DesiredInput, services: RunServices): Promise<Report> {
  const { now } = services;
  const startedAt = now();
  const runId = request.runId ?? randomUUID();
  // Ignore entries past their `until` day on the run's clock: their fields are drift again (PRODUCT §2).
  let expired: ReportWarning[] = [];
  const report = (
    status: Report["status"],
    results: IntegrationResult[],
    errors: readonly ReportError[],
    warnings: ReportWarning[] = [],
  ): Report => {
    const integrations = [...results].sort(compareResults);
    return {
      runId,
      startedAt: new Date(startedAt).toISOString(),
      finishedAt: new Date(now()).toISOString(),
      mode: request.mode,
      desiredRevision: desired.revision,
      status,
      summary: summarise(integrations),
      integrations,
      apiCalls: services.apiCalls(),
      // Guards and reads finish in any order: sort, so a report is the same run to run.
      errors: [...errors].sort(compareReportErrors),
      warnings: [...expired, ...warnings],
      ...scopeOf(request),
    };
  };

  if (desired.state.errors.length > 0) return report("FAILED", [], desired.state.errors);
  const selection = select(desired.state, request);
  if (selection.errors.length > 0) return report("FAILED", [], selection.errors);
  expired = expiredWarnings(selection.apis, startedAt);
  const { where } = services;
  if (
    where.claimedAccount !== undefined &&
    where.account !== undefined &&
    where.claimedAccount !== where.account
  ) {
    const message = `the run was told it acts in account ${where.claimedAccount} (--account / APIGW_DRIFT_ACCOUNT), but its credentials act in account ${where.account}; correct --account, or use that account's credentials. Nothing was read or changed`;
    return report("FAILED", [], [{ message }]);
  }
  // A cross-check that cannot be made is not passed: the caller asked for it.
  if (where.claimedAccount !== undefined && where.account === undefined) {
    const message = `the run was told it acts in account ${where.claimedAccount} (--account / APIGW_DRIFT_ACCOUNT), but the account its credentials act in is unknown${where.accountUnknown ? ` (${where.accountUnknown})` : ""}; check the credentials and that STS is reachable. Nothing was read or changed`;
    return report("FAILED", [], [{ message }]);
  }
  // The account and Region a file names are checked before any call: an API is looked up only where it
  // lives (in another Region it would not be found at all, and the guard would never speak).
  const placeErrors: ReportError[] = selection.apis.flatMap((api) =>
    checkApiGuards(api, { protocolType: api.protocol, ...where }).map((message) => ({
      file: api.file,
      apiId: api.apiId,
      message,
    })),
  );
  if (placeErrors.length > 0) return report("FAILED", [], placeErrors);
  // Out of time (or interrupted) before the first call: everything waits for the next run.
  if (stopped(request, services)) return report("PARTIAL", deferAll(selection.apis, request), []);

  const found = await findApis(selection.apis, services.gateway);
  const guardErrors: ReportError[] = [];
  for (const api of selection.apis) {
    const live = found.live.get(api.apiId);
    if (!live) continue;
    for (const message of checkApiGuards(api, { ...live, ...services.where })) {
      guardErrors.push({ file: api.file, apiId: api.apiId, message });
    }
  }
  if (guardErrors.length > 0) return report("FAILED", [], guardErrors);
  const { results: absent, errors: absentErrors } = absentApis(found, request, services.where);

  const lease = request.mode === "apply" ? services.lease : undefined;
  const leaseTtl = services.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS;
  let keeper: LeaseKeeper | undefined;
  if (lease) {
    let grant: Awaited<ReturnType<Lease["acquire"]>>;
    try {
      grant = await lease.acquire(runId, leaseTtl);
    } catch (error) {
      // No lease, no writes: another run might be applying.
      const message = `cannot take the apply lease: ${(error as Error).message}; nothing was changed`;
      return report("FAILED", [], [{ message }]);
    }
    if (!grant.acquired) {
      return report(
        "FAILED",
        [],
        [
          {
            message: `another apply run (${grant.holder}) holds the lease until ${grant.expiresAt}; nothing was changed. Wait for it to finish, or for the lease to expire if that run died`,
          },
        ],
      );
    }
    keeper = new LeaseKeeper(lease, runId, leaseTtl, { progress: () => callsMade(services) });
  }
  try {
    // Holding the lease, this run is the only apply: open intents are the writes of runs that died.
    const settled = lease ? await settleOpenIntents(runId, services) : { warnings: [], errors: [] };
    const readable = selection.apis.filter((a) => found.live.has(a.apiId));
    const read = await readAndPlan(readable, desired.state, request, services);
    // Before any write, so an apply's UPDATED results name who made the drift they fixed (PRODUCT §8).
    const attributed = await attributeResults(read.planned, [...absent, ...read.results], {
      ...(request.attribution ? { request: request.attribution } : {}),
      ...(services.attribution ? { lookup: services.attribution } : {}),
      startedAt,
      now,
      ...(request.deadline !== undefined ? { deadline: request.deadline } : {}),
      ...(request.interrupt ? { interrupt: request.interrupt } : {}),
    });
    const { planned, results: unplanned } = attributed;
    const results = [...unplanned, ...planned.map((p) => p.result)];
    const errors = [...absentErrors, ...read.errors, ...settled.errors];
    const noted = [...settled.warnings, ...attributed.warnings];

    const radius = checkBlastRadius(planned, request.limits ?? DEFAULT_LIMITS);
    if (request.mode === "plan") {
      const warnings = radius.over.length > 0 ? [{ message: wouldBlockMessage(radius) }] : [];
      return report(runStatus("plan", results), results, errors, [...warnings, ...attributed.warnings]);
    }
    if (radius.over.length > 0)
      return report("BLOCKED", results, [...errors, { message: blockedMessage(radius) }], noted);

    // Write-ahead (PRODUCT §4): every write is on record before any is sent, so a run killed mid-way leaves
    // its writes for the next one to settle. Without that record, nothing is written.
    const writes = planned.filter((p) => p.result.action !== undefined);
    if (writes.length > 0 && services.history?.intend) {
      const protocols = new Map(selection.apis.map((a) => [a.apiId, a.protocol]));
      try {
        await services.history.intend(
          writes.map(({ result }) => ({
            runId,
            startedAt: new Date(startedAt).toISOString(),
            mode: request.mode,
            desiredRevision: desired.revision,
            apiId: result.apiId,
            integrationId: result.integrationId,
            protocol: protocols.get(result.apiId)!,
            action: result.action!,
            diffs: result.diffs,
          })),
        );
      } catch (error) {
        const message = `cannot record the write-ahead intents before writing (${(error as Error).message}); nothing was changed. Fix the history store, or apply with --no-history in a folder of its own`;
        return report("FAILED", results, [...errors, { message }], noted);
      }
    }
    const applied = await applyPlanned(planned, request, services, () => keeper?.lost);
    const final = [...unplanned, ...applied];
    const stops = [
      ...(keeper?.lost ? [{ message: keeper.lost }] : []),
      ...(request.interrupt?.aborted
        ? [{ message: "interrupted: no write was started after the signal; the writes in flight finished" }]
        : []),
    ];
    return report(runStatus("apply", final), final, [...errors, ...stops], noted);
  } finally {
    keeper?.stop();
    await lease?.release(runId).catch(() => undefined);
  }
}

/**
 * The results of APIs the guard could not find (every declared integration MISSING, with why) or could not
 * look up (FAILED). Neither stops the run: the other APIs are planned and fixed as usual.
 */
function absentApis(
  found: Awaited<ReturnType<typeof findApis>>,
  request: RunRequest,
  where: Where,
): { results: IntegrationResult[]; errors: ReportError[] } {
  const results: IntegrationResult[] = [];
  const errors: ReportError[] = [];
  const declared = (api: DesiredApiEntry) =>
    api.integrationIds.filter((id) => !request.integrationIds || request.integrationIds.includes(id));
  const place = [where.account && `account ${where.account}`, where.region].filter(Boolean).join(", ");
  for (const api of found.missing) {
    const message = `API ${api.apiId} does not exist${place ? ` in ${place}` : ""}; check the apiId in ${api.file} and the run's credentials and Region`;
    errors.push({ file: api.file, apiId: api.apiId, message });
    for (const integrationId of declared(api)) {
      results.push({
        apiId: api.apiId,
        integrationId,
        status: "MISSING",
        diffs: [],
        error: { name: "NotFoundException", message },
      });
    }
  }
  for (const { api, error } of found.unreadable) {
    // A call abandoned because the run must end now is work for the next run, not a failure.
    const deferred = error.name === "AbortError";
    if (!deferred) {
      errors.push({
        file: api.file,
        apiId: api.apiId,
        message: `cannot check API ${api.apiId}: ${error.message}`,
      });
    }
    for (const integrationId of declared(api)) {
      results.push(
        deferred
          ? { apiId: api.apiId, integrationId, status: "DEFERRED", diffs: [] }
          : { apiId: api.apiId, integrationId, status: "FAILED", diffs: [], error },
      );
    }
  }
  return { results, errors };
}

function select(
  state: DesiredState,
  request: RunRequest,
): { apis: DesiredApiEntry[]; errors: ReportError[] } {
  const { apiIds, integrationIds } = request;
  const errors: ReportError[] = [];
  const known = new Set(state.apis.map((a) => a.apiId));
  for (const id of apiIds ?? []) {
    if (!known.has(id)) {
      errors.push({
        apiId: id,
        message: `API ${id} has no desired-state file; known APIs: ${[...known].join(", ")}`,
      });
    }
  }
  let apis = apiIds ? state.apis.filter((a) => apiIds.includes(a.apiId)) : [...state.apis];
  if (integrationIds) {
    for (const id of integrationIds) {
      if (!apis.some((a) => a.integrationIds.includes(id))) {
        errors.push({
          message: `integration ${id} is not declared in the desired state of the selected APIs`,
        });
      }
    }
    const strays = new Set((request.strays ?? []).map((s) => s.apiId));
    apis = apis.filter(
      (a) => strays.has(a.apiId) || integrationIds.some((id) => a.integrationIds.includes(id)),
    );
  }
  return { apis, errors };
}

/** The report's `scope`: what a targeted run was limited to (undeclared strays count as looked at). */
function scopeOf(request: RunRequest): { scope?: RunScope } {
  if (!request.apiIds && !request.integrationIds) return {};
  const integrationIds = request.integrationIds && [
    ...request.integrationIds,
    ...(request.strays ?? []).map((s) => s.integrationId),
  ];
  return {
    scope: {
      ...(request.apiIds ? { apiIds: [...request.apiIds] } : {}),
      ...(integrationIds ? { integrationIds } : {}),
    },
  };
}

/** Every attempt the run has sent so far, retries included: whether a run is making progress. */
function callsMade(services: RunServices): number {
  return Object.values(services.apiCalls()).reduce((n, v) => n + v, 0);
}

/** Every declared integration of the selected APIs, DEFERRED: a run with no time left makes no call. */
function deferAll(apis: readonly DesiredApiEntry[], request: RunRequest): IntegrationResult[] {
  return apis.flatMap((api) =>
    api.integrationIds
      .filter((id) => !request.integrationIds || request.integrationIds.includes(id))
      .map((integrationId) => ({ apiId: api.apiId, integrationId, status: "DEFERRED" as const, diffs: [] })),
  );
}

/**
 * Settles the writes of runs that ended without recording them (open write-ahead intents): reads each
 * integration, decides what happened (settle.ts), and records the dead run's report from that, which
 * clears its intents. A history that cannot be read or written leaves them for a later run, with an error.
 */
async function settleOpenIntents(
  runId: string,
  services: RunServices,
): Promise<{ warnings: ReportWarning[]; errors: ReportError[] }> {
  const history = services.history;
  if (!history?.openIntents) return { warnings: [], errors: [] };
  try {
    const open = (await history.openIntents()).filter((i) => i.runId !== runId);
    const byRun = new Map<string, Intent[]>();
    for (const intent of open) byRun.set(intent.runId, [...(byRun.get(intent.runId) ?? []), intent]);
    const warnings: ReportWarning[] = [];
    for (const [deadRun, intents] of byRun) {
      const results = await Promise.all(
        intents.map(async (intent) =>
          settleIntent(
            intent,
            await services.gateway.getIntegration(intent.apiId, intent.integrationId),
            services.redact,
          ),
        ),
      );
      const dead = settledReport(intents, results, runId, new Date(services.now()).toISOString());
      await history.record(dead);
      warnings.push({
        message: `settled run ${deadRun}: ${dead.errors[0]!.message.replace(/^this run /, "it ")}`,
      });
    }
    return { warnings, errors: [] };
  } catch (error) {
    return {
      warnings: [],
      errors: [
        {
          message: `could not settle the write-ahead intents of earlier runs (${(error as Error).message}); the next apply tries again`,
        },
      ],
    };
  }
}
