import {
  type ApiGatewayV2Client,
  CreateApiCommand,
  CreateIntegrationCommand,
  type CreateIntegrationRequest,
  DeleteApiCommand,
  GetApisCommand,
  GetIntegrationCommand,
  GetIntegrationsCommand,
  type Integration,
  UpdateIntegrationCommand,
} from "@aws-sdk/client-apigatewayv2";
import type { LiveIntegration } from "../model/live.ts";
import { fromSdkIntegration, toSdkUpdate } from "./convert.ts";
import { classify, GatewayError } from "./errors.ts";
import type { RateLimiter } from "./limiter.ts";

/** An API as the probe sees it in GetApis / CreateApi answers, in wire (camelCase) names. */
export interface ProbeApi {
  apiId: string;
  name: string;
  protocolType: string;
  /** ISO-8601, as the service stamped it. */
  createdDate?: string;
  tags?: Record<string, string>;
}

/**
 * What `apigw-drift probe` (PRODUCT §11) asks of API Gateway, beyond the run's Gateway: it makes and removes
 * its own scratch APIs and integrations. Kept apart from Gateway so that a plan or apply can never reach
 * CreateApi or DeleteApi. Which APIs these calls may touch is lib/probe/scratch.ts's business.
 */
export interface ProbeGateway {
  /** Every API of the account in the Region (GetApis, every page). */
  listApis(): Promise<ProbeApi[]>;
  createApi(input: {
    name: string;
    protocolType: "HTTP" | "WEBSOCKET";
    routeSelectionExpression?: string;
    tags?: Record<string, string>;
  }): Promise<ProbeApi>;
  /** "not-found" when it was already gone. */
  deleteApi(apiId: string): Promise<"deleted" | "not-found">;
  /** CreateIntegration with wire-named fields; the integration as the service stored it. */
  createIntegration(apiId: string, fields: Record<string, unknown>): Promise<LiveIntegration>;
  updateIntegration(
    apiId: string,
    integrationId: string,
    fields: Record<string, unknown>,
  ): Promise<LiveIntegration>;
  getIntegration(apiId: string, integrationId: string): Promise<LiveIntegration>;
  /** One GetIntegrations page asked at `maxResults`; how many items it held. */
  integrationsPage(apiId: string, maxResults: number): Promise<{ items: number }>;
}

/**
 * The probe's operations on the SDK, through the same client (createApiGatewayClient: retries, the rate
 * limiter inside the retry loop, timeouts) and the same concurrency bound as a run's SdkGateway, with
 * errors wrapped as GatewayError (operation, API, integration, the service's error as cause). It lives in
 * lib/apigateway so that this folder stays the only importer of @aws-sdk/client-apigatewayv2.
 */
export class SdkProbeGateway implements ProbeGateway {
  readonly #client: ApiGatewayV2Client;
  readonly #limiter: RateLimiter;

  constructor(client: ApiGatewayV2Client, limiter: RateLimiter) {
    this.#client = client;
    this.#limiter = limiter;
  }

  async listApis(): Promise<ProbeApi[]> {
    const out: ProbeApi[] = [];
    let token: string | undefined;
    do {
      const page = await this.#call("GetApis", "", undefined, () =>
        this.#client.send(new GetApisCommand({ NextToken: token })),
      );
      for (const api of page.Items ?? []) out.push(toApi(api));
      token = page.NextToken || undefined;
    } while (token !== undefined);
    return out;
  }

  async createApi(input: Parameters<ProbeGateway["createApi"]>[0]): Promise<ProbeApi> {
    const api = await this.#call("CreateApi", input.name, undefined, () =>
      this.#client.send(
        new CreateApiCommand({
          Name: input.name,
          ProtocolType: input.protocolType,
          RouteSelectionExpression: input.routeSelectionExpression,
          Tags: input.tags,
        }),
      ),
    );
    return toApi(api);
  }

  async deleteApi(apiId: string): Promise<"deleted" | "not-found"> {
    try {
      await this.#call("DeleteApi", apiId, undefined, () =>
        this.#client.send(new DeleteApiCommand({ ApiId: apiId })),
      );
      return "deleted";
    } catch (error) {
      if (error instanceof GatewayError && error.failure === "not-found") return "not-found";
      throw error;
    }
  }

  async createIntegration(apiId: string, fields: Record<string, unknown>): Promise<LiveIntegration> {
    const { IntegrationId: _, ...input } = toSdkUpdate(apiId, "", fields);
    const out = await this.#call("CreateIntegration", apiId, undefined, () =>
      this.#client.send(new CreateIntegrationCommand(input as CreateIntegrationRequest)),
    );
    return integrationOf(out);
  }

  async updateIntegration(
    apiId: string,
    integrationId: string,
    fields: Record<string, unknown>,
  ): Promise<LiveIntegration> {
    const out = await this.#call("UpdateIntegration", apiId, integrationId, () =>
      this.#client.send(new UpdateIntegrationCommand(toSdkUpdate(apiId, integrationId, fields))),
    );
    return integrationOf(out);
  }

  async getIntegration(apiId: string, integrationId: string): Promise<LiveIntegration> {
    const out = await this.#call("GetIntegration", apiId, integrationId, () =>
      this.#client.send(new GetIntegrationCommand({ ApiId: apiId, IntegrationId: integrationId })),
    );
    return integrationOf(out);
  }

  async integrationsPage(apiId: string, maxResults: number): Promise<{ items: number }> {
    const page = await this.#call("GetIntegrations", apiId, undefined, () =>
      this.#client.send(new GetIntegrationsCommand({ ApiId: apiId, MaxResults: String(maxResults) })),
    );
    return { items: page.Items?.length ?? 0 };
  }

  /** One call under the concurrency bound; every failure (NotFound included) a GatewayError. */
  async #call<T>(
    operation: string,
    apiId: string,
    integrationId: string | undefined,
    send: () => Promise<T>,
  ): Promise<T> {
    try {
      return await this.#limiter.run(send);
    } catch (error) {
      throw new GatewayError(operation, apiId, integrationId, error);
    }
  }
}

/** The service's own words for a failed call: its error name and message, e.g. for a probe's evidence. */
export function serviceWords(error: unknown): { failure: string; words: string } {
  const cause = error instanceof GatewayError ? error.cause : error;
  const c = cause as {
    name?: string;
    code?: string;
    message?: string;
    $metadata?: { httpStatusCode?: number };
  };
  const name = c?.name && c.name !== "Error" ? c.name : (c?.code ?? "Error");
  const status = c?.$metadata?.httpStatusCode;
  return {
    failure: classify(cause),
    words: `${status ? `${status} ` : ""}${name}: ${c?.message ?? String(cause)}`,
  };
}

function toApi(a: {
  ApiId?: string;
  Name?: string;
  ProtocolType?: string;
  CreatedDate?: Date;
  Tags?: Record<string, string>;
}): ProbeApi {
  return {
    apiId: a.ApiId ?? "",
    name: a.Name ?? "",
    protocolType: a.ProtocolType ?? "",
    ...(a.CreatedDate ? { createdDate: a.CreatedDate.toISOString() } : {}),
    ...(a.Tags ? { tags: a.Tags } : {}),
  };
}

function integrationOf(out: Integration & { $metadata?: unknown }): LiveIntegration {
  const { $metadata: _, ...integration } = out;
  return fromSdkIntegration(integration);
}
