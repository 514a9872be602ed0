/**
 * CloudTrail records for API Gateway writes, in the shape CloudTrail logs management events: the record
 * contents of the CloudTrail user guide (eventVersion, userIdentity, eventTime, eventSource, eventName,
 * awsRegion, sourceIPAddress, userAgent, requestParameters, responseElements, requestID, eventID, readOnly,
 * eventType, managementEvent, recipientAccountId, eventCategory) and API Gateway's logging page
 * (`eventSource` apigateway.amazonaws.com, `requestParameters` = path parameters + body; service-facts #25).
 */
import type { WriteEvent } from "./writes.ts";

/** Who holds an access key, as the test configures it. */
export interface PrincipalConfig {
  type: "AssumedRole" | "IAMUser" | "Root" | "FederatedUser";
  /** userIdentity.arn, e.g. `arn:aws:sts::123456789012:assumed-role/Admin/alice`. */
  arn: string;
  /** For AssumedRole: the role's ARN (`sessionContext.sessionIssuer.arn`). */
  sessionIssuer?: string;
  /** For IAMUser: the user name (default: the ARN's last segment). */
  userName?: string;
}

/** A CloudTrail record (the JSON LookupEvents returns as the `CloudTrailEvent` string). */
export type CloudTrailRecord = Record<string, unknown> & {
  eventID: string;
  eventName: string;
  eventSource: string;
  eventTime: string;
};

/** A stored record: the JSON text LookupEvents returns, with what its filters need. */
export interface StoredRecord {
  /** Insertion order; newest first among records of the same second. */
  seq: number;
  /** Epoch milliseconds, truncated to the second as `eventTime` is. */
  at: number;
  eventId: string;
  eventName: string;
  eventSource: string;
  readOnly: boolean;
  accessKeyId?: string;
  username?: string;
  resources: { ResourceType?: string; ResourceName?: string }[];
  /** The `CloudTrailEvent` string: usually JSON of a CloudTrailRecord, anything when seeded raw. */
  text: string;
}

/** Records carry `eventVersion` 1.09 here; the version a Region logs today is unverified. */
const EVENT_VERSION = "1.09";

export interface RecordContext {
  accountId: string;
  /** Used when the signature names no Region. */
  region: string;
  eventId: string;
  requestId: string;
  /** "echo": responseElements = the answer's body; "none": null (which API Gateway logs is unverified). */
  responseElements: "echo" | "none";
}

/** The `userIdentity` block for a principal (userIdentity reference of the CloudTrail user guide). */
export function userIdentity(
  principal: PrincipalConfig,
  accessKeyId: string | undefined,
  accountId: string,
): Record<string, unknown> {
  const account = /^arn:[^:]+:[^:]+::(\d{12}):/.exec(principal.arn)?.[1] ?? accountId;
  const name = principal.arn.split("/").pop() ?? principal.arn;
  const key = accessKeyId ? { accessKeyId } : {};
  if (principal.type === "AssumedRole") {
    const issuer = principal.sessionIssuer ?? roleArnOf(principal.arn);
    const roleName = issuer.split("/").pop() ?? issuer;
    // principalId is "{role unique id}:{session}"; the unique id is made up from the role name.
    const roleId = `AROA${hex(roleName)}`;
    return {
      type: "AssumedRole",
      principalId: `${roleId}:${name}`,
      arn: principal.arn,
      accountId: account,
      ...key,
      sessionContext: {
        sessionIssuer: {
          type: "Role",
          principalId: roleId,
          arn: issuer,
          accountId: account,
          userName: roleName,
        },
        attributes: { creationDate: "2024-01-01T00:00:00Z", mfaAuthenticated: "false" },
      },
    };
  }
  if (principal.type === "IAMUser") {
    const userName = principal.userName ?? name;
    return {
      type: "IAMUser",
      principalId: `AIDA${hex(userName)}`,
      arn: principal.arn,
      accountId: account,
      ...key,
      userName,
    };
  }
  return { type: principal.type, principalId: account, arn: principal.arn, accountId: account, ...key };
}

/** The record CloudTrail would log for one successful write. */
export function recordFromWrite(write: WriteEvent, identity: Record<string, unknown>, ctx: RecordContext) {
  const path =
    write.operation === "CreateIntegration"
      ? { apiId: write.apiId }
      : { apiId: write.apiId, integrationId: write.integrationId };
  const response =
    write.operation === "DeleteIntegration" || ctx.responseElements === "none" ? null : write.response;
  return {
    eventVersion: EVENT_VERSION,
    userIdentity: identity,
    eventTime: isoSeconds(write.at),
    eventSource: "apigateway.amazonaws.com",
    eventName: write.operation,
    awsRegion: write.region ?? ctx.region,
    sourceIPAddress: write.sourceIpAddress ?? "127.0.0.1",
    userAgent: write.userAgent ?? "",
    requestParameters: { ...path, ...write.request },
    responseElements: response,
    requestID: ctx.requestId,
    eventID: ctx.eventId,
    readOnly: false,
    eventType: "AwsApiCall",
    managementEvent: true,
    recipientAccountId: ctx.accountId,
    eventCategory: "Management",
  } satisfies CloudTrailRecord;
}

/**
 * The EventBridge event a CloudTrail management event arrives as on the account's default bus
 * (service-facts #27: `detail-type` "AWS API Call via CloudTrail", `source` "aws.apigateway"; the envelope
 * of the EventBridge user guide's "Events" page: version, id, detail-type, source, account, time, region,
 * resources, detail = the record). The event's own id is not the record's; here it is derived from it.
 */
export function eventBridgeEventOf(record: CloudTrailRecord): Record<string, unknown> {
  return {
    version: "0",
    id: `eb-${record.eventID}`,
    "detail-type": "AWS API Call via CloudTrail",
    source: "aws.apigateway",
    account: record.recipientAccountId,
    time: record.eventTime,
    region: record.awsRegion,
    resources: [],
    detail: record,
  };
}

/** CloudTrail's eventTime: ISO 8601 in UTC to the second, `2024-05-01T12:00:00Z`. */
export function isoSeconds(ms: number): string {
  return `${new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19)}Z`;
}

/** `arn:aws:sts::A:assumed-role/ROLE/SESSION` → `arn:aws:iam::A:role/ROLE` (the path is not in the session ARN). */
function roleArnOf(assumedRoleArn: string): string {
  const m = /^arn:([^:]+):sts::(\d{12}):assumed-role\/([^/]+)\//.exec(assumedRoleArn);
  return m ? `arn:${m[1]}:iam::${m[2]}:role/${m[3]}` : assumedRoleArn;
}

function hex(text: string): string {
  return Buffer.from(text).toString("hex").toUpperCase().padEnd(17, "0").slice(0, 17);
}
