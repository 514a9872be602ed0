/**
 * The parts of a CloudTrail record attribution reads (service-facts #25; the record contents and
 * userIdentity pages of the CloudTrail user guide). LookupEvents returns each record as the JSON string
 * `CloudTrailEvent`; anything that does not parse into the fields below is skipped, never trusted.
 */

export interface TrailRecord {
  eventId: string;
  eventName: string;
  eventSource: string;
  /** Epoch milliseconds of `eventTime` (which CloudTrail writes to the second). */
  at: number;
  requestParameters?: Record<string, unknown>;
  responseElements?: Record<string, unknown>;
  /** Set when the call failed: it changed nothing. */
  errorCode?: string;
  userArn?: string;
  /** For a call an AWS service made on someone's behalf (`userIdentity.invokedBy`). */
  invokedBy?: string;
  principalId?: string;
  identityType?: string;
  sessionIssuerArn?: string;
  sourceIpAddress?: string;
  userAgent?: string;
}

/** Parses one `CloudTrailEvent` string; undefined when it is not a usable record. */
export function parseRecord(text: string | undefined): TrailRecord | undefined {
  if (text === undefined) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isObject(raw)) return undefined;
  const { eventID, eventName, eventSource, eventTime } = raw;
  if (typeof eventID !== "string" || typeof eventName !== "string" || typeof eventSource !== "string") {
    return undefined;
  }
  const at = typeof eventTime === "string" ? Date.parse(eventTime) : Number.NaN;
  if (!Number.isFinite(at)) return undefined;
  const identity = isObject(raw.userIdentity) ? raw.userIdentity : {};
  const issuer = isObject(identity.sessionContext) ? identity.sessionContext.sessionIssuer : undefined;
  return {
    eventId: eventID,
    eventName,
    eventSource,
    at,
    ...optional("requestParameters", isObject(raw.requestParameters) ? raw.requestParameters : undefined),
    ...optional("responseElements", isObject(raw.responseElements) ? raw.responseElements : undefined),
    ...optional("errorCode", text1(raw.errorCode)),
    ...optional("userArn", text1(identity.arn)),
    ...optional("invokedBy", text1(identity.invokedBy)),
    ...optional("principalId", text1(identity.principalId)),
    ...optional("identityType", text1(identity.type)),
    ...optional("sessionIssuerArn", isObject(issuer) ? text1(issuer.arn) : undefined),
    ...optional("sourceIpAddress", text1(raw.sourceIPAddress)),
    ...optional("userAgent", text1(raw.userAgent)),
  };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function text1(v: unknown): string | undefined {
  return typeof v === "string" && v !== "" ? v : undefined;
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
