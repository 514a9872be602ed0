import { describe, expect, it } from "vitest";
import { readChangedBy, readDiffs } from "../../../lib/report/events.ts";

describe("readChangedBy", () => {
  it("keeps PRODUCT §8's fields when they are strings", () => {
    expect(
      readChangedBy({
        principal: "arn:aws:iam::123456789012:user/alice",
        at: "2025-03-08T05:00:00Z",
        eventName: "UpdateIntegration",
        eventId: "e1",
        sourceIpAddress: "198.51.100.7",
        userAgent: "aws-cli/2",
      }),
    ).toEqual({
      principal: "arn:aws:iam::123456789012:user/alice",
      at: "2025-03-08T05:00:00Z",
      eventName: "UpdateIntegration",
      eventId: "e1",
      sourceIpAddress: "198.51.100.7",
      userAgent: "aws-cli/2",
    });
  });

  it("reads nothing without a principal, and drops fields of the wrong type or an unreadable time", () => {
    for (const value of [
      undefined,
      null,
      "alice",
      ["alice"],
      {},
      { principal: "" },
      { principal: " " },
      { principal: 7 },
    ]) {
      expect(readChangedBy(value)).toBeUndefined();
    }
    expect(readChangedBy({ principal: " bob ", at: "yesterday", eventName: 7, eventId: "" })).toEqual({
      principal: "bob",
    });
  });
});

describe("readDiffs", () => {
  it("keeps diffs with a string path, values as JSON text cut to 80 characters", () => {
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(
      readDiffs([
        { path: "/timeoutInMillis", kind: "changed", expected: 10000, actual: 29000 },
        { path: "/description", kind: "added", actual: "y".repeat(100) },
        { path: "/tlsConfig", expected: { serverNameToVerify: "a" } },
        { path: "/odd", kind: "changed", actual: cycle, expected: 10n },
        { kind: "changed" },
        "not a diff",
        null,
      ]),
    ).toEqual([
      { path: "/timeoutInMillis", kind: "changed", expected: "10000", actual: "29000" },
      { path: "/description", kind: "added", actual: `"${"y".repeat(78)}…` },
      { path: "/tlsConfig", kind: "changed", expected: '{"serverNameToVerify":"a"}' },
      { path: "/odd", kind: "changed", expected: "10", actual: "[object Object]" },
    ]);
    expect(readDiffs("[]")).toEqual([]);
    expect(readDiffs(undefined)).toEqual([]);
  });
});
