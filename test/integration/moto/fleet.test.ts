import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ApiGatewayV2Client, GetIntegrationCommand } from "@aws-sdk/client-apigatewayv2";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import type { AwsCredentialIdentity } from "@smithy/types";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { main } from "../../../lib/cli/main.ts";
import type { FleetReport } from "../../../lib/fleet/run.ts";
import { createApi, createIntegration, motoTool, useMoto } from "../../helpers/moto.ts";
import { MOTO_ACCOUNT } from "../../helpers/moto-server.ts";
import { captureIo } from "../../helpers/world.ts";

const SPOKE = "222222222222";
const REGIONS = ["eu-west-1", "us-east-1"];

// moto as the second, independent backend (PRODUCT §7): its STS maps assumed-role keys to the role's
// account and its API Gateway keeps each account's and Region's APIs apart, as AWS does.
describe.runIf(motoTool().available)("a fleet against moto: two accounts × two Regions", () => {
  const moto = useMoto();
  let cwd: string;
  beforeEach(async () => {
    cwd = await mkdtemp(join(tmpdir(), "apigw-drift-moto-fleet-"));
    await mkdir(join(cwd, "desired-state"));
  });
  afterEach(async () => rm(cwd, { recursive: true, force: true }));

  /** moto's STS, as any caller of the spoke role gets it. */
  async function spokeCredentials(): Promise<AwsCredentialIdentity> {
    const sts = new STSClient({
      endpoint: moto.server.url,
      region: "eu-west-1",
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
    });
    const out = await sts.send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${SPOKE}:role/apigw-drift-spoke`,
        RoleSessionName: "seed",
      }),
    );
    sts.destroy();
    const c = out.Credentials!;
    return {
      accessKeyId: c.AccessKeyId!,
      secretAccessKey: c.SecretAccessKey!,
      sessionToken: c.SessionToken!,
    };
  }

  const client = (region: string, credentials: AwsCredentialIdentity) =>
    new ApiGatewayV2Client({ endpoint: moto.server.url, region, credentials, maxAttempts: 1 });

  it("applies each target's drift in its own account and Region, and nowhere else", async () => {
    const home = { accessKeyId: "test", secretAccessKey: "test" };
    const spoke = await spokeCredentials();
    const seeded: {
      account: string;
      region: string;
      credentials: AwsCredentialIdentity;
      apiId: string;
      integrationId: string;
    }[] = [];
    for (const [account, credentials] of [
      [MOTO_ACCOUNT, home],
      [SPOKE, spoke],
    ] as const) {
      for (const region of REGIONS) {
        const c = client(region, credentials);
        const apiId = await createApi(c, `${account}-${region}`, "HTTP");
        const integrationId = await createIntegration(c, apiId, {
          IntegrationType: "HTTP_PROXY",
          IntegrationUri: `https://${region}.example.com`,
          IntegrationMethod: "ANY",
          PayloadFormatVersion: "1.0",
          TimeoutInMillis: 29000,
        });
        c.destroy();
        seeded.push({ account, region, credentials, apiId, integrationId });
        await writeFile(
          join(cwd, "desired-state", `${apiId}.yaml`),
          `apiId: ${apiId}\nprotocol: HTTP\naccount: "${account}"\nregion: ${region}\nintegrations:\n  ${integrationId}:\n    timeoutInMillis: 10000\n`,
        );
      }
    }
    await writeFile(
      join(cwd, "desired-state", "fleet.yaml"),
      "roleArn: arn:aws:iam::{account}:role/apigw-drift-spoke\n",
    );

    const io = captureIo({ APIGW_DRIFT_ACCOUNT: MOTO_ACCOUNT }, cwd);
    expect(await main(["apply", "--json", "--desired", join(cwd, "desired-state")], io)).toBe(0);
    const fleet = JSON.parse(io.out) as FleetReport;
    expect(fleet.reports.map((r) => [r.account, r.region, r.status])).toEqual([
      [MOTO_ACCOUNT, "eu-west-1", "RECONCILED"],
      [MOTO_ACCOUNT, "us-east-1", "RECONCILED"],
      [SPOKE, "eu-west-1", "RECONCILED"],
      [SPOKE, "us-east-1", "RECONCILED"],
    ]);
    for (const s of seeded) {
      // Fixed where it lives...
      const own = client(s.region, s.credentials);
      const live = await own.send(
        new GetIntegrationCommand({ ApiId: s.apiId, IntegrationId: s.integrationId }),
      );
      expect(live.TimeoutInMillis, `${s.account}/${s.region}`).toBe(10000);
      own.destroy();
      // ...and unknown to every other target: no write could have gone there.
      for (const other of seeded.filter((o) => o !== s)) {
        const elsewhere = client(other.region, other.credentials);
        await expect(
          elsewhere.send(new GetIntegrationCommand({ ApiId: s.apiId, IntegrationId: s.integrationId })),
          `${s.account}/${s.region} seen from ${other.account}/${other.region}`,
        ).rejects.toMatchObject({ name: "NotFoundException" });
        elsewhere.destroy();
      }
    }
  }, 60_000);
});
