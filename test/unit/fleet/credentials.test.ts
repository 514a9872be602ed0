import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type StsEmulator, startStsEmulator } from "../../../emulator/sts.ts";
import {
  assumeTargetRole,
  StsCalls,
  sessionName,
  TargetAccessError,
} from "../../../lib/fleet/credentials.ts";

let sts: StsEmulator;
beforeEach(async () => {
  sts = await startStsEmulator({ defaultAccount: "111111111111" });
  vi.stubEnv("AWS_ENDPOINT_URL_STS", sts.url);
  vi.stubEnv("AWS_REGION", "eu-west-1");
  vi.stubEnv("AWS_ACCESS_KEY_ID", "hub-key");
  vi.stubEnv("AWS_SECRET_ACCESS_KEY", "x");
});
afterEach(async () => {
  await sts.close();
  vi.unstubAllEnvs();
});

const role = { roleArn: "arn:aws:iam::{account}:role/apigw-drift-spoke" };

describe(assumeTargetRole.name, () => {
  it("assumes the account's role once and says whose credentials they are, by STS", async () => {
    const calls = new StsCalls();
    const access = await assumeTargetRole({ role, account: "222222222222", runId: "0123abcd-ffff", calls });
    expect(access.identity).toEqual({
      account: "222222222222",
      arn: "arn:aws:sts::222222222222:assumed-role/apigw-drift-spoke/apigw-drift-0123abcd",
    });
    // Later calls reuse the session until it nears its expiry.
    const first = await access.credentials();
    expect((await access.credentials()).accessKeyId).toBe(first.accessKeyId);
    expect(calls.toRecord()).toEqual({ AssumeRole: 1, GetCallerIdentity: 1 });
    expect(sts.calls.map((c) => [c.action, c.accessKeyId])).toEqual([
      ["AssumeRole", "hub-key"],
      ["GetCallerIdentity", first.accessKeyId],
    ]);
  });

  it("names the role, the account and what to check when the role refuses", async () => {
    sts.denied.add("arn:aws:iam::333333333333:role/apigw-drift-spoke");
    const attempt = assumeTargetRole({
      role: { ...role, externalId: "ext-1" },
      account: "333333333333",
      runId: "r",
      caller: "arn:aws:iam::111111111111:role/hub",
    });
    await expect(attempt).rejects.toThrow(TargetAccessError);
    await expect(attempt).rejects.toThrow(
      "cannot assume role arn:aws:iam::333333333333:role/apigw-drift-spoke for account 333333333333: User: arn:aws:iam::111111111111:user/hub-key is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::333333333333:role/apigw-drift-spoke. Check that the role exists in account 333333333333 (templates/spoke-role.yaml, deployed by the spoke StackSet), that its trust policy names arn:aws:iam::111111111111:role/hub (the HubRoleArn parameter) and requires the externalId fleet.yaml gives, and that roleArn in fleet.yaml is right",
    );
    expect(sts.calls.at(-1)?.params.ExternalId).toBe("ext-1");
  });
});

describe(sessionName.name, () => {
  it("is apigw-drift- and the run id's first 8 characters STS accepts", () => {
    expect(sessionName("0123abcd-4567-89ef")).toBe("apigw-drift-0123abcd");
    expect(sessionName("a b/c*d!e?f:g;h")).toBe("apigw-drift-abcdefgh");
  });
});
