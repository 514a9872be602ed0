import type { Diff } from "../diff/diff.ts";
import { utf8Bytes } from "./size.ts";

/** What stands in for a value too large to keep: visible wherever the diff is printed. */
export function truncationMarker(bytes: number): string {
  return `[truncated by apigw-drift: ${bytes} bytes of JSON]`;
}

/**
 * Diffs as a JSON string of at most `budget` UTF-8 bytes. When the whole list does not fit (a large
 * requestTemplates value, say), the largest `expected`/`actual` values are replaced by a marker first;
 * if that is still not enough, diffs are dropped from the end. `note` says what was cut, for the event.
 */
export function fitDiffs(diffs: readonly Diff[], budget: number): { json: string; note?: string } {
  const full = JSON.stringify(diffs);
  if (utf8Bytes(full) <= budget) return { json: full };

  const copies: Diff[] = diffs.map((d) => ({ ...d }));
  const values = copies
    .flatMap((d) =>
      (["expected", "actual"] as const)
        .filter((field) => d[field] !== undefined)
        .map((field) => ({ d, field, bytes: utf8Bytes(JSON.stringify(d[field])) })),
    )
    .sort((a, b) => b.bytes - a.bytes);
  let size = utf8Bytes(full);
  let replaced = 0;
  for (const v of values) {
    if (size <= budget) break;
    const marker = truncationMarker(v.bytes);
    const saved = v.bytes - utf8Bytes(JSON.stringify(marker));
    if (saved <= 0) break; // the rest are smaller than a marker
    v.d[v.field] = marker;
    size -= saved;
    replaced += 1;
  }
  let json = JSON.stringify(copies);
  let kept = copies.length;
  while (utf8Bytes(json) > budget && kept > 0) {
    kept = Math.max(0, Math.floor(kept * 0.9) - 1);
    json = JSON.stringify(copies.slice(0, kept));
  }
  const cuts = [
    replaced > 0 ? `${replaced} value${replaced === 1 ? "" : "s"} replaced by a marker` : "",
    kept < copies.length ? `${copies.length - kept} of ${copies.length} diffs dropped` : "",
  ].filter(Boolean);
  return {
    json,
    note: `diffs cut to fit DynamoDB's 400 KB item limit: ${cuts.join(", ")}; the run's report and logs have them whole`,
  };
}
