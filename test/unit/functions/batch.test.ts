import { describe, expect, it } from "vitest";
import { batchFailures, planBatch } from "../../../functions/reconcile/batch.ts";
import { isSqsBatch, parseBatch } from "../../../functions/reconcile/sqs.ts";
import { selfIdentity } from "../../../lib/attribution/identity.ts";
import { stateFromDocuments } from "../../../lib/desired-state/state.ts";
import { type IntegrationResult, summarise } from "../../../lib/plan/report.ts";
import { eventBridgeEvent, sqsBatch } from "../../helpers/trail.ts";

const ROLE = "arn:aws:iam::123456789012:role/apigw-drift-fn";
const self = selfIdentity(ROLE, { userAgentMarker: "apigw-drift" });
const ALICE = "arn:aws:sts::123456789012:assumed-role/Admin/alice";

const state = stateFromDocuments([
  {
    file: "orders.yaml",
    doc: { apiId: "orders1", protocol: "HTTP", prune: true, integrations: { int1: {}, int2: {} } },
  },
  { file: "chat.yaml", doc: { apiId: "chat1", protocol: "WEBSOCKET", integrations: { ws1: {} } } },
]);

let seq = 0;
/** A CloudTrail record of an integration write; `extra` overrides any member. */
function record(
  eventName: string,
  apiId: string,
  integrationId: string | undefined,
  extra: Record<string, unknown> = {},
) {
  seq += 1;
  return {
    eventVersion: "1.09",
    eventID: `00000000-0000-4000-8000-${String(seq).padStart(12, "0")}`,
    eventName,
    eventSource: "apigateway.amazonaws.com",
    eventTime: `2026-03-01T11:00:${String(seq % 60).padStart(2, "0")}Z`,
    userIdentity: {
      type: "AssumedRole",
      arn: ALICE,
      sessionContext: { sessionIssuer: { type: "Role", arn: "arn:aws:iam::123456789012:role/Admin" } },
    },
    sourceIPAddress: "198.51.100.7",
    userAgent: "console.amazonaws.com",
    requestParameters:
      eventName === "CreateIntegration" ? { apiId } : { apiId, ...(integrationId ? { integrationId } : {}) },
    responseElements: eventName === "CreateIntegration" && integrationId ? { integrationId } : null,
    ...extra,
  };
}

const plan = (bodies: unknown[]) => planBatch(parseBatch(sqsBatch(bodies)), state, self);

describe(isSqsBatch.name, () => {
  it("takes Lambda's SQS batch and nothing else", () => {
    expect(isSqsBatch(sqsBatch(["{}"]))).toBe(true);
    expect(isSqsBatch({ Records: [] })).toBe(false);
    expect(isSqsBatch({ Records: [{ eventSource: "aws:kinesis", messageId: "m1", body: "{}" }] })).toBe(
      false,
    );
    expect(isSqsBatch({ Records: [{ eventSource: "aws:sqs", messageId: "m1" }] })).toBe(false);
    expect(isSqsBatch({ mode: "apply" })).toBe(false);
    expect(isSqsBatch([1])).toBe(false);
  });
});

