import { CONTROL_PLANE_QUOTA } from "../model/quota.ts";

export interface LimiterOptions {
  /** Requests per second (the token refill rate). Default: the documented control-plane quota. */
  rate?: number;
  /** Bucket size: requests that may go at once after a quiet spell. */
  burst?: number;
  /** Operations in flight at most. */
  concurrency?: number;
  /** The rate never drops below this when throttled. */
  minRate?: number;
  /**
   * Whether a throttled attempt spent a token of the service's quota (default true: service-facts #24 is
   * unsettled, and this reading never sends past the quota). false gives the token back.
   */
  refusedSpendsQuota?: boolean;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** Defaults: the account's quota (10/s, burst 40). The bucket starts full, as the service's does. */
export const DEFAULT_CONCURRENCY = 8;
/**
 * The recent answers a slow-down decision looks at, and the share of throttles in them that means "over
 * the quota" rather than noise. Sending at twice what the service's bucket refills refuses half the
 * requests, and more the further over; a scattered 429 (another caller's burst, a blip) is one in many.
 * 40% of 20 is eight: 10% background 429s reach it in well under one window in a thousand, while any
 * real overrun of 1.7× or more crosses it within a window.
 */
const WINDOW = 20;
const THROTTLE_SHARE = 0.4;
/** After a slow-down, this many new answers before the next decision: the old window caused the last one. */
const FRESH_ANSWERS = WINDOW / 2;
/** At most one multiplicative decrease per this many ms, like TCP's once per round trip. */
const DECREASE_COOLDOWN_MS = 1_000;
const DECREASE_FACTOR = 0.5;
/** Recovery: each success closes this share of the gap to the configured rate (at least 1/rate). */
const RECOVERY_SHARE = 0.05;

/**
 * A client-side token bucket with bounded concurrency and AIMD: it keeps a run at the account's
 * control-plane quota instead of bouncing off it. Every attempt (retries included) takes a token, a
 * throttled one too: whether the service charges a refused request to the quota is undocumented
 * (service-facts #24), and pacing as if it does never sends past the quota (`refusedSpendsQuota: false`
 * gives a throttled attempt's token back instead). A full
 * window with 40% throttled answers halves the rate (once a second at most) and empties the bucket; each
 * success closes 5% of the gap back to the configured rate, so a slow-down caused by a passing burst is
 * undone in a couple of seconds, while a caller that keeps sharing the quota keeps us down.
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
  #sinceDecrease = Number.POSITIVE_INFINITY;
  #now: () => number;
  #sleep: (ms: number) => Promise<void>;
  readonly #refusedSpendsQuota: boolean;

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
    this.#refusedSpendsQuota = options.refusedSpendsQuota ?? true;
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
    this.#sinceDecrease += 1;
    const now = this.#now();
    this.#refill(now);
    if (throttled) {
      if (!this.#refusedSpendsQuota) this.#tokens = Math.min(this.burst, this.#tokens + 1);
      const share = this.#window.filter(Boolean).length / this.#window.length;
      const decide = this.#window.length === WINDOW && this.#sinceDecrease >= FRESH_ANSWERS;
      if (decide && share >= THROTTLE_SHARE && now - this.#lastDecrease >= DECREASE_COOLDOWN_MS) {
        this.#rate = Math.max(this.minRate, this.#rate * DECREASE_FACTOR);
        this.#tokens = 0;
        this.#lastDecrease = now;
        this.#sinceDecrease = 0;
      }
    } else if (this.#rate < this.maxRate) {
      const step = Math.max(1 / this.#rate, (this.maxRate - this.#rate) * RECOVERY_SHARE);
      this.#rate = Math.min(this.maxRate, this.#rate + step);
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
