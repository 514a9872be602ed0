import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { isListTargets } from "../../../functions/reconcile/target.ts";
import { evaluate, readTemplate, roleStatements } from "../../helpers/cloudformation.ts";

// asl-validator is CommonJS with no types: one function of a definition.
const validate = createRequire(import.meta.url)("asl-validator") as (
  definition: unknown,
  options?: { checkPaths?: boolean; checkArn?: boolean },
) => { isValid: boolean; errorsText: (separator?: string) => string };

const hub = readTemplate();
const spoke = readTemplate("templates/spoke-role.yaml");
// biome-ignore lint/suspicious/noExplicitAny: a parsed template is untyped data, read by tests only
const machine = hub.Resources.FleetStateMachine!.Properties as Record<string, any>;
const FUNCTION_ARN = "arn:aws:lambda:eu-west-1:123456789012:function:apigw-drift-reconcile";

/** The definition as Step Functions gets it: DefinitionSubstitutions applied. */
function definition(): Record<string, unknown> {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a DefinitionSubstitutions placeholder, literally.
  const text = JSON.stringify(machine.Definition).replaceAll("${ReconcileFunctionArn}", FUNCTION_ARN);
  return JSON.parse(text) as Record<string, unknown>;
}

describe("the hub's state machine (template.yaml FleetStateMachine)", () => {
  it("is a valid Amazon States Language definition (asl-validator), paths and ARNs checked", () => {
    const result = validate(definition(), { checkPaths: true, checkArn: true });
    expect(result.errorsText("\n")).toBe("");
    expect(result.isValid).toBe(true);
    // And the validator does refuse a broken one: a Map mode Step Functions does not have.
    const broken = definition() as { States: { Targets: { ItemProcessor: { ProcessorConfig: object } } } };
    broken.States.Targets.ItemProcessor.ProcessorConfig = { Mode: "PARALLEL" };
    expect(validate(broken).isValid).toBe(false);
  });

  it("substitutes only the function's ARN, and names it in both invokes", () => {
    expect(machine.DefinitionSubstitutions).toEqual({
      ReconcileFunctionArn: { "Fn::GetAtt": ["ReconcileFunction", "Arn"] },
    });
    const text = JSON.stringify(definition());
    expect(text.match(/\$\{/g)).toBeNull();
    expect(text.split(`"FunctionName":"${FUNCTION_ARN}"`).length - 1).toBe(2);
  });

  it("lists the targets with an event the function answers with its target list", () => {
    const states = definition().States as Record<string, Record<string, unknown>>;
    expect(states.ListTargets).toMatchObject({
      Resource: "arn:aws:states:::lambda:invoke",
      Parameters: { Payload: { listTargets: true } },
      ResultSelector: { "targets.$": "$.Payload.targets" },
      ResultPath: "$.fleet",
      Next: "Targets",
    });
    expect(isListTargets((states.ListTargets!.Parameters as { Payload: unknown }).Payload)).toBe(true);
  });

  it("runs every target in a Distributed Map, with the schedule's concurrency and tolerated failure", () => {
    const states = definition().States as Record<string, Record<string, unknown>>;
    expect(states.Targets).toMatchObject({
      Type: "Map",
      ItemsPath: "$.fleet.targets",
      MaxConcurrencyPath: "$.maxConcurrency",
      ToleratedFailurePercentagePath: "$.toleratedFailurePercentage",
      ItemProcessor: {
        ProcessorConfig: { Mode: "DISTRIBUTED", ExecutionType: "STANDARD" },
        StartAt: "Reconcile",
      },
      End: true,
    });
    const input = JSON.parse(
      evaluate(machine.Events.Schedule.Properties.Input, {
        ReconcileMode: "plan",
        FleetMaxConcurrency: 12,
        FleetToleratedFailurePercentage: 25,
      }) as string,
    );
    expect(input).toEqual({ mode: "plan", maxConcurrency: 12, toleratedFailurePercentage: 25 });
    expect(hub.Parameters!.FleetMaxConcurrency).toMatchObject({
      Type: "Number",
      Default: 8,
      MinValue: 1,
      MaxValue: 10000,
    });
    expect(hub.Parameters!.FleetToleratedFailurePercentage).toMatchObject({
      Type: "Number",
      Default: 0,
      MinValue: 0,
      MaxValue: 100,
    });
  });

  it("fails a target's item when its run did not converge, so the tolerance counts it", () => {
    const processor = (
      definition().States as Record<string, { ItemProcessor: { States: Record<string, unknown> } }>
    ).Targets!.ItemProcessor.States;
    expect(processor.Converged).toEqual({
      Type: "Choice",
      Choices: [
        {
          Or: ["FAILED", "PARTIAL", "BLOCKED"].map((status) => ({
            Variable: "$.status",
            StringEquals: status,
          })),
          Next: "NotReconciled",
        },
      ],
      Default: "Reconciled",
    });
    expect(processor.NotReconciled).toMatchObject({ Type: "Fail", Error: "TargetNotReconciled" });
  });

  it("may invoke only the function, and start only its own child executions", () => {
    expect(machine.Policies[0]).toEqual({
      LambdaInvokePolicy: { FunctionName: { Ref: "ReconcileFunction" } },
    });
    const statements = evaluate(machine.Policies[1], {
      "AWS::Partition": "aws",
      "AWS::Region": "eu-west-1",
      "AWS::AccountId": "123456789012",
      "AWS::StackName": "drift",
    }) as { Statement: { Action: string | string[]; Resource: string }[] };
    expect(statements.Statement.map((s) => [[s.Action].flat(), s.Resource])).toEqual([
      [["states:StartExecution"], "arn:aws:states:eu-west-1:123456789012:stateMachine:drift-fleet"],
      [
        ["states:DescribeExecution", "states:StopExecution"],
        "arn:aws:states:eu-west-1:123456789012:execution:drift-fleet/*",
      ],
    ]);
    expect(evaluate(machine.Name, { "AWS::StackName": "drift" })).toBe("drift-fleet");
  });

  it("lets the function assume only the spoke role, in any account", () => {
    const assume = roleStatements(hub, { ApiIds: "*" }).filter((s) => s.Action.includes("sts:AssumeRole"));
    expect(assume.map((s) => [s.Action, s.Resource])).toEqual([
      [["sts:AssumeRole"], ["arn:aws:iam::*:role/apigw-drift-spoke"]],
    ]);
  });
});

describe("templates/spoke-role.yaml", () => {
  it("is plain CloudFormation, without a transform, so a service-managed StackSet can deploy it", () => {
    expect(spoke).not.toHaveProperty("Transform");
    expect(Object.values(spoke.Resources).map((r) => r.Type)).toEqual(["AWS::IAM::Role"]);
  });

  const role = () => {
    const refs = {
      HubRoleArn: "arn:aws:iam::123456789012:role/drift-ReconcileFunctionRole-ABC",
      ExternalId: "fleet-external-id",
      RoleName: "apigw-drift-spoke",
      "AWS::Partition": "aws",
    };
    return evaluate(spoke.Resources.SpokeRole!.Properties, refs) as {
      RoleName: string;
      AssumeRolePolicyDocument: { Statement: Record<string, unknown>[] };
      Policies: {
        PolicyDocument: { Statement: { Action: string | string[]; Resource: string | string[] }[] };
      }[];
    };
  };

  it("trusts only the hub function's role, and only with the ExternalId", () => {
    expect(role().RoleName).toBe("apigw-drift-spoke");
    expect(role().AssumeRolePolicyDocument.Statement).toEqual([
      {
        Sid: "TrustTheHubOnly",
        Effect: "Allow",
        Principal: { AWS: "arn:aws:iam::123456789012:role/drift-ReconcileFunctionRole-ABC" },
        Action: "sts:AssumeRole",
        Condition: { StringEquals: { "sts:ExternalId": "fleet-external-id" } },
      },
    ]);
    expect(spoke.Parameters!.ExternalId).toMatchObject({ MinLength: 2, MaxLength: 1224 });
  });

  it("grants the hub function's own API Gateway actions, on the account's APIs in every Region, and its CloudTrail lookup", () => {
    const statements = role().Policies.flatMap((p) => p.PolicyDocument.Statement);
    const gatewayStatements = statements.filter((s) =>
      [s.Action].flat().every((a) => a.startsWith("apigateway:")),
    );
    const spokeActions = gatewayStatements.flatMap((s) => [s.Action].flat());
    const hubActions = roleStatements(hub, { ApiIds: "*" })
      .flatMap((s) => s.Action)
      .filter((a) => a.startsWith("apigateway:"));
    expect([...new Set(spokeActions)].sort()).toEqual([...new Set(hubActions)].sort());
    // Beyond API Gateway, only what attribution needs in the target's account, as the hub has it.
    expect(statements.filter((s) => !gatewayStatements.includes(s))).toEqual([
      { Sid: "WhoChangedIt", Effect: "Allow", Action: "cloudtrail:LookupEvents", Resource: "*" },
    ]);
    expect(
      roleStatements(hub, { ApiIds: "*" }).filter((s) => s.Action.includes("cloudtrail:LookupEvents")),
    ).toHaveLength(1);
    const resources = gatewayStatements.flatMap((s) => [s.Resource].flat());
    expect(resources).toEqual([
      "arn:aws:apigateway:*::/apis",
      "arn:aws:apigateway:*::/apis/*",
      "arn:aws:apigateway:*::/apis/*/integrations",
      "arn:aws:apigateway:*::/apis/*/integrations/*",
      "arn:aws:apigateway:*::/apis/*/routes",
      "arn:aws:apigateway:*::/apis/*/integrations/*",
    ]);
  });

  it("names the role as the hub may assume it (SpokeRoleName)", () => {
    expect(spoke.Parameters!.RoleName!.Default).toBe(hub.Parameters!.SpokeRoleName!.Default);
  });
});
