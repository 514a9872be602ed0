/**
 * A local CloudTrail LookupEvents endpoint for `@aws-sdk/client-cloudtrail` (awsJson1_1, point
 * `AWS_ENDPOINT_URL_CLOUDTRAIL` at `url`). It records what the API Gateway emulator writes, each call under
 * the principal its access key maps to, and answers LookupEvents newest first at the documented quota of
 * two requests per second. The README's CloudTrail table says where each behaviour comes from.
 *
 * @example
 * const trail = await startCloudTrailEmulator({
 *   principals: { AKIDCONSOLE: { type: "AssumedRole", arn: "arn:aws:sts::123456789012:assumed-role/Admin/alice" } },
 * });
 * const apigw = await startEmulator({ onWrite: trail.onWrite });
 * // ... a client signed with AKIDCONSOLE calls UpdateIntegration ...
 * trail.records()[0].userIdentity.arn; // "arn:aws:sts::123456789012:assumed-role/Admin/alice"
 */
import {
  AwsJsonError,
  type AwsJsonServer,
  type CallContext,
  FailureScript,
  JsonCallLog,
  type ScriptedFailure,
  serveAwsJson,
  TokenBucket,
} from "./aws-json.ts";
import { lookupEvents } from "./cloudtrail-lookup.ts";
import {
  type CloudTrailRecord,
  isoSeconds,
  type PrincipalConfig,
  recordFromWrite,
  type StoredRecord,
  userIdentity,
} from "./cloudtrail-records.ts";
import type { WriteEvent, WriteListener } from "./writes.ts";

export type { CloudTrailRecord, PrincipalConfig } from "./cloudtrail-records.ts";
export { eventBridgeEventOf } from "./cloudtrail-records.ts";

export interface CloudTrailEmulatorOptions {
  port?: number;
  /** The account the records belong to. Default 123456789012. */
  accountId?: string;
  /** awsRegion when a write's signature names none. Default eu-west-1. */
  region?: string;
  /** Access key id → who holds it. A key not listed records as IAM user `arn:aws:iam::{account}:user/{key}`. */
  principals?: Record<string, PrincipalConfig>;
  /**
   * The LookupEvents quota: 2 per second per account and Region (API reference). The burst is not documented
   * (default 2, unverified). `false` turns throttling off.
   */
  throttle?: { rate: number; burst: number } | false;
  /** ThrottlingException's status: 429 in the SDK's current model, 400 in older models (unsettled). */
  throttleStatus?: 400 | 429;
  /** Status of AccessDeniedException for a denied key: 400 per AWS's common errors (unverified). */
  accessDeniedStatus?: 400 | 403;
  /** What API Gateway writes log as responseElements (unverified): the answer's body, or null. */
  responseElements?: "echo" | "none";
  /** Lookup only sees this many days back. Default 90 (API reference). */
  retentionDays?: number;
  /** Epoch milliseconds. Default Date.now. */
  now?: () => number;
}

/** A record to seed: the fields you care about; the rest gets the defaults of an API Gateway write. */
export interface SeedRecord {
  eventName: string;
  /** ISO string or epoch milliseconds. */
  eventTime: string | number;
  /** Any other member of a CloudTrail record (eventID, userIdentity, requestParameters, errorCode, ...). */
  [member: string]: unknown;
}

/** Starts the endpoint; resolves once it listens. */
export async function startCloudTrailEmulator(
  options: CloudTrailEmulatorOptions = {},
): Promise<CloudTrailEmulator> {
  const emulator = new CloudTrailEmulator(options);
  await emulator.listen(options.port ?? 0);
  return emulator;
}

export class CloudTrailEmulator {
  /** Every LookupEvents request, in arrival order (throttled ones included). */
  readonly calls = new JsonCallLog();
  readonly accountId: string;
  readonly region: string;
  readonly principals: Map<string, PrincipalConfig>;
  #records: StoredRecord[] = [];
  #seq = 0;
  #bucket: TokenBucket | undefined;
  #denied = new Set<string>();
  #failures = new FailureScript();
  #server: AwsJsonServer | undefined;
  #options: CloudTrailEmulatorOptions;
  #now: () => number;

  /** @internal Use startCloudTrailEmulator. */
  constructor(options: CloudTrailEmulatorOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.accountId = options.accountId ?? "123456789012";
    this.region = options.region ?? "eu-west-1";
    this.principals = new Map(Object.entries(options.principals ?? {}));
    const throttle = options.throttle ?? { rate: 2, burst: 2 };
    this.#bucket = throttle ? new TokenBucket(throttle.rate, throttle.burst, this.#now) : undefined;
  }

