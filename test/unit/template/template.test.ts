import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { ENVIRONMENT_VARIABLES } from "../../../functions/reconcile/config.ts";
import { parseEvent } from "../../../functions/reconcile/event.ts";
import { HISTORY_TABLE } from "../../../lib/history/table.ts";
import { checkAgainstSpec, evaluate, readTemplate, type Template } from "../../helpers/cloudformation.ts";

let template: Template;
beforeAll(() => {
  template = readTemplate();
});
const fn = () => template.Resources.ReconcileFunction!;
// biome-ignore lint/suspicious/noExplicitAny: a parsed template is untyped data, read by tests only
const props = () => fn().Properties as Record<string, any>;

/** AWS::Serverless::Function properties, from the SAM specification's documented list. */
const SAM_FUNCTION_PROPERTIES = new Set([
  "Architectures",
  "AssumeRolePolicyDocument",
  "AutoPublishAlias",
  "AutoPublishCodeSha256",
  "CodeSigningConfigArn",
  "CodeUri",
  "DeadLetterQueue",
  "DeploymentPreference",
  "Description",
  "Environment",
  "EphemeralStorage",
  "EventInvokeConfig",
  "Events",
  "FileSystemConfigs",
  "FunctionName",
  "FunctionUrlConfig",
  "Handler",
  "ImageConfig",
  "ImageUri",
  "InlineCode",
  "KmsKeyArn",
  "Layers",
  "LoggingConfig",
  "MemorySize",
  "PackageType",
  "PermissionsBoundary",
  "Policies",
  "ProvisionedConcurrencyConfig",
  "RecursiveLoop",
  "ReservedConcurrentExecutions",
  "Role",
  "RolePath",
  "Runtime",
  "RuntimeManagementConfig",
  "SnapStartConfig",
  "Tags",
  "Timeout",
  "Tracing",
  "VersionDescription",
  "VpcConfig",
]);
const SCHEDULE_V2_PROPERTIES = new Set([
  "DeadLetterConfig",
  "Description",
  "EndDate",
  "FlexibleTimeWindow",
  "GroupName",
  "Input",
  "KmsKeyArn",
  "Name",
  "OmitName",
  "PermissionsBoundary",
  "RetryPolicy",
  "RoleArn",
  "ScheduleExpression",
  "ScheduleExpressionTimezone",
  "StartDate",
  "State",
]);

