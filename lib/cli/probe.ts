import { randomBytes } from "node:crypto";
import { createApiGatewayClient } from "../apigateway/client.ts";
import { RateLimiter } from "../apigateway/limiter.ts";
import { type ProbeGateway, SdkProbeGateway } from "../apigateway/probe-gateway.ts";
import { CallStats } from "../apigateway/stats.ts";
import { callerIdentity } from "../identity/caller.ts";
import { placeholderListener } from "../probe/experiments.ts";
import { iamPolicy, planLines } from "../probe/plan.ts";
import { renderProbeTable } from "../probe/render.ts";
import { probeResult } from "../probe/result.ts";
import { type ProbeOutcome, runProbe } from "../probe/run.ts";
import { jsonText, terminal } from "../text/escape.ts";
import type { CliIo } from "./io.ts";

export interface ProbeCliOptions {
  yes?: boolean;
  vpcLink?: string;
  vpcLinkUri?: string;
  account?: string;
  cleanAll?: boolean;
  rate?: number;
  json?: boolean;
}

/** What a probe run talks through: the product's client and limiter, built once per command. */
export interface ProbeConnection {
  gateway: ProbeGateway;
  /** The Region the SDK's standard configuration resolved. */
  region(): Promise<string | undefined>;
  close(): void;
}

type Listener = (...args: unknown[]) => void;
/** The part of `process` the probe takes SIGINT and SIGTERM from. */
export interface Signals {
  on(signal: "SIGINT" | "SIGTERM", listener: Listener): unknown;
  off(signal: "SIGINT" | "SIGTERM", listener: Listener): unknown;
  listeners(signal: "SIGINT" | "SIGTERM"): unknown[];
}

export interface ProbeDeps {
  /** Builds the connection; tests build one with a faster limiter or fewer attempts. */
  connect?: (options: { rate: number }) => ProbeConnection;
  /** Where SIGINT/SIGTERM come from (the process). */
  signals?: Signals;
  runId?: () => string;
  now?: () => number;
  /** Who the credentials are (STS GetCallerIdentity): names the placeholder ARNs when no account is given. */
  identity?: () => Promise<{ account: string }>;
}

/** Half the account's quota: other callers share the 10 requests per second (service-facts #4). */
export const PROBE_RATE = 5;
/** The account's quota; the probe never asks for more. */
export const PROBE_MAX_RATE = 10;
/** When no account is given, the placeholder role and listener ARNs name this one. */
const NO_ACCOUNT = "000000000000";

