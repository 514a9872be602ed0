import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { startCloudTrailEmulator } from "../../emulator/cloudtrail.ts";
import type { Emulator } from "../../emulator/server.ts";
import type { StsEmulator } from "../../emulator/sts.ts";
import { main } from "../../lib/cli/main.ts";
import type { FleetReport } from "../../lib/fleet/run.ts";
import type { Report } from "../../lib/plan/report.ts";
import { DENIED, EXTERNAL_ID, HOME, ROLE, SPOKE, startFleetWorld, TARGETS } from "../helpers/fleet-world.ts";
import { captureIo } from "../helpers/world.ts";

let emulator: Emulator;
let sts: StsEmulator;
let cwd: string;
let dir: string;
let close: () => Promise<void>;

beforeEach(async () => {
  ({ emulator, sts, cwd, dir, close } = await startFleetWorld());
});
afterEach(async () => close());

const run = async (args: string[]) => {
  const io = captureIo({}, cwd);
  const code = await main([...args, "--desired", dir], io);
  return { code, io };
};

describe("a fleet through the CLI, against one emulator serving several accounts and Regions", () => {
  it("plans every target, applies each in its own account and Region, and is in sync after", async () => {
    const plan = await run(["plan", "--json", "--detailed-exitcode"]);
    expect(plan.code).toBe(2);
    const planned = JSON.parse(plan.io.out) as FleetReport;
    expect(Object.keys(planned)).toEqual(["runId", "status", "reports", "stsCalls"]);
    expect(planned.status).toBe("DRIFTED");
    expect(planned.reports.map((r) => [r.account, r.region, r.status])).toEqual([
      [HOME.account, "eu-west-1", "DRIFTED"],
      [HOME.account, "us-east-1", "DRIFTED"],
      [SPOKE, "ap-south-1", "DRIFTED"],
      [SPOKE, "eu-west-1", "DRIFTED"],
    ]);
    // Each target in another account assumes its own session (no two targets share credentials); one
    // GetCallerIdentity for the run's own credentials and one for each assumed session.
    expect(planned.stsCalls).toEqual({ AssumeRole: 2, GetCallerIdentity: 3 });
    for (const r of planned.reports) {
      expect(r.integrations.map((i) => [i.integrationId, i.status])).toEqual([
        ["int0001", "DRIFTED"],
        ["int0002", "IN_SYNC"],
      ]);
    }

    emulator.calls.reset();
    sts.calls.length = 0;
    const apply = await run(["apply", "--json"]);
    expect(apply.code).toBe(0);
    const applied = JSON.parse(apply.io.out) as FleetReport;
    expect(applied.status).toBe("RECONCILED");
    expect(applied.reports.map((r) => r.status)).toEqual([
      "RECONCILED",
      "RECONCILED",
      "RECONCILED",
      "RECONCILED",
    ]);
    expect(new Set(applied.reports.map((r) => r.runId)).size).toBe(4);

    // Every write landed in the account and Region its file names, and nowhere else.
    const writes = emulator.calls.filter({ operation: "UpdateIntegration" });
    expect(writes.map((c) => `${c.account}/${c.region} ${c.apiId}/${c.integrationId}`).sort()).toEqual(
      TARGETS.map((t) => `${t.account}/${t.region} ${t.apiId}/int0001`).sort(),
    );
    for (const t of TARGETS) {
      expect(emulator.at(t).getIntegration(t.apiId, "int0001")?.timeoutInMillis).toBe(10000);
    }
    // No call of one target carries another target's credentials or Region: each target's calls are
    // signed for its own Region, with keys that are its account's, and no key serves two targets.
    const keysOf = new Map<string, Set<string>>();
    for (const call of emulator.calls.all()) {
      const target = `${call.account}/${call.region}`;
      expect(call.signedRegion, `${call.operation} to ${target}`).toBe(call.region);
      expect(sts.identityOf(call.accessKeyId).account, `${call.operation} to ${target}`).toBe(call.account);
      keysOf.set(target, new Set([...(keysOf.get(target) ?? []), call.accessKeyId!]));
    }
    expect([...keysOf.keys()].sort()).toEqual(TARGETS.map((t) => `${t.account}/${t.region}`).sort());
    const spokeKeys = [...keysOf.entries()].filter(([t]) => t.startsWith(SPOKE)).map(([, k]) => [...k]);
    expect(spokeKeys.flat().every((k) => k.startsWith("ASIA"))).toBe(true);
    expect(new Set(spokeKeys.flat()).size).toBe(spokeKeys.flat().length);
    expect(keysOf.get(`${HOME.account}/eu-west-1`)).toEqual(new Set(["test"]));
    // The spoke role was assumed with the caller's own key, the fleet's ExternalId and a named session.
    const assumed = sts.calls.filter((c) => c.action === "AssumeRole");
    expect(assumed.map((c) => [c.accessKeyId, c.params.RoleArn, c.params.ExternalId])).toEqual([
      ["test", ROLE(SPOKE), EXTERNAL_ID],
      ["test", ROLE(SPOKE), EXTERNAL_ID],
    ]);
    expect(assumed[0]!.params.RoleSessionName).toMatch(/^apigw-drift-[0-9a-f]{8}$/);

    const after = await run(["plan", "--json", "--detailed-exitcode"]);
    expect(after.code).toBe(0);
    expect((JSON.parse(after.io.out) as FleetReport).status).toBe("IN_SYNC");
  });

  it("records each target's events with its account and Region, and history filters by them", async () => {
    expect((await run(["apply", "--json"])).code).toBe(0);
    const history = async (args: string[]) => {
      const io = captureIo({}, cwd);
      const code = await main(["history", "--json", ...args], io);
      return { code, out: io.out, err: io.err };
    };
    const all = JSON.parse((await history([])).out) as { account: string; region: string; apiId: string }[];
    expect(all.map((e) => `${e.account}/${e.region} ${e.apiId}`).sort()).toEqual(
      TARGETS.map((t) => `${t.account}/${t.region} ${t.apiId}`).sort(),
    );
    const spoke = JSON.parse((await history(["--account", SPOKE])).out) as { apiId: string }[];
    expect(spoke.map((e) => e.apiId).sort()).toEqual(["spk0asia01", "spk0west01"]);
    const west = JSON.parse((await history(["--account", SPOKE, "--region", "eu-west-1"])).out) as {
      apiId: string;
    }[];
    expect(west.map((e) => e.apiId)).toEqual(["spk0west01"]);
    const runs = JSON.parse((await history(["--runs", "--region", "us-east-1"])).out) as Report[];
    expect(runs.map((r) => [r.account, r.region, r.status])).toEqual([
      [HOME.account, "us-east-1", "RECONCILED"],
    ]);
    // The table names each event's target once history spans several.
    const table = captureIo({}, cwd);
    expect(await main(["history", "--region", "ap-south-1"], table)).toBe(0);
    expect(table.out.split("\n")[0]).toBe(
      "AT                    MODE   API         INTEGRATION  STATUS   RUN       CHANGES",
    );
    const all2 = captureIo({}, cwd);
    expect(await main(["history"], all2)).toBe(0);
    expect(all2.out.split("\n")[0]).toBe(
      "AT                    MODE   TARGET                   API         INTEGRATION  STATUS   RUN       CHANGES",
    );
    expect(all2.out).toContain(`apply  ${SPOKE}/ap-south-1  spk0asia01  int0001      UPDATED`);
    expect(await history(["--account", "2222"])).toEqual({
      code: 1,
      out: "",
      err: 'error: --account takes a 12-digit AWS account id, not "2222"\n',
    });
    expect((await history(["--region", "mars"])).err).toBe(
      'error: --region takes an AWS Region name such as eu-west-1, not "mars"\n',
    );
  });

  it("fails a target whose role cannot be assumed, names the role and what to check, and runs the others", async () => {
    await writeFile(
      join(dir, "denied.yaml"),
      `apiId: den0api001\nprotocol: HTTP\naccount: "${DENIED}"\nregion: eu-west-1\nintegrations: {}\n`,
    );
    const { code, io } = await run(["apply", "--json"]);
    expect(code).toBe(1);
    const fleet = JSON.parse(io.out) as FleetReport;
    expect(fleet.status).toBe("FAILED");
    expect(fleet.reports.map((r) => [r.account, r.region, r.status])).toEqual([
      [HOME.account, "eu-west-1", "RECONCILED"],
      [HOME.account, "us-east-1", "RECONCILED"],
      [SPOKE, "ap-south-1", "RECONCILED"],
      [SPOKE, "eu-west-1", "RECONCILED"],
      [DENIED, "eu-west-1", "FAILED"],
    ]);
    expect(fleet.reports[4]!.errors).toEqual([
      {
        message: `cannot assume role ${ROLE(DENIED)} for account ${DENIED}: User: arn:aws:iam::${HOME.account}:user/test is not authorized to perform: sts:AssumeRole on resource: ${ROLE(DENIED)}. Check that the role exists in account ${DENIED} (templates/spoke-role.yaml, deployed by the spoke StackSet), that its trust policy names this run's principal (the HubRoleArn parameter) and requires the externalId fleet.yaml gives, and that roleArn in fleet.yaml is right`,
      },
    ]);
    expect(emulator.calls.filter({ account: DENIED })).toEqual([]);
  });

  it("prints one section per target, headed by its account and Region, and the worst status", async () => {
    const { code, io } = await run(["plan"]);
    expect(code).toBe(0);
    const headings = io.out.split("\n").filter((l) => l.startsWith("=== target"));
    expect(headings).toEqual([
      `=== target ${HOME.account}/eu-west-1 ===`,
      `=== target ${HOME.account}/us-east-1 ===`,
      `=== target ${SPOKE}/ap-south-1 ===`,
      `=== target ${SPOKE}/eu-west-1 ===`,
    ]);
    expect(io.out).toContain("~ /timeoutInMillis: 29000 → 10000");
    expect(io.out.trimEnd().split("\n").slice(-2)).toEqual([
      "Fleet: 4 targets (4 DRIFTED). STS calls: AssumeRole 2, GetCallerIdentity 3.",
      "Status: DRIFTED",
    ]);
    const markdown = await run(["plan", "--markdown"]);
    expect(markdown.io.out).toContain("## apigw-drift fleet: DRIFTED");
    expect(markdown.io.out).toContain(`#### Target \`${SPOKE}/eu-west-1\``);
  });

  it("keeps a folder of one target to the plain report, as before fleets", async () => {
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir);
    await writeFile(
      join(dir, "home.yaml"),
      "apiId: home0api01\nprotocol: HTTP\nintegrations:\n  int0001:\n    timeoutInMillis: 10000\n",
    );
    const { code, io } = await run(["plan", "--json"]);
    expect(code).toBe(0);
    const report = JSON.parse(io.out) as Report;
    expect(report.status).toBe("DRIFTED");
    expect(report).not.toHaveProperty("account");
    expect(report).not.toHaveProperty("reports");
    expect(sts.calls.map((c) => c.action)).toEqual(["GetCallerIdentity"]);
  });
});

