import {
  type ApiGatewayV2Client,
  DeleteIntegrationCommand,
  GetApiCommand,
  GetApisCommand,
  GetIntegrationCommand,
  GetIntegrationsCommand,
  GetRoutesCommand,
  UpdateIntegrationCommand,
} from "@aws-sdk/client-apigatewayv2";
import type { LiveIntegration } from "../model/live.ts";
import type { LiveRoute } from "../plan/plan.ts";
import type { UpdateFields } from "../plan/update.ts";
import { fromSdkIntegration, toSdkUpdate } from "./convert.ts";
import { classify, GatewayError } from "./errors.ts";
import type { RateLimiter } from "./limiter.ts";

/** What the run needs to know of a live API. */
export interface LiveApi {
  apiId: string;
  name?: string;
  protocolType: string;
}

/** Everything the product asks of API Gateway. The reconcile core depends on this, not on the SDK. */
export interface Gateway {
  /** GetApis page by page, so a caller can stop once it has what it needs; `last` on the final page. */
  apiPages(): AsyncIterable<{ items: LiveApi[]; last: boolean }>;
  /** The API, or undefined when it does not exist. */
  getApi(apiId: string): Promise<LiveApi | undefined>;
  listIntegrations(apiId: string): Promise<LiveIntegration[]>;
  /** The integration, or undefined when it does not exist. */
  getIntegration(apiId: string, integrationId: string): Promise<LiveIntegration | undefined>;
  listRoutes(apiId: string): Promise<LiveRoute[]>;
  /** Sends an UpdateIntegration and returns the integration as the service now holds it. */
  updateIntegration(apiId: string, integrationId: string, fields: UpdateFields): Promise<LiveIntegration>;
  /** Deletes an integration; "not-found" when it was already gone. */
  deleteIntegration(apiId: string, integrationId: string): Promise<"deleted" | "not-found">;
}

/**
 * The page size asked of GetIntegrations and GetRoutes. The API documents no maximum (service-facts #15);
 * 500 is API Gateway's documented maximum for its REST API's `limit`. If the service refuses it, the
 * adapter falls back to the service's default page size and follows nextToken.
 */
export const PAGE_SIZE = "500";

/**
 * The most pages one listing may take (500,000 items at the page size): a service whose nextToken never
 * ends would otherwise keep a run calling at the account's quota forever.
 */
export const MAX_PAGES = 1_000;

/**
 * The only module that talks to API Gateway: SDK calls through the rate limiter's concurrency bound,
 * answers translated into the product's wire-named data, errors into GatewayError with the operation,
 * API and integration they concern.
 */
export class SdkGateway implements Gateway {
  readonly #client: ApiGatewayV2Client;
  readonly #limiter: RateLimiter;
  readonly #signal: AbortSignal | undefined;
  #pageSize: string | undefined = PAGE_SIZE;

  /**
   * `signal` aborts the calls in flight when it fires: a run that must end now (the Lambda's time nearly
   * up). It is not the interrupt of SIGINT, which lets the writes in flight finish.
   */
  constructor(client: ApiGatewayV2Client, limiter: RateLimiter, options: { signal?: AbortSignal } = {}) {
    this.#client = client;
    this.#limiter = limiter;
    this.#signal = options.signal;
  }

  /** The same client and limiter, with the calls of one run bounded by `signal`. */
  withSignal(signal: AbortSignal | undefined): SdkGateway {
    return new SdkGateway(this.#client, this.#limiter, { ...(signal ? { signal } : {}) });
  }

  /** The options every call is sent with: the run's abort signal, when it has one. */
  get #options(): { abortSignal?: AbortSignal } {
    return this.#signal ? { abortSignal: this.#signal } : {};
  }

