import { randomUUID } from "node:crypto";
import type { Gateway, LiveApi } from "../apigateway/gateway.ts";
import { DEFAULT_CONCURRENCY } from "../apigateway/limiter.ts";
import type { DesiredApi, DesiredState } from "../desired-state/load.ts";
import { createRedactor, type Redactor } from "../diff/redact.ts";
import { type BlastRadiusLimits, checkApiGuards, checkBlastRadius, DEFAULT_LIMITS } from "../plan/guards.ts";
import type { PlannedIntegration } from "../plan/plan.ts";
import {
  compareReportErrors,
  compareResults,
  type IntegrationResult,
  type Mode,
  type Report,
  type ReportError,
  runStatus,
  summarise,
} from "../plan/report.ts";
import { applyPlanned } from "./apply.ts";
import { type Lease, LeaseKeeper } from "./lease.ts";
import { readAndPlan } from "./read.ts";

export interface Progress {
  phase: "guard" | "read" | "apply";
  done: number;
  total: number;
}

export interface ReconcileInput {
  mode: Mode;
  /** A loaded desired state; a state with errors fails the run before any call. */
  desired: DesiredState;
  desiredRevision: string;
  gateway: Gateway;
  /** The report's apiCalls, read when the run ends. */
  apiCalls?: () => Record<string, number>;
  /** Only these APIs (each must have a file). */
  apiIds?: readonly string[];
  /** Only these integrations (each must be declared in a selected API). */
  integrationIds?: readonly string[];
  /** false turns pruning off for this run; otherwise each file's `prune` decides. */
  prune?: boolean;
  limits?: BlastRadiusLimits;
  /** The account and Region the run acts in, for files that name them. */
  account?: string;
  region?: string;
  /** Records the report when the run ends. */
  history?: HistoryRecorder;
  /** Taken by apply runs before their first write. */
  lease?: Lease;
  leaseTtlMs?: number;
  /** Epoch ms after which nothing new starts; the rest is DEFERRED. */
  deadline?: number;
  now?: () => number;
  runId?: string;
  redact?: Redactor;
  onProgress?: (progress: Progress) => void;
  /** Work items (API reads, writes) in flight at most. Default 8, the limiter's default concurrency. */
  concurrency?: number;
  /** Runs targeting at most this many integrations read them one by one instead of listing. */
  targetedReadLimit?: number;
}

/** Short, and renewed while the run writes: a run that dies blocks the next one for two minutes at most. */
export const DEFAULT_LEASE_TTL_MS = 2 * 60 * 1000;

/** Where a run's report is remembered (the DynamoDB history table, or the embedded store). */
export interface HistoryRecorder {
  /** Records the run and its drift events; throws when it could not, after its own retries. */
  record(report: Report): Promise<void>;
}

/**
 * One run, then its history: the report is recorded before it is returned. When history cannot be
 * written, nothing is dropped silently: the report says so (an error entry; an otherwise successful run
 * becomes PARTIAL) and still carries every drift, for the caller's output and logs.
 */
