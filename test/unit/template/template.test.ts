import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { ENVIRONMENT_VARIABLES } from "../../../functions/reconcile/config.ts";
import { parseEvent } from "../../../functions/reconcile/event.ts";
import { HISTORY_TABLE } from "../../../lib/history/table.ts";
import { GET_API_LIMIT } from "../../../lib/reconcile/apis.ts";
import {
  checkAgainstSpec,
  deployment,
  evaluate,
  expandForEach,
  parameterValues,
  readTemplate,
  roleStatements,
  ruleFailures,
  type Template,
} from "../../helpers/cloudformation.ts";

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
  it("is valid against the CloudFormation resource specification, for every API or a list of them", async () => {
    for (const ApiIds of ["*", "a1b2c3d4e5,w9x8y7z6v5"]) {
      const expanded = expandForEach(template, parameterValues(template, { ApiIds }));
      expect(await checkAgainstSpec(expanded)).toEqual([]);
    }
  });

  it("uses only documented SAM function and schedule properties", () => {
    expect(Object.keys(props()).filter((p) => !SAM_FUNCTION_PROPERTIES.has(p))).toEqual([]);
    // The schedule starts the hub's state machine, which invokes the function per target (PRODUCT §9).
    expect(props().Events).toBeUndefined();
    // biome-ignore lint/suspicious/noExplicitAny: a parsed template is untyped data, read by tests only
    const schedule = (template.Resources.FleetStateMachine!.Properties as Record<string, any>).Events
      .Schedule;
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

  it("schedules a run of every target, each invoke's event one the function accepts, in the chosen mode", () => {
    // biome-ignore lint/suspicious/noExplicitAny: a parsed template is untyped data, read by tests only
    const machine = template.Resources.FleetStateMachine!.Properties as Record<string, any>;
    const input = evaluate(machine.Events.Schedule.Properties.Input, {
      ReconcileMode: "apply",
      FleetMaxConcurrency: 8,
      FleetToleratedFailurePercentage: 0,
    }) as string;
    const execution = JSON.parse(input);
    expect(execution).toEqual({ mode: "apply", maxConcurrency: 8, toleratedFailurePercentage: 0 });
    // The Map's ItemSelector: the item's target and the execution's mode.
    const selector = machine.Definition.States.Targets.ItemSelector;
    expect(selector).toEqual({ "target.$": "$$.Map.Item.Value.target", "mode.$": "$.mode" });
    const target = { account: "222222222222", region: "ap-south-1" };
    expect(parseEvent({ target, mode: execution.mode }, "plan")).toEqual({
      mode: "apply",
      target,
      source: "fleet",
    });
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
    const IDS = "a1b2c3d4e5,w9x8y7z6v5";
    const arn = (path: string) => `arn:aws:apigateway:eu-west-1::/apis/${path}`;
    /** GetApis (`GET /apis`): the listing the protocol guard reads for runs of more than two APIs. */
    const LISTING = "arn:aws:apigateway:eu-west-1::/apis";
    const bySid = (sid: string, apiIds: string) =>
      roleStatements(template, { ApiIds: apiIds }).filter((s) => s.Sid === sid);

    it("grants no wildcard actions", () => {
      for (const apiIds of ["*", IDS]) {
        for (const s of roleStatements(template, { ApiIds: apiIds })) {
          for (const action of s.Action) expect(action, s.Sid).not.toContain("*");
          expect(s.Effect).toBe("Allow");
        }
      }
      expect(props().Policies).toHaveLength(1);
    });

    it("gives each listed API its own policy on the function's role, named within IAM's pattern", () => {
      const refs = parameterValues(template, { ApiIds: IDS });
      const policies = (apiIds: string) => {
        const values = parameterValues(template, { ApiIds: apiIds });
        return Object.entries(expandForEach(template, values).Resources)
          .filter(([, r]) => r.Type === "AWS::IAM::RolePolicy")
          .map(([id, r]) => ({
            id,
            role: r.Properties!.RoleName,
            name: evaluate(r.Properties!.PolicyName, values),
          }));
      };
      const role = { Ref: "ReconcileFunctionRole" };
      expect(policies(IDS)).toEqual([
        { id: "ApiAccessa1b2c3d4e5", role, name: "apis-a1b2c3d4e5" },
        { id: "ApiAccessw9x8y7z6v5", role, name: "apis-w9x8y7z6v5" },
      ]);
      expect(policies("*")).toEqual([{ id: "ApiAccess", role, name: "apis-" }]);
      expect(refs.ApiIds).toEqual(["a1b2c3d4e5", "w9x8y7z6v5"]);
      // IAM's PolicyName pattern, as cfn-lint checks it (E3031).
      for (const { name } of [...policies(IDS), ...policies("*")]) expect(name).toMatch(/^[\w+=,.@-]+$/);
    });

    it("takes API ids one by one, or * for every API", () => {
      const pattern = new RegExp(template.Parameters!.ApiIds!.AllowedPattern as string);
      expect(template.Parameters!.ApiIds!.Type).toBe("CommaDelimitedList");
      // CloudFormation matches the pattern against each element of a CommaDelimitedList.
      expect(["*", "a1b2c3d4e5", "w9x8y7z6v5"].every((id) => pattern.test(id))).toBe(true);
      expect(["", "a1b2*", "A1B2", "a1b2 ", "arn:aws:apigateway"].some((id) => pattern.test(id))).toBe(false);
    });

    it("lets writes reach integration ARNs only, narrowed to the listed APIs", () => {
      const writes = (apiIds: string) => bySid("UpdateAndPruneIntegrationsOnly", apiIds);
      for (const s of writes(IDS)) expect(s.Action.sort()).toEqual(["apigateway:DELETE", "apigateway:PATCH"]);
      expect(writes(IDS).flatMap((s) => s.Resource)).toEqual([
        arn("a1b2c3d4e5/integrations/*"),
        arn("w9x8y7z6v5/integrations/*"),
      ]);
      expect(writes("*").flatMap((s) => s.Resource)).toEqual([arn("*/integrations/*")]);
    });

    it("lets reads reach the API listing, the APIs, their integrations and routes only", () => {
      const reads = bySid("ReadApisIntegrationsAndRoutes", IDS);
      for (const s of reads) expect(s.Action).toEqual(["apigateway:GET"]);
      expect(reads.flatMap((s) => s.Resource)).toEqual([
        LISTING,
        arn("a1b2c3d4e5"),
        arn("a1b2c3d4e5/integrations"),
        arn("a1b2c3d4e5/integrations/*"),
        arn("a1b2c3d4e5/routes"),
        LISTING,
        arn("w9x8y7z6v5"),
        arn("w9x8y7z6v5/integrations"),
        arn("w9x8y7z6v5/integrations/*"),
        arn("w9x8y7z6v5/routes"),
      ]);
      // No other statement names API Gateway.
      const apigateway = roleStatements(template, { ApiIds: IDS }).filter((s) =>
        s.Action.some((a) => a.startsWith("apigateway:")),
      );
      expect(apigateway.map((s) => s.Sid).sort()).toEqual([
        "ReadApisIntegrationsAndRoutes",
        "ReadApisIntegrationsAndRoutes",
        "UpdateAndPruneIntegrationsOnly",
        "UpdateAndPruneIntegrationsOnly",
      ]);
    });

    it("lets the protocol guard list the Region's APIs (GetApis) for any id list, and for *", () => {
      // A run of more than two APIs reads GetApis (lib/reconcile/apis.ts): three ids, each policy grants it.
      const three = "a1b2c3d4e5,w9x8y7z6v5,q1w2e3r4t5";
      const grants = (apiIds: string) =>
        bySid("ReadApisIntegrationsAndRoutes", apiIds).map((s) => s.Resource.includes(LISTING));
      expect(GET_API_LIMIT).toBe(2);
      expect(grants(three)).toEqual([true, true, true]);
      // For "*" the other ARNs are /apis/*..., and IAM's * matches within the resource path after /apis/
      // only: /apis itself must be listed.
      expect(bySid("ReadApisIntegrationsAndRoutes", "*").flatMap((s) => s.Resource)).toEqual([
        LISTING,
        arn("*"),
        arn("*/integrations"),
        arn("*/integrations/*"),
        arn("*/routes"),
      ]);
      // No write reaches the listing.
      for (const apiIds of ["*", three]) {
        expect(
          roleStatements(template, { ApiIds: apiIds })
            .filter((s) => s.Resource.includes(LISTING))
            .flatMap((s) => s.Action),
        ).toEqual(
          apiIds === "*" ? ["apigateway:GET"] : ["apigateway:GET", "apigateway:GET", "apigateway:GET"],
        );
      }
    });

    it("fits 15 ids and the function's own policy in the role's inline-policy quota, in any commercial Region", () => {
      // IAM: a role's inline policies share 10,240 characters, white space not counted. The longest
      // commercial Region names have 14 characters (ap-southeast-2); the function's own policy at its
      // largest (a redaction key parameter and its KMS key).
      const ids = Array.from({ length: 15 }, (_, i) => `a${String(i).padStart(9, "0")}`).join(",");
      const { expanded, refs, conditions } = deployment(template, {
        ApiIds: ids,
        RedactionKeyParameter: "/apigw-drift/redaction-key",
        RedactionKeyKmsKeyArn:
          "arn:aws:kms:ap-southeast-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
      });
      const longest = { ...refs, "AWS::Region": "ap-southeast-2" };
      const size = (doc: unknown) => JSON.stringify(evaluate(doc, longest, conditions)).length;
      const policies = Object.values(expanded.Resources)
        .filter((r) => r.Type === "AWS::IAM::RolePolicy")
        .map((r) => size(r.Properties!.PolicyDocument));
      expect(policies).toHaveLength(15);
      const total = policies.reduce((a, b) => a + b, 0) + size(props().Policies);
      expect(total).toBeLessThanOrEqual(10_240);
      // A sixteenth would not fit.
      expect(total + policies[0]!).toBeGreaterThan(10_240);
    });

    it("lets DynamoDB actions reach the history table and its indexes only", () => {
      const history = (props().Policies[0].Statement as { Sid: string; Resource: unknown }[]).find(
        (s) => s.Sid === "DriftHistoryAndLease",
      )!;
      expect(history.Resource).toEqual([
        { "Fn::GetAtt": ["HistoryTable", "Arn"] },
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Sub string, not JS
        { "Fn::Sub": "${HistoryTable.Arn}/index/*" },
      ]);
    });

    describe("the redaction key's parameter", () => {
      const NAME = "/apigw-drift/redaction-key";
      const PARAMETER_ARN = "arn:aws:ssm:eu-west-1:123456789012:parameter/apigw-drift/redaction-key";
      const KMS_KEY = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
      const READ = {
        source: "Policies",
        Sid: "ReadRedactionKey",
        Effect: "Allow",
        Action: ["ssm:GetParameter"],
        Resource: [PARAMETER_ARN],
      };
      const secretStatements = (given: Record<string, string>) =>
        roleStatements(template, given).filter((s) => s.Action.some((a) => /^(ssm|kms):/.test(a)));

      it("grants nothing on SSM or KMS when no parameter is named", () => {
        expect(secretStatements({})).toEqual([]);
      });

      it("grants ssm:GetParameter on that parameter only, and no KMS for the AWS managed key", () => {
        expect(secretStatements({ RedactionKeyParameter: NAME })).toEqual([READ]);
      });

      it("grants kms:Decrypt on its customer managed key, through SSM and for that parameter only", () => {
        expect(secretStatements({ RedactionKeyParameter: NAME, RedactionKeyKmsKeyArn: KMS_KEY })).toEqual([
          READ,
          {
            source: "Policies",
            Sid: "DecryptRedactionKey",
            Effect: "Allow",
            Action: ["kms:Decrypt"],
            Resource: [KMS_KEY],
            Condition: {
              StringEquals: {
                "kms:ViaService": "ssm.eu-west-1.amazonaws.com",
                "kms:EncryptionContext:PARAMETER_ARN": PARAMETER_ARN,
              },
            },
          },
        ]);
      });

      it("refuses a KMS key without the parameter it encrypts", () => {
        expect(ruleFailures(template, { RedactionKeyKmsKeyArn: KMS_KEY })).toEqual([
          "KmsKeyNeedsItsParameter: RedactionKeyKmsKeyArn is the key of RedactionKeyParameter's SecureString: set RedactionKeyParameter too, or leave RedactionKeyKmsKeyArn empty.",
        ]);
        expect(
          ruleFailures(template, { RedactionKeyParameter: NAME, RedactionKeyKmsKeyArn: KMS_KEY }),
        ).toEqual([]);
        expect(ruleFailures(template, {})).toEqual([]);
      });

      it("passes the function the parameter's name, never a key, and only when one is named", () => {
        const variables = (given: Record<string, string>) => {
          const { refs, conditions } = deployment(template, given);
          return evaluate(props().Environment.Variables, refs, conditions) as Record<string, unknown>;
        };
        expect(variables({ RedactionKeyParameter: NAME }).APIGW_DRIFT_REDACTION_KEY_PARAMETER).toBe(NAME);
        expect(variables({})).not.toHaveProperty("APIGW_DRIFT_REDACTION_KEY_PARAMETER");
        for (const given of [{}, { RedactionKeyParameter: NAME }] as Record<string, string>[]) {
          expect(variables(given)).not.toHaveProperty("APIGW_DRIFT_REDACTION_KEY");
        }
        // No parameter of the template takes a secret value (that would need NoEcho): only names and ARNs.
        expect(Object.values(template.Parameters!).filter((p) => p.NoEcho !== undefined)).toEqual([]);
      });

      it("takes SSM parameter names from the root of the hierarchy, and KMS key ARNs", () => {
        const matches = (parameter: string, value: string) =>
          new RegExp(template.Parameters![parameter]!.AllowedPattern as string).test(value);
        for (const name of ["", NAME, "/redaction_key.v2"])
          expect(matches("RedactionKeyParameter", name)).toBe(true);
        for (const name of [
          "redaction-key",
          "/a b",
          "/a/",
          "arn:aws:ssm:eu-west-1:123456789012:parameter/a",
        ]) {
          expect(matches("RedactionKeyParameter", name), name).toBe(false);
        }
        expect(matches("RedactionKeyKmsKeyArn", KMS_KEY)).toBe(true);
        expect(matches("RedactionKeyKmsKeyArn", "alias/aws/ssm")).toBe(false);
      });
    });

    it("is built only from functions CloudFormation evaluates, with literal delimiters", () => {
      // The shape cfn-lint refused (E1018): a Join whose delimiter is a function. The evaluator refuses it too.
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Sub string, not JS
      expect(() => evaluate({ "Fn::Join": [{ "Fn::Sub": ",${AWS::Region}" }, ["a"]] }, {})).toThrow(
        `Fn::Join's delimiter must be a literal string, not {"Fn::Sub":",\${AWS::Region}"}`,
      );
      expect(roleStatements(template, { ApiIds: IDS }).length).toBeGreaterThan(0);
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
