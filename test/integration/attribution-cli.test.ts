/**
 * Who changed it, end to end through the CLI (PRODUCT §8): a console-style change made with a named
 * principal's access key reaches the CloudTrail emulator through the API Gateway emulator's writes, and
 * plan, apply, --markdown, --json and history name that principal, time and event. The tool's own writes
 * are never taken for drift's author. Everything over real HTTP, through the SDK's standard configuration.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  type CloudTrailEmulator,
  type CloudTrailRecord,
  startCloudTrailEmulator,
} from "../../emulator/cloudtrail.ts";
import type { Emulator } from "../../emulator/server.ts";
import { main } from "../../lib/cli/main.ts";
import type { Report } from "../../lib/plan/report.ts";
import { createRuntime, type Runtime } from "../../lib/runtime/runtime.ts";
import { ALICE, ALICE_KEY, consoleUpdate, FUNCTION_KEY, PRINCIPALS } from "../helpers/trail.ts";
import { captureIo, startWorld } from "../helpers/world.ts";

let emulator: Emulator;
let trail: CloudTrailEmulator;
let close: () => Promise<void>;
let cwd: string;
const DESIRED = resolve("desired-state");
const API = "a1b2c3d4e5";
const ID = "lmb7k2q";

async function start(options: Parameters<typeof startCloudTrailEmulator>[0] = {}) {
  trail = await startCloudTrailEmulator({ principals: PRINCIPALS, ...options });
  ({ emulator, close } = await startWorld({ onWrite: trail.onWrite }));
  vi.stubEnv("AWS_ENDPOINT_URL_CLOUDTRAIL", trail.url);
}

beforeEach(async () => {
  cwd = await mkdtemp(join(tmpdir(), "apigw-drift-attribution-"));
});
afterEach(async () => {
  await close();
  await trail.close();
  vi.unstubAllEnvs();
  await rm(cwd, { recursive: true, force: true });
});

async function cli(args: string[], desired = DESIRED) {
  const io = captureIo({}, cwd);
  const code = await main([...args, ...(args[0] === "history" ? [] : ["--desired", desired])], io);
  return { code, out: io.out, err: io.err };
}
const json = async (args: string[], desired?: string) =>
  JSON.parse((await cli([...args, "--json"], desired)).out) as Report;
const result = (report: Report) => report.integrations.find((r) => r.integrationId === ID)!;

/** Alice's console edit of lmb7k2q's timeout, and the CloudTrail record it left. */
async function aliceChangesTheTimeout(): Promise<CloudTrailRecord> {
  await consoleUpdate(emulator.url, ALICE_KEY, { ApiId: API, IntegrationId: ID, TimeoutInMillis: 12_345 });
  return trail.records().find((r) => (r.userIdentity as { arn: string }).arn === ALICE)!;
}

/** The event names asked for, in order (answered ones: a new CLI's limiter does not know the last one's). */
/** A copy of the desired state whose lmb7k2q wants 15 s: live drifts from git with no write by anyone. */
async function gitWantsAnotherTimeout(): Promise<string> {
  const folder = join(cwd, "desired");
  await cp(DESIRED, folder, { recursive: true });
  const file = join(folder, "orders-http.yaml");
  await writeFile(
    file,
    (await readFile(file, "utf8")).replace("timeoutInMillis: 10000", "timeoutInMillis: 15000"),
  );
  return folder;
}

const lookups = () =>
  trail.calls
    .filter("LookupEvents", 200)
    .map(
      (c) =>
        (c.body as { LookupAttributes: { AttributeValue: string }[] }).LookupAttributes[0]!.AttributeValue,
    );

