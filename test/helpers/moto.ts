import {
  type ApiGatewayV2Client,
  CreateApiCommand,
  CreateIntegrationCommand,
  type CreateIntegrationRequest,
  CreateRouteCommand,
  GetIntegrationsCommand,
  type Integration,
  type ProtocolType,
  UpdateIntegrationCommand,
  type UpdateIntegrationRequest,
} from "@aws-sdk/client-apigatewayv2";
import type { InitializeHandlerArguments, InitializeHandlerOutput } from "@smithy/types";
import { afterAll, afterEach, beforeAll, beforeEach, vi } from "vitest";
import type { RuntimeFactory } from "../../lib/cli/run.ts";
import { createRuntime } from "../../lib/runtime/runtime.ts";
import { type MotoServer, startMoto } from "./moto-server.ts";
import { requireTool, type Tool } from "./tools.ts";

export const MOTO_INSTALL_HINT = 'pip install "moto[server]"';

let tool: Tool | undefined;
/** moto_server on PATH, under the tools policy (CI fails without it; a laptop skips loudly). */
export function motoTool(): Tool {
  tool ??= requireTool("moto_server", MOTO_INSTALL_HINT);
  return tool;
}

/**
 * One moto server for the test file (started in beforeAll, stopped in afterAll, also when tests fail),
 * reset before each test, with the SDK's standard environment stubbed to point at it. Call it inside a
 * `describe.runIf(motoTool().available)` block.
 */
export function useMoto(): { server: MotoServer } {
  const handle = {} as { server: MotoServer };
  // Longer than startMoto's own 15 s readiness wait, so a slow start fails with moto's output, not a timeout.
  beforeAll(async () => {
    handle.server = await startMoto();
  }, 20_000);
  afterAll(async () => {
    await handle.server?.close();
  });
  beforeEach(async () => {
    await handle.server.reset();
    for (const [name, value] of Object.entries(handle.server.env)) vi.stubEnv(name, value);
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });
  return handle;
}

/** One request the product sent, as the SDK command's input (after the product built it, before retries). */
export interface SentCall {
  operation: string;
  input: Record<string, unknown>;
}

type Next = (args: InitializeHandlerArguments<object>) => Promise<InitializeHandlerOutput<object>>;

/**
 * The CLI's runtime (the product's own composition root, on the SDK's standard environment), with a
 * recorder of every command the product sends: moto keeps no call log, so this is the trace.
 */
export function recordingRuntime(): { runtime: RuntimeFactory; sent: SentCall[] } {
  const sent: SentCall[] = [];
  const runtime: RuntimeFactory = (config) =>
    createRuntime({
      ...config,
      instrument: (client) => {
        client.middlewareStack.add(
          ((next: Next, context: { commandName?: string }) => (args: InitializeHandlerArguments<object>) => {
            const operation = (context.commandName ?? "unknown").replace(/Command$/, "");
            sent.push({ operation, input: structuredClone(args.input) as Record<string, unknown> });
            return next(args);
          }) as never,
          { step: "initialize", name: "motoRecorder" },
        );
      },
    });
  return { runtime, sent };
}

/** The operations of `sent`, in order. */
export const operations = (sent: readonly SentCall[]) => sent.map((c) => c.operation);

export async function createApi(client: ApiGatewayV2Client, name: string, protocol: ProtocolType) {
  const api = await client.send(
    new CreateApiCommand({
      Name: name,
      ProtocolType: protocol,
      ...(protocol === "WEBSOCKET" ? { RouteSelectionExpression: "$request.body.action" } : {}),
    }),
  );
  return api.ApiId!;
}

export async function createIntegration(
  client: ApiGatewayV2Client,
  apiId: string,
  input: Omit<CreateIntegrationRequest, "ApiId">,
) {
  const integration = await client.send(new CreateIntegrationCommand({ ApiId: apiId, ...input }));
  return integration.IntegrationId!;
}

export async function createRoute(
  client: ApiGatewayV2Client,
  apiId: string,
  routeKey: string,
  integrationId: string,
) {
  const route = await client.send(
    new CreateRouteCommand({ ApiId: apiId, RouteKey: routeKey, Target: `integrations/${integrationId}` }),
  );
  return route.RouteId!;
}

/** Drift as a console user makes it: an UpdateIntegration through the SDK, behind the product's back. */
export async function drift(
  client: ApiGatewayV2Client,
  apiId: string,
  integrationId: string,
  input: Omit<UpdateIntegrationRequest, "ApiId" | "IntegrationId">,
) {
  await client.send(new UpdateIntegrationCommand({ ApiId: apiId, IntegrationId: integrationId, ...input }));
}

/** Every integration moto holds for `apiId`, by id. */
export async function liveIntegrations(client: ApiGatewayV2Client, apiId: string) {
  const page = await client.send(new GetIntegrationsCommand({ ApiId: apiId }));
  return Object.fromEntries((page.Items ?? []).map((i) => [i.IntegrationId!, i])) as Record<
    string,
    Integration
  >;
}
