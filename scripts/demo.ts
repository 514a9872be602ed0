// `npm run demo`: the main job end to end on embedded defaults. A local API Gateway emulator is seeded
// from desired-state/ with drift, then: plan (drift found), apply (drift fixed), plan again (in sync),
// and the drift history the runs recorded in the embedded store (.apigw-drift/ in this folder).
import { styleText } from "node:util";
import { injectDrift, seedFromDesired } from "../emulator/seed.ts";
import { startEmulator } from "../emulator/server.ts";
import { processIo } from "../lib/cli/io.ts";
import { main } from "../lib/cli/main.ts";
import { readDesiredFolder } from "../lib/desired-state/folder.ts";
import { documents } from "../lib/desired-state/state.ts";

const DESIRED = "desired-state";
const heading = (text: string) => process.stdout.write(`\n${styleText("bold", `━━ ${text}`)}\n\n`);

const emulator = await startEmulator({ seed: 42 });
try {
  const desired = await readDesiredFolder(DESIRED);
  if (desired.errors.length > 0) throw new Error(`${DESIRED} is not valid; run: npx apigw-drift validate`);
  seedFromDesired(emulator, documents(desired));
  const drift = injectDrift(emulator, documents(desired));

  // Only the SDK's standard configuration points the CLI at the emulator, as it would at any endpoint.
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_APIGATEWAYV2: emulator.url,
    AWS_REGION: "eu-west-1",
    AWS_ACCESS_KEY_ID: "demo",
    AWS_SECRET_ACCESS_KEY: "demo",
    APIGW_DRIFT_ACCOUNT: "123456789012",
  });
  heading(`API Gateway emulator at ${emulator.url}, seeded from ${DESIRED}/ with this drift:`);
  for (const d of drift) process.stdout.write(`  ${d.apiId}/${d.integrationId}: ${d.what}\n`);

  const io = processIo();
  heading("1. apigw-drift plan: what differs from git");
  const first = await main(["plan", "--desired", DESIRED, "--detailed-exitcode"], io);
  heading("2. apigw-drift apply: UpdateIntegration for each drifted integration");
  const applied = await main(["apply", "--desired", DESIRED], io);
  heading("3. apigw-drift plan again: nothing left to do");
  const second = await main(["plan", "--desired", DESIRED, "--detailed-exitcode"], io);

  heading("4. apigw-drift history: what was seen and done, newest first");
  await main(["history", "--since", "10m"], io);

  const calls = emulator.calls.operations();
  heading(`API calls the emulator saw: ${calls.length}`);
  const counts = new Map<string, number>();
  for (const op of calls) counts.set(op, (counts.get(op) ?? 0) + 1);
  for (const [op, n] of counts) process.stdout.write(`  ${op}: ${n}\n`);

  const ok = first === 2 && applied === 0 && second === 0;
  process.stdout.write(
    `\n${ok ? "Demo finished: drift found, fixed and gone." : "Demo did not go as expected."}\n`,
  );
  process.exitCode = ok ? 0 : 1;
} finally {
  await emulator.close();
}
