import { describe, expect, it } from "vitest";
import { isSelf, parsePrincipal, selfIdentity } from "../../../lib/attribution/identity.ts";
import {
  attribute,
  eventNamesFor,
  explains,
  integrationKey,
  windowFor,
} from "../../../lib/attribution/match.ts";
import { parseRecord, type TrailRecord } from "../../../lib/attribution/record.ts";
import type { AttributionTarget } from "../../../lib/attribution/types.ts";

const NOW = Date.parse("2026-03-01T12:00:00Z");
const ALICE = "arn:aws:sts::123456789012:assumed-role/Admin/alice";
const TOOL_SESSION = "arn:aws:sts::123456789012:assumed-role/apigw-drift-ci/run-42";
const TOOL_ROLE = "arn:aws:iam::123456789012:role/automation/apigw-drift-ci";
const self = selfIdentity(TOOL_SESSION);

/** A CloudTrail record as LookupEvents returns it in CloudTrailEvent, parsed. */
function record(fields: {
  id: string;
  at: string;
  name?: string;
  params?: Record<string, unknown>;
  response?: Record<string, unknown> | null;
  arn?: string;
  issuer?: string;
  extra?: Record<string, unknown>;
}): TrailRecord {
  const text = JSON.stringify({
    eventVersion: "1.09",
    eventID: fields.id,
    eventTime: fields.at,
    eventSource: "apigateway.amazonaws.com",
    eventName: fields.name ?? "UpdateIntegration",
    requestParameters: fields.params ?? { apiId: "api1", integrationId: "int1" },
    responseElements: fields.response ?? null,
    sourceIPAddress: "203.0.113.7",
    userAgent: "console.amazonaws.com",
    userIdentity: {
      type: "AssumedRole",
      arn: fields.arn ?? ALICE,
      sessionContext: { sessionIssuer: { arn: fields.issuer ?? "arn:aws:iam::123456789012:role/Admin" } },
    },
    ...fields.extra,
  });
  const parsed = parseRecord(text);
  if (!parsed) throw new Error(`fixture ${fields.id} does not parse`);
  return parsed;
}

const drifted: AttributionTarget = { apiId: "api1", integrationId: "int1", status: "DRIFTED" };

