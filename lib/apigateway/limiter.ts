import { CONTROL_PLANE_QUOTA } from "../facts/quota.ts";

export interface LimiterOptions {
  /** Requests per second (the token refill rate). Default: the documented control-plane quota. */
  rate?: number;
  /** Bucket size: requests that may go at once after a quiet spell. */
  burst?: number;
  /** Operations in flight at most. */
  concurrency?: number;
  /** The rate never drops below this when throttled. */
  minRate?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** Defaults: the account's quota (10/s, burst 40). The bucket starts full, as the service's does. */
export const DEFAULT_CONCURRENCY = 8;
/** Throttles in the recent window above this share mean we are over the quota, not seeing noise. */
const THROTTLE_SHARE = 0.25;
const WINDOW = 20;
/** At most one multiplicative decrease per this many ms, like TCP's once per round trip. */
const DECREASE_COOLDOWN_MS = 1_000;
const DECREASE_FACTOR = 0.5;

/**
 * A client-side token bucket with bounded concurrency and AIMD: it keeps a run at the account's
 * control-plane quota instead of bouncing off it. Every attempt (retries included) takes a token; a
 * window of throttled answers halves the rate (once per second at most) and drains the bucket, and each
 * success adds back about one request per second per second, up to the configured rate.
 */
export class RateLimiter {
  readonly maxRate: number;
  readonly burst: number;
  readonly concurrency: number;
  readonly minRate: number;
  #rate: number;
  #tokens: number;
  #last: number;
  #queue: Promise<void> = Promise.resolve();
  #inFlight = 0;
  #waiting: (() => void)[] = [];
  #window: boolean[] = [];
  #lastDecrease = Number.NEGATIVE_INFINITY;
  #now: () => number;
  #sleep: (ms: number) => Promise<void>;

  constructor(options: LimiterOptions = {}) {
    this.maxRate = positive(options.rate ?? CONTROL_PLANE_QUOTA.rate, "rate");
    this.burst = Math.max(
      1,
      Math.floor(options.burst ?? Math.min(CONTROL_PLANE_QUOTA.burst, this.maxRate * 4)),
    );
    this.concurrency = Math.max(1, Math.floor(options.concurrency ?? DEFAULT_CONCURRENCY));
    this.minRate = options.minRate ?? Math.min(this.maxRate, Math.max(0.1, this.maxRate / 20));
    this.#rate = this.maxRate;
    this.#tokens = this.burst;
    this.#now = options.now ?? (() => performance.now());
    this.#sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.#last = this.#now();
  }

  /** The current rate, after any slow-down. */
  get rate(): number {
    return this.#rate;
  }

  /** Waits for one token. Callers are served in order. */
  acquire(): Promise<void> {
    const turn = this.#queue.then(() => this.#take());
    this.#queue = turn.catch(() => undefined);
    return turn;
  }

  /** Runs `task` when fewer than `concurrency` tasks are running. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#inFlight >= this.concurrency) await new Promise<void>((r) => this.#waiting.push(r));
    this.#inFlight += 1;
    try {
      return await task();
    } finally {
      this.#inFlight -= 1;
      this.#waiting.shift()?.();
    }
  }

  /** Feeds one answer back: throttled or not. */
  record(throttled: boolean): void {
    this.#window.push(throttled);
    if (this.#window.length > WINDOW) this.#window.shift();
    const now = this.#now();
    if (throttled) {
      const share = this.#window.filter(Boolean).length / this.#window.length;
      const enough = this.#window.length >= 4 && share >= THROTTLE_SHARE;
      if (enough && now - this.#lastDecrease >= DECREASE_COOLDOWN_MS) {
        this.#refill(now);
        this.#rate = Math.max(this.minRate, this.#rate * DECREASE_FACTOR);
        this.#tokens = 0;
        this.#lastDecrease = now;
        this.#window = [];
      }
    } else if (this.#rate < this.maxRate) {
      this.#refill(now);
      this.#rate = Math.min(this.maxRate, this.#rate + 1 / this.#rate);
    }
  }

  async #take(): Promise<void> {
    for (;;) {
      const now = this.#now();
      this.#refill(now);
      if (this.#tokens >= 1) {
        this.#tokens -= 1;
        return;
      }
      await this.#sleep(Math.ceil(((1 - this.#tokens) / this.#rate) * 1000));
    }
  }

  #refill(now: number): void {
    this.#tokens = Math.min(this.burst, this.#tokens + ((now - this.#last) / 1000) * this.#rate);
    this.#last = now;
  }
}

function positive(n: number, name: string): number {
  if (!(n > 0) || !Number.isFinite(n)) throw new RangeError(`${name} must be a positive number, not ${n}`);
  return n;
}
