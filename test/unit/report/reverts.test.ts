import { describe, expect, it } from "vitest";
import type { ReportEvent } from "../../../lib/report/events.ts";
import { revertsByApi } from "../../../lib/report/reverts.ts";

const H = 3_600_000;
const T0 = Date.parse("2025-03-01T00:00:00.000Z");
let runs = 0;

/** An event `hours` after T0. */
function at(
  hours: number,
  apiId: string,
  integrationId: string,
  status: string,
  action?: string,
): ReportEvent {
  return {
    runId: `run-${++runs}`,
    at: new Date(T0 + hours * H).toISOString(),
    apiId,
    integrationId,
    status,
    action: action ?? (status === "DRIFTED" || status === "UPDATED" ? "update" : null),
  };
}

describe("revertsByApi", () => {
  it("measures from the first sighting that needed an update to the UPDATED that fixed it", () => {
    const rows = revertsByApi(
      [
        at(0, "api1", "i1", "DRIFTED"),
        at(6, "api1", "i1", "DRIFTED"),
        at(12, "api1", "i1", "UPDATED"),
        // A second episode of the same integration starts afresh.
        at(20, "api1", "i1", "FAILED", "update"),
        at(24, "api1", "i1", "UPDATED"),
        // Found and fixed by one apply: zero.
        at(30, "api1", "i2", "UPDATED"),
      ],
      T0 + 48 * H,
    );
    expect(rows).toEqual([
      {
        apiId: "api1",
        reverted: 3,
        sameRun: 1,
        medianMs: 4 * H,
        worstMs: 12 * H,
        worstIntegration: "i1",
        open: 0,
      },
    ]);
  });

  it("takes the middle two's mean for an even count, and keeps open episodes with the oldest one's age", () => {
    const rows = revertsByApi(
      [
        at(0, "api1", "a", "DRIFTED"),
        at(2, "api1", "a", "UPDATED"),
        at(0, "api1", "b", "DRIFTED"),
        at(10, "api1", "b", "UPDATED"),
        at(5, "api2", "c", "DRIFTED"),
        at(9, "api2", "d", "DRIFTED"),
        // A FAILED delete (prune) and a MISSING never open an episode: no update reverts them.
        at(9, "api2", "e", "FAILED", "delete"),
        at(9, "api2", "f", "MISSING"),
      ].sort((x, y) => x.at.localeCompare(y.at)),
      T0 + 29 * H,
    );
    expect(rows).toEqual([
      {
        apiId: "api1",
        reverted: 2,
        sameRun: 0,
        medianMs: 6 * H,
        worstMs: 10 * H,
        worstIntegration: "b",
        open: 0,
      },
      { apiId: "api2", reverted: 0, sameRun: 0, open: 2, oldestOpenMs: 24 * H },
    ]);
  });

  it("names the first integration by id when two share the worst time", () => {
    const rows = revertsByApi(
      [
        at(0, "api1", "z", "DRIFTED"),
        at(0, "api1", "y", "DRIFTED"),
        at(3, "api1", "y", "UPDATED"),
        at(3, "api1", "z", "UPDATED"),
      ],
      T0,
    );
    expect(rows[0]).toMatchObject({ worstMs: 3 * H, worstIntegration: "y", medianMs: 3 * H });
  });
});
