/**
 * The operations the emulator serves: where each lives on the wire (method and path, as the SDK's
 * restJson1 serializers send them) and what it does to the store. Everything HTTP beyond the path (bodies,
 * headers, faults, the call log) is http.ts's business.
 */
import type { Behaviour } from "./behaviour.ts";
import { readCreateApi } from "./create-api.ts";
import { badRequest, conflict, notFound, ServiceError } from "./errors.ts";
import { paginate } from "./pagination.ts";
import { applyUpdate, createIntegration, type Integration } from "./patch.ts";
import type { Protocol } from "./service-model.ts";
import type { ApiState, Row, Store } from "./store.ts";

/** SDK operation names, as in the call log and fault filters. */
export const OPERATION_NAMES = [
  "GetApis",
  "GetApi",
  "CreateApi",
  "DeleteApi",
  "GetIntegrations",
  "GetIntegration",
  "CreateIntegration",
  "UpdateIntegration",
  "DeleteIntegration",
  "GetRoutes",
] as const;
export type OperationName = (typeof OPERATION_NAMES)[number];

/** A request matched to an operation, with its path labels. */
export interface ResolvedCall {
  operation: OperationName;
  apiId?: string;
  integrationId?: string;
}

/**
 * Matches a request line to an operation: paths as in the SDK's schemas (`/v2/apis/{ApiId}/integrations`,
 * ...). Undefined for anything else, including a known path with another method.
 * @throws ServiceError 400 when a path label is not valid percent-encoding.
 */
export function resolve(method: string, pathname: string): ResolvedCall | undefined {
  let parts: string[];
  try {
    parts = pathname.split("/").slice(1).map(decodeURIComponent);
  } catch {
    throw badRequest(`Malformed path ${pathname}`);
  }
  const [v2, apis, apiId, child, integrationId, ...rest] = parts;
  if (v2 !== "v2" || apis !== "apis" || rest.length > 0) return undefined;
  if (apiId === undefined) {
    if (method === "GET") return { operation: "GetApis" };
    return method === "POST" ? { operation: "CreateApi" } : undefined;
  }
  if (apiId === "") return undefined;
  if (child === undefined) {
    if (method === "GET") return { operation: "GetApi", apiId };
    return method === "DELETE" ? { operation: "DeleteApi", apiId } : undefined;
  }
  if (child === "routes" && integrationId === undefined) {
    return method === "GET" ? { operation: "GetRoutes", apiId } : undefined;
  }
  if (child !== "integrations") return undefined;
  if (integrationId === undefined) {
    if (method === "GET") return { operation: "GetIntegrations", apiId };
    return method === "POST" ? { operation: "CreateIntegration", apiId } : undefined;
  }
  if (integrationId === "") return undefined;
  const byMethod: Record<string, OperationName> = {
    GET: "GetIntegration",
    PATCH: "UpdateIntegration",
    DELETE: "DeleteIntegration",
  };
  const operation = byMethod[method];
  return operation && { operation, apiId, integrationId };
}

export interface OperationContext {
  store: Store;
  /** The readings in force for this call. */
  behaviour: Behaviour;
}

export interface OperationRequest extends ResolvedCall {
  query: URLSearchParams;
  /** The parsed JSON body; `{}` when there is none. */
  body: Record<string, unknown>;
}

export interface OperationResult {
  status: number;
  /** Serialised as JSON; absent for 204. */
  body?: unknown;
}

/**
 * Runs one operation against the store. Throws ServiceError (or patch.ts's BadRequest) for an error
 * answer, having changed nothing: every check runs before the one write.
 */
export function execute(ctx: OperationContext, req: OperationRequest): OperationResult {
  const { store } = ctx;
  switch (req.operation) {
    case "GetApis":
      return ok(paginate(store.apiRows(), req.query, "apis"));
    case "GetApi":
      return ok(requireApi(store, req).row.value);
    case "CreateApi":
      // SDK model: POST /v2/apis answers 201 with the Api.
      return { status: 201, body: store.addApi(readCreateApi(req.body)) };
    case "DeleteApi":
      // SDK model: DELETE /v2/apis/{ApiId} answers 204; the API goes with everything under it.
      store.removeApi(requireApi(store, req).row.value.apiId);
      return { status: 204 };
    case "GetIntegrations": {
      const state = requireApi(store, req);
      const max = ctx.behaviour["getIntegrations.maxPageSize"];
      return ok(
        paginate(state.integrations.values(), req.query, `integrations:${state.row.value.apiId}`, max),
      );
    }
    case "GetRoutes": {
      const state = requireApi(store, req);
      return ok(paginate(state.routes.values(), req.query, `routes:${state.row.value.apiId}`));
    }
    case "GetIntegration":
      return ok(requireIntegration(store, req).row.value);
    case "CreateIntegration": {
      const state = requireApi(store, req);
      const created = createIntegration(
        protocolOf(state),
        store.newIntegrationId(state),
        req.body,
        ctx.behaviour,
      );
      return { status: 201, body: store.insertIntegration(state, created) };
    }
    case "UpdateIntegration": {
      const { state, row } = requireIntegration(store, req);
      row.value = applyUpdate(protocolOf(state), row.value, req.body, ctx.behaviour);
      return ok(row.value);
    }
    case "DeleteIntegration":
      return deleteIntegration(store, req);
  }
}

function deleteIntegration(store: Store, req: OperationRequest): OperationResult {
  const { state, row } = requireIntegration(store, req);
  const id = row.value.integrationId;
  if (row.value.apiGatewayManaged === true) {
    // API reference: "You can update a managed integration, but you can't delete it." The status and
    // wording of the refusal are ours (unverified, service-facts #13).
    throw badRequest(`Integration ${id} is managed by API Gateway and cannot be deleted`);
  }
  const routeIds = [...state.routes.values()]
    .filter((r) => r.value.target === `integrations/${id}`)
    .map((r) => r.value.routeId);
  if (routeIds.length > 0) {
    // service-facts #14, the service's words; the list format for several ids is a guess (", ").
    const ids = routeIds.join(", ");
    throw conflict(
      `Cannot delete Integration because it is referenced by the following Routes with Ids: [${ids}]`,
    );
  }
  state.integrations.delete(id);
  return { status: 204 };
}

function ok(body: unknown): OperationResult {
  return { status: 200, body };
}

function protocolOf(state: ApiState): Protocol {
  return state.row.value.protocolType;
}

/** Message wording follows API Gateway (v1) reports; unverified for v2. */
function requireApi(store: Store, req: ResolvedCall): ApiState {
  const state = req.apiId === undefined ? undefined : store.state(req.apiId);
  if (!state) throw notFound("Api", `Invalid API identifier specified ${req.apiId ?? ""}`.trim());
  return state;
}

function requireIntegration(store: Store, req: ResolvedCall): { state: ApiState; row: Row<Integration> } {
  const state = requireApi(store, req);
  const row = req.integrationId === undefined ? undefined : state.integrations.get(req.integrationId);
  if (!row) throw notFound("Integration", `Invalid Integration identifier specified ${req.integrationId}`);
  return { state, row };
}

/** The answer for a request no operation matches. Unverified: the service's answer is not documented. */
export function unknownOperation(method: string, pathname: string): ServiceError {
  return new ServiceError(
    404,
    "NotFoundException",
    `The emulator serves no operation at ${method} ${pathname}; see emulator/operations.ts`,
  );
}