describe(attribute.name, () => {
  it("attributes a drift to the newest matching write, whatever the input order", () => {
    const records = [
      record({ id: "old", at: "2026-02-27T09:00:00Z" }),
      record({
        id: "new",
        at: "2026-02-28T10:15:30Z",
        arn: "arn:aws:sts::123456789012:assumed-role/Admin/bob",
      }),
      record({ id: "mid", at: "2026-02-28T08:00:00Z" }),
    ];
    expect(attribute(records, [drifted], { self, now: NOW })).toEqual(
      new Map([
        [
          "api1/int1",
          {
            principal: "arn:aws:sts::123456789012:assumed-role/Admin/bob",
            at: "2026-02-28T10:15:30.000Z",
            eventName: "UpdateIntegration",
            eventId: "new",
            sourceIpAddress: "203.0.113.7",
            userAgent: "console.amazonaws.com",
          },
        ],
      ]),
    );
  });

  it("keeps the first of records of the same second (LookupEvents answers newest first)", () => {
    const records = [
      record({ id: "first", at: "2026-02-28T10:00:00Z" }),
      record({ id: "second", at: "2026-02-28T10:00:00Z" }),
    ];
    expect(attribute(records, [drifted], { self, now: NOW }).get("api1/int1")?.eventId).toBe("first");
  });

  it("skips the tool's own session, any session of its role, and its role by path, case-insensitively", () => {
    const records = [
      record({ id: "own-session", at: "2026-02-28T12:00:00Z", arn: TOOL_SESSION, issuer: TOOL_ROLE }),
      record({
        id: "other-session",
        at: "2026-02-28T11:00:00Z",
        arn: "arn:aws:sts::123456789012:assumed-role/APIGW-DRIFT-CI/run-41",
      }),
      record({
        id: "issuer-only",
        at: "2026-02-28T10:30:00Z",
        arn: "arn:aws:sts::123456789012:assumed-role/x/y",
        issuer: TOOL_ROLE,
      }),
      record({ id: "alice", at: "2026-02-28T10:00:00Z" }),
    ];
    expect(attribute(records, [drifted], { self, now: NOW }).get("api1/int1")?.eventId).toBe("alice");
  });

  it("skips the Lambda's role given as a role ARN with a path", () => {
    const lambda = selfIdentity("arn:aws:iam::123456789012:role/service/apigw-drift-ReconcileRole-1AB");
    const records = [
      record({
        id: "function",
        at: "2026-02-28T12:00:00Z",
        arn: "arn:aws:sts::123456789012:assumed-role/apigw-drift-ReconcileRole-1AB/apigw-drift-Reconcile",
        issuer: "arn:aws:iam::123456789012:role/service/apigw-drift-ReconcileRole-1AB",
      }),
      record({ id: "alice", at: "2026-02-28T10:00:00Z" }),
    ];
    expect(attribute(records, [drifted], { self: lambda, now: NOW }).get("api1/int1")?.eventId).toBe("alice");
  });

  it("in session scope skips only the tool's own session, not a colleague's session of the same role", () => {
    const shared = selfIdentity("arn:aws:sts::123456789012:assumed-role/Admin/ci", { scope: "session" });
    const records = [
      record({
        id: "ci",
        at: "2026-02-28T12:00:00Z",
        arn: "arn:aws:sts::123456789012:assumed-role/Admin/ci",
      }),
      record({ id: "alice", at: "2026-02-28T10:00:00Z" }),
    ];
    expect(attribute(records, [drifted], { self: shared, now: NOW }).get("api1/int1")?.eventId).toBe("alice");
  });

  it("skips records whose user agent carries the tool's marker", () => {
    const marked = selfIdentity([], { userAgentMarker: "apigw-drift/0.1.0" });
    const records = [
      record({
        id: "tool",
        at: "2026-02-28T12:00:00Z",
        extra: { userAgent: "aws-sdk-js/3 apigw-drift/0.1.0" },
      }),
      record({ id: "alice", at: "2026-02-28T10:00:00Z" }),
    ];
    expect(attribute(records, [drifted], { self: marked, now: NOW }).get("api1/int1")?.eventId).toBe("alice");
  });

  it("excludes v1 REST API calls, which share the event names but name restApiId", () => {
    const records = [
      record({
        id: "rest",
        at: "2026-02-28T12:00:00Z",
        params: { restApiId: "api1", integrationId: "int1", apiId: "api1" },
      }),
      record({
        id: "rest-only",
        at: "2026-02-28T11:00:00Z",
        params: { restApiId: "api1", resourceId: "r", httpMethod: "GET" },
      }),
      record({ id: "v2", at: "2026-02-28T10:00:00Z" }),
    ];
    expect(attribute(records, [drifted], { self, now: NOW }).get("api1/int1")?.eventId).toBe("v2");
  });

  it("excludes failed calls, other APIs, other integrations and other services", () => {
    const records = [
      record({ id: "failed", at: "2026-02-28T12:00:00Z", extra: { errorCode: "AccessDenied" } }),
      record({
        id: "other-api",
        at: "2026-02-28T11:00:00Z",
        params: { apiId: "api2", integrationId: "int1" },
      }),
      record({
        id: "other-int",
        at: "2026-02-28T10:30:00Z",
        params: { apiId: "api1", integrationId: "int2" },
      }),
      record({
        id: "other-source",
        at: "2026-02-28T10:20:00Z",
        extra: { eventSource: "lambda.amazonaws.com" },
      }),
    ];
    expect(attribute(records, [drifted], { self, now: NOW })).toEqual(new Map());
  });

  it("looks only inside the window: since it was last in sync, at most 90 days, and until", () => {
    const records = [
      record({ id: "after-until", at: "2026-03-01T11:00:00Z" }),
      record({ id: "inside", at: "2026-02-20T00:00:05Z" }),
      record({ id: "before-since", at: "2026-02-20T00:00:04Z" }),
    ];
    const target = { ...drifted, since: "2026-02-20T00:00:05.900Z" };
    const until = Date.parse("2026-03-01T10:00:00Z");
    expect(attribute(records, [target], { self, now: NOW, until }).get("api1/int1")?.eventId).toBe("inside");
    const older = [record({ id: "91-days", at: "2025-11-30T11:59:59Z" })];
    expect(attribute(older, [drifted], { self, now: NOW })).toEqual(new Map());
  });

  it("attributes a MISSING integration to its DeleteIntegration, and not to an update", () => {
    const missing: AttributionTarget = { apiId: "api1", integrationId: "int1", status: "MISSING" };
    const records = [
      record({ id: "update", at: "2026-02-28T12:00:00Z" }),
      record({ id: "delete", at: "2026-02-28T11:00:00Z", name: "DeleteIntegration" }),
    ];
    expect(attribute(records, [missing], { self, now: NOW }).get("api1/int1")?.eventId).toBe("delete");
    expect(attribute(records.slice(1), [drifted], { self, now: NOW })).toEqual(new Map());
  });

  it("matches a CreateIntegration by the id in its answer, since its path names only the API", () => {
    const created = record({
      id: "create",
      at: "2026-02-28T12:00:00Z",
      name: "CreateIntegration",
      params: { apiId: "api1", integrationType: "HTTP_PROXY" },
      response: { integrationId: "int1" },
    });
    expect(attribute([created], [drifted], { self, now: NOW }).get("api1/int1")?.eventId).toBe("create");
    const unknown = record({
      id: "create2",
      at: "2026-02-28T12:00:00Z",
      name: "CreateIntegration",
      params: { apiId: "api1" },
    });
    expect(attribute([unknown], [drifted], { self, now: NOW })).toEqual(new Map());
  });

  it("names an AWS service by invokedBy when the caller has no ARN", () => {
    const text = JSON.stringify({
      eventID: "svc",
      eventTime: "2026-02-28T12:00:00Z",
      eventSource: "apigateway.amazonaws.com",
      eventName: "UpdateIntegration",
      requestParameters: { apiId: "api1", integrationId: "int1" },
      userIdentity: { type: "AWSService", invokedBy: "cloudformation.amazonaws.com" },
    });
    const changed = attribute([parseRecord(text)!], [drifted], { self, now: NOW }).get("api1/int1");
    expect(changed).toEqual({
      principal: "cloudformation.amazonaws.com",
      at: "2026-02-28T12:00:00.000Z",
      eventName: "UpdateIntegration",
      eventId: "svc",
    });
  });
});