describe("attribution through the CLI", () => {
  it("names the console principal, time and event in plan, markdown, json, apply and history", async () => {
    await start();
    const record = await aliceChangesTheTimeout();
    const at = new Date(record.eventTime).toISOString();
    const changedBy = {
      principal: ALICE,
      at,
      eventName: "UpdateIntegration",
      eventId: record.eventID,
      sourceIpAddress: "127.0.0.1",
      userAgent: record.userAgent,
    };
    expect(record.userAgent).toContain("console.amazonaws.com");

    const plan = await cli(["plan"]);
    expect(plan.code).toBe(0);
    expect(plan.out).toContain(
      `  ~ ${ID}  drifted: will be updated in place\n      changed by ${ALICE} at ${at} (UpdateIntegration)\n      ~ /timeoutInMillis: 12345 → 10000\n`,
    );
    // One lookup: the update was found, so the creation is never asked for.
    expect(lookups()).toEqual(["UpdateIntegration"]);

    const markdown = await cli(["plan", "--markdown"]);
    expect(markdown.out).toContain(
      "| API | integration | status | differences | changed by |\n|---|---|---|---|---|\n",
    );
    expect(markdown.out).toContain(
      `| \`${API}\` | \`${ID}\` | DRIFTED | 1 | \`${ALICE}\` at ${at} (UpdateIntegration) |`,
    );

    expect(result(await json(["plan"])).changedBy).toEqual(changedBy);

    const applied = await json(["apply"]);
    expect(applied.status).toBe("RECONCILED");
    expect(result(applied)).toMatchObject({ status: "UPDATED", changedBy });
    // The tool's own fix is in CloudTrail too, under its user agent.
    const own = trail.records().filter((r) => (r.userIdentity as { arn: string }).arn !== ALICE);
    expect(own.map((r) => [r.eventName, String(r.userAgent).includes("apigw-drift")])).toEqual([
      ["UpdateIntegration", true],
    ]);

    const events = JSON.parse((await cli(["history", "--integration", ID, "--json"])).out) as {
      status: string;
      changedBy: unknown;
    }[];
    expect(events.map((e) => e.status)).toEqual(["UPDATED", "DRIFTED", "DRIFTED", "DRIFTED"]);
    for (const e of events) expect(e.changedBy).toEqual(changedBy);
    const table = await cli(["history", "--integration", ID]);
    expect(table.out.split("\n")[0]).toMatch(
      /^AT +MODE +API +INTEGRATION +STATUS +RUN +CHANGED BY +CHANGES$/,
    );
    expect(table.out).toContain(`${ALICE} at ${at.slice(0, 10)} ${at.slice(11, 19)}Z (UpdateIntegration)`);

    // In sync: nothing to attribute, no lookup.
    const before = trail.calls.all().length;
    const after = await json(["plan"]);
    expect(after.status).toBe("IN_SYNC");
    expect(trail.calls.all()).toHaveLength(before);
  });

  it("never names the tool as drift's author, whoever ran it: the function's role or this CLI", async () => {
    await start();
    // Drift nobody wrote through the API (CloudTrail has no record of it), fixed by the deployed function's
    // credentials (another identity than this CLI's), then by this CLI.
    emulator.overwriteIntegration(API, ID, { timeoutInMillis: 12_345 });
    vi.stubEnv("AWS_ACCESS_KEY_ID", FUNCTION_KEY);
    expect(result(await json(["apply", "--no-history"])).status).toBe("UPDATED");
    vi.stubEnv("AWS_ACCESS_KEY_ID", "test");
    emulator.overwriteIntegration(API, ID, { timeoutInMillis: 23_456 });
    expect(result(await json(["apply", "--no-history"])).status).toBe("UPDATED");
    expect(trail.records().map((r) => (r.userIdentity as { arn: string }).arn)).toEqual([
      "arn:aws:iam::123456789012:user/test",
      PRINCIPALS[FUNCTION_KEY]!.arn,
    ]);

    // git now wants another timeout: live drifts from the files though nobody touched it since the fixes.
    const folder = await gitWantsAnotherTimeout();
    trail.calls.reset();
    // Without history the window is CloudTrail's whole 90 days: both fixes are in it, and both are skipped.
    const plan = await json(["plan", "--no-history"], folder);
    expect(result(plan)).toMatchObject({ status: "DRIFTED" });
    expect(result(plan).changedBy).toBeUndefined();
    expect(lookups()).toEqual(["UpdateIntegration", "CreateIntegration"]);
    expect(plan.warnings).toEqual([]);
  });

  it("looks back only to when history last saw the integration in sync", async () => {
    await start();
    // Alice's change, reverted by an apply; then git changes: her old write no longer explains the drift.
    await aliceChangesTheTimeout();
    // CloudTrail times are to the second: a change in the very second a run starts is inside its window.
    await new Promise((r) => setTimeout(r, 1_100));
    expect(result(await json(["apply"])).changedBy?.principal).toBe(ALICE);
    const folder = await gitWantsAnotherTimeout();
    const plan = await json(["plan"], folder);
    expect(result(plan).status).toBe("DRIFTED");
    expect(result(plan).changedBy).toBeUndefined();
    const windows = trail.calls
      .filter("LookupEvents", 200)
      .map((c) => (c.body as { StartTime: number }).StartTime)
      .slice(-1);
    const runs = JSON.parse((await cli(["history", "--runs", "--json"])).out) as {
      startedAt: string;
      mode: string;
    }[];
    const apply = runs.find((r) => r.mode === "apply")!;
    // From the apply that fixed it (to the second, as CloudTrail times are), not 90 days back.
    expect(windows).toEqual([Math.floor(Date.parse(apply.startedAt) / 1000)]);
  });

  it("completes with a warning naming the permission when LookupEvents is denied, and looks nothing up with --no-attribution", async () => {
    await start();
    await aliceChangesTheTimeout();
    trail.deny("test");
    const plan = await json(["plan", "--no-history"]);
    expect(plan.status).toBe("DRIFTED");
    expect(result(plan).changedBy).toBeUndefined();
    expect(plan.warnings).toEqual([
      {
        message: `CloudTrail attribution was skipped: these credentials may not call cloudtrail:LookupEvents (AccessDeniedException: User: arn:aws:iam::123456789012:user/test is not authorized to perform: cloudtrail:LookupEvents because no identity-based policy allows the cloudtrail:LookupEvents action). Grant cloudtrail:LookupEvents on Resource "*" (it cannot be scoped to a resource), or turn attribution off with --no-attribution; 1 of 1 changed integrations stay unattributed: ${API}/${ID}.`,
      },
    ]);
    const human = await cli(["plan", "--no-history"]);
    expect(human.out).toContain(
      "Warning: CloudTrail attribution was skipped: these credentials may not call",
    );

    trail.calls.reset();
    const off = await json(["plan", "--no-history", "--no-attribution"]);
    expect([off.status, result(off).changedBy, off.warnings]).toEqual(["DRIFTED", undefined, []]);
    expect(trail.calls.all()).toEqual([]);
  });

  it("completes with a warning when CloudTrail is down", async () => {
    await start();
    await aliceChangesTheTimeout();
    trail.failNext({ status: 503, errorType: "ServiceUnavailableException", message: "down", times: 6 });
    const { code, out } = await cli(["plan", "--no-history", "--json", "--detailed-exitcode"]);
    const plan = JSON.parse(out) as Report;
    expect(code).toBe(2);
    expect(plan.warnings).toEqual([
      {
        message: `CloudTrail attribution stopped: CloudTrail LookupEvents failed (ServiceUnavailableException: down); 1 of 1 changed integrations stay unattributed: ${API}/${ID}.`,
      },
    ]);
    expect(trail.calls.filter("LookupEvents", 503)).toHaveLength(6);
  }, 30_000);

  it("never sends LookupEvents faster than 2 requests/s, and stops at --attribution-pages, on the emulator's log", async () => {
    // The emulator enforces the documented quota (2/s, burst 2) and answers 429 beyond it.
    await start({ throttle: { rate: 2, burst: 2 } });
    const now = Date.now();
    for (let i = 0; i < 300; i++) {
      trail.seed({
        eventName: "UpdateIntegration",
        eventTime: now - 1_000 - i * 1_000,
        requestParameters: { apiId: API, integrationId: `noise${i}` },
      });
    }
    emulator.overwriteIntegration(API, ID, { timeoutInMillis: 12_345 });
    const started = Date.now();
    const plan = await json(["plan", "--no-history", "--attribution-pages", "5"]);
    const calls = trail.calls.all();
    // Exactly the budget's pages answered. (A request may still meet a 429 when the one before it reached
    // the emulator later than it left: the SDK retries it, and the retry waits for a token too.)
    expect(calls.filter((c) => c.status === 200)).toHaveLength(5);
    expect(calls.every((c) => c.status === 200 || c.errorType === "ThrottlingException")).toBe(true);
    // At most 2 + 2t requests by time t, retries included: never faster than the quota, on any machine.
    for (const [i, call] of calls.entries()) {
      expect(i + 1, `call ${i + 1} at +${call.at - started} ms`).toBeLessThanOrEqual(
        2 + (2 * (call.at - started)) / 1000,
      );
    }
    // And the pacing is real: five pages cannot all arrive within the first 1.5 s of a 2/s bucket of 2.
    expect(calls.at(-1)!.at - started).toBeGreaterThanOrEqual(1_500 - 1);
    expect(calls.every((c) => (c.body as { MaxResults: number }).MaxResults === 50)).toBe(true);
    // The report counts the pages it read beside its API Gateway calls.
    expect(plan.apiCalls.LookupEvents).toBe(5);
    expect(plan.warnings).toEqual([
      {
        message: `CloudTrail attribution stopped at its page budget (5 LookupEvents pages); 1 of 1 changed integrations stay unattributed: ${API}/${ID}.`,
      },
    ]);
  }, 30_000);
});

describe("the composition root's CloudTrail client", () => {
  let runtime: Runtime | undefined;
  afterEach(async () => {
    await runtime?.close();
  });

  it("is created only when a run has something to attribute, once per Region", async () => {
    await start();
    const { reconcile } = await import("../../lib/reconcile/reconcile.ts");
    const { readDesiredFolder } = await import("../../lib/desired-state/folder.ts");
    const state = await readDesiredFolder(DESIRED);
    runtime = await createRuntime({ attribution: { scope: "session" } });
    const where = {
      account: "123456789012",
      region: "eu-west-1",
      callerArn: "arn:aws:iam::123456789012:user/test",
    };
    const run = () => reconcile({ mode: "plan" }, { state, revision: "r" }, runtime!.services({ where }));
    expect((await run()).status).toBe("IN_SYNC");
    expect(runtime.cloudTrailClients?.()).toBe(0);
    await aliceChangesTheTimeout();
    expect(result(await run()).changedBy?.principal).toBe(ALICE);
    expect(result(await run()).changedBy?.principal).toBe(ALICE);
    expect(runtime.cloudTrailClients?.()).toBe(1);
  });
});
