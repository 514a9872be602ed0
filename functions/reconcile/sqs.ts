/**
 * The event-driven path's input (PRODUCT §8): an SQS batch whose messages are EventBridge events of
 * CloudTrail API Gateway integration writes ("AWS API Call via CloudTrail", service-facts #25, #27), as the
 * template's rule delivers them. Each record becomes the integration write it names, or a reason it is
 * not one; nothing here decides what to do with them (batch.ts does).
 */

import { parseRecord, type TrailRecord } from "../../lib/attribution/record.ts";
import type { IntegrationEventName } from "../../lib/attribution/types.ts";

/** An SQS record as Lambda's event source mapping delivers it (the fields read here). */
export interface SqsRecord {
  messageId: string;
  eventSource: "aws:sqs";
  body: string;
}

export interface SqsBatch {
  Records: SqsRecord[];
}

/** One write of one integration, from one message. */
export interface IntegrationWrite {
  messageId: string;
  apiId: string;
  integrationId: string;
  eventName: IntegrationEventName;
  record: TrailRecord;
}

export type ParsedMessage =
  | { kind: "write"; write: IntegrationWrite }
  /** A well-formed event the path has nothing to do for (a failed call, a v1 REST call, ...). */
  | { kind: "ignored"; messageId: string; reason: string; record?: TrailRecord }
  /** A message that is not such an event: failed back, so after maxReceiveCount it rests in the DLQ. */
  | { kind: "malformed"; messageId: string; reason: string };

const WRITES: readonly string[] = ["CreateIntegration", "UpdateIntegration", "DeleteIntegration"];

/** True for Lambda's SQS batch shape: `Records`, every one from `aws:sqs` with a messageId and a body. */
export function isSqsBatch(event: unknown): event is SqsBatch {
  if (typeof event !== "object" || event === null || Array.isArray(event)) return false;
  const records = (event as { Records?: unknown }).Records;
  return (
    Array.isArray(records) &&
    records.length > 0 &&
    records.every(
      (r) =>
        typeof r === "object" &&
        r !== null &&
        (r as SqsRecord).eventSource === "aws:sqs" &&
        typeof (r as SqsRecord).messageId === "string" &&
        typeof (r as SqsRecord).body === "string",
    )
  );
}

/** Every record of the batch, in order. */
export function parseBatch(batch: SqsBatch): ParsedMessage[] {
  return batch.Records.map(parseMessage);
}

function parseMessage(message: SqsRecord): ParsedMessage {
  const { messageId } = message;
  let event: unknown;
  try {
    event = JSON.parse(message.body);
  } catch {
    return { kind: "malformed", messageId, reason: "the body is not JSON" };
  }
  if (typeof event !== "object" || event === null || Array.isArray(event)) {
    return { kind: "malformed", messageId, reason: "the body is not an EventBridge event (not an object)" };
  }
  const e = event as Record<string, unknown>;
  if (e["detail-type"] !== "AWS API Call via CloudTrail" || e.source !== "aws.apigateway") {
    const what = typeof e["detail-type"] === "string" ? `"${e["detail-type"]}"` : "no detail-type";
    return {
      kind: "malformed",
      messageId,
      reason: `the body is not a CloudTrail API Gateway event (${what} from ${typeof e.source === "string" ? e.source : "no source"})`,
    };
  }
  const record = parseRecord(JSON.stringify(e.detail ?? null));
  if (!record) return { kind: "malformed", messageId, reason: "its detail is not a CloudTrail record" };
  if (record.eventSource !== "apigateway.amazonaws.com" || !WRITES.includes(record.eventName)) {
    return { kind: "ignored", messageId, record, reason: `${record.eventName} is not an integration write` };
  }
  if (record.errorCode !== undefined) {
    return {
      kind: "ignored",
      messageId,
      record,
      reason: `the call failed (${record.errorCode}): it changed nothing`,
    };
  }
  const params = record.requestParameters ?? {};
  // v1 REST API calls share the event names and name their API restApiId (service-facts #25).
  if (typeof params.apiId !== "string" || "restApiId" in params) {
    return {
      kind: "ignored",
      messageId,
      record,
      reason: "not an API Gateway v2 call (no requestParameters.apiId)",
    };
  }
  // CreateIntegration has no integration id in its path: the new id is only in the answer.
  const integrationId = params.integrationId ?? record.responseElements?.integrationId;
  if (typeof integrationId !== "string" || integrationId === "") {
    return {
      kind: "ignored",
      messageId,
      record,
      reason: `${record.eventName} names no integration id (CloudTrail logged no answer); the scheduled run will see it`,
    };
  }
  return {
    kind: "write",
    write: {
      messageId,
      apiId: params.apiId,
      integrationId,
      eventName: record.eventName as IntegrationEventName,
      record,
    },
  };
}
