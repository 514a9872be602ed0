import type { Gateway, LiveApi } from "../lib/apigateway/gateway.ts";
import type { DesiredState } from "../lib/desired-state/state.ts";
import type { LiveIntegration } from "../lib/model/live.ts";
import type { LiveRoute } from "../lib/plan/plan.ts";
import { type IntegrationRef, liveIntegrations } from "./world.ts";

/**
 * The reads a plan makes, answered in process: the scale figure measures the product's own work (guards,
 * read, diff, plan, report), not HTTP. Each listing is built when it is asked for (from the API's desired
 * document, parsed afresh, with the drift applied), as the SDK builds it from a response, so the process
 * holds only what the run itself keeps. Writes are refused. Counts what it is asked, per operation.
 */
export class MemoryGateway implements Gateway {
  readonly #state: DesiredState;
  readonly #entries: Map<string, DesiredState["apis"][number]>;
  readonly #drift = new Map<string, Map<string, number>>();
  /** The calls asked of it, per operation (a GetApis page, a GetIntegrations page of a whole API). */
  readonly calls: Record<string, number> = {};

  /** Live state = `state` as created, with `drifted` changed as in the emulator's worlds. */
  constructor(state: DesiredState, drifted: readonly IntegrationRef[]) {
    this.#state = state;
    this.#entries = new Map(state.apis.map((a) => [a.apiId, a]));
    drifted.forEach(({ apiId, integrationId }, k) => {
      const api = this.#drift.get(apiId) ?? new Map<string, number>();
      api.set(integrationId, k);
      this.#drift.set(apiId, api);
    });
  }

  #count(op: string) {
    this.calls[op] = (this.calls[op] ?? 0) + 1;
  }

  #api(apiId: string) {
    return this.#entries.get(apiId);
  }

  async *apiPages(): AsyncGenerator<{ items: LiveApi[]; last: boolean }> {
    this.#count("GetApis");
    yield {
      items: this.#state.apis.map((a) => ({ apiId: a.apiId, name: a.apiId, protocolType: a.protocol })),
      last: true,
    };
  }

  async getApi(apiId: string): Promise<LiveApi | undefined> {
    this.#count("GetApi");
    const api = this.#api(apiId);
    return api && { apiId, name: apiId, protocolType: api.protocol };
  }

  #live(apiId: string): LiveIntegration[] | undefined {
    if (!this.#api(apiId)) return undefined;
    return liveIntegrations(this.#state.document(apiId), this.#drift.get(apiId) ?? new Map());
  }

  async listIntegrations(apiId: string): Promise<LiveIntegration[]> {
    this.#count("GetIntegrations");
    const live = this.#live(apiId);
    if (!live) throw Object.assign(new Error(`no API ${apiId}`), { name: "NotFoundException" });
    return live;
  }

  async getIntegration(apiId: string, integrationId: string): Promise<LiveIntegration | undefined> {
    this.#count("GetIntegration");
    return this.#live(apiId)?.find((i) => i.integrationId === integrationId);
  }

  async listRoutes(): Promise<LiveRoute[]> {
    this.#count("GetRoutes");
    return [];
  }

  async updateIntegration(): Promise<LiveIntegration> {
    throw new Error("the scale figure only plans");
  }

  async deleteIntegration(): Promise<"deleted" | "not-found"> {
    throw new Error("the scale figure only plans");
  }
}
