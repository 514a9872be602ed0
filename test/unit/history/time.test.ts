import { describe, expect, it } from "vitest";
import { parseInstant } from "../../../lib/history/time.ts";

const NOW = Date.parse("2025-03-10T12:00:00.000Z");
const iso = (value: string, bound: "start" | "end" = "start") => {
  const ms = parseInstant(value, NOW, bound);
  return ms === undefined ? undefined : new Date(ms).toISOString();
};

describe(parseInstant.name, () => {
  it.each([
    ["30m", "2025-03-10T11:30:00.000Z"],
    ["24h", "2025-03-09T12:00:00.000Z"],
    ["7d", "2025-03-03T12:00:00.000Z"],
    ["2W", "2025-02-24T12:00:00.000Z"],
    ["90s", "2025-03-10T11:58:30.000Z"],
    ["2025-01-31", "2025-01-31T00:00:00.000Z"],
    ["2025-01-31T12:00:00Z", "2025-01-31T12:00:00.000Z"],
    ["2025-01-31T12:00", "2025-01-31T12:00:00.000Z"],
    ["2025-01-31 12:00:05.25", "2025-01-31T12:00:05.250Z"],
    ["2025-01-31T12:00:00+02:00", "2025-01-31T10:00:00.000Z"],
    ["2025-01-31T12:00:00-0130", "2025-01-31T13:30:00.000Z"],
  ])("reads %s", (value, expected) => {
    expect(iso(value)).toBe(expected);
  });

  it("reads a date as the end of that day when it is an upper bound", () => {
    expect(iso("2025-01-31", "end")).toBe("2025-01-31T23:59:59.999Z");
  });

  it.each([
    "yesterday",
    "2025-02-30",
    "2025-13-01",
    "2025-01-31T24:00:00Z",
    "2025-01-31T12:60",
    "7 days",
    "-1d",
    "",
  ])("refuses %j", (value) => {
    expect(iso(value)).toBeUndefined();
  });
});
