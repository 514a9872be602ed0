import { EventBridgeClient, PutEventsCommand, type PutEventsCommandInput } from "@aws-sdk/client-eventbridge";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import type { Notification } from "../../../lib/notify/decide.ts";
import { createEventBridgeClient, sendNotifications } from "../../../lib/notify/send.ts";

const sdk = mockClient(EventBridgeClient);
const client = createEventBridgeClient({ region: "eu-west-1" });
const sleeps: number[] = [];
const options = {
  sleep: async (ms: number) => {
    sleeps.push(ms);
  },
  random: () => 0.5,
};

beforeEach(() => {
  sdk.reset();
  sleeps.length = 0;
});

function note(i: number, pad = 0): Notification {
  return {
    detailType: "Integration Drift Detected",
    detail: {
      apiId: "api1",
      integrationId: `int${i}`,
      status: "DRIFTED",
      diffs: [{ path: "/description", kind: "added", actual: "x".repeat(pad) }],
      runId: "run-1",
      desiredRevision: "abc",
    },
  };
}

/** Ids of the integrations each PutEvents call carried. */
function sentBatches(): string[][] {
  return sdk
    .commandCalls(PutEventsCommand)
    .map((c) =>
      (c.args[0].input as PutEventsCommandInput).Entries!.map((e) => JSON.parse(e.Detail!).integrationId),
    );
}

const accept = (input: PutEventsCommandInput) => ({
  FailedEntryCount: 0,
  Entries: input.Entries!.map((_, i) => ({ EventId: `id${i}` })),
});

describe(sendNotifications.name, () => {
  it("sends batches of at most 10 entries with source apigw-drift on the default bus", async () => {
    sdk.on(PutEventsCommand).callsFake(accept);
    const report = await sendNotifications(
      client,
      Array.from({ length: 23 }, (_, i) => note(i)),
      options,
    );
    expect(sentBatches().map((b) => b.length)).toEqual([10, 10, 3]);
    expect(report).toEqual({ sent: 23, failed: [], calls: 3 });
    const first = (sdk.commandCalls(PutEventsCommand)[0]!.args[0].input as PutEventsCommandInput)
      .Entries![0]!;
    expect(first).toEqual({
      Source: "apigw-drift",
      DetailType: "Integration Drift Detected",
      Detail: JSON.stringify(note(0).detail),
    });
  });

  it("names the bus when told to", async () => {
    sdk.on(PutEventsCommand).callsFake(accept);
    await sendNotifications(client, [note(1)], { ...options, eventBusName: "ops" });
    expect(
      (sdk.commandCalls(PutEventsCommand)[0]!.args[0].input as PutEventsCommandInput).Entries![0]!
        .EventBusName,
    ).toBe("ops");
  });

  it("starts a new batch before the entries would reach 256 KB", async () => {
    sdk.on(PutEventsCommand).callsFake(accept);
    const report = await sendNotifications(
      client,
      [note(0, 100_000), note(1, 100_000), note(2, 100_000)],
      options,
    );
    expect(sentBatches()).toEqual([["int0", "int1"], ["int2"]]);
    expect(report.sent).toBe(3);
  });

  it("reports an entry too large for any request without sending it", async () => {
    sdk.on(PutEventsCommand).callsFake(accept);
    const report = await sendNotifications(client, [note(0, 300_000), note(1)], options);
    expect(sentBatches()).toEqual([["int1"]]);
    expect(report.failed).toHaveLength(1);
    expect(report.failed[0]!.errorCode).toBe("EntryTooLarge");
    expect(report.failed[0]!.errorMessage).toMatch(
      /^The event for api1\/int0 is \d+ bytes; PutEvents takes less than 262144 per request, so it was not sent \(its diffs are too large\)$/,
    );
  });

  it("resends only the entries that failed with a retryable code, after a backoff", async () => {
    sdk
      .on(PutEventsCommand)
      .resolvesOnce({
        FailedEntryCount: 2,
        Entries: [
          { ErrorCode: "ThrottlingException", ErrorMessage: "Rate exceeded" },
          { EventId: "a" },
          { ErrorCode: "InternalFailure", ErrorMessage: "x" },
        ],
      })
      .callsFake(accept);
    const report = await sendNotifications(client, [note(0), note(1), note(2)], options);
    expect(sentBatches()).toEqual([
      ["int0", "int1", "int2"],
      ["int0", "int2"],
    ]);
    expect(report).toEqual({ sent: 3, failed: [], calls: 2 });
    expect(sleeps).toEqual([200]);
  });

  it("does not resend an entry refused for good, and reports it with the service's words", async () => {
    sdk.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [
        { EventId: "a" },
        { ErrorCode: "NotAuthorizedForSourceException", ErrorMessage: "Not authorized for the source." },
      ],
    });
    const report = await sendNotifications(client, [note(0), note(1)], options);
    expect(sdk.commandCalls(PutEventsCommand)).toHaveLength(1);
    expect(report.sent).toBe(1);
    expect(report.failed).toEqual([
      {
        notification: note(1),
        errorCode: "NotAuthorizedForSourceException",
        errorMessage: "Not authorized for the source.",
      },
    ]);
  });

  it("gives up after the last attempt with the last error, backing off longer each round", async () => {
    sdk.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [{ ErrorCode: "InternalFailure", ErrorMessage: "try later" }],
    });
    const report = await sendNotifications(client, [note(0)], { ...options, maxAttempts: 3 });
    expect(sdk.commandCalls(PutEventsCommand)).toHaveLength(3);
    expect(sleeps).toEqual([200, 400]);
    expect(report.failed).toEqual([
      { notification: note(0), errorCode: "InternalFailure", errorMessage: "try later" },
    ]);
  });

  it("retries a whole batch after a throttled or failed call, and reports a denied call without retrying", async () => {
    sdk
      .on(PutEventsCommand)
      .rejectsOnce(
        Object.assign(new Error("Rate exceeded"), {
          name: "ThrottlingException",
          $metadata: { httpStatusCode: 400 },
        }),
      )
      .callsFake(accept);
    expect(await sendNotifications(client, [note(0), note(1)], options)).toEqual({
      sent: 2,
      failed: [],
      calls: 2,
    });
    sdk.reset();
    sdk.on(PutEventsCommand).rejects(
      Object.assign(new Error("User: x is not authorized to perform: events:PutEvents"), {
        name: "AccessDeniedException",
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const denied = await sendNotifications(client, [note(0)], options);
    expect(sdk.commandCalls(PutEventsCommand)).toHaveLength(1);
    expect(denied.failed).toEqual([
      {
        notification: note(0),
        errorCode: "AccessDeniedException",
        errorMessage: "User: x is not authorized to perform: events:PutEvents",
      },
    ]);
  });

  it("treats an answer with no result for an entry as retryable", async () => {
    sdk.on(PutEventsCommand).resolvesOnce({ FailedEntryCount: 0, Entries: [] }).callsFake(accept);
    const report = await sendNotifications(client, [note(0)], options);
    expect(report).toEqual({ sent: 1, failed: [], calls: 2 });
  });

  it("sends nothing for no notifications", async () => {
    expect(await sendNotifications(client, [], options)).toEqual({ sent: 0, failed: [], calls: 0 });
    expect(sdk.commandCalls(PutEventsCommand)).toHaveLength(0);
  });
});