describe(planBatch.name, () => {
  it("selects the declared integrations named, coalescing duplicates to the newest write's author", () => {
    const first = record("UpdateIntegration", "orders1", "int1");
    const later = record("UpdateIntegration", "orders1", "int1", {
      userIdentity: { type: "IAMUser", arn: "arn:aws:iam::123456789012:user/bob" },
    });
    const p = plan([
      eventBridgeEvent(later),
      eventBridgeEvent(first),
      eventBridgeEvent(record("DeleteIntegration", "chat1", "ws1")),
    ]);
    expect([p.apiIds, p.integrationIds, p.strays]).toEqual([["orders1", "chat1"], ["int1", "ws1"], []]);
    expect([...p.messages]).toEqual([
      ["orders1/int1", ["m1", "m2"]],
      ["chat1/ws1", ["m3"]],
    ]);
    expect(p.changedBy.get("orders1/int1")).toEqual({
      principal: "arn:aws:iam::123456789012:user/bob",
      at: new Date(later.eventTime).toISOString(),
      eventName: "UpdateIntegration",
      eventId: later.eventID,
      sourceIpAddress: "198.51.100.7",
      userAgent: "console.amazonaws.com",
    });
    expect(p.changedBy.get("chat1/ws1")?.eventName).toBe("DeleteIntegration");
    expect([p.ignored, p.malformed]).toEqual([[], []]);
  });

  it("makes a created undeclared integration a stray only where the file prunes", () => {
    const p = plan([
      eventBridgeEvent(record("CreateIntegration", "orders1", "new1")),
      eventBridgeEvent(record("CreateIntegration", "chat1", "new2")),
      eventBridgeEvent(record("DeleteIntegration", "orders1", "gone1")),
    ]);
    expect([p.apiIds, p.integrationIds, p.strays]).toEqual([
      ["orders1"],
      [],
      [{ apiId: "orders1", integrationId: "new1" }],
    ]);
    expect(p.ignored.map((i) => [i.messageId, i.reason])).toEqual([
      ["m2", "the integration is not declared and the file does not prune"],
      ["m3", "an undeclared integration was deleted"],
    ]);
    // A run told not to prune (an event's "prune": false) makes no strays.
    const off = planBatch(
      parseBatch(sqsBatch([eventBridgeEvent(record("CreateIntegration", "orders1", "new1"))])),
      state,
      self,
      { prune: false },
    );
    expect(off.strays).toEqual([]);
  });

  it("ignores the tool's own writes, by its role or its user agent, and APIs git does not declare", () => {
    const p = plan([
      eventBridgeEvent(
        record("UpdateIntegration", "orders1", "int1", {
          userIdentity: {
            type: "AssumedRole",
            arn: "arn:aws:sts::123456789012:assumed-role/apigw-drift-fn/session",
            sessionContext: { sessionIssuer: { type: "Role", arn: ROLE } },
          },
        }),
      ),
      eventBridgeEvent(
        record("UpdateIntegration", "orders1", "int2", { userAgent: "aws-sdk-js/3 apigw-drift" }),
      ),
      eventBridgeEvent(record("UpdateIntegration", "other9", "x1")),
    ]);
    expect(p.messages.size).toBe(0);
    expect(p.ignored.map((i) => [i.messageId, i.reason, i.apiId])).toEqual([
      ["m1", "the tool's own write", "orders1"],
      ["m2", "the tool's own write", "orders1"],
      ["m3", "the API has no desired-state file", "other9"],
    ]);
  });

  it("ignores failed calls, v1 REST calls, other operations and writes that name no integration", () => {
    const p = plan([
      eventBridgeEvent(record("UpdateIntegration", "orders1", "int1", { errorCode: "BadRequestException" })),
      eventBridgeEvent(
        record("UpdateIntegration", "orders1", "int1", {
          requestParameters: { restApiId: "r1", integrationId: "int1" },
        }),
      ),
      eventBridgeEvent(record("UpdateRoute", "orders1", "int1")),
      eventBridgeEvent(record("CreateIntegration", "orders1", undefined)),
    ]);
    expect(p.ignored.map((i) => i.reason)).toEqual([
      "the call failed (BadRequestException): it changed nothing",
      "not an API Gateway v2 call (no requestParameters.apiId)",
      "UpdateRoute is not an integration write",
      "CreateIntegration names no integration id (CloudTrail logged no answer); the scheduled run will see it",
    ]);
    expect(p.ignored[0]).toMatchObject({ eventName: "UpdateIntegration", principal: ALICE });
  });

  it("refuses what is not a CloudTrail API Gateway event, so it ends in the dead-letter queue", () => {
    const p = plan([
      "not json",
      "[1]",
      { "detail-type": "Scheduled Event", source: "aws.events" },
      { "detail-type": "AWS API Call via CloudTrail", source: "aws.apigateway", detail: { eventName: "X" } },
      { source: "aws.apigateway" },
    ]);
    expect(p.malformed).toEqual([
      { messageId: "m1", reason: "the body is not JSON" },
      { messageId: "m2", reason: "the body is not an EventBridge event (not an object)" },
      {
        messageId: "m3",
        reason: 'the body is not a CloudTrail API Gateway event ("Scheduled Event" from aws.events)',
      },
      { messageId: "m4", reason: "its detail is not a CloudTrail record" },
      {
        messageId: "m5",
        reason: "the body is not a CloudTrail API Gateway event (no detail-type from aws.apigateway)",
      },
    ]);
  });
});

describe(batchFailures.name, () => {
  const p = plan([
    eventBridgeEvent(record("UpdateIntegration", "orders1", "int1")),
    eventBridgeEvent(record("UpdateIntegration", "orders1", "int2")),
    eventBridgeEvent(record("UpdateIntegration", "chat1", "ws1")),
    "not json",
  ]);
  const all = ["m1", "m2", "m3", "m4"];
  const report = (integrations: IntegrationResult[], status: "PARTIAL" | "FAILED" = "PARTIAL") => ({
    status,
    integrations,
    summary: summarise(integrations),
  });
  const r = (
    apiId: string,
    integrationId: string,
    status: IntegrationResult["status"],
    extra: Partial<IntegrationResult> = {},
  ): IntegrationResult => ({
    apiId,
    integrationId,
    status,
    diffs: [],
    ...extra,
  });

  it("fails back every record when the run could not start", () => {
    expect(batchFailures(p, report([], "FAILED"), all)).toEqual(all);
  });

  it("fails back the deferred, the unread and the retryable failures, and the malformed", () => {
    const results = [
      r("orders1", "int1", "DEFERRED"),
      r("orders1", "int2", "FAILED", { error: { name: "TimeoutError", message: "read timed out" } }),
      r("chat1", "ws1", "FAILED", {
        action: "update",
        error: { name: "TooManyRequestsException", message: "slow down" },
      }),
    ];
    expect(batchFailures(p, report(results), all)).toEqual(["m1", "m2", "m3", "m4"]);
  });

  it("keeps what is done, and a write the service refused for good", () => {
    const results = [
      r("orders1", "int1", "UPDATED", { action: "update" }),
      r("orders1", "int2", "FAILED", {
        action: "update",
        error: { name: "BadRequestException", message: "no" },
      }),
      r("chat1", "ws1", "MISSING"),
    ];
    expect(batchFailures(p, report(results), all)).toEqual(["m4"]);
  });
});
