import type { Diff } from "../../lib/diff/diff.ts";
import { isDriftEvent } from "../../lib/history/items.ts";
import { type IntegrationResult, type Report, runStatus, summarise } from "../../lib/plan/report.ts";
import type { ReportEvent } from "../../lib/report/events.ts";

/** The clock of the seeded history: every run below is within the 30 days before it. */
export const SEEDED_NOW = Date.parse("2025-03-31T12:00:00.000Z");
const DAY = 86_400_000;

/** PRODUCT §8's attribution, as another part of the product adds it to results. */
export interface Attribution {
  principal: string;
  at: string;
  eventName: string;
  eventId: string;
  sourceIpAddress?: string;
  userAgent?: string;
}
export type AttributedResult = IntegrationResult & { changedBy?: Attribution };

const ALICE = "arn:aws:sts::123456789012:assumed-role/Admin/alice@example.com";
const BOB = "arn:aws:iam::123456789012:user/bob";
const DEPLOY = "arn:aws:sts::123456789012:assumed-role/ci-deploy/github-actions";

const TIMEOUT: Diff[] = [{ path: "/timeoutInMillis", kind: "changed", expected: 10000, actual: 29000 }];
const URI: Diff[] = [
  {
    path: "/integrationUri",
    kind: "changed",
    expected: "https://orders.internal.example.com/{proxy}",
    actual: "https://orders-v2.internal.example.com/{proxy}",
  },
  { path: "/requestParameters/overwrite:header.x-env", kind: "added", actual: "staging" },
];
const TEMPLATE: Diff[] = [
  { path: "/requestTemplates/$default", kind: "changed", expected: "{}", actual: "{ }" },
];

/**
 * Thirty days of history for three APIs, as plan (06:00) and apply (18:00) runs record it: a Lambda
 * timeout alice raises by hand every week and the evening apply reverts; a proxy URI bob repoints that
 * stays drifted for four days until an apply; a template a deploy role keeps rewriting, reverted in the
 * run that finds it; a deploy that rewrites three integrations at once; a payments integration drifted since day 26 with no attribution; one integration
 * deleted by hand (MISSING). Deterministic: the same reports every time.
 */
export function seededReports(now = SEEDED_NOW): Report[] {
  const start = Math.floor((now - 30 * DAY) / DAY) * DAY;
  const day = (d: number, hour: number) => new Date(start + d * DAY + hour * 3_600_000).toISOString();
  const runs = new Map<string, { mode: "plan" | "apply"; results: AttributedResult[] }>();
  const add = (at: string, mode: "plan" | "apply", result: AttributedResult) => {
    const run = runs.get(at) ?? { mode, results: [] };
    run.results.push(result);
    runs.set(at, run);
  };
  const by = (principal: string, at: string, eventName: string, n: number): Attribution => ({
    principal,
    at,
    eventName,
    eventId: `0000000${n}-aaaa-bbbb-cccc-${String(n).padStart(12, "0")}`,
    sourceIpAddress: "198.51.100.7",
    userAgent: "aws-cli/2.22.0",
  });
  const r = (apiId: string, integrationId: string, status: IntegrationResult["status"], diffs: Diff[]) => ({
    apiId,
    integrationId,
    status,
    diffs,
    ...(status === "DRIFTED" || status === "UPDATED" ? { action: "update" as const } : {}),
  });
  // Every day: a plan and an apply, both seeing the in-sync integrations too.
  for (let d = 1; d <= 30; d++) {
    for (const [hour, mode] of [
      [6, "plan"],
      [18, "apply"],
    ] as const) {
      if (start + d * DAY + hour * 3_600_000 > now) continue;
      add(day(d, hour), mode, r("a1b2c3d4e5", "inSync01", "IN_SYNC", []));
    }
  }
  for (const [n, d] of [3, 10, 17, 24].entries()) {
    const changedBy = by(ALICE, day(d, 2), "UpdateIntegration", n + 1);
    add(day(d, 6), "plan", { ...r("a1b2c3d4e5", "lmb7k2q", "DRIFTED", TIMEOUT), changedBy });
    add(day(d, 18), "apply", { ...r("a1b2c3d4e5", "lmb7k2q", "UPDATED", TIMEOUT), changedBy });
  }
  const bobs = by(BOB, day(5, 4), "UpdateIntegration", 5);
  for (let d = 5; d <= 9; d++) {
    add(day(d, 6), "plan", { ...r("a1b2c3d4e5", "prx3m9a", "DRIFTED", URI), changedBy: bobs });
  }
  add(day(9, 18), "apply", { ...r("a1b2c3d4e5", "prx3m9a", "UPDATED", URI), changedBy: bobs });
  for (const [n, d] of [12, 20, 27].entries()) {
    const changedBy = by(DEPLOY, day(d, 16), "UpdateIntegration", 6 + n);
    add(day(d, 18), "apply", { ...r("w9x8y7z6v5", "msg5c6d", "UPDATED", TEMPLATE), changedBy });
  }
  // A deploy that rewrote three route integrations' timeouts at once, reverted that evening.
  for (const id of ["rte8k1m", "rte8k2m", "rte8k3m"]) {
    const changedBy = by(DEPLOY, day(19, 5), "UpdateIntegration", 10);
    add(day(19, 6), "plan", { ...r("a1b2c3d4e5", id, "DRIFTED", TIMEOUT), changedBy });
    add(day(19, 18), "apply", { ...r("a1b2c3d4e5", id, "UPDATED", TIMEOUT), changedBy });
  }
  add(day(15, 6), "plan", {
    ...r("w9x8y7z6v5", "cnx1a2b", "MISSING", []),
    changedBy: by(ALICE, day(15, 1), "DeleteIntegration", 9),
  });
  for (let d = 26; d <= 30; d++) {
    if (start + d * DAY + 6 * 3_600_000 > now) continue;
    add(day(d, 6), "plan", r("f6g7h8i9j0", "pay4x2z", "DRIFTED", TIMEOUT));
  }
  return [...runs.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([at, { mode, results }], i) => reportOf(at, mode, results, i));
}

