import { describe, expect, it } from "vitest";
import type { Gateway, LiveApi } from "../../../lib/apigateway/gateway.ts";
import type { DesiredApiEntry } from "../../../lib/desired-state/state.ts";
import { findApis } from "../../../lib/reconcile/apis.ts";

const entry = (apiId: string): DesiredApiEntry => ({
  file: `desired-state/${apiId}.yaml`,
  apiId,
  protocol: "HTTP",
  prune: false,
  mode: "enforce",
  datedIgnores: [],
  integrationIds: [],
});
const api = (apiId: string): LiveApi => ({ apiId, name: apiId, protocolType: "HTTP" });

/** A gateway whose GetApis answers `pages` in turn; every call is traced in order. */
function accountOf(pages: string[][], options: { listingFails?: boolean } = {}) {
  const trace: string[] = [];
  const all = new Set(pages.flat());
  const gateway = {
    async *apiPages() {
      for (const [i, page] of pages.entries()) {
        trace.push("GetApis");
        if (options.listingFails) throw Object.assign(new Error("denied"), { name: "AccessDeniedException" });
        yield { items: page.map(api), last: i === pages.length - 1 };
      }
    },
    async getApi(apiId: string) {
      trace.push(`GetApi ${apiId}`);
      return all.has(apiId) ? api(apiId) : undefined;
    },
  } as unknown as Gateway;
  return { gateway, trace };
}

describe(findApis.name, () => {
  it("asks GetApi for a run of one or two APIs", async () => {
    const { gateway, trace } = accountOf([["a", "b", "c"]]);
    const found = await findApis([entry("a"), entry("z")], gateway);
    expect(trace.sort()).toEqual(["GetApi a", "GetApi z"]);
    expect([...found.live.keys()]).toEqual(["a"]);
    expect(found.missing.map((m) => m.apiId)).toEqual(["z"]);
  });

  it("lists GetApis pages once for many APIs and stops as soon as every one is found", async () => {
    const { gateway, trace } = accountOf([["a", "b"], ["c", "d"], ["e"]]);
    const found = await findApis(["a", "b", "c", "d"].map(entry), gateway);
    expect(trace).toEqual(["GetApis", "GetApis"]);
    expect([...found.live.keys()].sort()).toEqual(["a", "b", "c", "d"]);
    expect(found.missing).toEqual([]);
  });

  it("names an API a complete listing does not hold as missing, with no GetApi", async () => {
    const { gateway, trace } = accountOf([["a", "b"], ["c"]]);
    const found = await findApis(["a", "b", "c", "x"].map(entry), gateway);
    expect(trace).toEqual(["GetApis", "GetApis"]);
    expect(found.missing.map((m) => m.apiId)).toEqual(["x"]);
  });

  it("asks the rest one by one once the listing has cost half the GetApi calls it was to save", async () => {
    const pages = Array.from({ length: 10 }, (_, i) => [`p${i}`]);
    const { gateway, trace } = accountOf(pages);
    const found = await findApis(["p0", "p7", "p8", "p9"].map(entry), gateway);
    expect(trace).toEqual(["GetApis", "GetApis", "GetApi p7", "GetApi p8", "GetApi p9"]);
    expect([...found.live.keys()].sort()).toEqual(["p0", "p7", "p8", "p9"]);
  });

  it("falls back to GetApi per API when the listing itself fails", async () => {
    const { gateway, trace } = accountOf([["a", "b", "c"]], { listingFails: true });
    const found = await findApis(["a", "b", "c"].map(entry), gateway);
    expect(trace).toEqual(["GetApis", "GetApi a", "GetApi b", "GetApi c"]);
    expect(found.live.size).toBe(3);
  });

  it("reports an API whose GetApi fails as unreadable, with the error", async () => {
    const gateway = {
      async getApi() {
        throw Object.assign(new Error("GetApi a failed: ServiceUnavailable"), { name: "ServiceUnavailable" });
      },
    } as unknown as Gateway;
    const found = await findApis([entry("a")], gateway);
    expect(found.unreadable).toEqual([
      {
        api: entry("a"),
        error: { name: "ServiceUnavailable", message: "GetApi a failed: ServiceUnavailable" },
      },
    ]);
  });
});