/** `apigw-drift probe`: the plan (no call at all), or with --yes the run; exit 0 ran, 1 not, 130 interrupted. */
export async function runProbeCommand(
  options: ProbeCliOptions,
  io: CliIo,
  deps: ProbeDeps = {},
): Promise<number> {
  let account = options.account ?? io.env.APIGW_DRIFT_ACCOUNT;
  const rate = options.rate ?? PROBE_RATE;
  const envRegion = io.env.AWS_REGION ?? io.env.AWS_DEFAULT_REGION;
  const placeholders = (region: string) => ({
    account: account ?? NO_ACCOUNT,
    region,
    ...(options.vpcLink
      ? {
          vpcLink: {
            id: options.vpcLink,
            uri: options.vpcLinkUri ?? placeholderListener({ account: account ?? NO_ACCOUNT, region }),
          },
        }
      : {}),
  });
  if (!options.yes) {
    const region = envRegion ?? "*";
    const lines = planLines(placeholders(envRegion ?? "<region>"), rate);
    if (!account)
      lines.push(`(no --account or APIGW_DRIFT_ACCOUNT: the role's ARN names account ${NO_ACCOUNT})`);
    lines.push(
      "",
      `The IAM policy it needs (Region ${region}):`,
      ...jsonText(iamPolicy(region, account ?? "*")).split("\n"),
      "",
      "Run it with: apigw-drift probe --yes [--vpc-link ID] [--json] > probe.json",
    );
    io.stdout(`${lines.map(terminal).join("\n")}\n`);
    return 0;
  }
  const connection = (deps.connect ?? sdkConnection)({ rate });
  const controller = new AbortController();
  const signals = deps.signals ?? process;
  let received = 0;
  const onSignal = (signal: string) => {
    received += 1;
    controller.abort();
    io.stderr(
      received === 1
        ? `apigw-drift probe: ${signal}: stopping after the call in flight, then deleting the scratch APIs\n`
        : `apigw-drift probe: ${signal} again: still deleting the scratch APIs (SIGKILL would leave them for the next probe to delete)\n`,
    );
  };
  // The probe owns both signals while it runs: the CLI's own handler (io.ts) exits at a second one,
  // which here would leave the scratch APIs behind. Its handlers are put back afterwards.
  const held = takeSignals(signals, onSignal);
  try {
    const region = (await connection.region()) ?? envRegion;
    if (!region) {
      io.stderr(
        "apigw-drift probe: no AWS Region: set AWS_REGION (or a profile's region) and run it again\n",
      );
      return 1;
    }
    if (!account) {
      // The placeholder role and listener name the account the probe runs on, as a real one would.
      try {
        account = (await (deps.identity ?? callerIdentity)()).account;
      } catch (error) {
        io.stderr(
          `apigw-drift probe: STS GetCallerIdentity failed (${terminal((error as Error).message)}); the placeholder ARNs name account ${NO_ACCOUNT} (give --account to name yours)\n`,
        );
      }
    }
    const outcome = await runProbe(connection.gateway, {
      ...placeholders(region),
      runId: (deps.runId ?? newRunId)(),
      signal: controller.signal,
      ...(options.cleanAll ? { cleanAll: true } : {}),
      ...(deps.now ? { now: deps.now } : {}),
      log: (line) => io.stderr(`apigw-drift probe: ${terminal(line)}\n`),
    });
    return report(outcome, region, options, io);
  } finally {
    held.release();
    connection.close();
  }
}

/** Makes `listener` the only one of SIGINT and SIGTERM until `release()`, which restores the others. */
function takeSignals(signals: Signals, listener: (signal: string) => void): { release(): void } {
  const names = ["SIGINT", "SIGTERM"] as const;
  const others = names.map((name) => [name, signals.listeners(name) as Listener[]] as const);
  for (const [name, listeners] of others) {
    for (const l of listeners) signals.off(name, l);
    signals.on(name, listener as Listener);
  }
  return {
    release: () => {
      for (const [name, listeners] of others) {
        signals.off(name, listener as Listener);
        for (const l of listeners) signals.on(name, l);
      }
    },
  };
}

function report(outcome: ProbeOutcome, region: string, options: ProbeCliOptions, io: CliIo): number {
  const left = outcome.cleanup.failed;
  for (const { api } of left) {
    io.stderr(
      `apigw-drift probe: scratch API ${terminal(api.apiId)} (${terminal(api.name)}) is still there: delete it with aws apigatewayv2 delete-api --api-id ${terminal(api.apiId)}, or run the probe again\n`,
    );
  }
  if (outcome.kind === "interrupted") {
    io.stderr(
      `apigw-drift probe: interrupted; ${left.length === 0 ? "no scratch API is left" : "see above"}\n`,
    );
    return 130;
  }
  if (outcome.kind === "failed") {
    io.stderr(`apigw-drift probe: ${terminal(outcome.message)}\n`);
    return 1;
  }
  const result = probeResult(outcome.probedAt, region, outcome.behaviours);
  io.stdout(options.json ? `${jsonText(result)}\n` : renderProbeTable(result));
  return left.length === 0 ? 0 : 1;
}

/** The product's own client (retries, timeouts, the limiter inside the retry loop), one call at a time. */
function sdkConnection({ rate }: { rate: number }): ProbeConnection {
  const limiter = new RateLimiter({ rate, burst: 1, concurrency: 1 });
  const client = createApiGatewayClient({ limiter, stats: new CallStats() });
  return {
    gateway: new SdkProbeGateway(client, limiter),
    region: async () => {
      try {
        return await client.config.region();
      } catch {
        return undefined;
      }
    },
    close: () => client.destroy(),
  };
}

function newRunId(): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  return [...randomBytes(8)].map((b) => alphabet[b % alphabet.length]).join("");
}
