import { describe, expect, it } from "vitest";
import { InMemoryLease, LeaseKeeper } from "../../../lib/reconcile/lease.ts";

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe(LeaseKeeper.name, () => {
  it("renews the lease while the run's calls make progress", async () => {
    const lease = new InMemoryLease();
    await lease.acquire("run-1", 30);
    let renewals = 0;
    const renew = lease.renew.bind(lease);
    lease.renew = async (owner, ttl) => {
      renewals++;
      return renew(owner, ttl);
    };
    let calls = 0;
    const keeper = new LeaseKeeper(lease, "run-1", 30, { progress: () => calls++ });
    await wait(120);
    keeper.stop();
    expect(renewals).toBeGreaterThan(2);
    expect(keeper.lost).toBeUndefined();
  });

  it("leaves a stuck run's lease to expire and says it is lost, so another run can take over", async () => {
    const lease = new InMemoryLease();
    await lease.acquire("run-1", 30);
    let renewals = 0;
    lease.renew = async () => {
      renewals++;
    };
    const keeper = new LeaseKeeper(lease, "run-1", 30, { progress: () => 7 });
    await wait(120);
    keeper.stop();
    expect(renewals).toBe(0);
    expect(keeper.lost).toMatch(
      /^the apply lease was lost \(no call made progress for \d+ s, so it was left to expire\); no further writes were started$/,
    );
    expect(await lease.acquire("run-2", 30)).toEqual({ acquired: true });
  });
});
