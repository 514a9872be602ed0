import type { AttributeValue } from "@aws-sdk/client-dynamodb";

/** DynamoDB's item size limit: attribute names and values together, in UTF-8 bytes. */
export const MAX_ITEM_BYTES = 400 * 1024;

export function utf8Bytes(s: string): number {
  return Buffer.byteLength(s, "utf8");
}

/**
 * An upper bound of an item's size as DynamoDB counts it (names + values; numbers at most 21 bytes;
 * 3 bytes of overhead per map or list and 1 per element), so an item this accepts is never refused.
 * See the developer guide, "Item sizes and formats".
 */
export function itemBytes(item: Record<string, AttributeValue>): number {
  let total = 0;
  for (const [name, value] of Object.entries(item)) total += utf8Bytes(name) + valueBytes(value);
  return total;
}

function valueBytes(v: AttributeValue): number {
  if (v.S !== undefined) return utf8Bytes(v.S);
  if (v.N !== undefined) return 21;
  if (v.BOOL !== undefined || v.NULL !== undefined) return 1;
  if (v.M !== undefined) return 3 + itemBytes(v.M) + Object.keys(v.M).length;
  if (v.L !== undefined) return 3 + v.L.reduce((n, e) => n + valueBytes(e) + 1, 0);
  return MAX_ITEM_BYTES; // binary and sets: never written here; count them as too big to be safe
}

/** `s` cut to at most `maxBytes` UTF-8 bytes on a character boundary, with a visible marker when cut. */
export function clip(s: string, maxBytes: number): string {
  if (utf8Bytes(s) <= maxBytes) return s;
  const marker = ` … [cut by apigw-drift: ${utf8Bytes(s)} bytes]`;
  const room = Math.max(0, maxBytes - utf8Bytes(marker));
  let used = 0;
  let end = 0;
  for (const ch of s) {
    const n = utf8Bytes(ch);
    if (used + n > room) break;
    used += n;
    end += ch.length;
  }
  return `${s.slice(0, end)}${marker}`;
}
