import { applyUpdate, createIntegration, type Integration } from "../../emulator/patch.ts";
import type { Gateway, LiveApi } from "../../lib/apigateway/gateway.ts";
import type { LiveIntegration } from "../../lib/model/live.ts";
import type { Protocol } from "../../lib/model/service.ts";
import type { LiveRoute } from "../../lib/plan/plan.ts";
import type { UpdateFields } from "../../lib/plan/update.ts";

interface Api {
  api: LiveApi;
  integrations: Map<string, Integration>;
  routes: LiveRoute[];
}

/**
 * A Gateway over the emulator's pure model, in process: for unit tests of the orchestration, where the
 * HTTP edge is not what is under test. Every call is traced in order, as `Operation apiId[/id]`.
 */
export class MemoryGateway implements Gateway {
  readonly apis = new Map<string, Api>();
  readonly trace: string[] = [];
  /** Makes the next matching call throw this error (matched on the trace entry). */
  readonly failures = new Map<string, Error>();
  /** Runs before each call: a test's hook to move a clock or change the world mid-run. */
  beforeCall: (entry: string) => void = () => {};

  addApi(apiId: string, protocolType: Protocol): this {
    this.apis.set(apiId, { api: { apiId, protocolType, name: apiId }, integrations: new Map(), routes: [] });
    return this;
  }

  addIntegration(apiId: string, integrationId: string, fields: Record<string, unknown>): this {
    const api = this.#api(apiId);
    const { apiGatewayManaged, ...input } = fields;
    const created = createIntegration(api.api.protocolType as Protocol, integrationId, input);
    if (apiGatewayManaged === true) created.apiGatewayManaged = true;
    api.integrations.set(integrationId, created);
    return this;
  }

  addRoute(apiId: string, routeId: string, target: string): this {
    this.#api(apiId).routes.push({ routeId, target });
    return this;
  }

  integration(apiId: string, integrationId: string): Integration | undefined {
    return this.apis.get(apiId)?.integrations.get(integrationId);
  }

  async *apiPages(): AsyncGenerator<{ items: LiveApi[]; last: boolean }> {
    this.#enter("GetApis");
    yield { items: [...this.apis.values()].map((a) => a.api), last: true };
  }

  async getApi(apiId: string): Promise<LiveApi | undefined> {
    this.#enter(`GetApi ${apiId}`);
    return this.apis.get(apiId)?.api;
  }

  async listIntegrations(apiId: string): Promise<LiveIntegration[]> {
    this.#enter(`GetIntegrations ${apiId}`);
    return [...this.#api(apiId).integrations.values()].map((i) => structuredClone(i));
  }

  async getIntegration(apiId: string, integrationId: string): Promise<LiveIntegration | undefined> {
    this.#enter(`GetIntegration ${apiId}/${integrationId}`);
    const found = this.#api(apiId).integrations.get(integrationId);
    return found && structuredClone(found);
  }

  async listRoutes(apiId: string): Promise<LiveRoute[]> {
    this.#enter(`GetRoutes ${apiId}`);
    return [...this.#api(apiId).routes];
  }

  async updateIntegration(
    apiId: string,
    integrationId: string,
    fields: UpdateFields,
  ): Promise<LiveIntegration> {
    this.#enter(`UpdateIntegration ${apiId}/${integrationId}`);
    const api = this.#api(apiId);
    const current = api.integrations.get(integrationId);
    if (!current) throw Object.assign(new Error("not found"), { name: "NotFoundException" });
    const next = applyUpdate(api.api.protocolType as Protocol, current, JSON.parse(JSON.stringify(fields)));
    api.integrations.set(integrationId, next);
    return structuredClone(next);
  }

  async deleteIntegration(apiId: string, integrationId: string): Promise<"deleted" | "not-found"> {
    this.#enter(`DeleteIntegration ${apiId}/${integrationId}`);
    return this.#api(apiId).integrations.delete(integrationId) ? "deleted" : "not-found";
  }

  #enter(entry: string): void {
    this.beforeCall(entry);
    this.trace.push(entry);
    const failure = this.failures.get(entry);
    if (failure) {
      this.failures.delete(entry);
      throw failure;
    }
  }

  #api(apiId: string): Api {
    const api = this.apis.get(apiId);
    if (!api) throw Object.assign(new Error(`no API ${apiId}`), { name: "NotFoundException" });
    return api;
  }
}
