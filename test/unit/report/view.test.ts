import { describe, expect, it } from "vitest";
import type { ReportEvent } from "../../../lib/report/events.ts";
import { buildReportView, chartBuckets, MAX_DRIFTING, MAX_SERIES } from "../../../lib/report/view.ts";
import { eventsOf, SEEDED_NOW, seededReports } from "../../helpers/report-history.ts";

const DAY = 86_400_000;
const NOW = Date.parse("2025-03-10T12:00:00.000Z");
const WINDOW = { now: NOW, since: NOW - 7 * DAY, until: NOW, source: "test store" };
let runs = 0;

function event(at: string, apiId: string, integrationId: string, status: string, extra = {}): ReportEvent {
  return {
    runId: `run-${++runs}`,
    at,
    apiId,
    integrationId,
    status,
    action: status === "DRIFTED" || status === "UPDATED" ? "update" : null,
    diffs: [{ path: "/timeoutInMillis", kind: "changed", expected: 10000, actual: 12345 }],
    ...extra,
  };
}

describe("chartBuckets", () => {
  it("buckets by UTC day from the window's first day, both ends included", () => {
    const { bucketDays, starts } = chartBuckets(NOW - 7 * DAY, NOW);
    expect(bucketDays).toBe(1);
    expect(starts.map((ms) => new Date(ms).toISOString().slice(0, 10))).toEqual([
      "2025-03-03",
      "2025-03-04",
      "2025-03-05",
      "2025-03-06",
      "2025-03-07",
      "2025-03-08",
      "2025-03-09",
      "2025-03-10",
    ]);
  });

  it("switches to weeks past 92 days and to 30-day periods past two years, so a chart stays readable", () => {
    expect(chartBuckets(NOW - 91 * DAY, NOW)).toMatchObject({ bucketDays: 1 });
    expect(chartBuckets(NOW - 91 * DAY, NOW).starts).toHaveLength(92);
    const weeks = chartBuckets(NOW - 92 * DAY, NOW);
    expect(weeks.bucketDays).toBe(7);
    expect(weeks.starts).toHaveLength(14);
    const months = chartBuckets(NOW - 900 * DAY, NOW);
    expect(months.bucketDays).toBe(30);
    expect(months.starts).toHaveLength(31);
  });
});