describe("a fleet whose local history store cannot be opened", () => {
  const corrupt = async () => {
    const history = join(cwd, ".apigw-drift/history");
    await mkdir(history, { recursive: true });
    await writeFile(join(history, "CURRENT"), "MANIFEST-000099");
  };

  it("applies in no target: each is FAILED without its lease, and nothing is sent to any API", async () => {
    await corrupt();
    const apply = await run(["apply", "--json"]);
    expect(apply.code).toBe(1);
    const report = JSON.parse(apply.io.out) as FleetReport;
    expect(report.status).toBe("FAILED");
    expect(report.reports).toHaveLength(TARGETS.length);
    for (const r of report.reports) {
      expect(r.status).toBe("FAILED");
      expect(r.errors.map((e) => e.message)).toContainEqual(
        expect.stringMatching(
          /^cannot take the apply lease: cannot open the local history in .*; nothing was changed$/,
        ),
      );
    }
    expect(emulator.calls.filter({ operation: "UpdateIntegration" })).toEqual([]);
  });

  it("still plans every target, and each says history was not recorded", async () => {
    await corrupt();
    const plan = await run(["plan", "--json", "--detailed-exitcode"]);
    expect(plan.code).toBe(1);
    const report = JSON.parse(plan.io.out) as FleetReport;
    expect(report.status).toBe("PARTIAL");
    for (const r of report.reports) {
      expect(r.status).toBe("PARTIAL");
      expect(r.summary.DRIFTED).toBe(1);
      expect(r.errors.map((e) => e.message)).toEqual([
        expect.stringMatching(
          /^drift history was not recorded: .*; plan with --no-history to leave history out$/,
        ),
      ]);
    }
  });
});

