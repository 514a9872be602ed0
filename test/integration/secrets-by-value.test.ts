import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Emulator } from "../../emulator/server.ts";
import { createReconcileHandler } from "../../functions/reconcile/app.ts";
import { main } from "../../lib/cli/main.ts";
import { readDesiredFolder } from "../../lib/desired-state/folder.ts";
import { captureOutput, handlerDeps, lambdaContext } from "../helpers/lambda-harness.ts";
import { captureIo, liveGateway, startWorld } from "../helpers/world.ts";

/**
 * Secrets found by their value, under names that say nothing: a token in an integration URI's userinfo,
 * path and query, an authorization value under another scheme than Bearer or Basic, JWTs, a random value
 * under a name that may hold one. Every value below contains SECRET-: no surface may show that text.
 */
const MARK = "SECRET-";
const HTTP_API = "a1b2c3d4e5";
const jwt = (n: string) => `eyJhbGciOiJIUzI1NiJ9.SECRET-payload${n}.SECRET-signature${n}`;
const desiredUri =
  "https://SECRET-user-token@hooks.example.com/services/T0001/B0002/SECRET-Xq7ZpLm3Vw9RtY2uKs8D?code=SECRET-code-d";
const liveUri =
  "https://SECRET-other-token@hooks.example.com/services/T0001/B0002/SECRET-Lp8Vn4Rt7YmZk3Jq9Xw2?code=SECRET-code-l";

const DESIRED = `apiId: ${HTTP_API}
protocol: HTTP
integrations:
  prx3m9a:
    integrationType: HTTP_PROXY
    integrationUri: ${desiredUri}
    description: rotated ${jwt("01")} today
    requestParameters:
      overwrite:header.x-upstream: "'Token SECRET-9f8e7d6c5b'"
      overwrite:header.x-forward: ${jwt("02")}
      overwrite:header.x-signature: SECRET-Zk3Jq9Xw2Lp8Vn4R
      overwrite:header.x-env: prod
`;
const LIVE = {
  integrationUri: liveUri,
  description: `rotated ${jwt("03")} today`,
  requestParameters: {
    "overwrite:header.x-upstream": "'Token SECRET-1a2b3c4d5e'",
    "overwrite:header.x-forward": jwt("04"),
    "overwrite:header.x-signature": "SECRET-Qw8Er7Ty6Ui5Op4A",
    "overwrite:header.x-env": "staging",
  },
};

let emulator: Emulator;
let close: () => Promise<void>;
let cwd: string;
let desiredDir: string;
beforeEach(async () => {
  ({ emulator, close } = await startWorld());
  cwd = await mkdtemp(join(tmpdir(), "apigw-drift-secrets-value-"));
  desiredDir = join(cwd, "desired");
  await mkdir(desiredDir);
  await writeFile(join(desiredDir, "orders.yaml"), DESIRED);
  emulator.overwriteIntegration(HTTP_API, "prx3m9a", LIVE);
});
afterEach(async () => {
  await close();
  vi.unstubAllEnvs();
  await rm(cwd, { recursive: true, force: true });
});

async function cli(args: string[]) {
  const io = captureIo({ APIGW_DRIFT_ACCOUNT: undefined }, cwd);
  const code = await main(args[0] === "history" ? args : [...args, "--desired", desiredDir], io);
  return { code, all: io.out + io.err, out: io.out };
}

describe("secrets recognised by their value", () => {
  it("appear on no surface: json, human, markdown, apply, history, and the Lambda's logs and report", async () => {
    const json = await cli(["plan", "--json"]);
    expect(json.code).toBe(0);
    expect(json.all).not.toContain(MARK);
    // The change is still visible: every drifted path is reported.
    const report = JSON.parse(json.out) as {
      integrations: { integrationId: string; diffs: { path: string }[] }[];
    };
    expect(report.integrations.find((r) => r.integrationId === "prx3m9a")?.diffs.map((d) => d.path)).toEqual([
      "/description",
      "/integrationUri",
      "/requestParameters/overwrite:header.x-env",
      "/requestParameters/overwrite:header.x-forward",
      "/requestParameters/overwrite:header.x-signature",
      "/requestParameters/overwrite:header.x-upstream",
    ]);
    for (const args of [["plan"], ["plan", "--markdown"], ["apply"], ["history"], ["history", "--json"]]) {
      const run = await cli(args);
      expect(run.all, args.join(" ")).not.toContain(MARK);
    }
    // The service got the real values.
    expect(emulator.getIntegration(HTTP_API, "prx3m9a")?.integrationUri).toBe(desiredUri);

    emulator.overwriteIntegration(HTTP_API, "prx3m9a", LIVE);
    const { deps, recorded } = handlerDeps({
      desired: await readDesiredFolder(desiredDir),
      gateway: () => {
        const live = liveGateway();
        return { gateway: live.gateway, apiCalls: () => live.stats.toRecord() };
      },
    });
    const { value, output } = await captureOutput(() =>
      createReconcileHandler(deps)({ mode: "apply" }, lambdaContext()),
    );
    expect(value?.status).toBe("RECONCILED");
    expect(output).not.toContain(MARK);
    expect(JSON.stringify(value)).not.toContain(MARK);
    expect(JSON.stringify(recorded)).not.toContain(MARK);
  });

  it("are left out of an imported file, each named, never written", async () => {
    const run = await cli(["import", "--api", HTTP_API, "--out", "-"]);
    expect(run.code).toBe(0);
    expect(run.all).not.toContain(MARK);
    expect(run.out).toContain("REPLACE-ME: secret not imported");
  });
});