  async *apiPages(): AsyncGenerator<{ items: LiveApi[]; last: boolean }> {
    let token: string | undefined;
    do {
      let items: LiveApi[] = [];
      await this.#pages(
        "GetApis",
        "",
        async (NextToken, MaxResults) => {
          const page = await this.#client.send(new GetApisCommand({ NextToken, MaxResults }), this.#options);
          items = (page.Items ?? []).map(toApi);
          return page.NextToken;
        },
        { from: token, once: true },
      ).then((next) => {
        token = next;
      });
      yield { items, last: token === undefined };
    } while (token !== undefined);
  }

  async getApi(apiId: string): Promise<LiveApi | undefined> {
    const api = await this.#call("GetApi", apiId, undefined, () =>
      this.#client.send(new GetApiCommand({ ApiId: apiId }), this.#options),
    );
    return api && toApi(api);
  }

  async listIntegrations(apiId: string): Promise<LiveIntegration[]> {
    const items: LiveIntegration[] = [];
    await this.#pages("GetIntegrations", apiId, async (NextToken, MaxResults) => {
      const page = await this.#client.send(
        new GetIntegrationsCommand({ ApiId: apiId, NextToken, MaxResults }),
        this.#options,
      );
      for (const i of page.Items ?? []) items.push(fromSdkIntegration(i));
      return page.NextToken;
    });
    return items;
  }

  async getIntegration(apiId: string, integrationId: string): Promise<LiveIntegration | undefined> {
    const out = await this.#call("GetIntegration", apiId, integrationId, () =>
      this.#client.send(
        new GetIntegrationCommand({ ApiId: apiId, IntegrationId: integrationId }),
        this.#options,
      ),
    );
    if (!out) return undefined;
    const { $metadata: _, ...integration } = out;
    return fromSdkIntegration(integration);
  }

  async listRoutes(apiId: string): Promise<LiveRoute[]> {
    const routes: LiveRoute[] = [];
    await this.#pages("GetRoutes", apiId, async (NextToken, MaxResults) => {
      const page = await this.#client.send(
        new GetRoutesCommand({ ApiId: apiId, NextToken, MaxResults }),
        this.#options,
      );
      for (const r of page.Items ?? []) routes.push({ routeId: r.RouteId ?? "", target: r.Target });
      return page.NextToken;
    });
    return routes;
  }

  async updateIntegration(
    apiId: string,
    integrationId: string,
    fields: UpdateFields,
  ): Promise<LiveIntegration> {
    const out = await this.#call("UpdateIntegration", apiId, integrationId, () =>
      this.#client.send(
        new UpdateIntegrationCommand(toSdkUpdate(apiId, integrationId, fields)),
        this.#options,
      ),
    );
    if (!out)
      throw new GatewayError("UpdateIntegration", apiId, integrationId, notFound(apiId, integrationId));
    const { $metadata: _, ...integration } = out;
    return fromSdkIntegration(integration);
  }

  async deleteIntegration(apiId: string, integrationId: string): Promise<"deleted" | "not-found"> {
    const out = await this.#call("DeleteIntegration", apiId, integrationId, () =>
      this.#client.send(
        new DeleteIntegrationCommand({ ApiId: apiId, IntegrationId: integrationId }),
        this.#options,
      ),
    );
    return out ? "deleted" : "not-found";
  }

  /** One call under the concurrency bound; NotFound becomes undefined, anything else a GatewayError. */
  async #call<T>(
    operation: string,
    apiId: string,
    integrationId: string | undefined,
    send: () => Promise<T>,
  ) {
    try {
      return await this.#limiter.run(send);
    } catch (error) {
      if (classify(error) === "not-found") return undefined;
      throw new GatewayError(operation, apiId, integrationId, error);
    }
  }

  /**
   * Follows nextToken to the end, at the largest page size; if the service refuses the page size, once,
   * it goes on at the service's default. An API that is not there fails the listing.
   */
  async #pages(
    operation: string,
    apiId: string,
    fetch: (token: string | undefined, pageSize: string | undefined) => Promise<string | undefined>,
    options: { from?: string; once?: boolean } = {},
  ): Promise<string | undefined> {
    let token: string | undefined = options.from;
    const seen = new Set<string>();
    for (let page = 1; ; page++) {
      try {
        token = await this.#limiter.run(() => fetch(token, this.#pageSize));
      } catch (error) {
        if (classify(error) === "bad-request" && this.#pageSize !== undefined) {
          this.#pageSize = undefined;
          continue;
        }
        throw new GatewayError(operation, apiId, undefined, error);
      }
      if (!token || options.once) return token || undefined;
      // A listing that never ends is the service's fault, not a reason to call at the quota forever.
      if (seen.has(token))
        throw loopError(operation, apiId, `returned the same nextToken twice, after ${page} pages`);
      if (page >= MAX_PAGES) throw loopError(operation, apiId, `was still giving pages after ${MAX_PAGES}`);
      seen.add(token);
    }
  }
}

function toApi(a: { ApiId?: string; Name?: string; ProtocolType?: string }): LiveApi {
  return { apiId: a.ApiId ?? "", name: a.Name, protocolType: a.ProtocolType ?? "" };
}

function notFound(apiId: string, integrationId: string) {
  return Object.assign(new Error(`integration ${integrationId} of API ${apiId} no longer exists`), {
    name: "NotFoundException",
  });
}

function loopError(operation: string, apiId: string, what: string): GatewayError {
  const cause = Object.assign(new Error(`the listing ${what}; stopped following nextToken`), {
    name: "PaginationLoop",
  });
  return new GatewayError(operation, apiId, undefined, cause);
}
