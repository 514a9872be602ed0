import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { ApiGatewayV2Client } from "@aws-sdk/client-apigatewayv2";

/** moto's default account: the account its STS GetCallerIdentity answers with. */
export const MOTO_ACCOUNT = "123456789012";
export const MOTO_REGION = "eu-west-1";

export interface MotoServer {
  url: string;
  /** moto_server's own process id. */
  pid: number;
  /** A plain SDK client for seeding and drifting, as a console user would (no retries, no limiter). */
  client: ApiGatewayV2Client;
  /** The SDK's standard environment pointing at this server, with fake credentials. */
  env: Record<string, string>;
  /** Forgets every resource (POST /moto-api/reset). */
  reset(): Promise<void>;
  /** Stops the server and waits until its process is gone. */
  close(): Promise<void>;
}

/**
 * The watchdog around moto_server: it prints moto's pid, and a background reader waits on its stdin. When
 * the test process closes that pipe, or dies (a killed worker closes it too), the reader kills moto; the
 * shell reaps moto and exits with it, also when moto exits on its own (a port it could not bind). So no
 * server outlives the tests, whatever happens to them.
 */
const WATCHDOG = [
  'cmd="$1"; shift',
  '"$cmd" "$@" >&2 &',
  "pid=$!",
  'echo "$pid"',
  // A background job's stdin is /dev/null in sh: hand the pipe to the reader on fd 3.
  "exec 3<&0",
  '{ read _ <&3; kill "$pid" 2>/dev/null; } &',
  "reader=$!",
  'wait "$pid"; status=$?',
  'kill "$reader" 2>/dev/null',
  'exit "$status"',
].join("\n");

const open = new Set<ChildProcess>();
// Last resort for a process that exits without running afterAll: kill every watchdog group still open.
process.once("exit", () => {
  for (const child of open) if (child.pid) killGroup(child.pid, "SIGKILL");
});

/**
 * Starts moto_server on a free loopback port and resolves once it answers. Startup is about 0.3 s here;
 * one server per test file, reset between tests, is the intended use (see useMoto).
 */
export async function startMoto(options: { command?: string; readyTimeoutMs?: number } = {}) {
  const command = options.command ?? "moto_server";
  let lastError: Error | undefined;
  // The port is free when picked, but another process may take it before moto binds: try a few.
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await launch(command, await freePort(), options.readyTimeoutMs ?? 15_000);
    } catch (error) {
      lastError = error as Error;
      if (!/Address already in use/.test(lastError.message)) break;
    }
  }
  throw lastError;
}

/** Starts moto_server on `port`; exported for the helper's own tests (a port someone else holds). */
export async function launch(command: string, port: number, readyTimeoutMs: number): Promise<MotoServer> {
  const child = spawn("sh", ["-c", WATCHDOG, "sh", command, "-H", "127.0.0.1", "-p", String(port)], {
    detached: true,
    stdio: ["pipe", "pipe", "pipe"],
  });
  open.add(child);
  let output = "";
  // Werkzeug says "Running on http://127.0.0.1:PORT" once it holds the port: until then an answer on the
  // port may come from whoever took it after freePort() let it go.
  const banner = `Running on http://127.0.0.1:${port}`;
  let bound = false;
  child.stderr?.on("data", (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4_000);
    bound ||= output.includes(banner);
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let gone = false;
  void exited.then(() => {
    gone = true;
    open.delete(child);
  });
  const close = async () => {
    if (gone) return;
    child.stdin?.end();
    const timer = setTimeout(() => child.pid && killGroup(child.pid, "SIGKILL"), 5_000);
    await exited;
    clearTimeout(timer);
  };
  try {
    const pid = await firstLine(child);
    const url = `http://127.0.0.1:${port}`;
    await waitUntilAnswering(
      url,
      readyTimeoutMs,
      () => bound,
      () => (gone ? output : undefined),
    );
    const client = new ApiGatewayV2Client({
      endpoint: url,
      region: MOTO_REGION,
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
      maxAttempts: 1,
    });
    return {
      url,
      pid,
      client,
      env: {
        AWS_ENDPOINT_URL_APIGATEWAYV2: url,
        AWS_ENDPOINT_URL_STS: url,
        AWS_REGION: MOTO_REGION,
        AWS_ACCESS_KEY_ID: "test",
        AWS_SECRET_ACCESS_KEY: "test",
      },
      reset: async () => {
        const answer = await fetch(`${url}/moto-api/reset`, { method: "POST" });
        if (!answer.ok) throw new Error(`moto reset answered ${answer.status}: ${await answer.text()}`);
      },
      close: async () => {
        client.destroy();
        await close();
      },
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** A port nobody listens on right now: the kernel's pick for port 0. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function firstLine(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let text = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      text += chunk.toString();
      const line = /^(\d+)\n/.exec(text);
      if (line) resolve(Number(line[1]));
    });
    child.once("exit", (code) => reject(new Error(`the moto watchdog exited (${code}) before moto started`)));
  });
}

async function waitUntilAnswering(
  url: string,
  timeoutMs: number,
  bound: () => boolean,
  died: () => string | undefined,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const output = died();
    if (output !== undefined) throw new Error(`moto_server exited before it answered:\n${output}`);
    if (bound()) {
      try {
        const answer = await fetch(`${url}/moto-api/`, { signal: AbortSignal.timeout(1_000) });
        await answer.arrayBuffer();
        if (answer.ok) return;
      } catch {
        // bound, not serving yet
      }
    }
    if (Date.now() > deadline) throw new Error(`moto_server did not answer on ${url} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}
