/**
 * The HTTP face of the emulator: one request handler that reads the request, logs it, lets the faults
 * decide, runs the operation and answers in restJson1 (JSON body, `x-amzn-ErrorType` on errors).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import type { CallLog, CallRecord } from "./call-log.ts";
import { badRequest, type ServiceError, toServiceError } from "./errors.ts";
import type { Faults } from "./faults.ts";
import { parseJsonObject } from "./input.ts";
import {
  execute,
  type OperationContext,
  type ResolvedCall,
  resolve,
  unknownOperation,
} from "./operations.ts";
import { signatureScope, type WriteListener, type WriteOperation } from "./writes.ts";

export interface HandlerDeps {
  calls: CallLog;
  now: () => number;
  /**
   * The account and Region a request goes to (from its signature's access key and credential scope), with
   * that target's faults and store; read per request, so a change of `emulator.behaviour` applies to the
   * next call.
   */
  target: (scope: { accessKeyId?: string; region?: string }) => {
    account: string;
    region: string;
    faults: Faults;
    context: OperationContext;
  };
  /** Told after each successful integration write (the CloudTrail emulator records from it). */
  onWrite?: WriteListener;
}

const WRITES = new Set<string>(["CreateIntegration", "UpdateIntegration", "DeleteIntegration"]);

/** Larger bodies are refused: no integration comes close, and the emulator holds bodies in memory. */
const MAX_BODY_BYTES = 1_048_576;

/** The `node:http` request listener. */
export function createHandler(deps: HandlerDeps): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    handle(deps, req, res).catch((error: unknown) => {
      // The client went away mid-request (or the emulator has a bug outside an operation): answer if the
      // socket still can, else drop it.
      if (!res.headersSent) answer(res, toServiceError(error), "-");
      else res.destroy();
    });
  };
}

async function handle(deps: HandlerDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const method = req.method ?? "GET";
  const url = new URL(req.url ?? "/", "http://emulator.invalid");
  const raw = await readBody(req);
  const scope = signatureScope(req.headers);
  const target = deps.target(scope);
  let call: ResolvedCall | undefined;
  let routingError: ServiceError | undefined;
  try {
    call = resolve(method, url.pathname);
  } catch (error) {
    routingError = toServiceError(error);
  }
  const record = deps.calls.start({
    at: deps.now(),
    operation: call?.operation ?? "Unknown",
    method,
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    account: target.account,
    region: target.region,
    ...(scope.accessKeyId ? { accessKeyId: scope.accessKeyId } : {}),
    ...(scope.region ? { signedRegion: scope.region } : {}),
    ...(call?.apiId === undefined ? {} : { apiId: call.apiId }),
    ...(call?.integrationId === undefined ? {} : { integrationId: call.integrationId }),
    ...(method === "POST" || method === "PATCH" ? { body: bodyForLog(raw) } : {}),
  });
  const requestId = requestIdOf(record.seq);
  if (!call) {
    answer(res, routingError ?? unknownOperation(method, url.pathname), requestId, record);
    return;
  }
  const decision = target.faults.decide(call);
  if (decision.delayMs > 0) await sleep(decision.delayMs);
  if (decision.fault) record.fault = decision.fault;
  if (decision.reset) {
    req.socket.destroy();
    return;
  }
  if (decision.error) {
    answer(res, decision.error, requestId, record, decision.headers);
    return;
  }
  try {
    if (raw === undefined) throw badRequest(`Request body exceeds ${MAX_BODY_BYTES} bytes`);
    const body = parseJsonObject(raw.toString("utf8"));
    const result = execute(target.context, { ...call, query: url.searchParams, body });
    record.status = result.status;
    const created = createdIdOf(call.operation, result.body);
    if (created !== undefined) record.createdId = created;
    // Before the answer, so a caller that looks up CloudTrail right after it finds the record.
    if (deps.onWrite && WRITES.has(call.operation)) {
      const integrationId =
        call.integrationId ?? String((result.body as { integrationId?: unknown }).integrationId);
      deps.onWrite({
        operation: call.operation as WriteOperation,
        at: record.at,
        apiId: call.apiId!,
        integrationId,
        request: body,
        response: result.body,
        ...scope,
        ...(req.headers["user-agent"] ? { userAgent: req.headers["user-agent"] } : {}),
        ...(req.socket.remoteAddress ? { sourceIpAddress: req.socket.remoteAddress } : {}),
      });
    }
    send(res, result.status, result.body, { "x-amzn-RequestId": requestId });
  } catch (error) {
    answer(res, toServiceError(error), requestId, record);
  }
}

function createdIdOf(operation: string, body: unknown): string | undefined {
  const answer = body as { apiId?: unknown; integrationId?: unknown } | undefined;
  const id =
    operation === "CreateApi"
      ? answer?.apiId
      : operation === "CreateIntegration"
        ? answer?.integrationId
        : undefined;
  return typeof id === "string" ? id : undefined;
}

/** Reads the whole body; past the limit it keeps draining (so the answer can still be sent) but drops. */
async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk);
  }
  return size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks);
}

function bodyForLog(raw: Buffer | undefined): unknown {
  if (raw === undefined) return `(more than ${MAX_BODY_BYTES} bytes)`;
  const text = raw.toString("utf8");
  try {
    return text === "" ? undefined : JSON.parse(text);
  } catch {
    return text;
  }
}

/** Writes an error answer and completes the call's record. */
function answer(
  res: ServerResponse,
  error: ServiceError,
  requestId: string,
  record?: CallRecord,
  headers: Record<string, string> = {},
): void {
  if (record) {
    record.status = error.status;
    record.errorType = error.errorType;
  }
  send(res, error.status, error.body(), {
    ...headers,
    "x-amzn-ErrorType": error.errorType,
    "x-amzn-RequestId": requestId,
  });
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string>): void {
  const payload = body === undefined ? "" : JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    "content-type": "application/json",
    "content-length": Buffer.byteLength(payload),
  });
  res.end(payload);
}

/** Deterministic, UUID-shaped: the SDK surfaces it as `$metadata.requestId`, handy in failure output. */
function requestIdOf(seq: number): string {
  return `00000000-0000-4000-8000-${seq.toString(16).padStart(12, "0")}`;
}