describe("template.yaml", () => {
  it("is valid against the CloudFormation resource specification", async () => {
    expect(await checkAgainstSpec(template)).toEqual([]);
  });

  it("uses only documented SAM function and schedule properties", () => {
    expect(Object.keys(props()).filter((p) => !SAM_FUNCTION_PROPERTIES.has(p))).toEqual([]);
    const schedule = props().Events.Schedule;
    expect(schedule.Type).toBe("ScheduleV2");
    expect(Object.keys(schedule.Properties).filter((p: string) => !SCHEDULE_V2_PROPERTIES.has(p))).toEqual(
      [],
    );
  });

  it("runs the handler the build produces, on the current Node.js runtime, on arm64", () => {
    expect(props()).toMatchObject({
      Runtime: "nodejs24.x",
      Architectures: ["arm64"],
      Handler: "index.handler",
      CodeUri: ".",
    });
    expect(fn().Metadata).toEqual({ BuildMethod: "makefile" });
    const makefile = readFileSync("Makefile", "utf8");
    // An empty ARTIFACTS_DIR stops make before the build runs (test/integration/build-lambda.test.ts).
    expect(makefile).toMatch(
      /^build-ReconcileFunction:\n\t\$\(if \$\(strip \$\(ARTIFACTS_DIR\)\),,\$\(error [^\n]+\)\)\n\tnpm run --silent build:lambda -- "\$\(ARTIFACTS_DIR\)"$/m,
    );
    const scripts = JSON.parse(readFileSync("package.json", "utf8")).scripts;
    expect(scripts["build:lambda"]).toBe("node scripts/build-lambda.ts");
  });

  it("sets only environment variables the code reads, and the ones it needs", () => {
    const variables = Object.keys(props().Environment.Variables);
    const runtime = ["NODE_OPTIONS", "POWERTOOLS_SERVICE_NAME", "POWERTOOLS_METRICS_NAMESPACE"];
    expect(variables.filter((v) => !ENVIRONMENT_VARIABLES.includes(v) && !runtime.includes(v))).toEqual([]);
    expect(props().Environment.Variables.DRIFT_HISTORY_TABLE).toEqual({ Ref: "HistoryTable" });
  });

  it("schedules a run whose input the function accepts, in the chosen mode", () => {
    const input = evaluate(props().Events.Schedule.Properties.Input, { ReconcileMode: "apply" }) as string;
    expect(parseEvent(JSON.parse(input), "plan")).toEqual({ mode: "apply", source: "schedule" });
  });

  it("retries failed async invokes on purpose (not at all) and sends them to a queue", () => {
    expect(props().EventInvokeConfig).toMatchObject({
      MaximumRetryAttempts: 0,
      DestinationConfig: {
        OnFailure: { Type: "SQS", Destination: { "Fn::GetAtt": ["FailedInvocationsQueue", "Arn"] } },
      },
    });
  });

  describe("IAM", () => {
    const refs = (apiIds: string) => ({
      "AWS::Partition": "aws",
      "AWS::Region": "eu-west-1",
      ApiIds: apiIds,
    });
    const statements = () =>
      props().Policies[0].Statement as { Sid: string; Action: string | string[]; Resource: unknown }[];

    it("grants no wildcard actions", () => {
      for (const s of statements()) {
        for (const action of [s.Action].flat()) expect(action, s.Sid).not.toContain("*");
      }
      expect(props().Policies).toHaveLength(1);
    });

    it("lets writes reach integration ARNs only, narrowed to the listed APIs", () => {
      const write = statements().find((s) => s.Sid === "UpdateAndPruneIntegrationsOnly")!;
      expect([write.Action].flat().sort()).toEqual(["apigateway:DELETE", "apigateway:PATCH"]);
      expect(evaluate(write.Resource, refs("a1b2c3d4e5,w9x8y7z6v5"))).toEqual([
        "arn:aws:apigateway:eu-west-1::/apis/a1b2c3d4e5/integrations/*",
        "arn:aws:apigateway:eu-west-1::/apis/w9x8y7z6v5/integrations/*",
      ]);
      expect(evaluate(write.Resource, refs("*"))).toEqual([
        "arn:aws:apigateway:eu-west-1::/apis/*/integrations/*",
      ]);
    });

    it("lets reads reach the APIs, their integrations and routes only", () => {
      const read = statements().find((s) => s.Sid === "ReadApisIntegrationsAndRoutes")!;
      expect(read.Action).toBe("apigateway:GET");
      expect(evaluate(read.Resource, refs("a1b2c3d4e5,w9x8y7z6v5"))).toEqual([
        "arn:aws:apigateway:eu-west-1::/apis/a1b2c3d4e5",
        "arn:aws:apigateway:eu-west-1::/apis/w9x8y7z6v5",
        "arn:aws:apigateway:eu-west-1::/apis/a1b2c3d4e5/integrations",
        "arn:aws:apigateway:eu-west-1::/apis/w9x8y7z6v5/integrations",
        "arn:aws:apigateway:eu-west-1::/apis/a1b2c3d4e5/integrations/*",
        "arn:aws:apigateway:eu-west-1::/apis/w9x8y7z6v5/integrations/*",
        "arn:aws:apigateway:eu-west-1::/apis/a1b2c3d4e5/routes",
        "arn:aws:apigateway:eu-west-1::/apis/w9x8y7z6v5/routes",
      ]);
    });

    it("lets DynamoDB actions reach the history table and its indexes only", () => {
      const history = statements().find((s) => s.Sid === "DriftHistoryAndLease")!;
      expect(history.Resource).toEqual([
        { "Fn::GetAtt": ["HistoryTable", "Arn"] },
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Sub string, not JS
        { "Fn::Sub": "${HistoryTable.Arn}/index/*" },
      ]);
    });
  });

  it("defines the history table exactly as lib/history/table.ts does", () => {
    const table = template.Resources.HistoryTable!.Properties!;
    const sorted = <T extends { AttributeName?: string; IndexName?: string }>(list: readonly T[]) =>
      [...list].sort((a, b) =>
        String(a.AttributeName ?? a.IndexName).localeCompare(String(b.AttributeName ?? b.IndexName)),
      );
    expect(table.KeySchema).toEqual(HISTORY_TABLE.KeySchema);
    expect(sorted(table.AttributeDefinitions as never[])).toEqual(sorted(HISTORY_TABLE.AttributeDefinitions));
    expect(sorted(table.GlobalSecondaryIndexes as never[])).toEqual(
      sorted(HISTORY_TABLE.GlobalSecondaryIndexes),
    );
    expect(table.BillingMode).toBe(HISTORY_TABLE.BillingMode);
    expect(table.TimeToLiveSpecification).toEqual(HISTORY_TABLE.TimeToLiveSpecification);
    expect(table.PointInTimeRecoverySpecification).toEqual(HISTORY_TABLE.PointInTimeRecoverySpecification);
  });

  it("keeps history on-demand, encrypted, recoverable and expiring", () => {
    expect(template.Resources.HistoryTable!.Properties).toMatchObject({
      BillingMode: "PAY_PER_REQUEST",
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
      TimeToLiveSpecification: { Enabled: true },
    });
    expect(template.Resources.HistoryTable!.DeletionPolicy).toBe("Retain");
  });

  it("alarms on function errors and on the failures the function reports, to the topic parameter", () => {
    const alarms = Object.values(template.Resources).filter((r) => r.Type === "AWS::CloudWatch::Alarm");
    const metrics = alarms.map((a) => `${a.Properties!.Namespace}/${a.Properties!.MetricName}`);
    expect(metrics).toEqual(
      expect.arrayContaining(["AWS/Lambda/Errors", "ApigwDrift/Failed", "ApigwDrift/RunFailed"]),
    );
    const namespace = props().Environment.Variables.POWERTOOLS_METRICS_NAMESPACE;
    const app = readFileSync("functions/reconcile/app.ts", "utf8");
    for (const a of alarms.filter((x) => x.Properties!.Namespace === namespace)) {
      expect(app).toContain(`addMetric("${a.Properties!.MetricName}"`);
      expect(a.Properties!.Dimensions).toEqual([
        { Name: "service", Value: props().Environment.Variables.POWERTOOLS_SERVICE_NAME },
      ]);
    }
    for (const a of alarms) {
      expect(a.Properties!.AlarmActions).toEqual({
        "Fn::If": ["HasAlarmTopic", [{ Ref: "AlarmTopicArn" }], { Ref: "AWS::NoValue" }],
      });
    }
  });

  it("keeps logs for the retention parameter", () => {
    expect(template.Resources.ReconcileLogGroup!.Properties!.RetentionInDays).toEqual({
      Ref: "LogRetentionDays",
    });
    expect(props().LoggingConfig.LogGroup).toEqual({ Ref: "ReconcileLogGroup" });
  });
});
