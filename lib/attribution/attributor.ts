/**
 * Attribution as a run uses it (lib/reconcile/attribute.ts's AttributionLookup): each target's window from
 * history (since it was last seen in sync), the tool's own identity, then the LookupEvents driver. The
 * composition root (lib/runtime) builds one per run around its lazily created CloudTrail client, so a run
 * with nothing to attribute never creates one.
 */
import type { CloudTrailClient } from "@aws-sdk/client-cloudtrail";
import type { SelfIdentity } from "./identity.ts";
import { lookupChanges } from "./lookup.ts";
import { integrationKey, LOOKBACK_DAYS } from "./match.ts";
import type { AttributionTarget, ChangedBy } from "./types.ts";

export interface AttributorOptions {
  /** The run's CloudTrail client, built at the first lookup. */
  client: () => Promise<CloudTrailClient>;
  /** The tool's own identity; a failure skips attribution (its own writes must never be taken for drift). */
  self: () => Promise<SelfIdentity>;
  /** LookupEvents pages per run (default 20). */
  pageBudget?: number;
  /**
   * When each integration was last seen in sync (ISO), from history; absent, or throwing, the windows start
   * 90 days back.
   */
  since?: (
    targets: readonly { apiId: string; integrationId: string }[],
    before: number,
  ) => Promise<ReadonlyMap<string, string | undefined>>;
  now: () => number;
  /** Told once per lookup: pages answered (for the logs and the bench). */
  onLookup?: (stats: { pages: number; targets: number; attributed: number }) => void;
}

export interface Attributor {
  lookup(
    targets: readonly Omit<AttributionTarget, "since">[],
    options: { startedAt: number; signal?: AbortSignal },
  ): Promise<{ changedBy: ReadonlyMap<string, ChangedBy>; warnings: readonly string[] }>;
}

export function createAttributor(options: AttributorOptions): Attributor {
  return {
    lookup: async (targets, { startedAt, signal }) => {
      const warnings: string[] = [];
      let self: SelfIdentity;
      try {
        self = await options.self();
      } catch (error) {
        return {
          changedBy: new Map(),
          warnings: [
            `CloudTrail attribution was skipped: the tool's own identity is unknown (${(error as Error).message}), so its own writes could not be told from anyone else's`,
          ],
        };
      }
      let since: ReadonlyMap<string, string | undefined> = new Map();
      if (options.since) {
        try {
          since = await options.since(targets, startedAt);
        } catch (error) {
          warnings.push(
            `drift history could not be read for attribution (${(error as Error).message}); CloudTrail was searched ${LOOKBACK_DAYS} days back`,
          );
        }
      }
      const windowed = targets.map((t) => {
        const from = since.get(integrationKey(t.apiId, t.integrationId));
        return from === undefined ? { ...t } : { ...t, since: from };
      });
      const result = await lookupChanges(await options.client(), windowed, {
        self,
        ...(options.pageBudget !== undefined ? { pageBudget: options.pageBudget } : {}),
        now: options.now,
        ...(signal ? { signal } : {}),
      });
      options.onLookup?.({ pages: result.pages, targets: targets.length, attributed: result.changedBy.size });
      return { changedBy: result.changedBy, warnings: [...warnings, ...result.warnings] };
    },
  };
}
