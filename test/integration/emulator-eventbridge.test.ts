/**
 * The EventBridge emulator answers PutEvents to the real SDK client: it records accepted entries, validates
 * as the API reference describes, and reports injected per-entry failures in the entries' own slots.
 */
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from "@aws-sdk/client-eventbridge";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type EventBridgeEmulator, entrySize, startEventBridgeEmulator } from "../../emulator/eventbridge.ts";

let bus: EventBridgeEmulator;
let client: EventBridgeClient;

beforeEach(async () => {
  bus = await startEventBridgeEmulator({ now: () => Date.parse("2026-03-01T12:00:00Z") });
  client = new EventBridgeClient({
    endpoint: bus.url,
    region: "eu-west-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts: 1,
  });
});

afterEach(async () => {
  client.destroy();
  await bus.close();
});

const entry = (n: number, extra: Partial<PutEventsRequestEntry> = {}): PutEventsRequestEntry => ({
  Source: "apigw-drift",
  DetailType: "Integration Drift Detected",
  Detail: JSON.stringify({ n }),
  ...extra,
});

describe("PutEvents", () => {
  it("records accepted entries on the default bus and answers an EventId per entry", async () => {
    const out = await client.send(
      new PutEventsCommand({ Entries: [entry(1), entry(2, { EventBusName: "ops", Resources: ["arn:x"] })] }),
    );
    expect(out.FailedEntryCount).toBe(0);
    expect(out.Entries!.map((e) => Object.keys(e))).toEqual([["EventId"], ["EventId"]]);
    expect(bus.events()).toEqual([
      expect.objectContaining({
        eventId: out.Entries![0]!.EventId,
        bus: "default",
        source: "apigw-drift",
        detailType: "Integration Drift Detected",
        detail: { n: 1 },
        resources: [],
        time: "2026-03-01T12:00:00.000Z",
      }),
      expect.objectContaining({ bus: "ops", detail: { n: 2 }, resources: ["arn:x"] }),
    ]);
  });

  it.each([
    [0, "greater than or equal to 1"],
    [11, "less than or equal to 10"],
  ])("refuses %i entries with a ValidationException", async (count, bound) => {
    const entries = Array.from({ length: count }, (_, i) => entry(i));
    await expect(client.send(new PutEventsCommand({ Entries: entries }))).rejects.toMatchObject({
      name: "ValidationException",
      message: `1 validation error detected: Value '[PutEventsRequestEntry]' at 'entries' failed to satisfy constraint: Member must have length ${bound}`,
      $metadata: { httpStatusCode: 400 },
    });
    expect(bus.events()).toEqual([]);
  });

  it("fails only the entry that lacks a required member, in its own slot", async () => {
    const out = await client.send(
      new PutEventsCommand({ Entries: [entry(1), { Source: "apigw-drift", Detail: "{}" }, entry(3)] }),
    );
    expect(out.FailedEntryCount).toBe(1);
    expect(out.Entries![1]).toEqual({
      ErrorCode: "InvalidArgument",
      ErrorMessage: "Parameter DetailType is not valid. Reason: DetailType is a required argument.",
    });
    expect(bus.events().map((e) => e.detail)).toEqual([{ n: 1 }, { n: 3 }]);
  });

  it("fails the whole request when no entry has Source, DetailType and Detail, or each entry when told to", async () => {
    await expect(client.send(new PutEventsCommand({ Entries: [{ Source: "s" }] }))).rejects.toMatchObject({
      name: "ValidationException",
    });
    await bus.close();
    bus = await startEventBridgeEmulator({ allInvalid: "per-entry" });
    client = new EventBridgeClient({
      endpoint: bus.url,
      region: "eu-west-1",
      maxAttempts: 1,
      credentials: { accessKeyId: "a", secretAccessKey: "b" },
    });
    const out = await client.send(new PutEventsCommand({ Entries: [{ Source: "s" }] }));
    expect(out).toMatchObject({ FailedEntryCount: 1, Entries: [{ ErrorCode: "InvalidArgument" }] });
  });

  it.each(["not json", "[1,2]", '"text"'])(
    "fails a Detail that is not a JSON object (%s) as MalformedDetail",
    async (detail) => {
      const out = await client.send(
        new PutEventsCommand({ Entries: [entry(1, { Detail: detail }), entry(2)] }),
      );
      expect(out.FailedEntryCount).toBe(1);
      expect(out.Entries![0]).toEqual({ ErrorCode: "MalformedDetail", ErrorMessage: "Detail is malformed." });
    },
  );

  it("refuses a request whose entries total 256 KB or more, counted as the user guide counts them", async () => {
    const source = "apigw-drift";
    const detailType = "Integration Drift Detected";
    const pad = 262_144 - 14 - source.length - detailType.length - '{"p":""}'.length;
    const big = {
      Source: source,
      DetailType: detailType,
      Time: new Date(),
      Detail: JSON.stringify({ p: "x".repeat(pad) }),
    };
    expect(entrySize(big)).toBe(262_144);
    await expect(client.send(new PutEventsCommand({ Entries: [big] }))).rejects.toMatchObject({
      name: "ValidationException",
      message: "Total size of the entries in the request is over the limit.",
    });
    const fits = { ...big, Detail: JSON.stringify({ p: "x".repeat(pad - 1) }) };
    await expect(client.send(new PutEventsCommand({ Entries: [fits] }))).resolves.toMatchObject({
      FailedEntryCount: 0,
    });
  });

  it("fails the entries it was told to fail, with their ErrorCode, and accepts them on a later call", async () => {
    bus.failEntries({
      errorCode: "ThrottlingException",
      errorMessage: "Rate exceeded",
      times: 2,
      match: (e) => e.Detail !== '{"n":2}',
    });
    const first = await client.send(
      new PutEventsCommand({ Entries: [entry(1), entry(2), entry(3), entry(4)] }),
    );
    expect(first.FailedEntryCount).toBe(2);
    expect(first.Entries!.map((e) => e.ErrorCode ?? "ok")).toEqual([
      "ThrottlingException",
      "ok",
      "ThrottlingException",
      "ok",
    ]);
    expect(first.Entries![0]!.ErrorMessage).toBe("Rate exceeded");
    const retry = await client.send(new PutEventsCommand({ Entries: [entry(1), entry(3)] }));
    expect(retry.FailedEntryCount).toBe(0);
    expect(bus.events().map((e) => e.detail.n)).toEqual([2, 4, 1, 3]);
  });

  it("fails whole calls it was told to fail", async () => {
    bus.failNext({ status: 500, errorType: "InternalException", message: "boom" });
    await expect(client.send(new PutEventsCommand({ Entries: [entry(1)] }))).rejects.toMatchObject({
      name: "InternalException",
      message: "boom",
      $metadata: { httpStatusCode: 500 },
    });
    expect(bus.calls.all().map((c) => [c.operation, c.status])).toEqual([["PutEvents", 500]]);
  });
});
