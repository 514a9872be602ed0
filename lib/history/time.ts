/** Units of a relative time (`30m`, `24h`, `7d`, `2w`), in milliseconds. */
const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * A `--since`/`--until` value as an instant (epoch ms): an ISO-8601 date (`2025-01-31`, UTC; as an
 * upper bound it means the end of that day), a date and time (`2025-01-31T12:00:00Z`; without an
 * offset, UTC), or a duration back from `now` (`30m`, `24h`, `7d`, `2w`). Undefined when it is none.
 */
export function parseInstant(value: string, now: number, bound: "start" | "end"): number | undefined {
  const text = value.trim();
  const duration = /^(\d+)\s*([smhdw])$/i.exec(text);
  if (duration) return now - Number(duration[1]) * UNITS[duration[2]!.toLowerCase()]!;

  const date = DATE.exec(text);
  if (date) {
    const start = utc(date[1]!, date[2]!, date[3]!);
    if (start === undefined) return undefined;
    return bound === "end" ? start + UNITS.d! - 1 : start;
  }
  const time = DATE_TIME.exec(text);
  if (!time || utc(time[1]!, time[2]!, time[3]!) === undefined) return undefined;
  const [hh, mm, ss] = [Number(time[4]), Number(time[5]), Number(time[6] ?? 0)];
  if (hh > 23 || mm > 59 || ss > 59) return undefined;
  const zone = time[8] ?? "Z";
  const ms = Date.parse(
    `${text.slice(0, 10)}T${text.slice(11, text.length - (time[8]?.length ?? 0))}${normaliseZone(zone)}`,
  );
  return Number.isNaN(ms) ? undefined : ms;
}

/** Midnight UTC of a calendar date, or undefined for one that does not exist (2025-02-30). */
function utc(y: string, m: string, d: string): number | undefined {
  const ms = Date.UTC(Number(y), Number(m) - 1, Number(d));
  const back = new Date(ms);
  return back.getUTCFullYear() === Number(y) &&
    back.getUTCMonth() === Number(m) - 1 &&
    back.getUTCDate() === Number(d)
    ? ms
    : undefined;
}

function normaliseZone(zone: string): string {
  if (zone.toUpperCase() === "Z") return "Z";
  return zone.includes(":") ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`;
}