describe(parseRecord.name, () => {
  it.each([
    ["not JSON", "{oops"],
    ["JSON that is not an object", "[1]"],
    ["no eventID", JSON.stringify({ eventName: "A", eventSource: "s", eventTime: "2026-01-01T00:00:00Z" })],
    [
      "an eventTime that is not a time",
      JSON.stringify({ eventID: "e", eventName: "A", eventSource: "s", eventTime: "yesterday" }),
    ],
  ])("skips %s", (_, text) => {
    expect(parseRecord(text)).toBeUndefined();
  });

  it("skips an absent CloudTrailEvent", () => {
    expect(parseRecord(undefined)).toBeUndefined();
  });

  it("reads a record whose userIdentity is missing or odd, without a caller", () => {
    const text = JSON.stringify({
      eventID: "e",
      eventName: "A",
      eventSource: "s",
      eventTime: "2026-01-01T00:00:00Z",
      userIdentity: "x",
      requestParameters: [1],
    });
    expect(parseRecord(text)).toEqual({
      eventId: "e",
      eventName: "A",
      eventSource: "s",
      at: Date.parse("2026-01-01T00:00:00Z"),
    });
  });
});

describe(windowFor.name, () => {
  it("floors since to the second, caps it at 90 days and never starts after its end", () => {
    expect(windowFor({ ...drifted, since: "2026-02-20T00:00:05.900Z" }, NOW)).toEqual({
      start: Date.parse("2026-02-20T00:00:05Z"),
      end: NOW,
    });
    expect(windowFor({ ...drifted, since: new Date("2020-01-01") }, NOW).start).toBe(NOW - 90 * 86_400_000);
    expect(windowFor(drifted, NOW).start).toBe(NOW - 90 * 86_400_000);
    expect(windowFor({ ...drifted, since: NOW + 60_000 }, NOW)).toEqual({ start: NOW, end: NOW });
    expect(windowFor({ ...drifted, since: "not a date" }, NOW).start).toBe(NOW - 90 * 86_400_000);
  });
});

