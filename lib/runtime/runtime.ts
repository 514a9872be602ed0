import type { CloudTrailClient } from "@aws-sdk/client-cloudtrail";
import type { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import type { AwsCredentialIdentityProvider } from "@smithy/types";
import {
  type ClientOptions,
  createApiGatewayClient,
  type RetryNotice,
  TOOL_USER_AGENT,
} from "../apigateway/client.ts";
import { SdkGateway } from "../apigateway/gateway.ts";
import { DEFAULT_CONCURRENCY, RateLimiter } from "../apigateway/limiter.ts";
import { CallStats } from "../apigateway/stats.ts";
import { createRedactor, type Redactor } from "../diff/redact.ts";
import type { Target } from "../fleet/targets.ts";
import type { HistoryReader } from "../history/in-sync.ts";
import type { NotificationStates } from "../notify/after-run.ts";
import type { Report } from "../plan/report.ts";
import type { AttributionLookup } from "../reconcile/attribute.ts";
import type { Lease } from "../reconcile/lease.ts";
import type { HistoryRecorder, Intent, Progress, RunServices, Where } from "../reconcile/reconcile.ts";

/** A history store as a run uses it: the table's (or the embedded store's) recorder and lease. */
export interface RunHistory {
  history: HistoryRecorder;
  /** The lease of a run whose account and Region are unknown (the table's one item of old). */
  lease: Lease;
  /** The lease of one target (account and Region): runs in different targets never wait for each other. */
  leaseFor?(target: Target): Lease;
  /** For messages: `DynamoDB table X`, `the local store in …`. */
  location: string;
  /** History's queries, for attribution's windows (since each integration was last seen in sync). */
  reader?: HistoryReader;
  /** What notifications last announced, per integration (lib/history/notified.ts). */
  notified?: NotificationStates;
  close(): Promise<void>;
}

/** Attribution (PRODUCT §8), on for plan and apply unless a run's config leaves it out. */
export interface AttributionConfig {
  /** LookupEvents pages per run (default 20). */
  pageBudget?: number;
  /**
   * ARNs that are the tool itself, besides the run's `where.callerArn` (the CLI's STS caller): the Lambda's
   * role. Resolved at the first lookup; a failure skips attribution with a warning.
   */
  self?: () => Promise<readonly string[]>;
  /** "session" (the CLI): only the caller's own session; "role" (the Lambda): every session of its role. */
  scope?: "role" | "session";
}

/**
 * What a run is built from: the CLI and the Lambda each fill this in from their own inputs (flags and
 * environment; the function's environment and context) and get the same run.
 */
export interface RuntimeConfig {
  /** Client-side requests per second and calls in flight (default: the account's quota, 8). */
  rate?: number;
  concurrency?: number;
  /** How the history store is opened, and what the run takes from it. */
  history?: {
    open: () => Promise<RunHistory>;
    /**
     * `record`: the run's report and drift events, and the apply lease; `lease`: only the lease (an apply
     * with --no-history still takes one, PRODUCT §4).
     */
    use: "record" | "lease";
  };
  /** The key of redacted values' hashes (APIGW_DRIFT_REDACTION_KEY). */
  redactionKey?: string;
  now?: () => number;
  /** Told of each retry before its wait (the CLI prints a line on stderr). */
  onRetry?: (retry: RetryNotice) => void;
  /** Only for tests: abandon (and retry) a request after this long without an answer. */
  requestTimeoutMs?: number;
  /** Only for tests: the total deadline of one attempt, headers and body (30 s by default). */
  attemptDeadlineMs?: number;
  /** Only for tests: sees the API Gateway client once built (to record what a run sends). */
  instrument?: ClientOptions["instrument"];
  /** Who changed drifted integrations, from CloudTrail; absent: no lookups. */
  attribution?: AttributionConfig;
  /** Send EventBridge notifications after runs (the Lambda): `runtime.notify`. */
  notifications?: boolean;
}

/** A built runtime: clients, limiter and history, opened once and reused by every run until closed. */
export interface Runtime {
  /** The services of one run: the same clients, and call counts that start at zero. */
  services(options: {
    where: Where;
    onProgress?: (progress: Progress) => void;
    /** Aborts the run's calls in flight: a run that must end now (the Lambda's time nearly up). */
    signal?: AbortSignal;
  }): RunServices;
  /** The Region the SDK's standard configuration resolved, if any. */
  region(): Promise<string | undefined>;
  /** Where history lives, for messages (`DynamoDB table X`, `the local store in …`), when it is open. */
  historyLocation?: string;
  /**
   * Notifications for a finished run (PRODUCT §8), when the config asks for them and history keeps their
   * states: never throws; what went wrong comes back as warnings. A fleet target's runtime sends through
   * its home runtime's client, to the home account's bus.
   */
  notify?(
    report: Report,
    where?: { account?: string; region?: string },
  ): Promise<{ sent: number; warnings: string[] }>;
  /** CloudTrail clients built so far (one per Region, only when a run had something to attribute). */
  cloudTrailClients?(): number;
  readonly redact: Redactor;
  /**
   * A runtime for one target of a fleet (PRODUCT §9): its own API Gateway client on `credentials` in
   * `region`, its own rate limiter and call counts (the quota is per account and Region), and this
   * runtime's history store, redactor and clock. Closing it closes only its client.
   */
  forTarget?(target: TargetAccess): Runtime;
  /** Closes the clients and the history store (and its folder lock). Safe to call twice. */
  close(): Promise<void>;
}

/** How a runtime reaches one target. */
export interface TargetAccess {
  region: string;
  /** Another account's credentials (an assumed role); the SDK's standard chain when absent. */
  credentials?: AwsCredentialIdentityProvider;
}

/**
 * The composition root: one place builds what a run needs from a small config — the API Gateway client on
 * the SDK's standard configuration with the product's retry and timeout settings, the rate limiter, the
 * gateway, the history store and lease, the redactor and the clock. The CLI builds one per command; the
 * Lambda one per cold start, reused by every warm invocation.
 */
export async function createRuntime(config: RuntimeConfig): Promise<Runtime> {
  const store = config.history ? await config.history.open() : undefined;
  const notifier = createNotifier(config, store);
  let closedStore = false;
  return buildRuntime(config, store, undefined, notifier, async () => {
    if (closedStore) return;
    closedStore = true;
    await notifier?.close();
    await store?.close();
  });
}

interface Notifier {
  notify(
    report: Report,
    where?: { account?: string; region?: string },
  ): Promise<{ sent: number; warnings: string[] }>;
  close(): Promise<void>;
}

/**
 * Notifications after a run (PRODUCT §8) on one EventBridge client, created at the first run with
 * something to send and shared by every target of the home runtime.
 */
function createNotifier(config: RuntimeConfig, store: RunHistory | undefined): Notifier | undefined {
  const states = store?.notified;
  if (!config.notifications || !states) return undefined;
  const now = config.now ?? Date.now;
  let eventBridge: Promise<EventBridgeClient> | undefined;
  return {
    notify: async (report, where) => {
      const [{ notifyAfterRun }, { createEventBridgeClient, sendNotifications }] = await Promise.all([
        import("../notify/after-run.ts"),
        import("../notify/send.ts"),
      ]);
      eventBridge ??= Promise.resolve(createEventBridgeClient());
      const client = await eventBridge;
      const outcome = await notifyAfterRun(
        report,
        { states, send: (notifications) => sendNotifications(client, notifications), now },
        where,
      );
      return { sent: outcome.sent, warnings: outcome.warnings };
    },
    close: async () => (await eventBridge)?.destroy(),
  };
}

/**
 * One runtime's API Gateway side (client, limiter, counts) and its CloudTrail clients, over a history
 * store and notifier it may share: the home runtime owns them (`closeShared`), a target's runtime only
 * borrows them. A target's CloudTrail lookups use its own credentials: its trail is in its account.
 */
function buildRuntime(
  config: RuntimeConfig,
  store: RunHistory | undefined,
  target: TargetAccess | undefined,
  notifier: Notifier | undefined,
  closeShared: () => Promise<void>,
): Runtime {
  const now = config.now ?? Date.now;
  const concurrency = config.concurrency ?? DEFAULT_CONCURRENCY;
  const limiter = new RateLimiter({ rate: config.rate, concurrency });
  const stats = new CallStats();
  const client = createApiGatewayClient({
    limiter,
    stats,
    ...(target ? { region: target.region } : {}),
    ...(target?.credentials ? { credentials: target.credentials } : {}),
    ...(config.requestTimeoutMs ? { requestTimeoutMs: config.requestTimeoutMs } : {}),
    ...(config.instrument ? { instrument: config.instrument } : {}),
    ...(config.onRetry ? { onRetry: config.onRetry } : {}),
    ...(config.attemptDeadlineMs ? { attemptDeadlineMs: config.attemptDeadlineMs } : {}),
  });
  const gateway = new SdkGateway(client, limiter);
  const redact = createRedactor(config.redactionKey);
  const targets: Runtime[] = [];
  const trails = new Map<string, Promise<CloudTrailClient>>();
  /** One paced CloudTrail client per Region, created at its first lookup (and its module loaded then). */
  const cloudTrail = (region: string | undefined) => {
    const key = region ?? "";
    let trail = trails.get(key);
    if (!trail) {
      trail = import("../attribution/client.ts").then(
        ({ createCloudTrailClient }) =>
          createCloudTrailClient({
            ...(region ? { region } : {}),
            ...(target?.credentials ? { credentials: target.credentials } : {}),
          }).client,
      );
      trails.set(key, trail);
    }
    return trail;
  };
  const attribution = (where: Where, onPages: (pages: number) => void): AttributionLookup | undefined => {
    const options = config.attribution;
    if (!options) return undefined;
    return {
      lookup: async (list, run) => {
        const [{ createAttributor }, { selfIdentity }] = await Promise.all([
          import("../attribution/attributor.ts"),
          import("../attribution/identity.ts"),
        ]);
        const reader = store?.reader;
        return createAttributor({
          client: () => cloudTrail(where.region),
          self: async () =>
            selfIdentity(
              [...(where.callerArn ? [where.callerArn] : []), ...((await options.self?.()) ?? [])],
              {
                scope: options.scope ?? "role",
                userAgentMarker: TOOL_USER_AGENT,
              },
            ),
          ...(options.pageBudget !== undefined ? { pageBudget: options.pageBudget } : {}),
          onLookup: ({ pages }) => onPages(pages),
          ...(reader
            ? {
                since: async (integrations, before) => {
                  const { lastSeenInSync } = await import("../history/in-sync.ts");
                  return lastSeenInSync(reader, integrations, before);
                },
              }
            : {}),
          now,
        }).lookup(list, run);
      },
    };
  };
  let closed = false;
  return {
    redact,
    ...(store ? { historyLocation: store.location } : {}),
    services: ({ where, onProgress, signal }) => {
      stats.reset();
      const lease = store ? leaseOf(store, where) : undefined;
      // The run's LookupEvents pages, beside its API Gateway calls: another quota (2/s) the run spent.
      let lookups = 0;
      const attributor = attribution(where, (pages) => {
        lookups += pages;
      });
      return {
        gateway: gateway.withSignal(signal),
        apiCalls: () => ({ ...stats.toRecord(), ...(lookups > 0 ? { LookupEvents: lookups } : {}) }),
        where,
        ...(store && config.history?.use === "record"
          ? { history: placedHistory(store.history, where, target === undefined) }
          : {}),
        ...(lease ? { lease } : {}),
        redact,
        now,
        concurrency,
        ...(onProgress ? { onProgress } : {}),
        ...(attributor ? { attribution: attributor } : {}),
      };
    },
    ...(notifier ? { notify: notifier.notify } : {}),
    cloudTrailClients: () => trails.size + targets.reduce((n, t) => n + (t.cloudTrailClients?.() ?? 0), 0),
    region: async () => {
      try {
        return await client.config.region();
      } catch {
        return undefined;
      }
    },
    forTarget: (access) => {
      const runtime = buildRuntime(config, store, access, notifier, async () => {});
      targets.push(runtime);
      return runtime;
    },
    close: async () => {
      if (closed) return;
      closed = true;
      client.destroy();
      for (const trail of trails.values()) (await trail).destroy();
      await Promise.all(targets.map((t) => t.close()));
      await closeShared();
    },
  };
}

/** The lease of the run's target when its account and Region are known; the table's old one otherwise. */
function leaseOf(store: RunHistory, where: Where): Lease {
  if (store.leaseFor && where.account && where.region) {
    return store.leaseFor({ account: where.account, region: where.region });
  }
  return store.lease;
}

/**
 * History as one target's run writes it: its report, drift events and intents carry the account and
 * Region (PRODUCT §9), and it settles only the open intents of its own target — another target's writes
 * can only be checked with that target's credentials. Intents from before targets were recorded belong
 * to the run's own (home) target, where every run of that version acted.
 */
function placedHistory(history: HistoryRecorder, where: Where, home: boolean): HistoryRecorder {
  const { account, region } = where;
  if (!account || !region) return history;
  const place = { account, region };
  const stamp = (report: Report): Report => ({ ...place, ...report });
  const mine = (i: Intent) =>
    i.account === undefined && i.region === undefined ? home : i.account === account && i.region === region;
  return {
    record: (report) => history.record(stamp(report)),
    ...(history.intend
      ? { intend: (intents: readonly Intent[]) => history.intend!(intents.map((i) => ({ ...i, ...place }))) }
      : {}),
    ...(history.openIntents ? { openIntents: async () => (await history.openIntents!()).filter(mine) } : {}),
  };
}
