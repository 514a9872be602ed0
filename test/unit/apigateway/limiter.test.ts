import { describe, expect, it } from "vitest";
import { RateLimiter } from "../../../lib/apigateway/limiter.ts";
import { CallStats } from "../../../lib/apigateway/stats.ts";

/** A clock that only moves when the limiter sleeps: time is exact and tests are instant. */
function fakeTime() {
  const t = { now: 0 };
  const sleep = async (ms: number) => {
    t.now += ms;
  };
  return { t, now: () => t.now, sleep };
}

describe(RateLimiter.name, () => {
  it("defaults to the documented control-plane quota", () => {
    const limiter = new RateLimiter();
    expect([limiter.maxRate, limiter.burst]).toEqual([10, 40]);
  });

  it("lets the burst through at once, then paces at the rate", async () => {
    const { t, now, sleep } = fakeTime();
    const limiter = new RateLimiter({ rate: 10, burst: 40, now, sleep });
    for (let i = 0; i < 40; i++) await limiter.acquire();
    expect(t.now).toBe(0);
    for (let i = 0; i < 60; i++) await limiter.acquire();
    // The floor: (100 - 40) / 10 s.
    expect(t.now).toBeGreaterThanOrEqual(6000);
    expect(t.now).toBeLessThanOrEqual(6100);
  });

  it("serves waiters in order", async () => {
    const { now, sleep } = fakeTime();
    const limiter = new RateLimiter({ rate: 5, burst: 1, now, sleep });
    const order: number[] = [];
    await Promise.all([0, 1, 2, 3].map((i) => limiter.acquire().then(() => order.push(i))));
    expect(order).toEqual([0, 1, 2, 3]);
  });

  it("halves the rate on a full window with 40% throttles, once a second at most, on fresh answers", () => {
    const { t, now, sleep } = fakeTime();
    const limiter = new RateLimiter({ rate: 10, now, sleep });
    for (let i = 0; i < 12; i++) limiter.record(false);
    for (let i = 0; i < 7; i++) limiter.record(true);
    expect(limiter.rate).toBe(10);
    limiter.record(true);
    expect(limiter.rate).toBe(5);
    t.now += 5_000;
    // The window still holds the throttles that caused the last slow-down: they do not count twice.
    for (let i = 0; i < 9; i++) limiter.record(true);
    expect(limiter.rate).toBe(5);
    limiter.record(true);
    expect(limiter.rate).toBe(2.5);
    for (let i = 0; i < 10; i++) limiter.record(true);
    expect(limiter.rate).toBe(2.5);
  });

  it("does not slow down for scattered throttles", () => {
    const { now, sleep } = fakeTime();
    const limiter = new RateLimiter({ rate: 10, now, sleep });
    for (let i = 0; i < 200; i++) limiter.record(i % 10 === 0);
    expect(limiter.rate).toBe(10);
  });

  it("counts a throttled attempt against the quota, as if the service spent a token on it (service-facts #24)", async () => {
    const { t, now, sleep } = fakeTime();
    const limiter = new RateLimiter({ rate: 10, burst: 1, now, sleep });
    await limiter.acquire();
    limiter.record(true);
    await limiter.acquire();
    expect(t.now).toBe(100);
  });

  it("gives a throttled attempt's token back under the other reading (refusedSpendsQuota: false)", async () => {
    const { t, now, sleep } = fakeTime();
    const limiter = new RateLimiter({ rate: 10, burst: 1, now, sleep, refusedSpendsQuota: false });
    await limiter.acquire();
    limiter.record(true);
    await limiter.acquire();
    expect(t.now).toBe(0);
    await limiter.acquire();
    expect(t.now).toBe(100);
  });

  it("recovers with successes, closing a share of the gap to the configured rate", () => {
    const { t, now, sleep } = fakeTime();
    const limiter = new RateLimiter({ rate: 10, now, sleep });
    for (let i = 0; i < 12; i++) limiter.record(false);
    for (let i = 0; i < 8; i++) limiter.record(true);
    expect(limiter.rate).toBe(5);
    for (let i = 0; i < 20; i++) limiter.record(false);
    expect(limiter.rate).toBeGreaterThan(8);
    t.now += 10_000;
    for (let i = 0; i < 200; i++) limiter.record(false);
    expect(limiter.rate).toBe(10);
  });

  it("never drops below its minimum rate", () => {
    const { t, now, sleep } = fakeTime();
    const limiter = new RateLimiter({ rate: 10, minRate: 2, now, sleep });
    for (let i = 0; i < 50; i++) {
      t.now += 1000;
      for (let j = 0; j < 20; j++) limiter.record(true);
    }
    expect(limiter.rate).toBe(2);
  });

  it("bounds the tasks in flight", async () => {
    const limiter = new RateLimiter({ concurrency: 2 });
    let running = 0;
    let peak = 0;
    const task = async () => {
      running += 1;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 5));
      running -= 1;
    };
    await Promise.all(Array.from({ length: 6 }, () => limiter.run(task)));
    expect(peak).toBe(2);
  });

  it("rejects a rate that is not a positive number", () => {
    expect(() => new RateLimiter({ rate: 0 })).toThrow("rate must be a positive number, not 0");
  });
});

describe(CallStats.name, () => {
  it("counts first attempts as calls and later ones as retries", () => {
    const stats = new CallStats();
    stats.attempt("GetIntegrations", 1);
    stats.attempt("UpdateIntegration", 1);
    stats.attempt("UpdateIntegration", 2);
    stats.throttled += 1;
    expect(stats.toRecord()).toEqual({ GetIntegrations: 1, UpdateIntegration: 1, throttled: 1, retries: 1 });
    expect(stats.total).toBe(2);
  });
});

describe("pacedBackoff", () => {
  it("waits random(0, min(20 s, 100 ms × 2^attempt)), whatever base the strategy sets for throttling", async () => {
    const { pacedBackoff } = await import("../../../lib/apigateway/client.ts");
    const backoff = pacedBackoff(() => 0.999);
    backoff.setDelayBase(1_000);
    expect([0, 1, 2, 10, 20].map((i) => backoff.computeNextBackoffDelay(i))).toEqual([
      99, 199, 399, 19_980, 19_980,
    ]);
  });
});
