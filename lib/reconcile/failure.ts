import { GatewayError } from "../apigateway/errors.ts";

/** An error as a report shows it: the service's error name and a message that names what failed. */
export function describeError(error: unknown): { name: string; message: string } {
  if (error instanceof GatewayError) return { name: error.errorName, message: error.message };
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: "Error", message: String(error) };
}
