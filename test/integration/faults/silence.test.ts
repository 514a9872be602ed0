import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { stateFromDocuments } from "../../../lib/desired-state/state.ts";
import { reconcile } from "../../../lib/reconcile/reconcile.ts";
import { createRuntime } from "../../../lib/runtime/runtime.ts";
import { compressJitter } from "../../helpers/fault-matrix.ts";
import { desiredInput } from "../../helpers/run.ts";

/**
 * Servers that are not API Gateway and never give a complete answer: one that trickles a body after its
 * headers, one that accepts and never answers, and one whose nextToken never ends. Each run must end,
 * FAILED with what timed out or looped, in a bounded time and number of calls.
 */
const API = "a1b2c3d4e5";
const desired = desiredInput(
  stateFromDocuments([
    {
      file: `desired-state/${API}.yaml`,
      doc: { apiId: API, protocol: "HTTP", integrations: { abc1234: { timeoutInMillis: 1000 } } },
    },
  ]),
);

let server: Server | undefined;
// Retry backoffs drawn from the low end of their range, as the other fault tests do: seconds, not minutes.
beforeEach(() => compressJitter());
const sockets = new Set<Socket>();
afterEach(async () => {
  for (const s of sockets) s.destroy();
  sockets.clear();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

async function serve(handle: (path: string, res: ServerResponse) => void): Promise<{ requests: string[] }> {
  const requests: string[] = [];
  server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    handle(req.url ?? "", res);
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  vi.stubEnv("AWS_ENDPOINT_URL_APIGATEWAYV2", `http://127.0.0.1:${(server!.address() as AddressInfo).port}`);
  vi.stubEnv("AWS_REGION", "eu-west-1");
  vi.stubEnv("AWS_ACCESS_KEY_ID", "test");
  vi.stubEnv("AWS_SECRET_ACCESS_KEY", "test");
  return { requests };
}

async function plan(attemptDeadlineMs: number) {
  const retries: string[] = [];
  const runtime = await createRuntime({
    rate: 1000,
    attemptDeadlineMs,
    onRetry: (r) => retries.push(`${r.operation} ${r.reason} ${r.attempt}/${r.maxAttempts}`),
  });
  try {
    const started = performance.now();
    const report = await reconcile({ mode: "plan" }, desired, runtime.services({ where: {} }));
    return { report, retries, seconds: (performance.now() - started) / 1000 };
  } finally {
    await runtime.close();
  }
}

describe("a server that never gives a complete answer", () => {
  it("ends a trickled answer at the attempt's total deadline, retries it, and fails the API naming the timeout", async () => {
    const { requests } = await serve((_path, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write("{");
      // One byte every 50 ms: an idle timeout never fires; the total deadline must.
      const drip = setInterval(() => res.write(" "), 50);
      res.on("close", () => clearInterval(drip));
    });
    const { report, retries, seconds } = await plan(200);
    expect(report.status).toBe("PARTIAL");
    expect(report.integrations.map((r) => [r.integrationId, r.status, r.error?.name])).toEqual([
      ["abc1234", "FAILED", "TimeoutError"],
    ]);
    expect(report.integrations[0]?.error?.message).toBe(
      `GetApi ${API} failed: TimeoutError (ETIMEDOUT): no complete answer within 200 ms (the attempt's total deadline, headers and body)`,
    );
    // GetApi's 8 attempts, each a line on stderr before its retry; none after the last.
    expect(requests).toHaveLength(8);
    expect(retries).toEqual(
      Array.from({ length: 7 }, (_, i) => `GetApi TimeoutError (ETIMEDOUT) ${i + 2}/8`),
    );
    // Bounded: 8 attempts of 0.2 s plus backoff (full jitter, capped at 20 s, here a few seconds at most).
    expect(seconds).toBeLessThan(8 * 0.2 + 30);
  });

  it("stops calling a service that accepts connections and never answers, after 8 silent attempts", async () => {
    const { requests } = await serve(() => {
      // Never answers.
    });
    const runtime = await createRuntime({ rate: 1000, attemptDeadlineMs: 100 });
    try {
      const services = runtime.services({ where: {} });
      const first = await reconcile({ mode: "plan" }, desired, services);
      expect(first.integrations[0]?.error?.name).toBe("TimeoutError");
      const second = await reconcile({ mode: "plan" }, desired, runtime.services({ where: {} }));
      expect(second.integrations[0]?.error).toEqual({
        name: "ServiceSilentError",
        message: `GetApi ${API} failed: ServiceSilentError: the service gave no complete answer to 8 attempts in a row within 100 ms each; no further call is sent (check the endpoint and the network)`,
      });
      // The second run sent nothing: the breaker refused before the request left.
      expect(requests).toHaveLength(8);
    } finally {
      await runtime.close();
    }
  });

  it("stops following a nextToken that comes back again, naming the loop", async () => {
    const { requests } = await serve((path, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      if (path.startsWith(`/v2/apis/${API}/integrations`)) {
        res.end(JSON.stringify({ items: [], nextToken: "same-token" }));
      } else {
        res.end(
          JSON.stringify({
            apiId: API,
            name: "x",
            protocolType: "HTTP",
            routeSelectionExpression: "$request.method",
          }),
        );
      }
    });
    const { report } = await plan(1000);
    expect(report.integrations[0]?.error).toEqual({
      name: "PaginationLoop",
      message: `GetIntegrations ${API} failed: PaginationLoop: the listing returned the same nextToken twice, after 2 pages; stopped following nextToken`,
    });
    expect(requests.filter((r) => r.includes("/integrations"))).toHaveLength(2);
  });
});