describe(eventNamesFor.name, () => {
  it("looks up deletes for MISSING and updates then creates for the rest", () => {
    expect(eventNamesFor("MISSING")).toEqual(["DeleteIntegration"]);
    expect(eventNamesFor("DRIFTED")).toEqual(["UpdateIntegration", "CreateIntegration"]);
    expect(eventNamesFor("UNMANAGED")).toEqual(["UpdateIntegration", "CreateIntegration"]);
  });
});

describe(explains.name, () => {
  it("refuses a record without requestParameters", () => {
    const r = { ...record({ id: "x", at: "2026-02-28T12:00:00Z" }) };
    delete r.requestParameters;
    expect(explains(r, drifted, windowFor(drifted, NOW), self)).toBe(false);
  });
});

describe(parsePrincipal.name, () => {
  it("names roles and users by partition, account and lower-case name, whatever the path", () => {
    expect(parsePrincipal("arn:aws:sts::123456789012:assumed-role/Admin/alice")).toEqual({
      kind: "role",
      partition: "aws",
      account: "123456789012",
      name: "admin",
    });
    expect(parsePrincipal("arn:aws-cn:iam::123456789012:role/a/b/Admin")).toEqual({
      kind: "role",
      partition: "aws-cn",
      account: "123456789012",
      name: "admin",
    });
    expect(parsePrincipal("arn:aws:iam::123456789012:user/ops/Bob")).toEqual({
      kind: "user",
      partition: "aws",
      account: "123456789012",
      name: "bob",
    });
    expect(parsePrincipal("arn:aws:iam::123456789012:root")).toBeUndefined();
    expect(parsePrincipal("arn:aws:sts::123456789012:federated-user/carol")).toBeUndefined();
  });
});

describe(isSelf.name, () => {
  it("tells a user apart from a role of the same name, and accounts apart", () => {
    const user = selfIdentity("arn:aws:iam::123456789012:user/deployer");
    expect(isSelf({ arn: "arn:aws:iam::123456789012:user/ci/deployer" }, user)).toBe(true);
    expect(isSelf({ arn: "arn:aws:sts::123456789012:assumed-role/deployer/s" }, user)).toBe(false);
    expect(isSelf({ arn: "arn:aws:iam::210987654321:user/deployer" }, user)).toBe(false);
  });

  it("matches root and other ARNs exactly", () => {
    const root = selfIdentity("arn:aws:iam::123456789012:root");
    expect(isSelf({ arn: "arn:aws:iam::123456789012:root" }, root)).toBe(true);
    expect(isSelf({ arn: "arn:aws:iam::210987654321:root" }, root)).toBe(false);
    expect(isSelf({}, root)).toBe(false);
  });
});

describe(integrationKey.name, () => {
  it("joins the API and the integration", () => {
    expect(integrationKey("a", "b")).toBe("a/b");
  });
});
