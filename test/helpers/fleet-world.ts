import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { vi } from "vitest";
import { type Emulator, startEmulator } from "../../emulator/server.ts";
import { startStsEmulator } from "../../emulator/sts.ts";

/** The run's own account (the credentials "test" are its user) and Region. */
export const HOME = { account: "123456789012", region: "eu-west-1" };
export const SPOKE = "222222222222";
/** An account whose spoke role refuses everyone. */
export const DENIED = "333333333333";
export const EXTERNAL_ID = "fleet-test-external-id";
export const ROLE = (account: string) => `arn:aws:iam::${account}:role/apigw-drift-spoke`;

/** One API per target, with drift in each: two Regions of the run's own account, two of another. */
export const TARGETS = [
  { ...HOME, apiId: "home0api01", file: "home.yaml", named: false },
  { account: HOME.account, region: "us-east-1", apiId: "east0api01", file: "home-east.yaml", named: true },
  { account: SPOKE, region: "eu-west-1", apiId: "spk0west01", file: "spoke-west.yaml", named: true },
  { account: SPOKE, region: "ap-south-1", apiId: "spk0asia01", file: "spoke-asia.yaml", named: true },
];

/**
 * The world of a fleet: an STS emulator (the spoke role wants the ExternalId; the DENIED account's
 * refuses) and one API Gateway emulator that serves every account and Region, keyed by whose access key
 * signs a call; the SDK's standard environment pointing at both; a desired-state folder with one file per
 * target and fleet.yaml. Each target's API has `int0001` drifted (29 s live, 10 s declared) and `int0002`
 * in sync.
 */
export async function startFleetWorld() {
  const sts = await startStsEmulator({
    defaultAccount: HOME.account,
    externalIds: { [ROLE(SPOKE)]: EXTERNAL_ID },
  });
  sts.denied.add(ROLE(DENIED));
  // Whose a key is, as STS handed it out: the account of the role it assumed.
  const emulator: Emulator = await startEmulator({ seed: 7, accounts: (key) => sts.identityOf(key).account });
  vi.stubEnv("AWS_ENDPOINT_URL_APIGATEWAYV2", emulator.url);
  vi.stubEnv("AWS_ENDPOINT_URL_STS", sts.url);
  vi.stubEnv("AWS_REGION", HOME.region);
  vi.stubEnv("AWS_ACCESS_KEY_ID", "test");
  vi.stubEnv("AWS_SECRET_ACCESS_KEY", "test");
  const cwd = await mkdtemp(join(tmpdir(), "apigw-drift-fleet-"));
  const dir = join(cwd, "desired-state");
  await mkdir(dir);
  for (const t of TARGETS) {
    const target = emulator.at(t);
    target.addApi({ apiId: t.apiId, name: t.file, protocolType: "HTTP" });
    for (const id of ["int0001", "int0002"]) {
      target.addIntegration(t.apiId, {
        integrationId: id,
        integrationType: "HTTP_PROXY",
        integrationMethod: "ANY",
        integrationUri: `https://${t.apiId}.example.com/${id}`,
        payloadFormatVersion: "1.0",
        timeoutInMillis: id === "int0001" ? 29000 : 10000,
      });
    }
    await writeFile(
      join(dir, t.file),
      [
        `apiId: ${t.apiId}`,
        "protocol: HTTP",
        ...(t.named ? [`account: "${t.account}"`, `region: ${t.region}`] : []),
        "integrations:",
        "  int0001:",
        "    timeoutInMillis: 10000",
        "  int0002:",
        "    timeoutInMillis: 10000",
        "",
      ].join("\n"),
    );
  }
  await writeFile(
    join(dir, "fleet.yaml"),
    `roleArn: arn:aws:iam::{account}:role/apigw-drift-spoke\nexternalId: ${EXTERNAL_ID}\nconcurrency: 4\n`,
  );
  return {
    emulator,
    sts,
    cwd,
    dir,
    close: async () => {
      await emulator.close();
      await sts.close();
      vi.unstubAllEnvs();
      await rm(cwd, { recursive: true, force: true });
    },
  };
}
