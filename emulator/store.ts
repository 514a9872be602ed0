/**
 * The emulator's state: APIs, their integrations and routes, in insertion order. Seeding goes through the
 * same model as CreateIntegration (patch.ts), so a seeded integration looks exactly like a created one;
 * `overwriteIntegration` is the one way around the model, for injecting drift.
 */
import type { Behaviour } from "./behaviour.ts";
import { createIntegration, type Integration } from "./patch.ts";
import type { Random } from "./random.ts";
import type { Protocol } from "./service-model.ts";

/** An API as GetApi returns it (the members the SDK's Api shape requires, and a few it shows). */
export interface Api {
  apiId: string;
  name: string;
  protocolType: Protocol;
  routeSelectionExpression: string;
  apiKeySelectionExpression: string;
  apiEndpoint: string;
  createdDate: string;
  disableExecuteApiEndpoint: boolean;
  /** SDK model: Api.Description. Absent when none was given. */
  description?: string;
  /** SDK model: Api.Tags ("A collection of tags associated with the API"). Absent when none were given. */
  tags?: Record<string, string>;
}

/** A route as GetRoutes returns it. `target` is `integrations/{integrationId}` when it routes somewhere. */
export interface Route {
  routeId: string;
  routeKey: string;
  target?: string;
  apiGatewayManaged?: boolean;
  apiKeyRequired: boolean;
  authorizationType: string;
}

export interface ApiSeed {
  /** 10 lowercase letters and digits when absent, as API Gateway's ids. */
  apiId?: string;
  name: string;
  protocolType: Protocol;
  routeSelectionExpression?: string;
  description?: string;
  tags?: Record<string, string>;
}

/** CreateIntegration's body in wire (camelCase) names, plus what only the service can set. */
export type IntegrationSeed = Record<string, unknown> & {
  /** 7 lowercase letters and digits when absent. */
  integrationId?: string;
  /** Marks a quick-create integration, which the service refuses to delete. */
  apiGatewayManaged?: boolean;
};

export interface RouteSeed {
  routeId?: string;
  routeKey: string;
  target?: string;
  apiGatewayManaged?: boolean;
}

/** A stored item with its insertion number: pagination resumes after it, so deletes never skip items. */
export interface Row<T> {
  seq: number;
  value: T;
}

/** One API and what hangs off it. Operations read and write these maps directly. */
export interface ApiState {
  row: Row<Api>;
  integrations: Map<string, Row<Integration>>;
  routes: Map<string, Row<Route>>;
}

const API_ID_LENGTH = 10;
const CHILD_ID_LENGTH = 7;

export class Store {
  readonly #apis = new Map<string, ApiState>();
  readonly #random: Random;
  readonly #now: () => number;
  readonly #region: string;
  readonly #behaviour: () => Behaviour;
  #seq = 0;

  constructor(options: { random: Random; now: () => number; region: string; behaviour: () => Behaviour }) {
    this.#random = options.random;
    this.#now = options.now;
    this.#region = options.region;
    this.#behaviour = options.behaviour;
  }

