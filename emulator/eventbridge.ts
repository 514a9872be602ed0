/**
 * A local EventBridge PutEvents endpoint for `@aws-sdk/client-eventbridge` (awsJson1_1, `X-Amz-Target:
 * AWSEvents.PutEvents`; point `AWS_ENDPOINT_URL_EVENTBRIDGE` at `url`). It records the entries it accepts
 * and validates as the API reference describes (1 to 10 entries, Source/DetailType/Detail required per
 * entry, Detail a JSON object, a total entry size limit), and can be told to fail entries the way PutEvents
 * reports partial failures: `FailedEntryCount` plus `ErrorCode`/`ErrorMessage` in the failed entries' slots.
 * The README's EventBridge table says where each behaviour comes from.
 */
import {
  AwsJsonError,
  type AwsJsonServer,
  FailureScript,
  JsonCallLog,
  type ScriptedFailure,
  serveAwsJson,
} from "./aws-json.ts";

export interface EventBridgeEmulatorOptions {
  port?: number;
  accountId?: string;
  region?: string;
  /**
   * Total entry size limit in bytes, computed as the user guide's "Calculating PutEvents event entry size".
   * 256 KB in the API reference and user guide; 1 MB in the SDK model's current text. Default 262144.
   */
  maxRequestBytes?: number;
  /**
   * A request none of whose entries has Source, DetailType and Detail: the API reference says EventBridge
   * "fails the entire request" (default, ValidationException; the error's name and wording unverified);
   * moto and LocalStack fail each entry instead ("per-entry").
   */
  allInvalid?: "fail-request" | "per-entry";
  now?: () => number;
}

/** An event as the bus received it. */
export interface ReceivedEvent {
  eventId: string;
  bus: string;
  source: string;
  detailType: string;
  detail: Record<string, unknown>;
  resources: string[];
  /** ISO 8601: the entry's Time, or the call's. */
  time: string;
  account: string;
  region: string;
}

/** Fail entries: the next `times` entries (default 1) that `match` accepts (default: any). */
export interface EntryFailure {
  errorCode: string;
  errorMessage?: string;
  times?: number;
  match?: (entry: Record<string, unknown>) => boolean;
}

export async function startEventBridgeEmulator(
  options: EventBridgeEmulatorOptions = {},
): Promise<EventBridgeEmulator> {
  const emulator = new EventBridgeEmulator(options);
  await emulator.listen(options.port ?? 0);
  return emulator;
}

const REQUIRED = ["Source", "DetailType", "Detail"] as const;

export class EventBridgeEmulator {
  /** Every PutEvents request, in arrival order. */
  readonly calls = new JsonCallLog();
  #events: ReceivedEvent[] = [];
  #entryFailures: (EntryFailure & { left: number })[] = [];
  #callFailures = new FailureScript();
  #server: AwsJsonServer | undefined;
  #options: EventBridgeEmulatorOptions;
  #now: () => number;
  #seq = 0;

  /** @internal Use startEventBridgeEmulator. */
  constructor(options: EventBridgeEmulatorOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /** @internal */
  async listen(port: number): Promise<void> {
    this.#server = await serveAwsJson({
      port,
      serviceTarget: "AWSEvents",
      log: this.calls,
      now: this.#now,
      before: () => this.#callFailures.apply(),
      operations: { PutEvents: (body) => this.#putEvents(body) },
    });
  }

  get url(): string {
    return this.#server?.url ?? "";
  }

  /** Copies of the events accepted, in arrival order. */
  events(): ReceivedEvent[] {
    return this.#events.map((e) => ({ ...e }));
  }

  /** Fails matching entries of later calls with this ErrorCode (e.g. ThrottlingException, InternalFailure). */
  failEntries(failure: EntryFailure): void {
    this.#entryFailures.push({ ...failure, left: failure.times ?? 1 });
  }

  /** Fails whole calls (e.g. 500 InternalException, 400 ThrottlingException, AccessDeniedException). */
  failNext(failure: ScriptedFailure): void {
    this.#callFailures.add(failure);
  }

  async close(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    await server?.close();
  }

