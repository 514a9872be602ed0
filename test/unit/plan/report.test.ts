import { describe, expect, it } from "vitest";
import {
  compareReportErrors,
  compareResults,
  type IntegrationResult,
  type IntegrationStatus,
  runStatus,
  summarise,
} from "../../../lib/plan/report.ts";

const r = (status: IntegrationStatus, action?: "update" | "delete"): IntegrationResult => ({
  apiId: "a",
  integrationId: status,
  status,
  diffs: [],
  ...(action ? { action } : {}),
});

describe(summarise.name, () => {
  it("counts every status, zeros included", () => {
    const summary = summarise([r("IN_SYNC"), r("IN_SYNC"), r("DRIFTED")]);
    expect(summary).toEqual({
      IN_SYNC: 2,
      DRIFTED: 1,
      UPDATED: 0,
      FAILED: 0,
      MISSING: 0,
      UNMANAGED: 0,
      DELETED: 0,
      SKIPPED_MANAGED: 0,
      SKIPPED_IN_USE: 0,
      DEFERRED: 0,
    });
  });
});

describe(runStatus.name, () => {
  it("calls a plan with nothing outstanding IN_SYNC, informational unmanaged included", () => {
    expect(runStatus("plan", [r("IN_SYNC"), r("UNMANAGED"), r("SKIPPED_MANAGED")])).toBe("IN_SYNC");
  });

  it("calls a plan with drift, missing or planned deletes DRIFTED", () => {
    expect(runStatus("plan", [r("DRIFTED", "update")])).toBe("DRIFTED");
    expect(runStatus("plan", [r("MISSING")])).toBe("DRIFTED");
    expect(runStatus("plan", [r("UNMANAGED", "delete")])).toBe("DRIFTED");
  });

  it("calls an incomplete plan PARTIAL", () => {
    expect(runStatus("plan", [r("DRIFTED"), r("FAILED")])).toBe("PARTIAL");
    expect(runStatus("plan", [r("IN_SYNC")], { incomplete: true })).toBe("PARTIAL");
  });

  it("calls an apply that fixed everything RECONCILED, and one with nothing to do IN_SYNC", () => {
    expect(runStatus("apply", [r("UPDATED"), r("DELETED"), r("IN_SYNC")])).toBe("RECONCILED");
    expect(runStatus("apply", [r("IN_SYNC"), r("UNMANAGED")])).toBe("IN_SYNC");
  });

  it("calls an apply that left something PARTIAL", () => {
    for (const left of ["FAILED", "MISSING", "DEFERRED"] as const) {
      expect(runStatus("apply", [r("UPDATED"), r(left)])).toBe("PARTIAL");
    }
  });

  it("lets guards decide before results", () => {
    expect(runStatus("apply", [r("UPDATED")], { failed: true })).toBe("FAILED");
    expect(runStatus("apply", [r("DRIFTED")], { blocked: true })).toBe("BLOCKED");
  });
});

describe(compareResults.name, () => {
  it("orders by api, then integration", () => {
    const rows = [
      { ...r("IN_SYNC"), apiId: "b", integrationId: "1" },
      { ...r("IN_SYNC"), apiId: "a", integrationId: "2" },
      { ...r("IN_SYNC"), apiId: "a", integrationId: "1" },
    ];
    expect(rows.sort(compareResults).map((x) => `${x.apiId}/${x.integrationId}`)).toEqual([
      "a/1",
      "a/2",
      "b/1",
    ]);
  });
});

describe(compareReportErrors.name, () => {
  it("orders by file, line, column, pointer, apiId and message, located errors first", () => {
    const errors = [
      { message: "run-wide b" },
      { message: "run-wide a" },
      { apiId: "b1", message: "about b1" },
      { apiId: "a1", message: "about a1" },
      { file: "b.yaml", line: 1, column: 1, pointer: "", message: "z" },
      { file: "a.yaml", line: 2, column: 1, pointer: "", message: "y" },
      { file: "a.yaml", line: 1, column: 9, pointer: "", message: "x" },
      { file: "a.yaml", line: 1, column: 3, pointer: "/b", message: "w" },
      { file: "a.yaml", line: 1, column: 3, pointer: "/a", message: "v" },
      { file: "a.yaml", apiId: "a1", message: "guard" },
    ];

    expect([...errors].sort(compareReportErrors).map((e) => e.message)).toEqual([
      "v",
      "w",
      "x",
      "y",
      "guard",
      "z",
      "about a1",
      "about b1",
      "run-wide a",
      "run-wide b",
    ]);
  });
});
