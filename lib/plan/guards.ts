import type { PlannedIntegration } from "./plan.ts";

/** PRODUCT §4: a run whose plan exceeds either limit applies nothing, unless the limit is raised. */
export const DEFAULT_LIMITS = { maxUpdates: 100, maxDeletes: 5 } as const;

export interface BlastRadiusLimits {
  maxUpdates: number;
  maxDeletes: number;
}

export interface BlastRadius {
  updates: number;
  deletes: number;
  /** Each limit the plan exceeds, with the flag that raises it; empty when it is within the limits. */
  over: string[];
}

/** Counts the writes of a whole run's plan and checks them against the limits. */
export function checkBlastRadius(
  planned: readonly PlannedIntegration[],
  limits: BlastRadiusLimits = DEFAULT_LIMITS,
): BlastRadius {
  const updates = planned.filter((p) => p.result.action === "update").length;
  const deletes = planned.filter((p) => p.result.action === "delete").length;
  const over: string[] = [];
  if (updates > limits.maxUpdates) {
    over.push(
      `${updates} ${updates === 1 ? "update exceeds" : "updates exceed"} maxUpdates ${limits.maxUpdates} (if intended, raise it for this run: --max-updates ${updates}, or "maxUpdates": ${updates} in a manual invoke)`,
    );
  }
  if (deletes > limits.maxDeletes) {
    over.push(
      `${deletes} ${deletes === 1 ? "delete exceeds" : "deletes exceed"} maxDeletes ${limits.maxDeletes} (if intended, raise it for this run: --max-deletes ${deletes}, or "maxDeletes": ${deletes} in a manual invoke)`,
    );
  }
  return { updates, deletes, over };
}

/** Why an apply over the limits changes nothing (its BLOCKED error). */
export function blockedMessage(radius: BlastRadius): string {
  return `blast-radius guard: ${radius.over.join("; ")}. Nothing was changed.`;
}

/** What a plan over the limits says (a warning: a plan is never BLOCKED, PRODUCT §4). */
export function wouldBlockMessage(radius: BlastRadius): string {
  return `an apply of this plan would be blocked by the blast-radius guard: ${radius.over.join("; ")}`;
}

/** What the run knows about a live API and where it runs, for the guards. */
export interface LiveApiFacts {
  protocolType: string;
  /** The account and region the run's credentials act in, when known. */
  account?: string;
  region?: string;
  /** Why the account is unknown (STS could not say), for the message. */
  accountUnknown?: string;
}

/**
 * The guard mismatches of one API: its protocol, and the account and region its file names. Any one stops
 * the whole run before its first write.
 */
export function checkApiGuards(
  doc: { apiId: string; protocol: string; account?: string; region?: string },
  live: LiveApiFacts,
): string[] {
  const problems: string[] = [];
  if (live.protocolType !== doc.protocol) {
    problems.push(
      `API ${doc.apiId} is ${live.protocolType === "HTTP" ? "an" : "a"} ${live.protocolType} API, but its file says protocol: ${doc.protocol}; fix the file or its apiId`,
    );
  }
  if (doc.account !== undefined) {
    if (live.account === undefined) {
      problems.push(
        `API ${doc.apiId}: the file names account ${doc.account}, but the account the run's credentials act in is unknown${live.accountUnknown ? ` (${live.accountUnknown})` : ""}; check the credentials (AWS_PROFILE, or the AWS_* keys)`,
      );
    } else if (live.account !== doc.account) {
      problems.push(
        `API ${doc.apiId} belongs to account ${doc.account} by its file, but this run's credentials act in account ${live.account}; run it with that account's credentials`,
      );
    }
  }
  if (doc.region !== undefined) {
    if (live.region === undefined) {
      problems.push(
        `API ${doc.apiId}: the file names region ${doc.region}, but the run's region is unknown; set AWS_REGION`,
      );
    } else if (live.region !== doc.region) {
      problems.push(
        `API ${doc.apiId} is in ${doc.region} by its file, but this run acts in ${live.region}; run it with AWS_REGION=${doc.region}`,
      );
    }
  }
  return problems;
}