export async function reconcile(input: ReconcileInput): Promise<Report> {
  const report = await runOnce(input);
  if (!input.history) return report;
  try {
    await input.history.record(report);
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
 * One run: guards for every API first (any mismatch stops the run before it writes), the lease for an
 * apply, then read and plan each API, the blast-radius guard over the whole plan, and the writes. One
 * failing integration never stops the others. Returns the report of PRODUCT §3.
 */
async function runOnce(input: ReconcileInput): Promise<Report> {
  const now = input.now ?? Date.now;
  const startedAt = now();
  const runId = input.runId ?? randomUUID();
  const report = (status: Report["status"], results: IntegrationResult[], errors: ReportError[]): Report => {
    const integrations = [...results].sort(compareResults);
    return {
      runId,
      startedAt: new Date(startedAt).toISOString(),
      finishedAt: new Date(now()).toISOString(),
      mode: input.mode,
      desiredRevision: input.desiredRevision,
      status,
      summary: summarise(integrations),
      integrations,
      apiCalls: input.apiCalls?.() ?? {},
      // Guards and reads finish in any order: sort, so a report is the same run to run.
      errors: [...errors].sort(compareReportErrors),
    };
  };

  if (input.desired.errors.length > 0) return report("FAILED", [], input.desired.errors);
  const selection = select(input.desired, input.apiIds, input.integrationIds);
  if (selection.errors.length > 0) return report("FAILED", [], selection.errors);

  const guardErrors = await runGuards(selection.apis, input);
  if (guardErrors.length > 0) return report("FAILED", [], guardErrors);

  const lease = input.mode === "apply" ? input.lease : undefined;
  const leaseTtl = input.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS;
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
    keeper = new LeaseKeeper(lease, runId, leaseTtl);
  }
  try {
    const context = {
      gateway: input.gateway,
      concurrency: input.concurrency ?? DEFAULT_CONCURRENCY,
      deadline: input.deadline,
      now,
      redact: input.redact ?? createRedactor(),
      onProgress: input.onProgress,
      halted: () => keeper?.lost,
    };
    const read = await readAndPlan(selection.apis, {
      ...context,
      integrationIds: input.integrationIds,
      prune: input.prune,
      targetedReadLimit: input.targetedReadLimit ?? 5,
    });
    const planned: PlannedIntegration[] = read.planned;
    const results = [...read.results, ...planned.map((p) => p.result)];

    const radius = checkBlastRadius(planned, input.limits ?? DEFAULT_LIMITS);
    if (radius.blockedBy) return report("BLOCKED", results, [...read.errors, { message: radius.blockedBy }]);
    if (input.mode === "plan") return report(runStatus("plan", results), results, read.errors);

    const applied = await applyPlanned(planned, selection.apis, context);
    const final = [...read.results, ...applied];
    const errors = keeper?.lost ? [...read.errors, { message: keeper.lost }] : read.errors;
    return report(runStatus("apply", final), final, errors);
  } finally {
    keeper?.stop();
    await lease?.release(runId).catch(() => undefined);
  }
}

function select(
  desired: DesiredState,
  apiIds: readonly string[] | undefined,
  integrationIds: readonly string[] | undefined,
): { apis: DesiredApi[]; errors: ReportError[] } {
  const errors: ReportError[] = [];
  const known = new Set(desired.apis.map((a) => a.doc.apiId));
  for (const id of apiIds ?? []) {
    if (!known.has(id)) {
      errors.push({
        apiId: id,
        message: `API ${id} has no desired-state file; known APIs: ${[...known].join(", ")}`,
      });
    }
  }
  let apis = apiIds ? desired.apis.filter((a) => apiIds.includes(a.doc.apiId)) : desired.apis;
  if (integrationIds) {
    for (const id of integrationIds) {
      if (!apis.some((a) => Object.hasOwn(a.doc.integrations, id))) {
        errors.push({
          message: `integration ${id} is not declared in the desired state of the selected APIs`,
        });
      }
    }
    apis = apis.filter((a) => integrationIds.some((id) => Object.hasOwn(a.doc.integrations, id)));
  }
  return { apis, errors };
}

/** GetApi for every selected API, then the protocol/account/region guards; all before any write. */
async function runGuards(apis: readonly DesiredApi[], input: ReconcileInput): Promise<ReportError[]> {
  const errors: ReportError[] = [];
  let done = 0;
  await Promise.all(
    apis.map(async ({ file, doc }) => {
      let live: LiveApi | undefined;
      try {
        live = await input.gateway.getApi(doc.apiId);
      } catch (error) {
        errors.push({
          file,
          apiId: doc.apiId,
          message: `cannot check API ${doc.apiId}: ${(error as Error).message}`,
        });
        return;
      } finally {
        input.onProgress?.({ phase: "guard", done: ++done, total: apis.length });
      }
      if (!live) {
        const where = [input.account && `account ${input.account}`, input.region].filter(Boolean).join(", ");
        errors.push({
          file,
          apiId: doc.apiId,
          message: `API ${doc.apiId} does not exist${where ? ` in ${where}` : ""}; check the apiId in ${file} and the run's credentials and Region`,
        });
        return;
      }
      for (const message of checkApiGuards(doc, { ...live, account: input.account, region: input.region })) {
        errors.push({ file, apiId: doc.apiId, message });
      }
    }),
  );
  return errors;
}
