/**
 * The new shape of a run for tests: a request, the desired input and the services, as the composition root
 * (lib/runtime) builds them, with test-sized defaults; and ways to watch the calls a run makes.
 */
import type { Gateway } from "../../lib/apigateway/gateway.ts";
import type { RuntimeFactory } from "../../lib/cli/run.ts";
import type { DesiredState } from "../../lib/desired-state/state.ts";
import { createRedactor } from "../../lib/diff/redact.ts";
import type { UpdateFields } from "../../lib/plan/update.ts";
import type { DesiredInput, RunServices } from "../../lib/reconcile/reconcile.ts";
import { createRuntime } from "../../lib/runtime/runtime.ts";

/** The desired input of a test run: the state and a fixed revision. */
export function desiredInput(state: DesiredState, revision = "test-revision"): DesiredInput {
  return { state, revision };
}

/** A run's services around `gateway`: the account and Region the example files name, no history. */
export function testServices(
  gateway: Gateway,
  overrides: Partial<RunServices> & { apiCalls?: () => Record<string, number> } = {},
): RunServices {
  return {
    gateway,
    apiCalls: () => ({}),
    where: { account: "123456789012", region: "eu-west-1" },
    redact: createRedactor(),
    now: Date.now,
    concurrency: 8,
    ...overrides,
  };
}

/** Every call a gateway is asked to make, by method, before it is made. */
export type GatewayTap = (method: keyof Gateway, args: unknown[]) => void;

/** `gateway`, with `tap` told of each call first. */
export function tapGateway(gateway: Gateway, tap: GatewayTap): Gateway {
  const told =
    <A extends unknown[], R>(method: keyof Gateway, call: (...args: A) => R) =>
    (...args: A): R => {
      tap(method, args);
      return call(...args);
    };
  return {
    apiPages: told("apiPages", () => gateway.apiPages()),
    getApi: told("getApi", (apiId: string) => gateway.getApi(apiId)),
    listIntegrations: told("listIntegrations", (apiId: string) => gateway.listIntegrations(apiId)),
    getIntegration: told("getIntegration", (apiId: string, id: string) => gateway.getIntegration(apiId, id)),
    listRoutes: told("listRoutes", (apiId: string) => gateway.listRoutes(apiId)),
    updateIntegration: told("updateIntegration", (apiId: string, id: string, fields: UpdateFields) =>
      gateway.updateIntegration(apiId, id, fields),
    ),
    deleteIntegration: told("deleteIntegration", (apiId: string, id: string) =>
      gateway.deleteIntegration(apiId, id),
    ),
  };
}

/** The CLI's runtime factory, with every run's gateway passed through `wrap` (for `main`'s deps). */
export function wrappedRuntime(
  wrap: (gateway: Gateway) => Gateway,
  base: RuntimeFactory = createRuntime,
): RuntimeFactory {
  return async (config) => {
    const runtime = await base(config);
    return {
      ...runtime,
      services: (options) => {
        const services = runtime.services(options);
        return { ...services, gateway: wrap(services.gateway) };
      },
    };
  };
}
