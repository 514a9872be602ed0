import type { Gateway, LiveApi } from "../apigateway/gateway.ts";
import type { DesiredApiEntry } from "../desired-state/state.ts";
import { describeError } from "./failure.ts";

/** What the protocol guard found of each selected API. */
export interface FoundApis {
  /** APIs that exist, by id. */
  live: Map<string, LiveApi>;
  /** APIs that do not exist where the run acts (their integrations are MISSING). */
  missing: DesiredApiEntry[];
  /** APIs that could not be looked up, with why (their integrations are FAILED). */
  unreadable: { api: DesiredApiEntry; error: { name: string; message: string } }[];
}

/** Runs of this many APIs or fewer ask GetApi for each: one or two calls beat a listing of the account. */
export const GET_API_LIMIT = 2;

/**
 * Finds every selected API for the guards, in the fewest calls (PRODUCT §4, service-facts #18): GetApis
 * pages carry each API's protocolType, so one listing serves every API, and it stops as soon as all are
 * found. A run of one or two APIs asks GetApi instead. If the listing is still short after as many pages as
 * half the APIs it was meant to save, the rest are asked one by one, so a large account never costs more
 * than half again a GetApi per API. A listing that fails is not an answer: each API is then asked alone.
 */
export async function findApis(apis: readonly DesiredApiEntry[], gateway: Gateway): Promise<FoundApis> {
  const out: FoundApis = { live: new Map(), missing: [], unreadable: [] };
  const wanted = new Map(apis.map((a) => [a.apiId, a]));
  if (apis.length > GET_API_LIMIT) {
    const budget = Math.max(1, Math.floor(apis.length / 2));
    let pages = 0;
    let listedAll = false;
    try {
      for await (const page of gateway.apiPages()) {
        pages += 1;
        for (const api of page.items) {
          if (wanted.delete(api.apiId)) out.live.set(api.apiId, api);
        }
        listedAll = page.last;
        if (wanted.size === 0 || pages >= budget) break;
      }
    } catch {
      listedAll = false;
    }
    if (listedAll) {
      out.missing.push(...wanted.values());
      wanted.clear();
    }
  }
  await Promise.all(
    [...wanted.values()].map(async (api) => {
      try {
        const live = await gateway.getApi(api.apiId);
        if (live) out.live.set(api.apiId, live);
        else out.missing.push(api);
      } catch (error) {
        out.unreadable.push({ api, error: describeError(error) });
      }
    }),
  );
  out.missing.sort((a, b) => (a.apiId < b.apiId ? -1 : 1));
  out.unreadable.sort((a, b) => (a.api.apiId < b.api.apiId ? -1 : 1));
  return out;
}
