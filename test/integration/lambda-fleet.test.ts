import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Emulator } from "../../emulator/server.ts";
import type { StsEmulator } from "../../emulator/sts.ts";
import { createFunctionHandler } from "../../functions/reconcile/app.ts";
import { createFunctionDeps } from "../../functions/reconcile/runtime.ts";
import { DynamoHistory } from "../../lib/history/store.ts";
import type { Report } from "../../lib/plan/report.ts";
import { historyTable, startDynalite } from "../helpers/dynalite.ts";
import { DENIED, HOME, ROLE, SPOKE, startFleetWorld, TARGETS } from "../helpers/fleet-world.ts";
import { lambdaContext } from "../helpers/lambda-harness.ts";

/** The hub function, deployed in the run's own account and Region. */
const ARN = `arn:aws:lambda:${HOME.region}:${HOME.account}:function:apigw-drift-reconcile`;

let emulator: Emulator;
let sts: StsEmulator;
let dir: string;
let close: () => Promise<void>;
let dynamo: Awaited<ReturnType<typeof startDynalite>>;
let table: string;

beforeEach(async () => {
  ({ emulator, sts, dir, close } = await startFleetWorld());
  dynamo = await startDynalite();
  table = await historyTable(dynamo.client);
  vi.stubEnv("AWS_ENDPOINT_URL_DYNAMODB", dynamo.endpoint);
  vi.stubEnv("DESIRED_STATE_DIR", dir);
  vi.stubEnv("POWERTOOLS_LOG_LEVEL", "SILENT");
  vi.stubEnv("POWERTOOLS_METRICS_DISABLED", "true");
});
afterEach(async () => {
  await dynamo.close();
  await close();
});

const handler = () =>
  createFunctionHandler(
    createFunctionDeps({ ...process.env, DRIFT_HISTORY_TABLE: table, RECONCILE_MODE: "apply" }),
  );

describe("the hub function, one invoke per target as the state machine's Map sends them", () => {
  it("lists the fleet's targets, then reconciles each in its own account and Region only", async () => {
    const invoke = handler();
    const listed = await invoke({ listTargets: true }, lambdaContext(ARN));
    expect(listed).toEqual({
      targets: [
        { target: { account: HOME.account, region: "eu-west-1" } },
        { target: { account: HOME.account, region: "us-east-1" } },
        { target: { account: SPOKE, region: "ap-south-1" } },
        { target: { account: SPOKE, region: "eu-west-1" } },
      ],
    });
    expect(emulator.calls.all()).toEqual([]);

    for (const item of (listed as { targets: { target: { account: string; region: string } }[] }).targets) {
      emulator.calls.reset();
      const report = (await invoke(item, lambdaContext(ARN))) as Report;
      expect(report).toMatchObject({ status: "RECONCILED", ...item.target });
      const owned = TARGETS.find(
        (t) => t.account === item.target.account && t.region === item.target.region,
      )!;
      expect(report.integrations.map((i) => [i.apiId, i.integrationId, i.status])).toEqual([
        [owned.apiId, "int0001", "UPDATED"],
        [owned.apiId, "int0002", "IN_SYNC"],
      ]);
      // Every call of this invoke went to its target, signed for its Region.
      expect(new Set(emulator.calls.all().map((c) => `${c.account}/${c.signedRegion}`))).toEqual(
        new Set([`${item.target.account}/${item.target.region}`]),
      );
    }
    expect(sts.calls.filter((c) => c.action === "AssumeRole").map((c) => c.params.RoleArn)).toEqual([
      ROLE(SPOKE),
      ROLE(SPOKE),
    ]);
    const history = new DynamoHistory({ client: dynamo.client, tableName: table });
    const runs = (await history.runs()).items;
    expect(runs.map((r) => `${r.account}/${r.region} ${r.status}`).sort()).toEqual(
      TARGETS.map((t) => `${t.account}/${t.region} RECONCILED`).sort(),
    );
  });

  it("answers a target whose role refuses with a FAILED report naming the role, and records it", async () => {
    await writeFile(
      join(dir, "denied.yaml"),
      `apiId: den0api001\nprotocol: HTTP\naccount: "${DENIED}"\nregion: eu-west-1\nintegrations: {}\n`,
    );
    const report = (await handler()(
      { target: { account: DENIED, region: "eu-west-1" } },
      lambdaContext(ARN),
    )) as Report;
    expect(report).toMatchObject({
      status: "FAILED",
      account: DENIED,
      region: "eu-west-1",
      integrations: [],
    });
    expect(report.errors[0]!.message).toMatch(
      new RegExp(
        `^cannot assume role ${ROLE(DENIED)} for account ${DENIED}: User: arn:aws:iam::${HOME.account}:user/test is not authorized`,
      ),
    );
    expect(emulator.calls.all()).toEqual([]);
    const runs = (await new DynamoHistory({ client: dynamo.client, tableName: table }).runs()).items;
    expect(runs.map((r) => [r.account, r.status])).toEqual([[DENIED, "FAILED"]]);
  });

  it("refuses a target the built-in desired state has no API in, naming the targets it has", async () => {
    await expect(
      handler()({ target: { account: "444444444444", region: "eu-west-1" } }, lambdaContext(ARN)),
    ).rejects.toThrow(
      `invalid event: target 444444444444/eu-west-1 has no API in the desired state built into this function; its targets are ${HOME.account}/eu-west-1, ${HOME.account}/us-east-1, ${SPOKE}/ap-south-1, ${SPOKE}/eu-west-1`,
    );
  });
});
