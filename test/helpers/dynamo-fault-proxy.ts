import { Agent, createServer, type IncomingMessage, request, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

/** One request the proxy saw: the DynamoDB operation (from `X-Amz-Target`) and what became of it. */
export interface ProxiedCall {
  operation: string;
  outcome: "forwarded" | "throttled" | "refused";
  /** The status answered; absent for a refused (reset) request. */
  status?: number;
}

/** Answers the next `times` requests (of `operation`, or of any) with ProvisionedThroughputExceeded. */
export interface ThrottleScript {
  operation?: string;
  /** Infinity: until `clear()`. */
  times: number;
}

/**
 * DynamoDB's JSON-protocol throttling error, as the service sends it: status 400 and the shape name in
 * `__type`, so the real SDK classifies it (a throttling error, retried with its throttling backoff).
 */
const THROUGHPUT_EXCEEDED = {
  __type: "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
  message:
    "The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.",
};

/**
 * A tiny HTTP proxy on loopback in front of a DynamoDB endpoint (dynalite in tests): it forwards requests
 * unchanged, except the ones a script throttles, and, while "down", it drops every connection without an
 * answer (what a client sees of an endpoint that went away). Point `AWS_ENDPOINT_URL_DYNAMODB` at
 * `endpoint`, or a client's `endpoint`.
 */
export async function startDynamoFaultProxy(upstream: string) {
  const target = new URL(upstream);
  const agent = new Agent({ keepAlive: true });
  const scripts: ThrottleScript[] = [];
  const calls: ProxiedCall[] = [];
  const sockets = new Set<Socket>();
  let down = false;
  let refusedConnections = 0;

  const take = (operation: string): boolean => {
    const i = scripts.findIndex((s) => s.operation === undefined || s.operation === operation);
    const script = scripts[i];
    if (!script) return false;
    script.times -= 1;
    if (script.times <= 0) scripts.splice(i, 1);
    return true;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const body = await readAll(req);
    const operation =
      String(req.headers["x-amz-target"] ?? "")
        .split(".")
        .pop() ?? "";
    if (down) {
      calls.push({ operation, outcome: "refused" });
      req.socket.destroy();
      return;
    }
    if (take(operation)) {
      calls.push({ operation, outcome: "throttled", status: 400 });
      const payload = JSON.stringify(THROUGHPUT_EXCEEDED);
      res.writeHead(400, {
        "content-type": "application/x-amz-json-1.0",
        "content-length": Buffer.byteLength(payload),
        "x-amzn-requestid": `proxy-${calls.length}`,
      });
      res.end(payload);
      return;
    }
    const call: ProxiedCall = { operation, outcome: "forwarded" };
    calls.push(call);
    const answer = await forward(target, agent, req, body);
    call.status = answer.status;
    res.writeHead(answer.status, answer.headers);
    res.end(answer.body);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  server.on("connection", (socket) => {
    if (down) {
      refusedConnections += 1;
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));

  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    /** Every request, in arrival order. */
    calls,
    /** Connections dropped while down, before any request was read. */
    get refusedConnections(): number {
      return refusedConnections;
    },
    /** Queues a throttling script; scripts match in the order they were queued. */
    throttle(script: ThrottleScript): void {
      scripts.push({ ...script });
    },
    /** Drops every throttling script. */
    clear(): void {
      scripts.length = 0;
    },
    /** Down: every connection is dropped unanswered (and open keep-alive ones are cut now). Up again with false. */
    setDown(value: boolean): void {
      down = value;
      if (value) for (const s of sockets) s.destroy();
    },
    /** Calls of one operation, optionally with one outcome. */
    count(operation: string, outcome?: ProxiedCall["outcome"]): number {
      return calls.filter((c) => c.operation === operation && (!outcome || c.outcome === outcome)).length;
    },
    async close(): Promise<void> {
      agent.destroy();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

export type DynamoFaultProxy = Awaited<ReturnType<typeof startDynamoFaultProxy>>;

/** An endpoint nothing listens on: a port that was free a moment ago (connections are refused). */
export async function closedEndpoint(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

function forward(
  target: URL,
  agent: Agent,
  req: IncomingMessage,
  body: Buffer,
): Promise<{ status: number; headers: Record<string, string | string[]>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const out = request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: target.host },
        agent,
      },
      (answer) => {
        readAll(answer).then((payload) => {
          const headers: Record<string, string | string[]> = {};
          for (const [k, v] of Object.entries(answer.headers)) {
            if (v !== undefined && k !== "connection" && k !== "keep-alive") headers[k] = v;
          }
          resolve({ status: answer.statusCode ?? 502, headers, body: payload });
        }, reject);
      },
    );
    out.on("error", reject);
    out.end(body);
  });
}
