import { describe, expect, it } from "vitest";
import { eventFromItem, reportItems, runFromItem } from "../../../lib/history/items.ts";
import { itemBytes, MAX_ITEM_BYTES } from "../../../lib/history/size.ts";
import { drifted, sampleReport } from "../../helpers/dynalite.ts";

const at = "2025-03-01T08:00:00.000Z";

describe(reportItems.name, () => {
  it("makes one event per drift result, and one run record", () => {
    const report = sampleReport(at, [
      drifted("api1", "int1"),
      { apiId: "api1", integrationId: "int2", status: "IN_SYNC", diffs: [] },
      { apiId: "api1", integrationId: "int3", status: "UNMANAGED", diffs: [], action: "delete" },
      { apiId: "api1", integrationId: "int4", status: "MISSING", diffs: [] },
    ]);
    const { events, run } = reportItems(report, { retentionDays: 90 });
    expect(events.map((e) => e.integrationId?.S)).toEqual(["int1", "int3", "int4"]);
    expect(run.events).toEqual({ N: "3" });
  });

  it("leaves out what an unchanged world repeats every run, so a clean run adds no events", () => {
    const report = sampleReport(at, [
      { apiId: "api1", integrationId: "int1", status: "UNMANAGED", diffs: [] },
      { apiId: "api1", integrationId: "int2", status: "SKIPPED_MANAGED", diffs: [] },
      { apiId: "api1", integrationId: "int3", status: "SKIPPED_IN_USE", diffs: [] },
      { apiId: "api1", integrationId: "int4", status: "IN_SYNC", diffs: [] },
    ]);
    expect(reportItems(report, { retentionDays: 90 }).events).toEqual([]);
  });

  it("derives every key from the report, so the same report gives the same items", () => {
    const report = sampleReport(at, [drifted("api1", "int1")], { runId: "r1" });
    const first = reportItems(report, { retentionDays: 90 });
    expect(reportItems(structuredClone(report), { retentionDays: 90 })).toEqual(first);
    expect(first.events[0]).toMatchObject({
      pk: { S: "INTEGRATION#int1" },
      sk: { S: `EVENT#${at}#api1#r1` },
      byApiPk: { S: "API#api1" },
      byApiSk: { S: `${at}#int1#r1` },
      byTimePk: { S: "EVENT#2025-03" },
      byTimeSk: { S: `${at}#api1#int1#r1` },
    });
    expect(first.run).toMatchObject({
      pk: { S: "RUN#r1" },
      sk: { S: "RUN" },
      byTimePk: { S: "RUN#2025-03" },
      byTimeSk: { S: `${at}#r1` },
    });
  });

  it("writes a result listed twice once, as its last entry says", () => {
    const twice = [drifted("api1", "int1"), { ...drifted("api1", "int1"), status: "FAILED" as const }];
    const { events } = reportItems(sampleReport(at, twice), { retentionDays: 90 });
    expect(events.map((e) => e.status?.S)).toEqual(["FAILED"]);
  });

  it("writes startedAt in the one form keys sort by", () => {
    const { events } = reportItems(sampleReport("2025-03-01T09:00:00+01:00", [drifted("a", "b")]), {
      retentionDays: 1,
    });
    expect(events[0]?.at).toEqual({ S: at });
    expect(events[0]?.expiresAt).toEqual({ N: String(Date.parse(at) / 1000 + 86_400) });
  });

  it("refuses a report whose startedAt is not a time", () => {
    expect(() => reportItems({ ...sampleReport(at, []), startedAt: "soon" }, { retentionDays: 1 })).toThrow(
      'the report\'s startedAt "soon" is not an ISO-8601 time',
    );
  });

  it("clips a huge error message and keeps the item under the limit", () => {
    const result = {
      ...drifted("api1", "int1"),
      status: "FAILED" as const,
      error: { name: "BadRequestException", message: "é".repeat(300_000) },
    };
    const [event] = reportItems(sampleReport(at, [result]), { retentionDays: 90 }).events;
    expect(itemBytes(event!)).toBeLessThan(MAX_ITEM_BYTES);
    expect(eventFromItem(event!).error?.message).toMatch(/ … \[cut by apigw-drift: 600000 bytes\]$/);
  });

  it("keeps the first errors of a run that has too many, and says so", () => {
    const errors = Array.from({ length: 2000 }, (_, i) => ({ message: `error ${i}: ${"x".repeat(100)}` }));
    const { run } = reportItems(sampleReport(at, [], { errors }), { retentionDays: 90 });
    const record = runFromItem(run);
    expect(record.errors.length).toBeGreaterThan(100);
    expect(record.errors.length).toBeLessThan(2000);
    expect(record.errors[0]).toEqual(errors[0]);
    expect(record.truncated).toBe(
      "errors cut to fit the item: 2000 in the report; its output and logs have them all",
    );
  });
});

