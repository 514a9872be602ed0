import type { Gateway, LiveApi } from "../lib/apigateway/gateway.ts";
import { type DesiredApi, type DesiredState, documents } from "../lib/desired-state/state.ts";
import type { LiveIntegration } from "../lib/model/live.ts";
import type { LiveRoute } from "../lib/plan/plan.ts";
import { type IntegrationRef, liveIntegrations } from "./world.ts";

/**
 * The reads a plan makes, answered in process: the scale figure measures the product's own work (guards,
 * read, diff, plan, report), not HTTP. Each listing is built when it is asked for, as the SDK builds it
 * from a response, so the process holds only what the run itself keeps. Writes are refused.
 */
export class MemoryGateway implements Gateway {
  readonly #apis: Map<string, DesiredApi["doc"]>;
  readonly #drift = new Map<string, Map<string, number>>();

  /** Live state = `state` as created, with `drifted` changed as in the emulator's worlds. */
  constructor(state: DesiredState, drifted: readonly IntegrationRef[]) {
    this.#apis = new Map(documents(state).map(({ doc }) => [doc.apiId, doc]));
    drifted.forEach(({ apiId, integrationId }, k) => {
      const api = this.#drift.get(apiId) ?? new Map<string, number>();
      api.set(integrationId, k);
      this.#drift.set(apiId, api);
    });
  }

  async *apiPages(): AsyncGenerator<{ items: LiveApi[]; last: boolean }> {
    yield {
      items: [...this.#apis.entries()].map(([apiId, doc]) => ({
        apiId,
        name: apiId,
        protocolType: doc.protocol,
      })),
      last: true,
    };
  }

  async getApi(apiId: string): Promise<LiveApi | undefined> {
    const doc = this.#apis.get(apiId);
    return doc && { apiId, name: apiId, protocolType: doc.protocol };
  }

  async listIntegrations(apiId: string): Promise<LiveIntegration[]> {
    const doc = this.#apis.get(apiId);
    if (!doc) throw Object.assign(new Error(`no API ${apiId}`), { name: "NotFoundException" });
    return liveIntegrations(doc, this.#drift.get(apiId) ?? new Map());
  }

  async getIntegration(apiId: string, integrationId: string): Promise<LiveIntegration | undefined> {
    return (await this.listIntegrations(apiId)).find((i) => i.integrationId === integrationId);
  }

  async listRoutes(): Promise<LiveRoute[]> {
    return [];
  }

  async updateIntegration(): Promise<LiveIntegration> {
    throw new Error("the scale figure only plans");
  }

  async deleteIntegration(): Promise<"deleted" | "not-found"> {
    throw new Error("the scale figure only plans");
  }
}