describe("who changed a fleet target's drift", () => {
  it("is looked up in each target's own CloudTrail: its Region, and in another account its assumed session", async () => {
    const trail = await startCloudTrailEmulator({ throttle: false });
    vi.stubEnv("AWS_ENDPOINT_URL_CLOUDTRAIL", trail.url);
    try {
      const plan = await run(["plan", "--json"]);
      expect((JSON.parse(plan.io.out) as FleetReport).status).toBe("DRIFTED");
      const lookups = trail.calls.filter("LookupEvents");
      const places = new Set(lookups.map((c) => c.region));
      expect([...places].sort()).toEqual([...new Set(TARGETS.map((t) => t.region))].sort());
      for (const t of TARGETS) {
        const keys = lookups
          .filter((c) => c.region === t.region)
          .map((c) => sts.identityOf(c.accessKeyId).account);
        expect(keys, `${t.account}/${t.region}`).toContain(t.account);
      }
      // Lookups for the spoke's targets are signed with its assumed session, never the caller's own key.
      const spoke = lookups.filter((c) => sts.identityOf(c.accessKeyId).account === SPOKE);
      expect(spoke.length).toBeGreaterThan(0);
      expect(spoke.every((c) => c.accessKeyId?.startsWith("ASIA"))).toBe(true);
    } finally {
      await trail.close();
    }
  });
});