function reportOf(at: string, mode: "plan" | "apply", integrations: IntegrationResult[], i: number): Report {
  return {
    runId: `run-${String(i).padStart(3, "0")}-${at.slice(0, 10)}`,
    startedAt: at,
    finishedAt: new Date(Date.parse(at) + 4_000).toISOString(),
    mode,
    desiredRevision: "0123456789abcdef0123456789abcdef01234567",
    status: runStatus(mode, integrations),
    summary: summarise(integrations),
    integrations,
    apiCalls: { GetApis: 1, GetIntegrations: 3, throttled: 0, retries: 0 },
    errors: [],
    warnings: [],
  };
}

/**
 * The reports without their `changedBy`: history from runs with attribution off, or from before it
 * (lib/history stores changedBy since), so those tests' pages name no one.
 */
export function withoutAttribution(reports: readonly Report[]): Report[] {
  return reports.map((report) => ({
    ...report,
    integrations: report.integrations.map((r) => {
      const { changedBy: _, ...rest } = r as AttributedResult;
      return rest;
    }),
  }));
}

/** The drift events history gives for `reports`, newest first, `changedBy` kept where a result has it. */
export function eventsOf(reports: readonly Report[]): ReportEvent[] {
  return reports
    .flatMap((report) =>
      report.integrations.filter(isDriftEvent).map((r) => ({
        runId: report.runId,
        at: report.startedAt,
        apiId: r.apiId,
        integrationId: r.integrationId,
        status: r.status,
        action: r.action ?? null,
        diffs: r.diffs,
        ...((r as AttributedResult).changedBy ? { changedBy: (r as AttributedResult).changedBy } : {}),
      })),
    )
    .reverse();
}

/** Strings that would run script, add an element or end a style block if they were not escaped. */
export const HOSTILE = {
  api: "<script>window.__pwned=1</script>",
  integration: '"><img src=x onerror="window.__pwned=2">',
  principal: "</style><script>window.__pwned=3</script>",
  path: "/requestParameters/'><svg onload=window.__pwned=4>",
  value: "</td></tr></table><iframe src=javascript:window.__pwned=5>",
  source: "the local store in /tmp/<b>bold</b>&amp;",
};

export function hostileEvents(): ReportEvent[] {
  return [
    {
      runId: "run-1",
      at: "2025-03-08T06:00:00.000Z",
      apiId: HOSTILE.api,
      integrationId: HOSTILE.integration,
      status: "DRIFTED",
      action: "update",
      diffs: [{ path: HOSTILE.path, kind: "changed", expected: HOSTILE.value, actual: "<i>x</i>" }],
      changedBy: { principal: HOSTILE.principal, eventName: "<b>Update</b>", eventId: "e1" },
    },
    {
      runId: "run-2",
      at: "2025-03-08T18:00:00.000Z",
      apiId: HOSTILE.api,
      integrationId: HOSTILE.integration,
      status: "UPDATED",
      action: "update",
      diffs: [{ path: HOSTILE.path, kind: "changed", expected: HOSTILE.value, actual: "<i>x</i>" }],
      changedBy: { principal: HOSTILE.principal, eventName: "<b>Update</b>", eventId: "e1" },
    },
  ];
}
