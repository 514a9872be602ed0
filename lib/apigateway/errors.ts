/** How a failed call should be treated: retry decisions and results switch on this, not on classes. */
export type FailureClass =
  | "throttling"
  | "transient"
  | "not-found"
  | "conflict"
  | "bad-request"
  | "access-denied"
  | "other";

const THROTTLING = new Set(["TooManyRequestsException", "LimitExceededException", "ThrottlingException"]);
const TRANSIENT_CODES = new Set(["ECONNRESET", "ECONNREFUSED", "EPIPE", "ETIMEDOUT", "TimeoutError"]);

/** Classifies an error thrown by the SDK (after its own retries). */
export function classify(error: unknown): FailureClass {
  const e = error as { name?: string; code?: string; $metadata?: { httpStatusCode?: number } };
  const status = e?.$metadata?.httpStatusCode;
  if (THROTTLING.has(e?.name ?? "") || status === 429) return "throttling";
  if (e?.name === "NotFoundException" || status === 404) return "not-found";
  if (e?.name === "ConflictException" || status === 409) return "conflict";
  if (e?.name === "BadRequestException" || status === 400) return "bad-request";
  if (e?.name === "AccessDeniedException" || status === 403) return "access-denied";
  if ((status ?? 0) >= 500 || TRANSIENT_CODES.has(e?.code ?? "") || TRANSIENT_CODES.has(e?.name ?? "")) {
    return "transient";
  }
  return "other";
}

/** A failed API Gateway call, with the operation and resource it was about and the SDK error as cause. */
export class GatewayError extends Error {
  override name = "GatewayError";
  readonly operation: string;
  readonly apiId: string;
  readonly integrationId?: string;
  readonly failure: FailureClass;
  /** The service's error name (e.g. BadRequestException), or the network error's code. */
  readonly errorName: string;

  constructor(operation: string, apiId: string, integrationId: string | undefined, cause: unknown) {
    const c = cause as { name?: string; code?: string; message?: string };
    const errorName = c?.name && c.name !== "Error" ? c.name : (c?.code ?? "Error");
    const target = integrationId ? `${apiId}/${integrationId}` : apiId;
    // The SDK names a reset connection TimeoutError; the code says what really happened.
    const code = c?.code && c.code !== errorName ? ` (${c.code})` : "";
    super(`${operation} ${target} failed: ${errorName}${code}: ${c?.message ?? String(cause)}`, { cause });
    this.operation = operation;
    this.apiId = apiId;
    this.integrationId = integrationId;
    this.failure = classify(cause);
    this.errorName = errorName;
  }
}
