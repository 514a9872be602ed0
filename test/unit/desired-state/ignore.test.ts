import { describe, expect, it } from "vitest";
import {
  activeIgnores,
  datedIgnores,
  expiredIgnores,
  expiredWarnings,
  utcDay,
} from "../../../lib/desired-state/ignore.ts";
import type { IgnoreEntry } from "../../../lib/desired-state/schema.ts";

/** The last second of 2027-01-31 and the first of the day after, in UTC. */
const LAST_SECOND = Date.UTC(2027, 0, 31, 23, 59, 59);
const DAY_AFTER = Date.UTC(2027, 1, 1, 0, 0, 0);

const entries: IgnoreEntry[] = [
  "/description",
  { path: "/timeoutInMillis", reason: "load test (TICKET-123)", until: "2027-01-31" },
  { path: "/integrationUri", reason: "no end date" },
];

describe(utcDay.name, () => {
  it("is the UTC calendar day, whatever the local time zone", () => {
    expect(utcDay(LAST_SECOND)).toBe("2027-01-31");
    expect(utcDay(DAY_AFTER)).toBe("2027-02-01");
  });
});

describe(activeIgnores.name, () => {
  it("keeps an entry up to and including its until day", () => {
    expect(activeIgnores(entries, utcDay(LAST_SECOND))).toEqual([
      "/description",
      "/timeoutInMillis",
      "/integrationUri",
    ]);
  });

  it("drops an entry from the day after its until, and never one without until", () => {
    expect(activeIgnores(entries, utcDay(DAY_AFTER))).toEqual(["/description", "/integrationUri"]);
    expect(activeIgnores(undefined, "2027-02-01")).toEqual([]);
  });
});

describe(datedIgnores.name, () => {
  it("lists only the entries with until, with the pointer of each until at both levels", () => {
    expect(
      datedIgnores({
        ignore: entries,
        integrations: {
          abc123: { ignore: ["/x", { path: "/requestParameters", until: "2026-12-31" }] },
          def456: {},
        },
      }),
    ).toEqual([
      {
        path: "/timeoutInMillis",
        reason: "load test (TICKET-123)",
        until: "2027-01-31",
        pointer: "/ignore/1/until",
      },
      {
        integrationId: "abc123",
        path: "/requestParameters",
        until: "2026-12-31",
        pointer: "/integrations/abc123/ignore/1/until",
      },
    ]);
  });
});

describe(expiredIgnores.name, () => {
  const api = {
    file: "desired-state/orders.yaml",
    apiId: "a1b2c3d4e5",
    datedIgnores: [
      {
        path: "/timeoutInMillis",
        reason: "load test (TICKET-123)",
        until: "2027-01-31",
        pointer: "/ignore/1/until",
        line: 8,
        column: 12,
      },
      {
        integrationId: "abc123",
        path: "/integrationUri",
        until: "2027-01-30",
        pointer: "/integrations/abc123/ignore/0/until",
      },
    ],
  };

  it("warns of nothing while every entry still applies", () => {
    expect(expiredIgnores([api], Date.UTC(2027, 0, 30, 12))).toEqual([]);
  });

  it("names each expired entry's file, position, path, scope, reason and date", () => {
    expect(expiredIgnores([api], DAY_AFTER)).toEqual([
      {
        file: "desired-state/orders.yaml",
        line: 8,
        column: 12,
        pointer: "/ignore/1/until",
        message:
          "ignore /timeoutInMillis on every integration of API a1b2c3d4e5 expired on 2027-01-31 (reason: load test (TICKET-123)); it is drift again: remove the entry, or set a later until",
      },
      {
        file: "desired-state/orders.yaml",
        line: 1,
        column: 1,
        pointer: "/integrations/abc123/ignore/0/until",
        message:
          "ignore /integrationUri on integrations/abc123 of API a1b2c3d4e5 expired on 2027-01-30; it is drift again: remove the entry, or set a later until",
      },
    ]);
  });

  it("gives a run's report the same, located by file:line:col where the state knows it", () => {
    expect(expiredWarnings([api], LAST_SECOND)).toEqual([
      {
        message:
          "desired-state/orders.yaml: ignore /integrationUri on integrations/abc123 of API a1b2c3d4e5 expired on 2027-01-30; it is drift again: remove the entry, or set a later until",
      },
    ]);
    expect(expiredWarnings([api], DAY_AFTER).map((w) => w.message.split(" ")[0])).toEqual([
      "desired-state/orders.yaml:8:12:",
      "desired-state/orders.yaml:",
    ]);
  });
});