describe("buildReportView", () => {
  it("counts the integrations seen drifting per API and day, each once a day however many runs saw it", () => {
    const view = buildReportView(
      [
        event("2025-03-08T06:00:00.000Z", "api1", "i1", "DRIFTED"),
        event("2025-03-08T09:00:00.000Z", "api1", "i1", "DRIFTED"),
        event("2025-03-08T18:00:00.000Z", "api1", "i2", "UPDATED"),
        event("2025-03-09T06:00:00.000Z", "api2", "j1", "FAILED"),
        // DEFERRED: not looked at, so not a sighting.
        event("2025-03-09T07:00:00.000Z", "api2", "j2", "DEFERRED"),
      ],
      WINDOW,
    );
    expect(view.chart.bucketDays).toBe(1);
    expect(view.chart.series).toEqual([
      { label: "api1", apiIds: ["api1"], values: [0, 0, 0, 0, 0, 2, 0, 0], sightings: 3 },
      { label: "api2", apiIds: ["api2"], values: [0, 0, 0, 0, 0, 0, 1, 0], sightings: 1 },
    ]);
    expect(view).toMatchObject({ sightings: 4, apis: 2, integrations: 3 });
  });

  it("leaves out events outside the window and of other APIs than the one asked for", () => {
    const events = [
      event("2025-03-01T00:00:00.000Z", "api1", "old", "DRIFTED"),
      event("2025-03-10T12:00:00.001Z", "api1", "future", "DRIFTED"),
      event("not a time", "api1", "garbled", "DRIFTED"),
      event("2025-03-09T00:00:00.000Z", "api1", "kept", "DRIFTED"),
      event("2025-03-09T00:00:00.000Z", "api2", "other", "DRIFTED"),
    ];
    const view = buildReportView(events, { ...WINDOW, apiId: "api1" });
    expect(view.drifting.map((r) => r.integrationId)).toEqual(["kept"]);
    expect(view.apiFilter).toBe("api1");
    expect(buildReportView(events, WINDOW).apiFilter).toBeUndefined();
  });

  it("names the eight APIs that drift most and sums the rest into one series", () => {
    const events: ReportEvent[] = [];
    for (let a = 0; a < MAX_SERIES + 2; a++) {
      // api00 drifts most (10 integrations), api09 least (1).
      for (let i = 0; i < 10 - a; i++) {
        events.push(
          event("2025-03-09T06:00:00.000Z", `api${String(a).padStart(2, "0")}`, `i${i}`, "DRIFTED"),
        );
      }
    }
    const { series } = buildReportView(events, WINDOW).chart;
    expect(series.map((s) => s.label)).toEqual([
      "api00",
      "api01",
      "api02",
      "api03",
      "api04",
      "api05",
      "api06",
      "api07",
      "2 other APIs",
    ]);
    expect(series.at(-1)).toMatchObject({ apiIds: ["api08", "api09"], sightings: 3 });
    expect(series.at(-1)!.values[6]).toBe(3);
  });

  it("ranks integrations by sightings, then reverts, then the newest, then by id, and caps the table", () => {
    const events: ReportEvent[] = [];
    for (let i = 0; i < MAX_DRIFTING + 3; i++) {
      events.push(event("2025-03-05T06:00:00.000Z", "api1", `i${String(i).padStart(2, "0")}`, "DRIFTED"));
    }
    events.push(event("2025-03-06T06:00:00.000Z", "api1", "i22", "UPDATED"));
    events.push(event("2025-03-06T06:00:00.000Z", "api1", "i21", "DRIFTED"));
    events.push(event("2025-03-07T06:00:00.000Z", "api1", "i20", "DRIFTED"));
    const view = buildReportView(events, WINDOW);
    expect(view.drifting.slice(0, 4).map((r) => `${r.integrationId}:${r.sightings}/${r.reverts}`)).toEqual([
      "i22:2/1",
      "i20:2/0",
      "i21:2/0",
      "i00:1/0",
    ]);
    expect(view.drifting).toHaveLength(MAX_DRIFTING);
    expect(view.driftingMore).toBe(3);
  });

  it("shows each integration's paths by frequency, its newest diffs, and who changed it", () => {
    const alice = {
      principal: "arn:aws:iam::123456789012:user/alice",
      at: "2025-03-07T05:00:00Z",
      eventId: "e1",
    };
    const bob = {
      principal: "arn:aws:iam::123456789012:user/bob",
      at: "2025-03-08T05:00:00Z",
      eventId: "e2",
    };
    const view = buildReportView(
      [
        event("2025-03-07T06:00:00.000Z", "api1", "i1", "DRIFTED", { changedBy: alice }),
        event("2025-03-08T06:00:00.000Z", "api1", "i1", "DRIFTED", {
          changedBy: bob,
          diffs: [
            { path: "/timeoutInMillis", kind: "changed", expected: 10000, actual: 29000 },
            { path: "/description", kind: "added", actual: "x".repeat(200) },
          ],
        }),
        event("2025-03-09T06:00:00.000Z", "api1", "i1", "DRIFTED", { changedBy: null, diffs: [] }),
      ],
      WINDOW,
    );
    expect(view.drifting[0]).toEqual({
      apiId: "api1",
      integrationId: "i1",
      sightings: 3,
      reverts: 0,
      firstSeen: "2025-03-07T06:00:00.000Z",
      lastSeen: "2025-03-09T06:00:00.000Z",
      lastStatus: "DRIFTED",
      paths: [
        { path: "/timeoutInMillis", count: 2 },
        { path: "/description", count: 1 },
      ],
      morePaths: 0,
      changedBy: [bob.principal, alice.principal, "unknown"],
      latest: [
        { path: "/timeoutInMillis", kind: "changed", expected: "10000", actual: "29000" },
        { path: "/description", kind: "added", actual: `"${"x".repeat(78)}…` },
      ],
      moreLatest: 0,
    });
  });

  it("groups changes by principal, counting one CloudTrail event once however many runs saw its drift", () => {
    const change = {
      principal: "arn:aws:iam::123456789012:user/alice",
      eventName: "UpdateIntegration",
      eventId: "e1",
      at: "2025-03-07T05:00:00.000Z",
    };
    const view = buildReportView(
      [
        event("2025-03-07T06:00:00.000Z", "api1", "i1", "DRIFTED", { changedBy: change }),
        event("2025-03-07T18:00:00.000Z", "api1", "i1", "UPDATED", { changedBy: change }),
        event("2025-03-08T06:00:00.000Z", "api2", "j1", "MISSING", {
          changedBy: {
            ...change,
            eventName: "DeleteIntegration",
            eventId: "e2",
            at: "2025-03-08T01:00:00.000Z",
          },
        }),
        event("2025-03-08T06:00:00.000Z", "api2", "j2", "DRIFTED", {
          // Older history, or an event without an id: one change per integration and time.
          changedBy: { principal: "arn:aws:iam::123456789012:user/bob" },
        }),
        event("2025-03-08T06:00:00.000Z", "api2", "j3", "DRIFTED"),
        event("2025-03-08T07:00:00.000Z", "api2", "j3", "DRIFTED", { changedBy: { principal: "  " } }),
      ],
      WINDOW,
    );
    expect(view.changers).toEqual([
      {
        principal: "arn:aws:iam::123456789012:user/alice",
        changes: 2,
        integrations: 2,
        apis: ["api1", "api2"],
        last: "2025-03-08T01:00:00.000Z",
        eventNames: ["DeleteIntegration", "UpdateIntegration"],
      },
      {
        principal: "arn:aws:iam::123456789012:user/bob",
        changes: 1,
        integrations: 1,
        apis: ["api2"],
        last: "2025-03-08T06:00:00.000Z",
        eventNames: [],
      },
    ]);
    expect(view.unattributed).toEqual({ sightings: 2, integrations: 1 });
  });

  it("has empty sections and a zero-filled chart for a window without drift", () => {
    const view = buildReportView([], WINDOW);
    expect(view).toMatchObject({
      sightings: 0,
      apis: 0,
      integrations: 0,
      drifting: [],
      changers: [],
      reverts: [],
    });
    expect(view.chart.series).toEqual([]);
    expect(view.chart.buckets).toHaveLength(8);
  });

  it("reads the seeded thirty days as a person would: what drifted, when, by whom, how fast it was reverted", () => {
    const view = buildReportView(eventsOf(seededReports()), {
      now: SEEDED_NOW,
      since: SEEDED_NOW - 30 * DAY,
      until: SEEDED_NOW,
      source: "seed",
    });
    expect(view.chart.buckets).toHaveLength(31);
    expect(view.chart.series.map((s) => [s.label, s.sightings, s.values.join("")])).toEqual([
      ["a1b2c3d4e5", 20, "0001011111100000010300001000000"],
      ["f6g7h8i9j0", 5, "0000000000000000000000000011111"],
      ["w9x8y7z6v5", 4, "0000000000001001000010000001000"],
    ]);
    expect(view.changers.map((c) => `${c.principal.split("/").at(-1)}:${c.changes}`)).toEqual([
      "alice@example.com:5",
      "github-actions:4",
      "bob:1",
    ]);
    expect(view.unattributed).toEqual({ sightings: 5, integrations: 1 });
  });
});
