/** The answer to a lease request. */
export type LeaseGrant = { acquired: true } | { acquired: false; holder: string; expiresAt: string };

/**
 * An exclusive lease an apply run holds while it writes, so two applies never interleave. Plans take none.
 * The DynamoDB implementation lives with history; this interface is what the run needs.
 */
export interface Lease {
  acquire(owner: string, ttlMs: number): Promise<LeaseGrant>;
  /** Extends a held lease; throws when the lease was lost. */
  renew(owner: string, ttlMs: number): Promise<void>;
  release(owner: string): Promise<void>;
}

/** A lease within one process: for tests and for runs that share nothing. */
export class InMemoryLease implements Lease {
  #holder: { owner: string; expiresAt: number } | undefined;
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  async acquire(owner: string, ttlMs: number): Promise<LeaseGrant> {
    const now = this.#now();
    const held = this.#holder;
    if (held && held.owner !== owner && held.expiresAt > now) {
      return { acquired: false, holder: held.owner, expiresAt: new Date(held.expiresAt).toISOString() };
    }
    this.#holder = { owner, expiresAt: now + ttlMs };
    return { acquired: true };
  }

  async renew(owner: string, ttlMs: number): Promise<void> {
    if (this.#holder?.owner !== owner)
      throw new Error(`lease lost: held by ${this.#holder?.owner ?? "nobody"}`);
    this.#holder.expiresAt = this.#now() + ttlMs;
  }

  async release(owner: string): Promise<void> {
    if (this.#holder?.owner === owner) this.#holder = undefined;
  }
}

/**
 * Keeps a held lease alive while a run writes: renews it every third of its TTL, so a run that dies
 * leaves a lease that expires soon, and a live one never loses it. If a renewal fails, `lost` says why
 * and the run starts no further writes. A run that is stuck is not kept alive: when `progress` (a count
 * of the calls the run has made) has not moved since the last tick, the lease is not renewed, and once it
 * has expired the run has lost it, so another run can take over and the stuck one writes nothing more.
 */
export class LeaseKeeper {
  lost: string | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(lease: Lease, owner: string, ttlMs: number, options: { progress?: () => number } = {}) {
    // Real elapsed time, as the timer's: a run's injected clock may stand still in a test.
    const now = () => performance.now();
    let renewedAt = now();
    let seen = options.progress?.();
    const lose = (why: string) => {
      this.lost = `the apply lease was lost (${why}); no further writes were started`;
      this.stop();
    };
    this.#timer = setInterval(
      () => {
        const progress = options.progress?.();
        if (progress !== undefined && progress === seen) {
          if (now() - renewedAt >= ttlMs)
            lose(
              `no call made progress for ${Math.round((now() - renewedAt) / 1000)} s, so it was left to expire`,
            );
          return;
        }
        seen = progress;
        lease
          .renew(owner, ttlMs)
          .then(() => {
            renewedAt = now();
          })
          .catch((error: unknown) => lose((error as Error).message));
      },
      Math.max(1, Math.floor(ttlMs / 3)),
    );
    this.#timer.unref?.();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
