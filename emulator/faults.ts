/**
 * Faults the emulator can inject, changeable while it runs: a token-bucket throttle shaped like the
 * account's control-plane quota (service-facts #4), random 429s and 5xx, added latency, connection resets,
 * and scripted failures of the next N calls. A faulted call never reaches the store, so it changes nothing.
 */
import type { Behaviour } from "./behaviour.ts";
import { ServiceError } from "./errors.ts";
import type { OperationName, ResolvedCall } from "./operations.ts";
import type { Random } from "./random.ts";

/** Limits a fault to some operations; all operations when absent. */
export interface FaultScope {
  operations?: readonly OperationName[];
}

/** A token bucket: `burst` calls at once, refilled at `ratePerSecond`. AWS's quota is 10/s, burst 40. */
export interface ThrottleFault extends FaultScope {
  ratePerSecond: number;
  burst: number;
  /** Send Retry-After: `true` = whole seconds until the next token, a number = that many seconds. */
  retryAfter?: boolean | number;
  /** The body's `limitType`; the service's values are undocumented (unverified). */
  limitType?: string;
}

export interface ChanceFault extends FaultScope {
  /** 0..1, drawn per matching call from the emulator's seeded random source. */
  probability: number;
}

export interface ServerErrorFault extends ChanceFault {
  /** Statuses to pick from, uniformly; default [500, 503]. */
  statuses?: readonly number[];
}

export interface LatencyFault extends FaultScope {
  /** Fixed delay, or a [min, max] range drawn per call. */
  ms: number | readonly [number, number];
}

/** The standing faults. Each key absent = that fault off. */
export interface FaultConfig {
  throttle?: ThrottleFault;
  tooManyRequests?: ChanceFault;
  serverErrors?: ServerErrorFault;
  latency?: LatencyFault;
  resets?: ChanceFault;
}

/** Fails the next `times` (default 1) calls of `operation`, optionally only for one API or integration. */
export type ScriptedFailure = {
  operation: OperationName;
  apiId?: string;
  integrationId?: string;
  times?: number;
} & ({ status: number; errorType: string; message?: string; retryAfterSeconds?: number } | { reset: true });

export type FaultKind = "throttle" | "tooManyRequests" | "serverError" | "reset" | "scripted";

/** What to do with one call: wait `delayMs`, then answer normally, with an error, or not at all. */
export interface FaultDecision {
  delayMs: number;
  fault?: FaultKind;
  /** Destroy the socket without answering. */
  reset?: boolean;
  error?: ServiceError;
  headers?: Record<string, string>;
}

const SERVER_ERRORS: Record<number, [string, string]> = {
  500: ["InternalServerException", "Internal server error"],
  502: ["BadGatewayException", "Bad Gateway"],
  503: ["ServiceUnavailableException", "Service Unavailable"],
  504: ["GatewayTimeoutException", "Gateway Timeout"],
};

export class Faults {
  #config: FaultConfig = {};
  #scripts: ScriptedFailure[] = [];
  #tokens = 0;
  #refilledAt = 0;
  readonly #random: Random;
  readonly #now: () => number;
  readonly #behaviour: () => Pick<Behaviour, "throttle.refusedSpendsQuota">;

  constructor(options: {
    random: Random;
    now: () => number;
    config?: FaultConfig;
    /** Read per call: `throttle.refusedSpendsQuota` decides whether a refused call spends a token. */
    behaviour?: () => Pick<Behaviour, "throttle.refusedSpendsQuota">;
  }) {
    this.#random = options.random;
    this.#now = options.now;
    this.#behaviour = options.behaviour ?? (() => ({ "throttle.refusedSpendsQuota": false }));
    this.configure(options.config ?? {});
  }

