/**
 * Who last wrote an integration, from CloudTrail (PRODUCT §8). Every string here comes from a CloudTrail
 * record, and some of it from the caller (`userAgent` entirely; a role session's name is chosen by whoever
 * assumed the role): escape it before it reaches a terminal.
 */
export interface ChangedBy {
  /** `userIdentity.arn` of the caller (or, for a call by an AWS service, `userIdentity.invokedBy`). */
  principal: string;
  /** The event's time, ISO 8601. */
  at: string;
  eventName: string;
  eventId: string;
  sourceIpAddress?: string;
  userAgent?: string;
}

/** An integration whose author is wanted. */
export interface AttributionTarget {
  apiId: string;
  integrationId: string;
  /**
   * The result's status: MISSING is looked up as DeleteIntegration; anything else (DRIFTED, UPDATED, FAILED,
   * an UNMANAGED one planned for deletion) as UpdateIntegration, then CreateIntegration.
   */
  status: string;
  /**
   * When history last saw it in sync (ISO 8601, a Date or epoch ms): nothing older explains the drift.
   * Absent, or older than CloudTrail's 90 days, the window starts 90 days back.
   */
  since?: string | Date | number;
}

/** The CloudTrail event names of API Gateway integration writes (v1 REST APIs share them). */
export type IntegrationEventName = "UpdateIntegration" | "CreateIntegration" | "DeleteIntegration";
