/**
 * The awsJson1_1 protocol as the SDK clients of CloudTrail and EventBridge speak it: `POST /` with
 * `X-Amz-Target: {ServiceTarget}.{Operation}` and a JSON body; answers are JSON with
 * `Content-Type: application/x-amz-json-1.1`, errors carry their shape name in `__type` (Smithy's awsJson1_1
 * protocol; the targets are the ones `@aws-sdk/client-cloudtrail` and `@aws-sdk/client-eventbridge` send).
 * Shared by emulator/cloudtrail.ts and emulator/eventbridge.ts; the API Gateway emulator is restJson1.
 */
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { closeServer, listenLoopback } from "./listen.ts";
import { signatureScope } from "./writes.ts";

/** An error answer: HTTP status, the error shape's name, a message. */
export class AwsJsonError extends Error {
  override name = "AwsJsonError";
  readonly status: number;
  readonly errorType: string;
  constructor(status: number, errorType: string, message: string) {
    super(message);
    this.status = status;
    this.errorType = errorType;
  }
}

export interface JsonCall {
  /** 1, 2, 3... in arrival order. */
  seq: number;
  /** Epoch milliseconds at arrival, from the emulator's clock. */
  at: number;
  /** The operation named by X-Amz-Target ("Unknown" when it names none). */
  operation: string;
  accessKeyId?: string;
  region?: string;
  /** The parsed JSON body (the raw text when it is not JSON). */
  body: unknown;
  status?: number;
  errorType?: string;
}

/** Every request, in arrival order. */
export class JsonCallLog {
  #calls: JsonCall[] = [];
  #seq = 0;

  /** @internal */
  start(call: Omit<JsonCall, "seq">): JsonCall {
    this.#seq += 1;
    const full = { seq: this.#seq, ...call };
    this.#calls.push(full);
    return full;
  }

  /** Copies of every call, in arrival order. */
  all(): JsonCall[] {
    return this.#calls.map((c) => ({ ...c }));
  }

  /** Calls of one operation, optionally with one answer status. */
  filter(operation: string, status?: number): JsonCall[] {
    return this.all().filter(
      (c) => c.operation === operation && (status === undefined || c.status === status),
    );
  }

  reset(): void {
    this.#calls = [];
  }
}

/**
 * A token bucket that starts full: `burst` requests at once, refilled at `rate` per second. A refused
 * request takes no token (token buckets do not charge what they refuse).
 */
export class TokenBucket {
  readonly rate: number;
  readonly burst: number;
  #tokens: number;
  #last: number;
  #now: () => number;
  constructor(rate: number, burst: number, now: () => number) {
    this.rate = rate;
    this.burst = burst;
    this.#now = now;
    this.#tokens = burst;
    this.#last = now();
  }

  take(): boolean {
    const now = this.#now();
    this.#tokens = Math.min(this.burst, this.#tokens + ((now - this.#last) / 1000) * this.rate);
    this.#last = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}

export interface CallContext {
  call: JsonCall;
  accessKeyId?: string;
  region?: string;
  /** Epoch milliseconds at arrival. */
  at: number;
}

export type Operation = (body: Record<string, unknown>, ctx: CallContext) => unknown;

export interface AwsJsonServerOptions {
  port?: number;
  /** The part of X-Amz-Target before the dot, e.g. `CloudTrail_20131101` or `AWSEvents`. */
  serviceTarget: string;
  operations: Record<string, Operation>;
  log: JsonCallLog;
  now: () => number;
  /** Runs before the operation: throw an AwsJsonError to answer with it (throttling, access, faults). */
  before?: (ctx: CallContext) => void;
}

export interface AwsJsonServer {
  url: string;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 2_097_152;

/** Starts listening on 127.0.0.1. */
export async function serveAwsJson(options: AwsJsonServerOptions): Promise<AwsJsonServer> {
  const server = createServer((req, res) => {
    void handle(options, req).then(
      ({ status, body, errorType, seq }) => {
        const payload = JSON.stringify(body);
        res.writeHead(status, {
          "content-type": "application/x-amz-json-1.1",
          "content-length": Buffer.byteLength(payload),
          "x-amzn-RequestId": `00000000-0000-4000-9000-${seq.toString(16).padStart(12, "0")}`,
          ...(errorType ? { "x-amzn-ErrorType": errorType } : {}),
        });
        res.end(payload);
      },
      () => res.destroy(),
    );
  });
  await listenLoopback(server, options.port ?? 0);
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => closeServer(server),
  };
}

async function handle(
  options: AwsJsonServerOptions,
  req: IncomingMessage,
): Promise<{ status: number; body: unknown; errorType?: string; seq: number }> {
  const text = await readBody(req);
  const target = String(req.headers["x-amz-target"] ?? "");
  const [service, name = ""] = target.split(".");
  const operation = service === options.serviceTarget ? options.operations[name] : undefined;
  const at = options.now();
  const scope = signatureScope(req.headers);
  let parsed: unknown = text;
  try {
    parsed = text === "" ? {} : JSON.parse(text ?? "");
  } catch {
    // logged as text; answered below
  }
  const call = options.log.start({ at, operation: operation ? name : "Unknown", ...scope, body: parsed });
  const ctx: CallContext = { call, at, ...scope };
  try {
    // awsJson1_1 conventions for a target no operation matches and for a body that is not JSON (unverified
    // wording; the shape names are the protocol's).
    if (!operation) throw new AwsJsonError(400, "UnknownOperationException", `Unknown operation ${target}`);
    if (text === undefined) throw new AwsJsonError(413, "SerializationException", "Request body too large");
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      throw new AwsJsonError(400, "SerializationException", "The request body is not a JSON object");
    }
    options.before?.(ctx);
    const body = operation(parsed as Record<string, unknown>, ctx);
    call.status = 200;
    return { status: 200, body, seq: call.seq };
  } catch (error) {
    const e =
      error instanceof AwsJsonError
        ? error
        : new AwsJsonError(500, "InternalFailure", `emulator bug: ${(error as Error).message}`);
    call.status = e.status;
    call.errorType = e.errorType;
    return {
      status: e.status,
      body: { __type: e.errorType, message: e.message },
      errorType: e.errorType,
      seq: call.seq,
    };
  }
}

async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk);
  }
  return size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks).toString("utf8");
}

/** A scripted failure of the next `times` calls (default 1). */
export interface ScriptedFailure {
  status: number;
  errorType: string;
  message?: string;
  times?: number;
}

/** Queue of scripted failures, consumed one call at a time. */
export class FailureScript {
  #queue: { status: number; errorType: string; message: string; left: number }[] = [];

  add(failure: ScriptedFailure): void {
    const message = failure.message ?? `Injected ${failure.errorType}`;
    this.#queue.push({ ...failure, message, left: failure.times ?? 1 });
  }

  /** Throws the next scripted failure, if any. */
  apply(): void {
    const next = this.#queue[0];
    if (!next) return;
    next.left -= 1;
    if (next.left <= 0) this.#queue.shift();
    throw new AwsJsonError(next.status, next.errorType, next.message);
  }
}
