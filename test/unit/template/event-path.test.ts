/**
 * The event-driven path and notifications in template.yaml (PRODUCT §8): the rule, its queue and DLQ, the
 * function's event source mapping, and the least privilege for the new actions. The rule's pattern is
 * checked by matching sample events with a small matcher of the operators it uses, as the EventBridge user
 * guide defines them ("Event patterns": every field the pattern names must be in the event; values in a
 * list are alternatives; `exists`, `anything-but`, `$or`; fields matched by their flattened paths).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../../functions/reconcile/config.ts";
import {
  deployment,
  evaluate,
  readTemplate,
  roleStatements,
  type Template,
} from "../../helpers/cloudformation.ts";

let template: Template;
beforeAll(() => {
  template = readTemplate();
});
const resource = (id: string) => template.Resources[id]!;
// biome-ignore lint/suspicious/noExplicitAny: a parsed template is untyped data, read by tests only
const props = (id: string) => resource(id).Properties as Record<string, any>;
const ROLE = "arn:aws:iam::123456789012:role/apigw-drift-ReconcileFunctionRole-1A2B3C";

type Pattern = Record<string, unknown>;
/** Whether `event` matches `pattern`, for the operators the rule uses. */
function matches(pattern: Pattern, event: unknown): boolean {
  return Object.entries(pattern).every(([key, rule]) => {
    if (key === "$or") return (rule as Pattern[]).some((p) => matches(p, event));
    const present = typeof event === "object" && event !== null && key in event;
    const value = present ? (event as Record<string, unknown>)[key] : undefined;
    // Patterns match flattened field paths (detail.userIdentity.sessionContext...): a missing level is a
    // missing leaf, which only `exists: false` accepts.
    if (!Array.isArray(rule)) return matches(rule as Pattern, value);
    return rule.some((alternative) => {
      if (typeof alternative !== "object" || alternative === null) return present && value === alternative;
      const op = alternative as Record<string, unknown>;
      if ("exists" in op) return op.exists === (present && value !== undefined);
      if ("anything-but" in op) return present && value !== op["anything-but"];
      throw new Error(`the matcher does not know ${JSON.stringify(op)}`);
    });
  });
}

function apiCall(
  eventName: string,
  userIdentity: Record<string, unknown>,
  requestParameters: Record<string, unknown>,
) {
  return {
    source: "aws.apigateway",
    "detail-type": "AWS API Call via CloudTrail",
    detail: { eventSource: "apigateway.amazonaws.com", eventName, userIdentity, requestParameters },
  };
}
const assumed = (issuer: string) => ({
  type: "AssumedRole",
  arn: `arn:aws:sts::123456789012:assumed-role/${issuer.split("/").pop()}/s`,
  sessionContext: { sessionIssuer: { type: "Role", arn: issuer } },
});
const V2 = { apiId: "a1b2c3d4e5", integrationId: "lmb7k2q" };

describe("the integration-changes rule", () => {
  const pattern = () => {
    const { refs, conditions } = deployment(template);
    return evaluate(props("IntegrationChangesRule").EventPattern, refs, conditions) as Pattern;
  };

  it("takes integration writes of API Gateway v2 by people and other roles, from the default bus", () => {
    expect(props("IntegrationChangesRule").EventBusName).toBeUndefined();
    expect(props("IntegrationChangesRule").State).toBe("ENABLED");
    for (const name of ["CreateIntegration", "UpdateIntegration", "DeleteIntegration"]) {
      expect(
        matches(pattern(), apiCall(name, assumed("arn:aws:iam::123456789012:role/Admin"), V2)),
        name,
      ).toBe(true);
    }
    // An IAM user's and the root user's records have no sessionIssuer: they are changes all the same.
    expect(
      matches(
        pattern(),
        apiCall("UpdateIntegration", { type: "IAMUser", arn: "arn:aws:iam::123456789012:user/bob" }, V2),
      ),
    ).toBe(true);
    expect(
      matches(
        pattern(),
        apiCall("UpdateIntegration", { type: "Root", arn: "arn:aws:iam::123456789012:root" }, V2),
      ),
    ).toBe(true);
  });

  it("leaves out the function's own role, v1 REST calls, other operations and other sources", () => {
    expect(matches(pattern(), apiCall("UpdateIntegration", assumed(ROLE), V2))).toBe(false);
    expect(
      matches(
        pattern(),
        apiCall("UpdateIntegration", assumed("arn:aws:iam::123456789012:role/Admin"), { restApiId: "r1" }),
      ),
    ).toBe(false);
    expect(
      matches(pattern(), apiCall("UpdateRoute", assumed("arn:aws:iam::123456789012:role/Admin"), V2)),
    ).toBe(false);
    expect(
      matches(pattern(), {
        ...apiCall("UpdateIntegration", { type: "IAMUser", arn: "x" }, V2),
        source: "aws.lambda",
      }),
    ).toBe(false);
  });

  it("sends to the queue, and what it cannot deliver to the dead-letter queue", () => {
    expect(props("IntegrationChangesRule").Targets).toEqual([
      {
        Id: "IntegrationEvents",
        Arn: { "Fn::GetAtt": ["IntegrationEventsQueue", "Arn"] },
        DeadLetterConfig: { Arn: { "Fn::GetAtt": ["IntegrationEventsDeadLetterQueue", "Arn"] } },
      },
    ]);
  });
});