  /** A copy of the standing faults. */
  get config(): FaultConfig {
    return structuredClone(this.#config);
  }

  /** Scripted failures not used up yet, in the order they will match. */
  get scripted(): readonly ScriptedFailure[] {
    return structuredClone(this.#scripts);
  }

  /**
   * Replaces the faults named in `patch` (a key set to `undefined` turns that fault off) and keeps the
   * others. A new throttle starts with a full bucket.
   */
  configure(patch: FaultConfig): void {
    this.#config = { ...this.#config, ...patch };
    for (const key of Object.keys(this.#config) as (keyof FaultConfig)[]) {
      if (this.#config[key] === undefined) delete this.#config[key];
    }
    if ("throttle" in patch) this.#fill();
  }

  /** Turns every fault off, scripted ones included. */
  clear(): void {
    this.#config = {};
    this.#scripts = [];
  }

  /** Queues a scripted failure; scripts match in the order they were queued. */
  failNext(script: ScriptedFailure): void {
    this.#scripts.push({ ...script, times: script.times ?? 1 });
  }

  /** Decides the fate of one call. Consumes a throttle token or a script when it applies. */
  decide(call: ResolvedCall): FaultDecision {
    const c = this.#config;
    const delayMs = c.latency && applies(c.latency, call) ? this.#latency(c.latency.ms) : 0;
    const script = this.#takeScript(call);
    if (script) {
      if ("reset" in script) return { delayMs, fault: "scripted", reset: true };
      const error = new ServiceError(script.status, script.errorType, script.message ?? script.errorType);
      const headers: Record<string, string> =
        script.retryAfterSeconds === undefined ? {} : { "retry-after": String(script.retryAfterSeconds) };
      return { delayMs, fault: "scripted", error, headers };
    }
    if (c.resets && applies(c.resets, call) && this.#random.chance(c.resets.probability)) {
      return { delayMs, fault: "reset", reset: true };
    }
    // A random 429 stands for another caller's burst on the shared quota: the request is refused before
    // it reaches the bucket. Whether a refused request spends quota is unsettled (facts #24): the
    // behaviour throttle.refusedSpendsQuota decides, default no (token buckets do not charge what they
    // refuse).
    const spends = this.#behaviour()["throttle.refusedSpendsQuota"];
    if (c.tooManyRequests && applies(c.tooManyRequests, call)) {
      if (this.#random.chance(c.tooManyRequests.probability)) {
        if (spends && c.throttle && applies(c.throttle, call)) this.#take(c.throttle, true);
        return { delayMs, fault: "tooManyRequests", error: tooManyRequests(undefined) };
      }
    }
    if (c.throttle && applies(c.throttle, call)) {
      const wait = this.#take(c.throttle, spends);
      if (wait !== undefined) {
        const retryAfter = c.throttle.retryAfter;
        const seconds = typeof retryAfter === "number" ? retryAfter : Math.max(1, Math.ceil(wait / 1000));
        const send = retryAfter === true || typeof retryAfter === "number";
        const headers: Record<string, string> = send ? { "retry-after": String(seconds) } : {};
        return { delayMs, fault: "throttle", error: tooManyRequests(c.throttle.limitType), headers };
      }
    }
    if (c.serverErrors && applies(c.serverErrors, call) && this.#random.chance(c.serverErrors.probability)) {
      const statuses = c.serverErrors.statuses ?? [500, 503];
      const status = statuses[this.#random.int(0, statuses.length - 1)] ?? 500;
      const [type, message] = SERVER_ERRORS[status] ?? ["InternalServerException", "Internal server error"];
      return { delayMs, fault: "serverError", error: new ServiceError(status, type, message) };
    }
    return { delayMs };
  }

  #latency(ms: LatencyFault["ms"]): number {
    return typeof ms === "number" ? ms : this.#random.int(ms[0], ms[1]);
  }

  #takeScript(call: ResolvedCall): ScriptedFailure | undefined {
    const i = this.#scripts.findIndex(
      (s) =>
        s.operation === call.operation &&
        (s.apiId === undefined || s.apiId === call.apiId) &&
        (s.integrationId === undefined || s.integrationId === call.integrationId),
    );
    const script = this.#scripts[i];
    if (!script) return undefined;
    script.times = (script.times ?? 1) - 1;
    if (script.times <= 0) this.#scripts.splice(i, 1);
    return script;
  }

  #fill(): void {
    this.#tokens = this.#config.throttle?.burst ?? 0;
    this.#refilledAt = this.#now();
  }

  /**
   * Takes a token; undefined when there was one, else the milliseconds until the next one. With
   * `evenIfRefused` a refused call spends a token too: the bucket goes into debt (at most one burst deep),
   * so refused retries push the next free token further away.
   */
  #take(throttle: ThrottleFault, evenIfRefused = false): number | undefined {
    const now = this.#now();
    const elapsed = Math.max(0, now - this.#refilledAt) / 1000;
    this.#tokens = Math.min(throttle.burst, this.#tokens + elapsed * throttle.ratePerSecond);
    this.#refilledAt = now;
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return undefined;
    }
    const wait = throttle.ratePerSecond > 0 ? ((1 - this.#tokens) / throttle.ratePerSecond) * 1000 : 60_000;
    if (evenIfRefused) this.#tokens = Math.max(-throttle.burst, this.#tokens - 1);
    return wait;
  }
}

function applies(scope: FaultScope, call: ResolvedCall): boolean {
  return !scope.operations || scope.operations.includes(call.operation);
}

/** service-facts #2: 429 TooManyRequestsException with `limitType`. The limitType value is ours. */
function tooManyRequests(limitType: string | undefined): ServiceError {
  return new ServiceError(429, "TooManyRequestsException", "Too Many Requests", {
    limitType: limitType ?? "RequestsPerSecond",
  });
}
