import { Readable } from "node:stream";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import type { HttpHandlerOptions, HttpRequest, HttpResponse } from "@smithy/types";

/** No attempt may take longer than this, headers and body together, however the server trickles. */
export const DEFAULT_ATTEMPT_DEADLINE_MS = 30_000;
/** After this many attempts in a row got no complete answer in time, the service is taken for silent. */
export const SILENCE_LIMIT = 8;

/**
 * Counts the attempts in a row that got no complete answer within their deadline, for one client: once
 * there are SILENCE_LIMIT of them, every further attempt fails at once, so a service that accepts
 * connections and never answers (a black hole, a proxy that trickles) ends a run in a bounded time instead
 * of each call spending all its attempts on it. Any complete answer, error or not, resets it.
 */
export class SilenceBreaker {
  #silent = 0;
  readonly limit: number;

  constructor(limit = SILENCE_LIMIT) {
    this.limit = limit;
  }

  get tripped(): boolean {
    return this.#silent >= this.limit;
  }

  answered(): void {
    this.#silent = 0;
  }

  timedOut(): void {
    this.#silent += 1;
  }
}

/** What the deadline throws: the retry strategy takes `TimeoutError` for a transient failure. */
function attemptTimeout(ms: number): Error {
  return Object.assign(
    new Error(`no complete answer within ${ms} ms (the attempt's total deadline, headers and body)`),
    { name: "TimeoutError", code: "ETIMEDOUT" },
  );
}

function silenced(breaker: SilenceBreaker, ms: number): Error {
  return Object.assign(
    new Error(
      `the service gave no complete answer to ${breaker.limit} attempts in a row within ${ms} ms each; no further call is sent (check the endpoint and the network)`,
    ),
    { name: "ServiceSilentError" },
  );
}

/**
 * The SDK's Node HTTP handler with a total deadline per attempt. The handler's own requestTimeout is an
 * idle timeout: a server that sends its headers and then one byte every few seconds never trips it, and the
 * body is read after the handler returns. This one reads the whole body within the deadline and hands the
 * SDK a buffered copy (API Gateway's answers are small), aborting the request when the deadline passes.
 * The caller's abort signal (a run that must end) still aborts an attempt in flight.
 */
export class DeadlineHttpHandler {
  readonly metadata = { handlerProtocol: "http/1.1" };
  readonly #inner: NodeHttpHandler;
  readonly #deadlineMs: number;
  readonly #breaker: SilenceBreaker;

  constructor(options: {
    inner: NodeHttpHandler | ConstructorParameters<typeof NodeHttpHandler>[0];
    deadlineMs?: number;
    breaker?: SilenceBreaker;
  }) {
    this.#inner =
      options.inner instanceof NodeHttpHandler ? options.inner : new NodeHttpHandler(options.inner);
    this.#deadlineMs = options.deadlineMs ?? DEFAULT_ATTEMPT_DEADLINE_MS;
    this.#breaker = options.breaker ?? new SilenceBreaker();
  }

  async handle(request: HttpRequest, options: HttpHandlerOptions = {}): Promise<{ response: HttpResponse }> {
    if (this.#breaker.tripped) throw silenced(this.#breaker, this.#deadlineMs);
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), this.#deadlineMs);
    const signal = options.abortSignal
      ? AbortSignal.any([deadline.signal, options.abortSignal as AbortSignal])
      : deadline.signal;
    try {
      const { response } = await this.#inner.handle(request as Parameters<NodeHttpHandler["handle"]>[0], {
        ...options,
        abortSignal: signal,
      });
      response.body = Readable.from([await collect(response.body, signal)]);
      this.#breaker.answered();
      return { response };
    } catch (error) {
      if (deadline.signal.aborted) {
        this.#breaker.timedOut();
        throw attemptTimeout(this.#deadlineMs);
      }
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  updateHttpClientConfig(key: never, value: never): void {
    this.#inner.updateHttpClientConfig(key, value);
  }

  httpHandlerConfigs() {
    return this.#inner.httpHandlerConfigs();
  }

  destroy(): void {
    this.#inner.destroy();
  }
}

/** A response body read to its end, or a rejection once `signal` aborts. */
async function collect(body: unknown, signal: AbortSignal): Promise<Uint8Array> {
  if (body === undefined || body === null) return new Uint8Array(0);
  if (body instanceof Uint8Array) return body;
  const stream = body as Readable;
  const chunks: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    const abort = () => {
      stream.destroy();
      reject(new Error("aborted while reading the answer"));
    };
    if (signal.aborted) return abort();
    signal.addEventListener("abort", abort, { once: true });
    stream.on("data", (chunk: Buffer) => chunks.push(Buffer.from(chunk)));
    stream.once("end", () => {
      signal.removeEventListener("abort", abort);
      resolve();
    });
    stream.once("error", (error) => {
      signal.removeEventListener("abort", abort);
      reject(error);
    });
  });
  return Buffer.concat(chunks);
}
