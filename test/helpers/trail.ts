/**
 * Console-style changes and CloudTrail events for attribution tests: an UpdateIntegration (or
 * CreateIntegration) signed with a named principal's access key, which the API Gateway emulator tells the
 * CloudTrail emulator about (its `onWrite`), and the EventBridge / SQS envelopes the event-driven path
 * receives such a record in.
 */
import {
  ApiGatewayV2Client,
  CreateIntegrationCommand,
  type CreateIntegrationCommandInput,
  UpdateIntegrationCommand,
  type UpdateIntegrationCommandInput,
} from "@aws-sdk/client-apigatewayv2";
import {
  type CloudTrailRecord,
  eventBridgeEventOf,
  type PrincipalConfig,
} from "../../emulator/cloudtrail.ts";

export const ACCOUNT = "123456789012";
/** Alice, in the console through an assumed role. */
export const ALICE = `arn:aws:sts::${ACCOUNT}:assumed-role/Admin/alice`;
export const ALICE_KEY = "AKIDALICE";
/** The deployed function's role, and one of its sessions. */
export const FUNCTION_ROLE = `arn:aws:iam::${ACCOUNT}:role/apigw-drift-ReconcileFunctionRole-1A2B3C`;
export const FUNCTION_SESSION = `arn:aws:sts::${ACCOUNT}:assumed-role/apigw-drift-ReconcileFunctionRole-1A2B3C/apigw-drift-reconcile`;
export const FUNCTION_KEY = "ASIAFUNCTION";

/** Who holds each access key, for startCloudTrailEmulator's `principals`. */
export const PRINCIPALS: Record<string, PrincipalConfig> = {
  [ALICE_KEY]: { type: "AssumedRole", arn: ALICE, sessionIssuer: `arn:aws:iam::${ACCOUNT}:role/Admin` },
  [FUNCTION_KEY]: { type: "AssumedRole", arn: FUNCTION_SESSION, sessionIssuer: FUNCTION_ROLE },
};

function client(endpoint: string, accessKeyId: string): ApiGatewayV2Client {
  return new ApiGatewayV2Client({
    endpoint,
    region: "eu-west-1",
    credentials: { accessKeyId, secretAccessKey: "x" },
    // A console's user agent, not the tool's.
    customUserAgent: "console.amazonaws.com",
  });
}

/** An UpdateIntegration made with `accessKeyId`, as a person in the console would. */
export async function consoleUpdate(
  endpoint: string,
  accessKeyId: string,
  input: UpdateIntegrationCommandInput,
): Promise<void> {
  const c = client(endpoint, accessKeyId);
  try {
    await c.send(new UpdateIntegrationCommand(input));
  } finally {
    c.destroy();
  }
}

/** A CreateIntegration made with `accessKeyId`; resolves to the new integration's id. */
export async function consoleCreate(
  endpoint: string,
  accessKeyId: string,
  input: CreateIntegrationCommandInput,
): Promise<string> {
  const c = client(endpoint, accessKeyId);
  try {
    return (await c.send(new CreateIntegrationCommand(input))).IntegrationId!;
  } finally {
    c.destroy();
  }
}

/** The EventBridge event a CloudTrail management event arrives as on the default bus. */
export const eventBridgeEvent = (record: CloudTrailRecord | Record<string, unknown>) =>
  eventBridgeEventOf(record as CloudTrailRecord);

/** An SQS batch as the event source mapping delivers it: one record per body, message ids m1, m2, … */
export function sqsBatch(bodies: readonly unknown[]) {
  return {
    Records: bodies.map((body, i) => ({
      messageId: `m${i + 1}`,
      receiptHandle: `rh-${i + 1}`,
      body: typeof body === "string" ? body : JSON.stringify(body),
      attributes: {
        ApproximateReceiveCount: "1",
        SentTimestamp: "1700000000000",
        SenderId: "AIDAEVENTS",
        ApproximateFirstReceiveTimestamp: "1700000000000",
      },
      messageAttributes: {},
      md5OfBody: "",
      eventSource: "aws:sqs" as const,
      eventSourceARN: `arn:aws:sqs:eu-west-1:${ACCOUNT}:apigw-drift-IntegrationEventsQueue-1A2B3C`,
      awsRegion: "eu-west-1",
    })),
  };
}
