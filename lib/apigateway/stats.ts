/** Counts of what a run asked of API Gateway: the report's `apiCalls`. */
export class CallStats {
  #calls = new Map<string, number>();
  throttled = 0;
  retries = 0;

  /** Starts counting afresh: a warm Lambda reuses its client for the next run. */
  reset(): void {
    this.#calls.clear();
    this.throttled = 0;
    this.retries = 0;
  }

  /** One attempt of `operation`; attempts after the first are retries, not calls. */
  attempt(operation: string, attempt: number): void {
    if (attempt > 1) this.retries += 1;
    else this.#calls.set(operation, (this.#calls.get(operation) ?? 0) + 1);
  }

  /** Calls per operation (sorted), plus "throttled" and "retries". */
  toRecord(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const op of [...this.#calls.keys()].sort()) out[op] = this.#calls.get(op)!;
    out.throttled = this.throttled;
    out.retries = this.retries;
    return out;
  }

  /** Calls of every operation together, retries excluded. */
  get total(): number {
    let n = 0;
    for (const v of this.#calls.values()) n += v;
    return n;
  }
}
