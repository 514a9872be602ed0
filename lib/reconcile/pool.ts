/**
 * Maps `items` through `task` with at most `limit` tasks running, results in input order. Work is taken
 * only when a slot frees, so a task that checks the deadline when it starts sees the time it really
 * starts at, not the time the run began.
 */
export async function mapPool<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}