describe(eventFromItem.name, () => {
  it("names the item it cannot read", () => {
    expect(() => eventFromItem({ pk: { S: "INTEGRATION#x" }, sk: { S: "EVENT#y" } })).toThrow(
      'history item INTEGRATION#x / EVENT#y has no "runId": it was not written by apigw-drift',
    );
    expect(() => eventFromItem({})).toThrow('history item ? / ? has no "runId"');
  });

  it("reads an error without a name or message", () => {
    const [event] = reportItems(sampleReport(at, [drifted("a", "b")]), { retentionDays: 1 }).events;
    expect(eventFromItem({ ...event!, error: { M: {} } }).error).toEqual({ name: "Error", message: "" });
  });
});

describe(runFromItem.name, () => {
  it("fills statuses a record lacks with zero", () => {
    const { run } = reportItems(sampleReport(at, []), { retentionDays: 1 });
    const record = runFromItem({ ...run, summary: { M: { DRIFTED: { N: "2" } } } });
    expect(record.summary).toMatchObject({ DRIFTED: 2, IN_SYNC: 0, DEFERRED: 0 });
    const bare = runFromItem({
      ...run,
      summary: { NULL: true },
      apiCalls: { NULL: true },
      events: { NULL: true },
    });
    expect([bare.apiCalls, bare.events]).toEqual([{}, 0]);
  });
});

describe("who changed it, and a targeted run's scope, in history", () => {
  const by = {
    principal: "arn:aws:sts::123456789012:assumed-role/Admin/alice",
    at: "2025-03-01T07:59:03.000Z",
    eventName: "UpdateIntegration",
    eventId: "e1",
    sourceIpAddress: "198.51.100.7",
    userAgent: "console.amazonaws.com",
  };

  it("keeps changedBy with the drift event, and null where attribution named no one", () => {
    const report = sampleReport(at, [{ ...drifted("api1", "int1"), changedBy: by }, drifted("api1", "int2")]);
    const { events } = reportItems(report, { retentionDays: 90 });
    expect(events.map((e) => eventFromItem(e).changedBy)).toEqual([by, null]);
  });

  it("bounds a user agent, which the caller chooses, and keeps the record readable", () => {
    const long = { ...by, userAgent: "x".repeat(5_000) };
    const [item] = reportItems(sampleReport(at, [{ ...drifted("api1", "int1"), changedBy: long }]), {
      retentionDays: 90,
    }).events;
    const read = eventFromItem(item!).changedBy!;
    expect(Buffer.byteLength(read.userAgent!)).toBeLessThanOrEqual(1024);
    expect(read.userAgent).toMatch(/ … \[cut by apigw-drift: 5000 bytes\]$/);
    expect(read.principal).toBe(by.principal);
  });

  it("reads a changedBy another writer left malformed as none, rather than trusting it", () => {
    const [item] = reportItems(sampleReport(at, [drifted("api1", "int1")]), { retentionDays: 90 }).events;
    for (const S of ["{", "[]", JSON.stringify({ principal: "p", at: "t", eventName: "e" }), '"text"']) {
      expect(eventFromItem({ ...item!, changedBy: { S } }).changedBy).toBeNull();
    }
  });

  it("keeps a targeted run's scope on its run record", () => {
    const scope = { apiIds: ["api1"], integrationIds: ["int1"] };
    const { run } = reportItems(sampleReport(at, [drifted("api1", "int1")], { scope }), {
      retentionDays: 90,
    });
    expect(runFromItem(run).scope).toEqual(scope);
    const whole = reportItems(sampleReport(at, [drifted("api1", "int1")]), { retentionDays: 90 }).run;
    expect(runFromItem(whole).scope).toBeUndefined();
    expect(runFromItem({ ...whole, scope: { S: "{" } }).scope).toBeUndefined();
  });
});
