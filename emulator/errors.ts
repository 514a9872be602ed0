/**
 * Service errors as the restJson1 protocol carries them: an HTTP status, the error's shape name in the
 * `x-amzn-ErrorType` header (the SDK picks the exception class from it), and a JSON body with `message`
 * plus the shape's extra members (`resourceType` on NotFoundException, `limitType` on
 * TooManyRequestsException).
 */
import { BadRequest } from "./input.ts";

/** An error answer: thrown by operations, written by the HTTP layer. */
export class ServiceError extends Error {
  override name = "ServiceError";
  readonly status: number;
  readonly errorType: string;
  /** Members of the error shape besides `message`. */
  readonly fields: Readonly<Record<string, string>>;

  constructor(status: number, errorType: string, message: string, fields: Record<string, string> = {}) {
    super(message);
    this.status = status;
    this.errorType = errorType;
    this.fields = fields;
  }

  /** The JSON body: `{"message": ...}` plus the shape's other members. */
  body(): Record<string, string> {
    return { message: this.message, ...this.fields };
  }
}

export function badRequest(message: string): ServiceError {
  return new ServiceError(400, "BadRequestException", message);
}

/**
 * `resourceType` values are ours ("Api", "Integration", "Route"): the API reference names the member but not
 * its values (unverified).
 */
export function notFound(resourceType: string, message: string): ServiceError {
  return new ServiceError(404, "NotFoundException", message, { resourceType });
}

export function conflict(message: string): ServiceError {
  return new ServiceError(409, "ConflictException", message);
}

/** Errors from the pure model (patch.ts) become 400s; anything else is a bug in the emulator: a 500. */
export function toServiceError(error: unknown): ServiceError {
  if (error instanceof ServiceError) return error;
  if (error instanceof BadRequest) return badRequest(error.message);
  const message = error instanceof Error ? error.message : String(error);
  return new ServiceError(500, "InternalServerException", `emulator bug: ${message}`);
}
