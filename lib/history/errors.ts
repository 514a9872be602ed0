/** A drift-history failure: what went wrong with the history table, and what to do about it. */
export class HistoryError extends Error {
  override name = "HistoryError";
}

/** Some of a report's items were not written, after retries. */
export class HistoryWriteError extends HistoryError {
  override name = "HistoryWriteError";
  /** Items not written (events and the run record). */
  readonly unwritten: number;
  readonly total: number;

  constructor(message: string, counts: { unwritten: number; total: number }, options?: ErrorOptions) {
    super(message, options);
    this.unwritten = counts.unwritten;
    this.total = counts.total;
  }
}

/** The embedded store's folder is in use by another run. */
export class HistoryBusyError extends HistoryError {
  override name = "HistoryBusyError";
}

/** `Name: message` of an SDK (or any) error, for messages that quote it. */
export function describeError(error: unknown): string {
  const e = error as { name?: string; message?: string };
  return e?.message ? `${e.name ?? "Error"}: ${e.message}` : String(error);
}
