// `npm run demo`: the main job end to end on embedded defaults. A local API Gateway emulator is seeded
// from desired-state/ with drift, some of it made through the API by named people (alice through an
// assumed role, bob as an IAM user), which a local CloudTrail records; then: plan (drift found, and who
// made it), apply (drift fixed), plan again (in sync), and the drift history the runs recorded in the
// embedded store (.apigw-drift/ in this folder), with who changed what.

import { styleText } from "node:util";
import { ApiGatewayV2Client, UpdateIntegrationCommand } from "@aws-sdk/client-apigatewayv2";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { startCloudTrailEmulator } from "../emulator/cloudtrail.ts";
import { injectDrift, seedFromDesired } from "../emulator/seed.ts";
import { startEmulator } from "../emulator/server.ts";
import { startStsEmulator } from "../emulator/sts.ts";
import { processIo } from "../lib/cli/io.ts";
import { main } from "../lib/cli/main.ts";
import { readDesiredFolder } from "../lib/desired-state/folder.ts";
import { documents } from "../lib/desired-state/state.ts";

const DESIRED = "desired-state";
const ACCOUNT = "123456789012";
const ADMIN_ROLE = `arn:aws:iam::${ACCOUNT}:role/Admin`;
const BOB = `arn:aws:iam::${ACCOUNT}:user/bob`;
const heading = (text: string) => process.stdout.write(`\n${styleText("bold", `━━ ${text}`)}\n\n`);

const trail = await startCloudTrailEmulator({
  accountId: ACCOUNT,
  principals: { AKIDBOB: { type: "IAMUser", arn: BOB } },
});
const emulator = await startEmulator({ seed: 42, onWrite: trail.onWrite });
const sts = await startStsEmulator({ defaultAccount: ACCOUNT });
try {
  const desired = await readDesiredFolder(DESIRED);
  if (desired.errors.length > 0) throw new Error(`${DESIRED} is not valid; run: npx apigw-drift validate`);
  seedFromDesired(emulator, documents(desired));

  // Alice signs in as the Admin role (STS AssumeRole): her console session's key is a temporary one, and
  // CloudTrail names the session, arn:aws:sts::ACCOUNT:assumed-role/Admin/alice.
  const stsClient = new STSClient({
    endpoint: sts.url,
    region: "eu-west-1",
    credentials: { accessKeyId: "AKIDALICE", secretAccessKey: "demo" },
  });
  const assumed = await stsClient.send(
    new AssumeRoleCommand({ RoleArn: ADMIN_ROLE, RoleSessionName: "alice" }),
  );
  stsClient.destroy();
  const alice = {
    accessKeyId: assumed.Credentials!.AccessKeyId!,
    secretAccessKey: "demo",
    sessionToken: "demo",
  };
  trail.principals.set(alice.accessKeyId, {
    type: "AssumedRole",
    arn: assumed.AssumedRoleUser!.Arn!,
    sessionIssuer: ADMIN_ROLE,
  });

  // The drift people make, then made again through the API with alice's and bob's keys, as they would in
  // the console, so CloudTrail has it; the integration created by hand stays without a record.
  const drift = injectDrift(emulator, documents(desired));
  const people = [
    { name: "alice", credentials: alice },
    { name: "bob", credentials: { accessKeyId: "AKIDBOB", secretAccessKey: "demo" } },
  ];
  const author = new Map<string, string>();
  const edited = drift.filter((d) => !d.what.startsWith("an integration"));
  for (const [i, d] of edited.entries()) {
    const live = emulator.getIntegration(d.apiId, d.integrationId)! as Record<string, unknown>;
    // "timeoutInMillis changed in the console", or the stray header mapping and its description.
    const fields = d.what.includes("header") ? ["requestParameters", "description"] : [d.what.split(" ")[0]!];
    const changed = Object.fromEntries(fields.map((f) => [f.charAt(0).toUpperCase() + f.slice(1), live[f]]));
    const person = people[i % people.length]!;
    author.set(`${d.apiId}/${d.integrationId}`, person.name);
    const client = new ApiGatewayV2Client({
      endpoint: emulator.url,
      region: "eu-west-1",
      credentials: person.credentials,
      customUserAgent: "console.amazonaws.com",
    });
    await client.send(
      new UpdateIntegrationCommand({ ApiId: d.apiId, IntegrationId: d.integrationId, ...changed }),
    );
    client.destroy();
  }

  // Only the SDK's standard configuration points the CLI at the emulators, as it would at any endpoint.
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_APIGATEWAYV2: emulator.url,
    AWS_ENDPOINT_URL_CLOUDTRAIL: trail.url,
    AWS_ENDPOINT_URL_STS: sts.url,
    AWS_REGION: "eu-west-1",
    AWS_ACCESS_KEY_ID: "demo",
    AWS_SECRET_ACCESS_KEY: "demo",
    APIGW_DRIFT_ACCOUNT: ACCOUNT,
  });
  heading(`API Gateway emulator at ${emulator.url}, seeded from ${DESIRED}/ with this drift:`);
  for (const d of drift) {
    const who = author.get(`${d.apiId}/${d.integrationId}`);
    process.stdout.write(`  ${d.apiId}/${d.integrationId}: ${d.what}${who ? ` (by ${who})` : ""}\n`);
  }
  process.stdout.write(`\nCloudTrail emulator at ${trail.url}: ${trail.records().length} writes recorded\n`);

  const io = processIo();
  heading("1. apigw-drift plan: what differs from git, and who changed it (CloudTrail)");
  const first = await main(["plan", "--desired", DESIRED, "--detailed-exitcode"], io);
  heading("2. apigw-drift apply: UpdateIntegration for each drifted integration");
  const applied = await main(["apply", "--desired", DESIRED], io);
  heading("3. apigw-drift plan again: nothing left to do");
  const second = await main(["plan", "--desired", DESIRED, "--detailed-exitcode"], io);

  heading("4. apigw-drift history: what was seen and done, and by whom, newest first");
  await main(["history", "--since", "10m"], io);

  const calls = emulator.calls.operations();
  heading(`API calls the emulator saw: ${calls.length}; CloudTrail lookups: ${trail.calls.all().length}`);
  const counts = new Map<string, number>();
  for (const op of calls) counts.set(op, (counts.get(op) ?? 0) + 1);
  for (const [op, n] of counts) process.stdout.write(`  ${op}: ${n}\n`);

  const ok = first === 2 && applied === 0 && second === 0;
  process.stdout.write(
    `\n${ok ? "Demo finished: drift found, its authors named, fixed and gone." : "Demo did not go as expected."}\n`,
  );
  process.exitCode = ok ? 0 : 1;
} finally {
  await emulator.close();
  await trail.close();
  await sts.close();
}
