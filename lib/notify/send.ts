/**
 * Sends notifications to EventBridge (PRODUCT §8): the only importer of `@aws-sdk/client-eventbridge`.
 * PutEvents takes 1 to 10 entries whose total size stays under 256 KB (API reference; the user guide's
 * "Calculating PutEvents event entry size"), and answers partial failures per entry: `FailedEntryCount`, and
 * `ErrorCode`/`ErrorMessage` in each failed entry's slot. Entries failing with a retryable code
 * (InternalFailure, ThrottlingException: the API reference's list) are sent again with capped exponential
 * backoff and full jitter; the rest, and what is still failing after the last attempt, is reported.
 */
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from "@aws-sdk/client-eventbridge";
import { StandardRetryStrategy } from "@smithy/util-retry";
import { DEFAULT_REQUEST_TIMEOUT_MS } from "../apigateway/client.ts";
import { classify } from "../apigateway/errors.ts";
import type { Notification } from "./decide.ts";

export const SOURCE = "apigw-drift";
export const MAX_ENTRIES = 10;
/** "The total entry size must be less than 256KB" (API reference, PutEvents). */
export const MAX_REQUEST_BYTES = 262_144;
const RETRYABLE = new Set(["InternalFailure", "ThrottlingException"]);
const BACKOFF_BASE_MS = 200;
const BACKOFF_CAP_MS = 5_000;

export interface EventBridgeClientOptions {
  /** Attempts per PutEvents call (the SDK's own retry of throttled and 5xx calls). */
  maxAttempts?: number;
  requestTimeoutMs?: number;
  /** Only for tests: the SDK's standard configuration (Region, credentials, endpoint) applies otherwise. */
  region?: string;
}

/** An EventBridgeClient on the SDK's standard configuration (`AWS_ENDPOINT_URL_EVENTBRIDGE` locally). */
export function createEventBridgeClient(options: EventBridgeClientOptions = {}): EventBridgeClient {
  const maxAttempts = options.maxAttempts ?? 3;
  return new EventBridgeClient({
    ...(options.region ? { region: options.region } : {}),
    maxAttempts,
    retryStrategy: new StandardRetryStrategy({ maxAttempts }),
    requestHandler: {
      requestTimeout: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
      throwOnRequestTimeout: true,
      connectionTimeout: 5_000,
    },
  });
}

export interface SendOptions {
  /** Default: the account's default bus. */
  eventBusName?: string;
  /** Rounds of sending an entry, the first included. Default 4. */
  maxAttempts?: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Total size limit per request. Default 256 KB. */
  maxRequestBytes?: number;
}

export interface SendFailure {
  notification: Notification;
  errorCode: string;
  errorMessage: string;
}

export interface SendReport {
  sent: number;
  /** What could not be sent, each with the last error it met. */
  failed: SendFailure[];
  /** PutEvents calls made (the SDK's own retries not counted). */
  calls: number;
}

interface Pending {
  notification: Notification;
  entry: PutEventsRequestEntry;
  size: number;
  error?: { errorCode: string; errorMessage: string };
}

/** Sends every notification it can; never throws for a service error. */
export async function sendNotifications(
  client: EventBridgeClient,
  notifications: readonly Notification[],
  options: SendOptions = {},
): Promise<SendReport> {
  const limit = options.maxRequestBytes ?? MAX_REQUEST_BYTES;
  const attempts = options.maxAttempts ?? 4;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const random = options.random ?? Math.random;
  const report: SendReport = { sent: 0, failed: [], calls: 0 };
  let pending: Pending[] = [];
  for (const notification of notifications) {
    const entry = toEntry(notification, options.eventBusName);
    const size = entrySize(entry);
    if (size >= limit) {
      report.failed.push({
        notification,
        errorCode: "EntryTooLarge",
        errorMessage: `The event for ${notification.detail.apiId}/${notification.detail.integrationId} is ${size} bytes; PutEvents takes less than ${limit} per request, so it was not sent (its diffs are too large)`,
      });
    } else pending.push({ notification, entry, size });
  }
  for (let attempt = 1; pending.length > 0; attempt++) {
    const again: Pending[] = [];
    for (const batch of batches(pending, limit)) {
      report.calls += 1;
      for (const [item, outcome] of await put(client, batch)) {
        if (outcome === "sent") report.sent += 1;
        else if (outcome.retryable && attempt < attempts) again.push({ ...item, error: outcome });
        else
          report.failed.push({
            notification: item.notification,
            errorCode: outcome.errorCode,
            errorMessage: outcome.errorMessage,
          });
      }
    }
    if (again.length > 0)
      await sleep(Math.floor(random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** attempt)));
    pending = again;
  }
  return report;
}

type Outcome = "sent" | { errorCode: string; errorMessage: string; retryable: boolean };

/** One PutEvents call; every entry's outcome, in order. */
async function put(client: EventBridgeClient, batch: readonly Pending[]): Promise<[Pending, Outcome][]> {
  try {
    const out = await client.send(new PutEventsCommand({ Entries: batch.map((p) => p.entry) }));
    return batch.map((item, i) => {
      const result = out.Entries?.[i];
      if (result?.EventId && !result.ErrorCode) return [item, "sent"];
      const errorCode = result?.ErrorCode ?? "MissingResult";
      const errorMessage = result?.ErrorMessage ?? "PutEvents answered no result for this entry";
      return [item, { errorCode, errorMessage, retryable: RETRYABLE.has(errorCode) || !result }];
    });
  } catch (error) {
    // The SDK already retried throttled and 5xx calls; what is left may still pass on a later round.
    const e = error as { name?: string; code?: string; message?: string };
    const failure = classify(error);
    const retryable = failure === "throttling" || failure === "transient";
    const errorCode = e?.name && e.name !== "Error" ? e.name : (e?.code ?? "Error");
    return batch.map((item) => [item, { errorCode, errorMessage: e?.message ?? String(error), retryable }]);
  }
}

/** Consecutive groups of at most 10 entries under the size limit. */
function batches(items: readonly Pending[], limit: number): Pending[][] {
  const out: Pending[][] = [];
  let current: Pending[] = [];
  let size = 0;
  for (const item of items) {
    if (current.length === MAX_ENTRIES || (current.length > 0 && size + item.size >= limit)) {
      out.push(current);
      current = [];
      size = 0;
    }
    current.push(item);
    size += item.size;
  }
  if (current.length > 0) out.push(current);
  return out;
}

function toEntry(n: Notification, eventBusName: string | undefined): PutEventsRequestEntry {
  return {
    Source: SOURCE,
    DetailType: n.detailType,
    Detail: JSON.stringify(n.detail),
    ...(eventBusName ? { EventBusName: eventBusName } : {}),
  };
}

/** The user guide's entry size: Source, DetailType, Detail and Resources by their UTF-8 bytes (no Time sent). */
function entrySize(entry: PutEventsRequestEntry): number {
  const bytes = (s: string | undefined) => (s === undefined ? 0 : Buffer.byteLength(s, "utf8"));
  return bytes(entry.Source) + bytes(entry.DetailType) + bytes(entry.Detail);
}
