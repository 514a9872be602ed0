import { describe, expect, it } from "vitest";
import type { ChangedBy } from "../../../lib/attribution/types.ts";
import type { PlannedIntegration } from "../../../lib/plan/plan.ts";
import type { IntegrationResult } from "../../../lib/plan/report.ts";
import {
  ATTRIBUTION_TIME_BUDGET_MS,
  type AttributionLookup,
  attributeResults,
  wantsAuthor,
} from "../../../lib/reconcile/attribute.ts";

const by = (principal: string, eventId = "e1"): ChangedBy => ({
  principal,
  at: "2026-03-01T11:00:00.000Z",
  eventName: "UpdateIntegration",
  eventId,
});
const TIMEOUT = [{ path: "/timeoutInMillis", kind: "changed" as const, expected: 1, actual: 2 }];
const drifted: IntegrationResult = {
  apiId: "a",
  integrationId: "d",
  status: "DRIFTED",
  diffs: TIMEOUT,
  action: "update",
};
const missing: IntegrationResult = { apiId: "a", integrationId: "m", status: "MISSING", diffs: [] };
const inSync: IntegrationResult = { apiId: "a", integrationId: "s", status: "IN_SYNC", diffs: [] };
const stray: IntegrationResult = {
  apiId: "a",
  integrationId: "u",
  status: "UNMANAGED",
  diffs: [],
  action: "delete",
};
const informational: IntegrationResult = { apiId: "a", integrationId: "i", status: "UNMANAGED", diffs: [] };
const noApi: IntegrationResult = {
  apiId: "gone",
  integrationId: "x",
  status: "MISSING",
  diffs: [],
  error: { name: "NotFoundException", message: "API gone does not exist" },
};
const planned = (...results: IntegrationResult[]): PlannedIntegration[] =>
  results.map((result) => ({ result }));

/** A lookup that records what it was asked and answers `found`. */
function recording(found: Record<string, ChangedBy>, warnings: string[] = []) {
  const asked: { targets: unknown[]; startedAt: number; signal?: AbortSignal }[] = [];
  const lookup: AttributionLookup = {
    lookup: async (targets, options) => {
      asked.push({ targets: [...targets], ...options });
      return { changedBy: new Map(Object.entries(found)), warnings };
    },
  };
  return { lookup, asked };
}

const context = { startedAt: 1_000, now: () => 1_000 };

describe(wantsAuthor.name, () => {
  it("wants the author of drift, of a missing declaration, and of a stray planned for deletion", () => {
    expect([drifted, missing, stray].map(wantsAuthor)).toEqual([true, true, true]);
  });

  it("does not look for the author of what is in sync, informational, or missing because its API is gone", () => {
    expect([inSync, informational, noApi].map(wantsAuthor)).toEqual([false, false, false]);
  });
});

describe(attributeResults.name, () => {
  it("looks up only the results that want an author, and puts what it finds on them", async () => {
    const { lookup, asked } = recording({ "a/d": by("alice"), "a/u": by("bob", "e2") });
    const step = await attributeResults(planned(drifted, inSync, stray, informational), [noApi, missing], {
      ...context,
      lookup,
    });
    expect(asked.map((a) => a.targets)).toEqual([
      [
        { apiId: "a", integrationId: "m", status: "MISSING" },
        { apiId: "a", integrationId: "d", status: "DRIFTED" },
        { apiId: "a", integrationId: "u", status: "UNMANAGED" },
      ],
    ]);
    expect(asked[0]!.startedAt).toBe(1_000);
    expect(step.planned.map((p) => p.result.changedBy?.principal)).toEqual([
      "alice",
      undefined,
      "bob",
      undefined,
    ]);
    expect(step.results).toEqual([noApi, missing]);
    expect(step.warnings).toEqual([]);
  });

  it("takes known authors as they are and looks up only the rest", async () => {
    const { lookup, asked } = recording({ "a/m": by("carol", "e3") });
    const step = await attributeResults(planned(drifted), [missing], {
      ...context,
      lookup,
      request: { known: new Map([["a/d", by("event")]]) },
    });
    expect(asked.map((a) => a.targets)).toEqual([[{ apiId: "a", integrationId: "m", status: "MISSING" }]]);
    expect(step.planned[0]!.result.changedBy).toEqual(by("event"));
    expect(step.results[0]!.changedBy).toEqual(by("carol", "e3"));
  });

  it("never puts a known author on a result that does not want one", async () => {
    const step = await attributeResults(planned(inSync), [], {
      ...context,
      request: { known: new Map([["a/s", by("event")]]), lookup: false },
    });
    expect(step.planned[0]!.result).toEqual(inSync);
  });

  it("asks nothing when lookups are off, nothing is wanted, or there is no lookup", async () => {
    const { lookup, asked } = recording({ "a/d": by("alice") });
    await attributeResults(planned(drifted), [], { ...context, lookup, request: { lookup: false } });
    await attributeResults(planned(inSync, informational), [], { ...context, lookup });
    const none = await attributeResults(planned(drifted), [], context);
    expect(asked).toEqual([]);
    expect(none.planned[0]!.result.changedBy).toBeUndefined();
  });

  it("passes the lookup's warnings on as the report's", async () => {
    const { lookup } = recording({}, ["CloudTrail attribution stopped"]);
    const step = await attributeResults(planned(drifted), [], { ...context, lookup });
    expect(step.warnings).toEqual([{ message: "CloudTrail attribution stopped" }]);
  });

  it("aborts the lookup at the run's deadline, and on an interrupt", async () => {
    const seen: boolean[] = [];
    const waiting: AttributionLookup = {
      lookup: (_targets, { signal }) =>
        new Promise((resolve) => {
          const done = () => {
            seen.push(signal!.aborted);
            resolve({ changedBy: new Map(), warnings: [] });
          };
          if (signal!.aborted) done();
          else signal!.addEventListener("abort", done);
        }),
    };
    // The deadline already past: aborted at once.
    await attributeResults(planned(drifted), [], { ...context, lookup: waiting, deadline: 500 });
    const interrupt = new AbortController();
    const pending = attributeResults(planned(drifted), [], {
      ...context,
      lookup: waiting,
      interrupt: interrupt.signal,
    });
    interrupt.abort();
    await pending;
    expect(seen).toEqual([true, true]);
    expect(ATTRIBUTION_TIME_BUDGET_MS).toBe(60_000);
  });
});
