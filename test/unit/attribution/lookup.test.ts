import {
  CloudTrailClient,
  LookupEventsCommand,
  type LookupEventsCommandInput,
} from "@aws-sdk/client-cloudtrail";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { createCloudTrailClient } from "../../../lib/attribution/client.ts";
import { selfIdentity } from "../../../lib/attribution/identity.ts";
import { lookupChanges } from "../../../lib/attribution/lookup.ts";
import type { AttributionTarget } from "../../../lib/attribution/types.ts";

const sdk = mockClient(CloudTrailClient);
const { client } = createCloudTrailClient({ region: "eu-west-1" });
const NOW = Date.parse("2026-03-01T12:00:00Z");
const DAY = 86_400_000;
const self = selfIdentity("arn:aws:sts::123456789012:assumed-role/apigw-drift/run");
const options = { self, now: () => NOW };

beforeEach(() => sdk.reset());

/** A LookupEvents Event for an integration write, as the service returns it. */
function event(
  id: string,
  at: number,
  name: string,
  integrationId: string,
  arn = "arn:aws:iam::123456789012:user/alice",
) {
  const params = name === "CreateIntegration" ? { apiId: "api1" } : { apiId: "api1", integrationId };
  return {
    EventId: id,
    EventName: name,
    CloudTrailEvent: JSON.stringify({
      eventID: id,
      eventName: name,
      eventSource: "apigateway.amazonaws.com",
      eventTime: new Date(at).toISOString().replace(/\.\d{3}Z$/, "Z"),
      requestParameters: params,
      responseElements: name === "CreateIntegration" ? { integrationId } : null,
      userIdentity: { type: "IAMUser", arn },
    }),
  };
}

/** The requests sent, as (event name, token) pairs: the trace of what was asked. */
function trace(): [string | undefined, string | undefined][] {
  return sdk.commandCalls(LookupEventsCommand).map((c) => {
    const input = c.args[0].input as LookupEventsCommandInput;
    return [input.LookupAttributes?.[0]?.AttributeValue, input.NextToken];
  });
}

const a: AttributionTarget = { apiId: "api1", integrationId: "a", status: "DRIFTED", since: NOW - 2 * DAY };
const b: AttributionTarget = { apiId: "api1", integrationId: "b", status: "DRIFTED", since: NOW - 5 * DAY };
const m: AttributionTarget = { apiId: "api1", integrationId: "m", status: "MISSING" };