  /** Adds an API; throws on a duplicate id or an unknown protocol. */
  addApi(seed: ApiSeed): Api {
    if (seed.protocolType !== "HTTP" && seed.protocolType !== "WEBSOCKET") {
      throw new Error(`protocolType must be HTTP or WEBSOCKET, got ${String(seed.protocolType)}`);
    }
    const apiId = seed.apiId ?? this.#newId(API_ID_LENGTH, (id) => this.#apis.has(id));
    if (this.#apis.has(apiId)) throw new Error(`API ${apiId} already exists`);
    const websocket = seed.protocolType === "WEBSOCKET";
    const api: Api = {
      apiId,
      name: seed.name,
      protocolType: seed.protocolType,
      routeSelectionExpression:
        seed.routeSelectionExpression ??
        // biome-ignore lint/suspicious/noTemplateCurlyInString: an API Gateway selection expression, not JS
        (websocket ? "$request.body.action" : "${request.method} ${request.path}"),
      apiKeySelectionExpression: "$request.header.x-api-key",
      apiEndpoint: `${websocket ? "wss" : "https"}://${apiId}.execute-api.${this.#region}.amazonaws.com`,
      createdDate: new Date(this.#now()).toISOString(),
      disableExecuteApiEndpoint: false,
      ...(seed.description === undefined ? {} : { description: seed.description }),
      ...(seed.tags === undefined ? {} : { tags: { ...seed.tags } }),
    };
    this.#apis.set(apiId, { row: this.#row(api), integrations: new Map(), routes: new Map() });
    return structuredClone(api);
  }

  /**
   * Adds an integration as CreateIntegration would store it (validated, server defaults filled).
   * @throws BadRequest (from patch.ts) when the service would refuse the input.
   */
  addIntegration(apiId: string, seed: IntegrationSeed): Integration {
    const state = this.#require(apiId);
    const { integrationId: givenId, apiGatewayManaged, ...input } = seed;
    const integrationId = givenId ?? this.newIntegrationId(state);
    if (state.integrations.has(integrationId)) {
      throw new Error(`integration ${integrationId} already exists in API ${apiId}`);
    }
    const integration = createIntegration(
      state.row.value.protocolType,
      integrationId,
      input,
      this.#behaviour(),
    );
    if (apiGatewayManaged) integration.apiGatewayManaged = true;
    return this.insertIntegration(state, integration);
  }

  /** Adds a route; `target: "integrations/{id}"` makes the service refuse to delete that integration. */
  addRoute(apiId: string, seed: RouteSeed): Route {
    const state = this.#require(apiId);
    const routeId =
      seed.routeId ??
      this.#newId(CHILD_ID_LENGTH, (id) => state.routes.has(id) || state.integrations.has(id));
    if (state.routes.has(routeId)) throw new Error(`route ${routeId} already exists in API ${apiId}`);
    const route: Route = {
      routeId,
      routeKey: seed.routeKey,
      apiKeyRequired: false,
      authorizationType: "NONE",
      ...(seed.target === undefined ? {} : { target: seed.target }),
      ...(seed.apiGatewayManaged ? { apiGatewayManaged: true } : {}),
    };
    state.routes.set(routeId, this.#row(route));
    return structuredClone(route);
  }

  /** A copy of the stored API, or undefined. */
  getApi(apiId: string): Api | undefined {
    const state = this.#apis.get(apiId);
    return state && structuredClone(state.row.value);
  }

  /** A copy of the stored integration, exactly as GetIntegration would return it, or undefined. */
  getIntegration(apiId: string, integrationId: string): Integration | undefined {
    const row = this.#apis.get(apiId)?.integrations.get(integrationId);
    return row && structuredClone(row.value);
  }

  /** Copies of an API's integrations in list order (insertion order); empty for an unknown API. */
  listIntegrations(apiId: string): Integration[] {
    return [...(this.#apis.get(apiId)?.integrations.values() ?? [])].map((r) => structuredClone(r.value));
  }

  /** Copies of an API's routes in list order. */
  listRoutes(apiId: string): Route[] {
    return [...(this.#apis.get(apiId)?.routes.values() ?? [])].map((r) => structuredClone(r.value));
  }

  /**
   * Overwrites stored fields with no validation and no defaults: out-of-band drift (a console edit, another
   * tool). A field set to `undefined` is removed. Returns the new stored state.
   */
  overwriteIntegration(apiId: string, integrationId: string, fields: Record<string, unknown>): Integration {
    const row = this.#require(apiId).integrations.get(integrationId);
    if (!row) throw new Error(`integration ${integrationId} does not exist in API ${apiId}`);
    if ("integrationId" in fields) throw new Error("integrationId is the key; add a new integration instead");
    for (const [field, value] of Object.entries(fields)) {
      if (value === undefined) delete row.value[field];
      else row.value[field] = structuredClone(value);
    }
    return structuredClone(row.value);
  }

  /** Removes an API with everything under it (DeleteApi). True when it existed. */
  removeApi(apiId: string): boolean {
    return this.#apis.delete(apiId);
  }

  /** Removes an integration out of band (no managed or route checks). True when it existed. */
  removeIntegration(apiId: string, integrationId: string): boolean {
    return this.#apis.get(apiId)?.integrations.delete(integrationId) ?? false;
  }

  /** @internal The live state of one API, for operations. */
  state(apiId: string): ApiState | undefined {
    return this.#apis.get(apiId);
  }

  /** @internal Every API's row in insertion order, for GetApis. */
  apiRows(): Row<Api>[] {
    return [...this.#apis.values()].map((s) => s.row);
  }

  /** @internal Stores a new integration at the end of the list; returns a copy. */
  insertIntegration(state: ApiState, integration: Integration): Integration {
    state.integrations.set(integration.integrationId, this.#row(integration));
    return structuredClone(integration);
  }

  /** @internal A fresh integration id for CreateIntegration. */
  newIntegrationId(state: ApiState): string {
    return this.#newId(CHILD_ID_LENGTH, (id) => state.integrations.has(id) || state.routes.has(id));
  }

  #require(apiId: string): ApiState {
    const state = this.#apis.get(apiId);
    if (!state) throw new Error(`API ${apiId} does not exist; add it with addApi first`);
    return state;
  }

  #row<T>(value: T): Row<T> {
    this.#seq += 1;
    return { seq: this.#seq, value };
  }

  #newId(length: number, taken: (id: string) => boolean): string {
    for (;;) {
      const id = this.#random.id(length);
      if (!taken(id)) return id;
    }
  }
}
