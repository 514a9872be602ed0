import { describe, expect, it } from "vitest";
import {
  decodeCursor,
  encodeCursor,
  pageLimit,
  planEvents,
  planRuns,
  queryFingerprint,
} from "../../../lib/history/query.ts";

const NOW = Date.parse("2025-03-10T12:00:00.000Z");

describe(planEvents.name, () => {
  it("reads one integration from the table, filtering by API when named", () => {
    expect(planEvents({ integrationId: "int1", apiId: "api1", since: "2025-03-01" }, NOW, 90)).toEqual([
      {
        pkName: "pk",
        pk: "INTEGRATION#int1",
        skName: "sk",
        from: "EVENT#2025-03-01T00:00:00.000Z",
        to: "EVENT#~",
        apiId: "api1",
      },
    ]);
  });

  it("reads one API from the byApi index", () => {
    expect(planEvents({ apiId: "api1", until: "2025-03-02T00:00:00Z" }, NOW, 90)).toEqual([
      {
        index: "byApi",
        pkName: "byApiPk",
        pk: "API#api1",
        skName: "byApiSk",
        from: "0",
        to: "2025-03-02T00:00:00.000Z~",
      },
    ]);
  });

  it("walks the byTime months from a day ahead of the clock back past the retention", () => {
    const plan = planEvents({}, NOW, 90);
    expect(plan.map((p) => p.pk)).toEqual([
      "EVENT#2025-03",
      "EVENT#2025-02",
      "EVENT#2025-01",
      "EVENT#2024-12",
    ]);
    expect(plan[0]).toMatchObject({
      index: "byTime",
      pkName: "byTimePk",
      skName: "byTimeSk",
      from: "0",
      to: "~",
    });
    expect(planEvents({}, Date.parse("2025-03-31T23:30:00Z"), 1).map((p) => p.pk)).toEqual([
      "EVENT#2025-04",
      "EVENT#2025-03",
    ]);
  });

  it("walks only the months of a window", () => {
    const plan = planRuns({ since: "2024-11-15", until: "2025-01-02" }, NOW, 90);
    expect(plan.map((p) => p.pk)).toEqual(["RUN#2025-01", "RUN#2024-12", "RUN#2024-11"]);
    expect(plan[0]).toMatchObject({ from: "2024-11-15T00:00:00.000Z", to: "2025-01-02T00:00:00.000Z~" });
  });

  it("refuses a window that ends before it starts, or a bound that is not a time", () => {
    expect(() => planEvents({ since: "2025-03-02", until: "2025-03-01" }, NOW, 90)).toThrow(
      "since (2025-03-02T00:00:00.000Z) is after until (2025-03-01T00:00:00.000Z): nothing can match",
    );
    expect(() => planRuns({ until: "later" }, NOW, 90)).toThrow(
      'until "later" is not an ISO-8601 date or time',
    );
  });
});

describe("cursors", () => {
  it("round-trip the state of a page", () => {
    const query = queryFingerprint("events", { apiId: "a" });
    const state = { query, now: NOW, partition: 2, key: { pk: { S: "x" } } };
    expect(decodeCursor(encodeCursor(state), query)).toEqual(state);
  });

  it("refuse another query's cursor, and anything else", () => {
    const cursor = encodeCursor({ query: queryFingerprint("events", {}), now: NOW, partition: 0 });
    expect(() => decodeCursor(cursor, queryFingerprint("runs", {}))).toThrow("belongs to another query");
    expect(() => decodeCursor("%%%", "q")).toThrow("is not one apigw-drift history gave out");
    expect(() => decodeCursor(Buffer.from("{}").toString("base64url"), "q")).toThrow("is not one");
  });
});

describe(pageLimit.name, () => {
  it("defaults to 50 and takes whole numbers ≥ 1", () => {
    expect(pageLimit(undefined)).toBe(50);
    expect(pageLimit(7)).toBe(7);
    expect(() => pageLimit(0)).toThrow("limit must be a whole number ≥ 1, not 0");
    expect(() => pageLimit(1.5)).toThrow("not 1.5");
  });
});
