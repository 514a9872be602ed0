import { HistoryError } from "./errors.ts";
import { DEFAULT_RETENTION_DAYS } from "./table.ts";

/** `DRIFT_HISTORY_RETENTION_DAYS`: a whole number of days ≥ 1; 90 when unset. */
export function retentionDaysFromEnvironment(env: Record<string, string | undefined>): number {
  const raw = env.DRIFT_HISTORY_RETENTION_DAYS?.trim();
  if (!raw) return DEFAULT_RETENTION_DAYS;
  if (!/^\d+$/.test(raw) || Number(raw) < 1) {
    throw new HistoryError(
      `DRIFT_HISTORY_RETENTION_DAYS must be a whole number of days ≥ 1, not "${raw}"; unset it for the default of ${DEFAULT_RETENTION_DAYS}`,
    );
  }
  return Number(raw);
}