describe("the event queue", () => {
  it("is encrypted, hides a message at least six times the function's timeout, and gives up after 5 receives", () => {
    const timeout = props("ReconcileFunction").Timeout as number;
    expect(props("IntegrationEventsQueue")).toMatchObject({
      SqsManagedSseEnabled: true,
      RedrivePolicy: {
        deadLetterTargetArn: { "Fn::GetAtt": ["IntegrationEventsDeadLetterQueue", "Arn"] },
        maxReceiveCount: 5,
      },
    });
    expect(props("IntegrationEventsQueue").VisibilityTimeout).toBeGreaterThanOrEqual(6 * timeout);
    expect(props("IntegrationEventsDeadLetterQueue")).toEqual({
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 1209600,
    });
  });

  it("takes messages from the rule only", () => {
    expect(props("IntegrationEventsQueuePolicy").PolicyDocument.Statement).toEqual([
      {
        Sid: "OnlyTheRuleSends",
        Effect: "Allow",
        Principal: { Service: "events.amazonaws.com" },
        Action: "sqs:SendMessage",
        Resource: [
          { "Fn::GetAtt": ["IntegrationEventsQueue", "Arn"] },
          { "Fn::GetAtt": ["IntegrationEventsDeadLetterQueue", "Arn"] },
        ],
        Condition: { ArnEquals: { "aws:SourceArn": { "Fn::GetAtt": ["IntegrationChangesRule", "Arn"] } } },
      },
    ]);
  });

  it("invokes the function with batches of 10 after up to 20 s, partial batch responses, two at a time", () => {
    expect(resource("IntegrationEventsMapping")).toEqual({
      Type: "AWS::Lambda::EventSourceMapping",
      DependsOn: "FunctionManagedPolicy",
      Properties: {
        EventSourceArn: { "Fn::GetAtt": ["IntegrationEventsQueue", "Arn"] },
        FunctionName: { Ref: "ReconcileFunction" },
        BatchSize: 10,
        MaximumBatchingWindowInSeconds: 20,
        FunctionResponseTypes: ["ReportBatchItemFailures"],
        ScalingConfig: { MaximumConcurrency: 2 },
      },
    });
    // Not a SAM SQS event: that would attach AWSLambdaSQSQueueExecutionRole (SQS actions on every queue).
    // Nor any SAM event: the schedule starts the fleet's state machine, which invokes the function.
    expect(props("ReconcileFunction").Events).toBeUndefined();
  });

  it("alarms when a message rests in the dead-letter queue", () => {
    expect(props("IntegrationEventsDeadLetterAlarm").Dimensions).toEqual([
      { Name: "QueueName", Value: { "Fn::GetAtt": ["IntegrationEventsDeadLetterQueue", "QueueName"] } },
    ]);
  });
});

describe("the function's new permissions", () => {
  const statements = () => roleStatements(template).filter((s) => s.source === "FunctionManagedPolicy");

  it("grants LookupEvents on * (it takes no resource), PutEvents on the default bus as apigw-drift only, AssumeRole on the spoke role only, and the SQS actions on its queue only", () => {
    expect(statements().map(({ source: _, ...s }) => s)).toEqual([
      { Sid: "WhoChangedIt", Effect: "Allow", Action: ["cloudtrail:LookupEvents"], Resource: ["*"] },
      {
        Sid: "NotifyOnTheDefaultBus",
        Effect: "Allow",
        Action: ["events:PutEvents"],
        Resource: ["arn:aws:events:eu-west-1:123456789012:event-bus/default"],
        Condition: { StringEquals: { "events:source": "apigw-drift" } },
      },
      {
        Sid: "ReachFleetTargets",
        Effect: "Allow",
        Action: ["sts:AssumeRole"],
        Resource: ["arn:aws:iam::*:role/apigw-drift-spoke"],
      },
      {
        Sid: "PollTheEventQueue",
        Effect: "Allow",
        Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
        Resource: ["arn:aws:sqs:eu-west-1:123456789012:apigw-drift-IntegrationEventsQueue-1A2B3C"],
      },
    ]);
    // The only statement on "*".
    expect(
      roleStatements(template)
        .filter((s) => s.Resource.includes("*"))
        .map((s) => s.Sid),
    ).toEqual(["WhoChangedIt"]);
  });

  it("is a managed policy on the function's role: the inline quota stays with the per-API policies", () => {
    expect(resource("FunctionManagedPolicy").Type).toBe("AWS::IAM::ManagedPolicy");
    expect(props("FunctionManagedPolicy").Roles).toEqual([{ Ref: "ReconcileFunctionRole" }]);
  });

  it("tells the function its own role, in the form the function's configuration accepts", () => {
    const env = props("ReconcileFunction").Environment.Variables;
    expect(env.APIGW_DRIFT_ROLE_ARN).toEqual({ "Fn::GetAtt": ["ReconcileFunctionRole", "Arn"] });
    const { refs } = deployment(template);
    const arn = evaluate(env.APIGW_DRIFT_ROLE_ARN, refs) as string;
    expect(parseConfig({ DRIFT_HISTORY_TABLE: "t", APIGW_DRIFT_ROLE_ARN: arn }).APIGW_DRIFT_ROLE_ARN).toBe(
      ROLE,
    );
    expect(() => parseConfig({ DRIFT_HISTORY_TABLE: "t", APIGW_DRIFT_ROLE_ARN: "alice" })).toThrow(
      new Error(
        'invalid function environment: APIGW_DRIFT_ROLE_ARN: takes an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME; template.yaml sets it), not "alice"',
      ),
    );
  });
});