  #putEvents(body: Record<string, unknown>): unknown {
    const entries = body.Entries;
    if (!Array.isArray(entries)) {
      throw new AwsJsonError(
        400,
        "ValidationException",
        "1 validation error detected: Value null at 'entries' failed to satisfy constraint: Member must not be null",
      );
    }
    if (entries.length < 1 || entries.length > 10) {
      // The model's length constraint, in the wording moto and LocalStack copied from the service.
      const bound = entries.length < 1 ? "greater than or equal to 1" : "less than or equal to 10";
      throw new AwsJsonError(
        400,
        "ValidationException",
        `1 validation error detected: Value '[PutEventsRequestEntry]' at 'entries' failed to satisfy constraint: Member must have length ${bound}`,
      );
    }
    const list = entries.map((e) =>
      typeof e === "object" && e !== null ? (e as Record<string, unknown>) : {},
    );
    const limit = this.#options.maxRequestBytes ?? 262_144;
    if (list.reduce((n, e) => n + entrySize(e), 0) >= limit) {
      // Quoted from the service in awslabs/aws-service-catalog-puppet#563.
      throw new AwsJsonError(
        400,
        "ValidationException",
        "Total size of the entries in the request is over the limit.",
      );
    }
    const missing = list.map((e) => REQUIRED.find((k) => typeof e[k] !== "string" || e[k] === ""));
    if ((this.#options.allInvalid ?? "fail-request") === "fail-request" && missing.every(Boolean)) {
      throw new AwsJsonError(
        400,
        "ValidationException",
        "None of the entries has Source, DetailType and Detail.",
      );
    }
    let failed = 0;
    const results = list.map((entry, i) => {
      const result = this.#entry(entry, missing[i]);
      if ("ErrorCode" in result) failed += 1;
      return result;
    });
    return { FailedEntryCount: failed, Entries: results };
  }

  #entry(entry: Record<string, unknown>, missing: string | undefined): Record<string, string> {
    if (missing) {
      // Moto's and LocalStack's wording for the API reference's "EventBridge fails that entry".
      return {
        ErrorCode: "InvalidArgument",
        ErrorMessage: `Parameter ${missing} is not valid. Reason: ${missing} is a required argument.`,
      };
    }
    let detail: unknown;
    try {
      detail = JSON.parse(entry.Detail as string);
    } catch {
      detail = undefined;
    }
    // SDK model: Detail is "A valid JSON object"; LocalStack refuses other JSON values the same way.
    if (typeof detail !== "object" || detail === null || Array.isArray(detail)) {
      return { ErrorCode: "MalformedDetail", ErrorMessage: "Detail is malformed." };
    }
    const failure = this.#entryFailures.find((f) => f.left > 0 && (f.match?.(entry) ?? true));
    if (failure) {
      failure.left -= 1;
      this.#entryFailures = this.#entryFailures.filter((f) => f.left > 0);
      return {
        ErrorCode: failure.errorCode,
        ErrorMessage: failure.errorMessage ?? `Injected ${failure.errorCode}`,
      };
    }
    this.#seq += 1;
    const eventId = `${this.#seq.toString(16).padStart(8, "0")}-0000-4000-a000-000000000000`;
    const time = typeof entry.Time === "number" ? entry.Time * 1000 : this.#now();
    this.#events.push({
      eventId,
      bus: typeof entry.EventBusName === "string" ? entry.EventBusName : "default",
      source: entry.Source as string,
      detailType: entry.DetailType as string,
      detail: detail as Record<string, unknown>,
      resources: Array.isArray(entry.Resources) ? entry.Resources.map(String) : [],
      time: new Date(time).toISOString(),
      account: this.#options.accountId ?? "123456789012",
      region: this.#options.region ?? "eu-west-1",
    });
    return { EventId: eventId };
  }
}

/**
 * The user guide's entry size: Time 14 bytes if given; Source, DetailType, Detail and each Resources entry
 * by their UTF-8 bytes.
 */
export function entrySize(entry: Record<string, unknown>): number {
  const bytes = (v: unknown) => (typeof v === "string" ? Buffer.byteLength(v, "utf8") : 0);
  const resources = Array.isArray(entry.Resources) ? entry.Resources : [];
  return (
    (entry.Time === undefined ? 0 : 14) +
    bytes(entry.Source) +
    bytes(entry.DetailType) +
    bytes(entry.Detail) +
    resources.reduce((n: number, r) => n + bytes(r), 0)
  );
}