describe(lookupChanges.name, () => {
  it("asks by EventName, one attribute per request, in pages of 50 over the widest window", async () => {
    sdk
      .on(LookupEventsCommand, {
        LookupAttributes: [{ AttributeKey: "EventName", AttributeValue: "UpdateIntegration" }],
      })
      .resolves({ Events: [event("u1", NOW - DAY, "UpdateIntegration", "a")] })
      .on(LookupEventsCommand, {
        LookupAttributes: [{ AttributeKey: "EventName", AttributeValue: "CreateIntegration" }],
      })
      .resolves({ Events: [event("c1", NOW - 3 * DAY, "CreateIntegration", "b")] })
      .on(LookupEventsCommand, {
        LookupAttributes: [{ AttributeKey: "EventName", AttributeValue: "DeleteIntegration" }],
      })
      .resolves({ Events: [event("d1", NOW - 10 * DAY, "DeleteIntegration", "m")] });
    const result = await lookupChanges(client, [a, b, m], options);
    expect([...result.changedBy].map(([k, v]) => [k, v.eventId])).toEqual([
      ["api1/a", "u1"],
      ["api1/b", "c1"],
      ["api1/m", "d1"],
    ]);
    const inputs = sdk.commandCalls(LookupEventsCommand).map((c) => c.args[0].input);
    expect(inputs).toEqual([
      {
        LookupAttributes: [{ AttributeKey: "EventName", AttributeValue: "UpdateIntegration" }],
        StartTime: new Date(NOW - 5 * DAY),
        EndTime: new Date(NOW),
        MaxResults: 50,
      },
      {
        LookupAttributes: [{ AttributeKey: "EventName", AttributeValue: "CreateIntegration" }],
        StartTime: new Date(NOW - 5 * DAY),
        EndTime: new Date(NOW),
        MaxResults: 50,
      },
      {
        LookupAttributes: [{ AttributeKey: "EventName", AttributeValue: "DeleteIntegration" }],
        StartTime: new Date(NOW - 90 * DAY),
        EndTime: new Date(NOW),
        MaxResults: 50,
      },
    ]);
    expect(result).toMatchObject({ pages: 3, warnings: [], unsearched: [], malformed: 0 });
  });

  it("stops paging an event name as soon as every integration needing it is attributed", async () => {
    sdk
      .on(LookupEventsCommand, { NextToken: undefined })
      .resolves({ Events: [event("u1", NOW - DAY, "UpdateIntegration", "a")], NextToken: "t1" })
      .on(LookupEventsCommand, { NextToken: "t1" })
      .resolves({ Events: [event("u0", NOW - DAY - 5, "UpdateIntegration", "b")], NextToken: "t2" });
    const result = await lookupChanges(client, [a, b], options);
    expect(trace()).toEqual([
      ["UpdateIntegration", undefined],
      ["UpdateIntegration", "t1"],
    ]);
    expect(result.changedBy.get("api1/b")?.eventId).toBe("u0");
  });

  it("stops paging once a page reaches past every remaining window's start, then tries creations", async () => {
    sdk
      .on(LookupEventsCommand, {
        LookupAttributes: [{ AttributeKey: "EventName", AttributeValue: "UpdateIntegration" }],
      })
      .resolves({ Events: [event("x", NOW - 3 * DAY, "UpdateIntegration", "other")], NextToken: "more" })
      .on(LookupEventsCommand, {
        LookupAttributes: [{ AttributeKey: "EventName", AttributeValue: "CreateIntegration" }],
      })
      .resolves({ Events: [] });
    const result = await lookupChanges(client, [a], options);
    expect(trace()).toEqual([
      ["UpdateIntegration", undefined],
      ["CreateIntegration", undefined],
    ]);
    expect(result).toMatchObject({ pages: 2, warnings: [], unsearched: [] });
    expect(result.changedBy.size).toBe(0);
  });

  it("skips the tool's own writes and keeps looking for the newest write by someone else", async () => {
    sdk.on(LookupEventsCommand).resolves({
      Events: [
        event(
          "own",
          NOW - 1_000,
          "UpdateIntegration",
          "a",
          "arn:aws:sts::123456789012:assumed-role/apigw-drift/run",
        ),
        event("alice", NOW - 60_000, "UpdateIntegration", "a"),
      ],
    });
    const result = await lookupChanges(client, [a], options);
    expect(result.changedBy.get("api1/a")).toMatchObject({
      eventId: "alice",
      principal: "arn:aws:iam::123456789012:user/alice",
    });
  });

  it("stops at the page budget and says which integrations stay unattributed", async () => {
    let n = 0;
    sdk.on(LookupEventsCommand).callsFake(() => {
      n += 1;
      return { Events: [event(`e${n}`, NOW - n * 1_000, "UpdateIntegration", "zzz")], NextToken: `t${n}` };
    });
    const result = await lookupChanges(client, [a, b, m], { ...options, pageBudget: 3 });
    expect(sdk.commandCalls(LookupEventsCommand)).toHaveLength(3);
    expect(result.pages).toBe(3);
    expect(result.unsearched).toEqual([a, b, m]);
    expect(result.warnings).toEqual([
      "CloudTrail attribution stopped at its page budget (3 LookupEvents pages); 3 of 3 changed integrations stay unattributed: api1/a, api1/b, api1/m.",
    ]);
  });

  it("lists at most five integrations in a warning", async () => {
    sdk.on(LookupEventsCommand).resolves({ Events: [], NextToken: "again" });
    const many = Array.from({ length: 7 }, (_, i) => ({
      apiId: "api1",
      integrationId: `i${i}`,
      status: "DRIFTED",
    }));
    const result = await lookupChanges(client, many, { ...options, pageBudget: 1 });
    expect(result.warnings[0]).toMatch(
      /7 of 7 changed integrations stay unattributed: api1\/i0, api1\/i1, api1\/i2, api1\/i3, api1\/i4 and 2 more\.$/,
    );
  });

  it("leaves the run complete with a warning naming the permission when LookupEvents is denied", async () => {
    sdk.on(LookupEventsCommand).rejects(
      Object.assign(
        new Error(
          "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: cloudtrail:LookupEvents",
        ),
        {
          name: "AccessDeniedException",
          $metadata: { httpStatusCode: 400 },
        },
      ),
    );
    const result = await lookupChanges(client, [a], options);
    expect(result.changedBy.size).toBe(0);
    expect(result.warnings).toEqual([
      'CloudTrail attribution was skipped: these credentials may not call cloudtrail:LookupEvents (AccessDeniedException: User: arn:aws:iam::123456789012:user/ci is not authorized to perform: cloudtrail:LookupEvents). Grant cloudtrail:LookupEvents on Resource "*" (it cannot be scoped to a resource), or turn attribution off with --no-attribution; 1 of 1 changed integrations stay unattributed: api1/a.',
    ]);
  });

  it("keeps what it found when CloudTrail fails later, and names the failure", async () => {
    sdk
      .on(LookupEventsCommand, {
        LookupAttributes: [{ AttributeKey: "EventName", AttributeValue: "UpdateIntegration" }],
      })
      .resolves({ Events: [event("u1", NOW - DAY, "UpdateIntegration", "a")] })
      .on(LookupEventsCommand, {
        LookupAttributes: [{ AttributeKey: "EventName", AttributeValue: "DeleteIntegration" }],
      })
      .rejects(
        Object.assign(new Error("Service Unavailable"), {
          name: "ServiceUnavailableException",
          $metadata: { httpStatusCode: 503 },
        }),
      );
    const result = await lookupChanges(client, [a, m], options);
    expect(result.changedBy.get("api1/a")?.eventId).toBe("u1");
    expect(result.unsearched).toEqual([m]);
    expect(result.warnings).toEqual([
      "CloudTrail attribution stopped: CloudTrail LookupEvents failed (ServiceUnavailableException: Service Unavailable); 1 of 2 changed integrations stay unattributed: api1/m.",
    ]);
  });

  it("says so when throttling outlasted every retry", async () => {
    sdk.on(LookupEventsCommand).rejects(
      Object.assign(new Error("Rate exceeded"), {
        name: "ThrottlingException",
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const result = await lookupChanges(client, [a], options);
    expect(result.warnings[0]).toMatch(
      /^CloudTrail attribution stopped: CloudTrail kept throttling LookupEvents after every retry \(ThrottlingException: Rate exceeded\)/,
    );
  });

  it("names a network failure by its code", async () => {
    sdk
      .on(LookupEventsCommand)
      .rejects(Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" }));
    const result = await lookupChanges(client, [a], options);
    expect(result.warnings[0]).toContain(
      "CloudTrail LookupEvents failed (ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:1)",
    );
  });

  it("stops between pages when the signal aborts", async () => {
    const controller = new AbortController();
    sdk.on(LookupEventsCommand).callsFake(() => {
      controller.abort();
      return { Events: [], NextToken: "more" };
    });
    const result = await lookupChanges(client, [a], { ...options, signal: controller.signal });
    expect(result.pages).toBe(1);
    expect(result.warnings[0]).toMatch(
      /^CloudTrail attribution stopped before it finished \(the run is ending\)/,
    );
  });

  it("counts and skips records whose CloudTrailEvent is not a usable record", async () => {
    sdk.on(LookupEventsCommand).resolves({
      Events: [
        { EventId: "bad", CloudTrailEvent: "{not json" },
        { EventId: "none" },
        event("u1", NOW - DAY, "UpdateIntegration", "a"),
      ],
    });
    const result = await lookupChanges(client, [a], options);
    expect(result.malformed).toBe(2);
    expect(result.changedBy.get("api1/a")?.eventId).toBe("u1");
  });

  it("asks nothing when there is nothing to attribute", async () => {
    const result = await lookupChanges(client, [], options);
    expect(sdk.commandCalls(LookupEventsCommand)).toHaveLength(0);
    expect(result).toEqual({ changedBy: new Map(), warnings: [], pages: 0, unsearched: [], malformed: 0 });
  });

  it("ends the windows at until when given", async () => {
    sdk.on(LookupEventsCommand).resolves({ Events: [event("late", NOW - 1_000, "UpdateIntegration", "a")] });
    const until = NOW - 60_000;
    const result = await lookupChanges(client, [a], { ...options, until });
    expect(sdk.commandCalls(LookupEventsCommand)[0]!.args[0].input.EndTime).toEqual(new Date(until));
    expect(result.changedBy.size).toBe(0);
  });
});
