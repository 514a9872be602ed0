/**
 * CreateApi's body, checked as the service checks it before anything is stored. Sources:
 * - SDK model (`@aws-sdk/client-apigatewayv2` CreateApiRequest): `name` and `protocolType` are required;
 *   `protocolType` is the enum HTTP | WEBSOCKET; `tags` is a string map; `target` is the quick-create
 *   member; POST /v2/apis answers 201 with the Api.
 * - SDK model docs (the API reference's text), CreateApiRequest.RouteSelectionExpression: "For HTTP APIs, the routeSelectionExpression
 *   must be ${request.method} ${request.path}. If not provided, this will be the default for HTTP APIs.
 *   This property is required for WebSocket APIs."
 * The wording of every refusal is ours (unverified).
 */
import { BadRequest, isObject } from "./input.ts";
import type { ApiSeed } from "./store.ts";

// biome-ignore lint/suspicious/noTemplateCurlyInString: an API Gateway selection expression, not JS
const HTTP_ROUTE_SELECTION = "${request.method} ${request.path}";

/**
 * The API a CreateApi body describes.
 * @throws BadRequest for a missing or mistyped member, a WebSocket API without a route selection
 *   expression, an HTTP API with another one, or a quick create (`target`), which the emulator does not
 *   model: it would have to create a managed integration, a route and a stage.
 */
export function readCreateApi(body: Record<string, unknown>): ApiSeed {
  const { name, protocolType, routeSelectionExpression, description, tags, target } = body;
  if (typeof name !== "string" || name === "") throw new BadRequest("Name is required");
  if (protocolType !== "HTTP" && protocolType !== "WEBSOCKET") {
    throw new BadRequest(`Invalid protocol type ${JSON.stringify(protocolType ?? null)}: HTTP or WEBSOCKET`);
  }
  if (target !== undefined && target !== null) {
    throw new BadRequest(
      "The emulator does not model quick create (CreateApi with target); see emulator/create-api.ts",
    );
  }
  const expression = optionalString("routeSelectionExpression", routeSelectionExpression);
  if (protocolType === "WEBSOCKET" && expression === undefined) {
    throw new BadRequest("RouteSelectionExpression is required for WEBSOCKET APIs");
  }
  if (protocolType === "HTTP" && expression !== undefined && expression !== HTTP_ROUTE_SELECTION) {
    throw new BadRequest(`RouteSelectionExpression must be ${HTTP_ROUTE_SELECTION} for HTTP APIs`);
  }
  if (tags !== undefined && tags !== null && !(isObject(tags) && Object.values(tags).every(isString))) {
    throw new BadRequest("Invalid value for tags: a map of strings");
  }
  const text = optionalString("description", description);
  return {
    name,
    protocolType,
    ...(expression === undefined ? {} : { routeSelectionExpression: expression }),
    ...(text === undefined ? {} : { description: text }),
    ...(isObject(tags) ? { tags: tags as Record<string, string> } : {}),
  };
}

function optionalString(member: string, value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string")
    throw new BadRequest(`Invalid value for ${member}: ${JSON.stringify(value)}`);
  return value;
}

function isString(v: unknown): v is string {
  return typeof v === "string";
}
