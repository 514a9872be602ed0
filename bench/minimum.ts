/**
 * The call minimum every figure is held to (PRODUCT §4): the API-listing pages (GetApis pages until every
 * selected API is found, or one GetApi per API for a run of one or two APIs, whichever costs fewer), the
 * GetIntegrations pages at the largest page size the service takes, one UpdateIntegration per drifted
 * integration and one DeleteIntegration per prune (plus the GetRoutes pages of a pruning API).
 *
 * Page sizes are the emulator's (emulator/pagination.ts, behaviour `getIntegrations.maxPageSize`), never
 * the product's: the minimum is what the service allows, not what the product asks for.
 */
import { MAX_PAGE_SIZE } from "../emulator/pagination.ts";

/** PRODUCT §4: "a run of one or two APIs may use GetApi instead". */
const GET_API_RUN = 2;

export interface MinimumInput {
  /** Where each selected API stands in the account's GetApis listing (0-based), in any order. */
  apiPositions: readonly number[];
  /** Integrations listed per selected API (its live count). */
  integrationsPerApi: readonly number[];
  updates: number;
  deletes?: number;
  /** Routes of each pruning API (GetRoutes is read only when pruning). */
  routesPerPruningApi?: readonly number[];
  /** The largest GetIntegrations page the emulator serves (behaviour `getIntegrations.maxPageSize`). */
  integrationsPageSize?: number;
}

export type Calls = Record<string, number>;

const pages = (items: number, size: number) => Math.max(1, Math.ceil(items / size));

/** The least calls a run of this shape can make, per operation (operations with none are left out). */
export function callMinimum(input: MinimumInput): Calls {
  const out: Calls = {};
  const add = (op: string, n: number) => {
    if (n > 0) out[op] = (out[op] ?? 0) + n;
  };
  const selected = input.apiPositions.length;
  const listing = selected === 0 ? 0 : pages(Math.max(...input.apiPositions) + 1, MAX_PAGE_SIZE);
  if (selected > GET_API_RUN && listing < selected) add("GetApis", listing);
  else add("GetApi", selected);
  const size = input.integrationsPageSize ?? MAX_PAGE_SIZE;
  for (const n of input.integrationsPerApi) add("GetIntegrations", pages(n, size));
  for (const n of input.routesPerPruningApi ?? []) add("GetRoutes", pages(n, MAX_PAGE_SIZE));
  add("UpdateIntegration", input.updates);
  add("DeleteIntegration", input.deletes ?? 0);
  return out;
}

export const totalCalls = (calls: Calls) => Object.values(calls).reduce((a, b) => a + b, 0);

/** Per operation, how far `made` is from `minimum` (`GetApi +19`), empty when they are equal. */
export function callGaps(made: Calls, minimum: Calls): string[] {
  const gaps: string[] = [];
  for (const op of [...new Set([...Object.keys(minimum), ...Object.keys(made)])].sort()) {
    const diff = (made[op] ?? 0) - (minimum[op] ?? 0);
    if (diff !== 0) gaps.push(`${op} ${diff > 0 ? "+" : ""}${diff}`);
  }
  return gaps;
}

/** Requests the emulator answered (not refused by an injected fault), per operation. */
export function answeredCalls(records: readonly { operation: string; fault?: string }[]): Calls {
  const out: Calls = {};
  for (const r of records) if (r.fault === undefined) out[r.operation] = (out[r.operation] ?? 0) + 1;
  return out;
}

/** Every request the emulator saw, faulted or not, per operation. */
export function requestedCalls(records: readonly { operation: string }[]): Calls {
  const out: Calls = {};
  for (const r of records) out[r.operation] = (out[r.operation] ?? 0) + 1;
  return out;
}
