import { describe, expect, it } from "vitest";
import { cfnLint, cloudFormationTemplates } from "../../helpers/cloudformation.ts";
import { requireTool } from "../../helpers/tools.ts";

const ERRORS = 2;
const WARNINGS = 4;
/** The bits of cfn-lint's exit code that are findings rather than a failure to lint. */
const FINDINGS = ERRORS | WARNINGS | 8;

// Missing, cfn-lint fails this file under CI and skips it loudly elsewhere (test/helpers/tools.ts).
const tool = requireTool("cfn-lint", "pip install cfn-lint");

describe.runIf(tool.available)("cfn-lint", () => {
  it("finds the CloudFormation templates in the project root and templates/", () => {
    expect(cloudFormationTemplates()).toEqual(["template.yaml", "templates/spoke-role.yaml"]);
  });

  it("reports no error in any CloudFormation template of the project (the hub and the spoke)", async () => {
    const templates = cloudFormationTemplates();
    const { code, output } = await cfnLint(tool.path!, templates);
    // Warnings do not fail the test; they are shown, and the README lists the ones that remain.
    if (code & WARNINGS) console.warn(`cfn-lint warnings in ${templates.join(", ")}:\n${output}`);
    const failed = (code & ERRORS) !== 0 || (code & ~FINDINGS) !== 0 || code < 0;
    expect(failed, `cfn-lint ${templates.join(" ")} exited ${code}:\n${output}`).toBe(false);
  }, 120_000);
});
