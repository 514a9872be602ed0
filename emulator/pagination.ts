/**
 * List pagination as GetApis / GetIntegrations / GetRoutes expose it: `maxResults` and `nextToken` query
 * parameters in, `{items, nextToken}` out, `nextToken` absent on the last page.
 *
 * The service documents neither a default page size nor a maximum (service-facts #15); 100 and 500 here are
 * assumptions, kept as constants so the README and tests can name them. GetIntegrations' maximum is the
 * behaviour `getIntegrations.maxPageSize`; a larger maxResults is refused, not clamped (behaviour.ts).
 */
import { badRequest } from "./errors.ts";
import type { Row } from "./store.ts";

/** Page size when `maxResults` is absent. Unverified. */
export const DEFAULT_PAGE_SIZE = 100;
/** Largest `maxResults` accepted; a larger value is a 400. Unverified. */
export const MAX_PAGE_SIZE = 500;

export interface Page<T> {
  items: T[];
  nextToken?: string;
}

interface Cursor {
  /** What the token lists (`integrations:{apiId}`), so a token is not replayed against another list. */
  scope: string;
  /** Insertion number of the last item returned: the next page starts after it, even if it was deleted. */
  after: number;
}

/**
 * One page of `rows` (in insertion order). Resuming after the last item's insertion number, not at an
 * offset, means deleting an item between pages (prune does) never makes the next page skip one.
 * @throws ServiceError 400 for a malformed `maxResults` or `nextToken`.
 */
export function paginate<T>(
  rows: Iterable<Row<T>>,
  query: URLSearchParams,
  scope: string,
  max: number = MAX_PAGE_SIZE,
): Page<T> {
  const size = pageSize(query.get("maxResults"), max);
  const after = startAfter(query.get("nextToken"), scope);
  const items: T[] = [];
  let last = after;
  for (const row of rows) {
    if (row.seq <= after) continue;
    if (items.length === size) return { items, nextToken: encode({ scope, after: last }) };
    items.push(row.value);
    last = row.seq;
  }
  return { items };
}

function pageSize(raw: string | null, max: number): number {
  // Unverified: with a smaller maximum, the default page is assumed not to exceed it.
  if (raw === null || raw === "") return Math.min(DEFAULT_PAGE_SIZE, max);
  const n = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(n >= 1 && n <= max)) {
    throw badRequest(`maxResults must be an integer between 1 and ${max}, got ${raw}`);
  }
  return n;
}

function startAfter(token: string | null, scope: string): number {
  if (token === null || token === "") return 0;
  const cursor = decode(token);
  if (!cursor || cursor.scope !== scope) throw badRequest("Invalid nextToken");
  return cursor.after;
}

/** Opaque to clients: base64url JSON, so nothing outside this file reads its insides. */
function encode(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString("base64url");
}

function decode(token: string): Cursor | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
    if (typeof value !== "object" || value === null) return undefined;
    const { scope, after } = value as Record<string, unknown>;
    if (typeof scope !== "string" || typeof after !== "number" || !Number.isInteger(after)) return undefined;
    return { scope, after };
  } catch {
    return undefined;
  }
}