  /** @internal */
  async listen(port: number): Promise<void> {
    this.#server = await serveAwsJson({
      port,
      serviceTarget: "CloudTrail_20131101",
      log: this.calls,
      now: this.#now,
      before: (ctx) => this.#gate(ctx),
      operations: {
        LookupEvents: (body) =>
          lookupEvents(this.#records, body, {
            now: this.#now(),
            retentionDays: this.#options.retentionDays ?? 90,
          }),
      },
    });
  }

  /** `http://127.0.0.1:{port}`: `AWS_ENDPOINT_URL_CLOUDTRAIL`. */
  get url(): string {
    return this.#server?.url ?? "";
  }

  /** The API Gateway emulator's `onWrite`: records each write under its access key's principal. */
  readonly onWrite: WriteListener = (write) => {
    this.recordWrite(write);
  };

  /** Records one API Gateway write as CloudTrail would log it; returns the record. */
  recordWrite(write: WriteEvent): CloudTrailRecord {
    const key = write.accessKeyId;
    const principal = (key && this.principals.get(key)) || {
      type: "IAMUser" as const,
      arn: `arn:aws:iam::${this.accountId}:user/${key ?? "anonymous"}`,
    };
    const identity = userIdentity(principal, key, this.accountId);
    const seq = this.#seq + 1;
    const record = recordFromWrite(write, identity, {
      accountId: this.accountId,
      region: this.region,
      eventId: uuid(seq, 1),
      requestId: uuid(seq, 2),
      responseElements: this.#options.responseElements ?? "echo",
    });
    this.#store(record, write.at);
    return record;
  }

  /**
   * Adds a record directly (changes by others in the past, v1 REST calls with restApiId, ...): fields not
   * given get an API Gateway write's defaults.
   */
  seed(record: SeedRecord): void {
    const at = epochMs(record.eventTime);
    const full = {
      eventVersion: "1.09",
      userIdentity: userIdentity(
        { type: "IAMUser", arn: `arn:aws:iam::${this.accountId}:user/seeded` },
        undefined,
        this.accountId,
      ),
      eventSource: "apigateway.amazonaws.com",
      awsRegion: this.region,
      sourceIPAddress: "203.0.113.10",
      userAgent: "console.amazonaws.com",
      requestParameters: {},
      responseElements: null,
      eventID: uuid(this.#seq + 1, 1),
      readOnly: false,
      eventType: "AwsApiCall",
      managementEvent: true,
      recipientAccountId: this.accountId,
      eventCategory: "Management",
      ...record,
      eventTime: isoSeconds(at),
    } as CloudTrailRecord;
    this.#store(full, at);
  }

  /** Stores this exact `CloudTrailEvent` text (e.g. malformed JSON) under an event name and time. */
  seedRaw(text: string, meta: { eventName: string; eventTime: string | number }): void {
    this.#seq += 1;
    this.#insert({
      seq: this.#seq,
      at: Math.floor(epochMs(meta.eventTime) / 1000) * 1000,
      eventId: uuid(this.#seq, 1),
      eventName: meta.eventName,
      eventSource: "apigateway.amazonaws.com",
      readOnly: false,
      resources: [],
      text,
    });
  }

  /** Copies of the stored records, newest first (raw seeds included as they parse, else skipped). */
  records(): CloudTrailRecord[] {
    return this.#records.flatMap((r) => {
      try {
        return [JSON.parse(r.text) as CloudTrailRecord];
      } catch {
        return [];
      }
    });
  }

  /** Answers this access key's LookupEvents with AccessDeniedException from now on. */
  deny(accessKeyId: string): void {
    this.#denied.add(accessKeyId);
  }

  /** Fails the next LookupEvents calls, before the quota and access checks (they spend no token). */
  failNext(failure: ScriptedFailure): void {
    this.#failures.add(failure);
  }

  async close(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    await server?.close();
  }

  #store(record: CloudTrailRecord, at: number): void {
    this.#seq += 1;
    const identity = record.userIdentity as Record<string, unknown> | undefined;
    this.#insert({
      seq: this.#seq,
      at: Math.floor(at / 1000) * 1000,
      eventId: record.eventID,
      eventName: record.eventName,
      eventSource: record.eventSource,
      readOnly: record.readOnly === true,
      ...(typeof identity?.accessKeyId === "string" ? { accessKeyId: identity.accessKeyId } : {}),
      ...usernameOf(identity),
      resources: Array.isArray(record.resources) ? (record.resources as StoredRecord["resources"]) : [],
      text: JSON.stringify(record),
    });
  }

  /** Keeps records newest first; of one second, the last stored first. */
  #insert(stored: StoredRecord): void {
    const i = this.#records.findIndex((r) => r.at <= stored.at);
    if (i === -1) this.#records.push(stored);
    else this.#records.splice(i, 0, stored);
  }

  /** Injected faults first: like another caller's refusals, they spend none of the quota. */
  #gate(ctx: CallContext): void {
    this.#failures.apply();
    if (this.#bucket && !this.#bucket.take()) {
      throw new AwsJsonError(this.#options.throttleStatus ?? 429, "ThrottlingException", "Rate exceeded");
    }
    if (ctx.accessKeyId && this.#denied.has(ctx.accessKeyId)) {
      const who =
        this.principals.get(ctx.accessKeyId)?.arn ?? `arn:aws:iam::${this.accountId}:user/${ctx.accessKeyId}`;
      throw new AwsJsonError(
        this.#options.accessDeniedStatus ?? 400,
        "AccessDeniedException",
        `User: ${who} is not authorized to perform: cloudtrail:LookupEvents because no identity-based policy allows the cloudtrail:LookupEvents action`,
      );
    }
  }
}

/** LookupEvents' Username: the IAM user's name, or the session name of an assumed role (unverified). */
function usernameOf(identity: Record<string, unknown> | undefined): { username?: string } {
  if (typeof identity?.userName === "string") return { username: identity.userName };
  const arn = typeof identity?.arn === "string" ? identity.arn : "";
  return identity?.type === "AssumedRole" ? { username: arn.split("/").pop() ?? "" } : {};
}

function epochMs(time: string | number): number {
  const at = typeof time === "number" ? time : Date.parse(time);
  if (!Number.isFinite(at)) throw new Error(`seed: eventTime ${String(time)} is not a time`);
  return at;
}

/** Deterministic and UUID-shaped. */
function uuid(seq: number, kind: number): string {
  return `${kind.toString(16).padStart(8, "0")}-0000-4000-8000-${seq.toString(16).padStart(12, "0")}`;
}
