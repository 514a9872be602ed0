/**
 * What the API Gateway emulator tells a listener after each successful write (CreateIntegration,
 * UpdateIntegration, DeleteIntegration): enough for a CloudTrail emulator to record the call as CloudTrail
 * would, with the caller named by the access key of its SigV4 signature.
 */
import type { IncomingHttpHeaders } from "node:http";

export type WriteOperation = "CreateIntegration" | "UpdateIntegration" | "DeleteIntegration";

export interface WriteEvent {
  operation: WriteOperation;
  /** Epoch milliseconds, from the emulator's clock. */
  at: number;
  apiId: string;
  /** For CreateIntegration, the id the service generated. */
  integrationId: string;
  /** The parsed JSON body the caller sent (camelCase members); `{}` for DeleteIntegration. */
  request: Record<string, unknown>;
  /** The answer's body; undefined for DeleteIntegration's 204. */
  response: unknown;
  /** From `Authorization: AWS4-HMAC-SHA256 Credential=AKID/date/region/service/aws4_request, ...`. */
  accessKeyId?: string;
  /** The Region of the signature's credential scope. */
  region?: string;
  userAgent?: string;
  sourceIpAddress?: string;
}

export type WriteListener = (event: WriteEvent) => void;

/** The access key id and Region of a SigV4 `Authorization` header; `{}` when there is none or it is not SigV4. */
export function signatureScope(headers: IncomingHttpHeaders): { accessKeyId?: string; region?: string } {
  const match = /Credential=([^/\s,]+)\/\d{8}\/([^/\s,]+)\//.exec(headers.authorization ?? "");
  return match ? { accessKeyId: match[1]!, region: match[2]! } : {};
}
