import { appendFileSync, copyFileSync, existsSync, rmSync, symlinkSync } from "node:fs";
import { cp, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { injectDrift } from "../../emulator/seed.ts";
import type { Emulator } from "../../emulator/server.ts";
import { main } from "../../lib/cli/main.ts";
import { type DesiredState, documents } from "../../lib/desired-state/state.ts";
import type { Report } from "../../lib/plan/report.ts";
import { tapGateway, wrappedRuntime } from "../helpers/run.ts";
import { captureIo, startWorld } from "../helpers/world.ts";

const ORDERS = "a1b2c3d4e5";
const CHAT = "w9x8y7z6v5";
const ORDERS_FILE = join("desired-state", "orders-http.yaml");
const CHAT_FILE = join("desired-state", "chat-websocket.yaml");
const CHAT_URI =
  "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:chat-connect/invocations";

let emulator: Emulator;
let desired: DesiredState;
let close: () => Promise<void>;
let cwd: string;
const user = () => captureIo({}, cwd);
const cli = (args: string[], io = user()) => main([...args, "--desired", "desired-state"], io);
const read = (file: string) => readFile(join(cwd, file), "utf8");

/** The lines only `before` has, and the lines only `after` has, in order. */
function lineDiff(before: string, after: string): { removed: string[]; added: string[] } {
  const a = before.split("\n");
  const b = after.split("\n");
  return { removed: a.filter((l) => !b.includes(l)), added: b.filter((l) => !a.includes(l)) };
}

async function plan(): Promise<Report> {
  const io = user();
  await cli(["plan", "--json", "--no-history"], io);
  return JSON.parse(io.out) as Report;
}

beforeEach(async () => {
  ({ emulator, desired, close } = await startWorld());
  cwd = await mkdtemp(join(tmpdir(), "apigw-drift-accept-"));
  await cp("desired-state", join(cwd, "desired-state"), { recursive: true });
});
afterEach(async () => {
  await close();
  vi.unstubAllEnvs();
  await rm(cwd, { recursive: true, force: true });
});

describe("apigw-drift accept against the emulator", () => {
  it("writes the live values into the files, changes nothing else, never writes to the API, and the next plan is in sync", async () => {
    injectDrift(emulator, documents(desired));
    const [ordersBefore, chatBefore] = [await read(ORDERS_FILE), await read(CHAT_FILE)];
    const before = emulator.calls.all().length;

    const io = user();
    expect(await cli(["accept"], io)).toBe(0);
    expect(io.err).toBe("");
    expect(io.out).toBe(
      [
        `${ORDERS_FILE}: lmb7k2q /timeoutInMillis: 10000 → 12345`,
        `${ORDERS_FILE}: prx3m9a /requestParameters/overwrite:header.x-debug: (absent) → "'true'"`,
        `${CHAT_FILE}: cnx1a2b /integrationUri: "${CHAT_URI}" → "${CHAT_URI}-old"`,
        `${CHAT_FILE}: msg5c6d /description: "Send message to the chat backend" → "edited by hand"`,
        `${CHAT_FILE}: msg5c6d /requestParameters/integration.request.header.x-debug: (absent) → "'true'"`,
        "accepted 5 live values into 2 files; a plan now shows them in sync",
        "",
      ].join("\n"),
    );
    expect(
      emulator.calls
        .all()
        .slice(before)
        .filter((c) => c.method !== "GET"),
    ).toEqual([]);

    expect(lineDiff(chatBefore, await read(CHAT_FILE))).toEqual({
      removed: [`    integrationUri: ${CHAT_URI}`, "    description: Send message to the chat backend"],
      added: [
        `    integrationUri: ${CHAT_URI}-old`,
        "    description: edited by hand",
        `      integration.request.header.x-debug: "'true'"`,
      ],
    });
    expect(lineDiff(ordersBefore, await read(ORDERS_FILE))).toEqual({
      removed: ["    timeoutInMillis: 10000"],
      added: ["    timeoutInMillis: 12345", `      overwrite:header.x-debug: "'true'"`],
    });

    const after = await plan();
    expect(after.status).toBe("IN_SYNC");
    expect(await cli(["validate"])).toBe(0);
  });

  it("leaves a secret live value out of the file and names it; the rest is accepted", async () => {
    const token = "'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJvcHMifQ.c2lnbmF0dXJl'";
    const live = emulator.getIntegration(ORDERS, "prx3m9a");
    emulator.overwriteIntegration(ORDERS, "prx3m9a", {
      requestParameters: {
        ...(live?.requestParameters as Record<string, string>),
        "overwrite:header.authorization": token,
        "overwrite:header.x-env": "staging",
      },
    });

    const io = user();
    expect(await cli(["accept", "--api", ORDERS], io)).toBe(0);
    expect(io.out).toBe(
      [
        `${ORDERS_FILE}: prx3m9a /requestParameters/overwrite:header.x-env: "prod" → "staging"`,
        "left /requestParameters/overwrite:header.authorization of prx3m9a: its value is a secret; change it by hand",
        "accepted 1 live value into 1 file; a plan now shows it in sync",
        "",
      ].join("\n"),
    );
    const text = await read(ORDERS_FILE);
    expect(text).not.toContain("eyJhbGciOiJIUzI1NiJ9");
    expect(text).toContain(`overwrite:header.authorization: "'Bearer $stageVariables.ordersToken'"`);

    const after = await plan();
    expect(
      after.integrations
        .filter((r) => r.status !== "IN_SYNC")
        .map((r) => [r.integrationId, r.diffs.map((d) => d.path)]),
    ).toEqual([["prx3m9a", ["/requestParameters/overwrite:header.authorization"]]]);
  });

  it("takes only what --integration names", async () => {
    injectDrift(emulator, documents(desired));
    const chat = await read(CHAT_FILE);
    const io = user();
    expect(await cli(["accept", "--integration", "lmb7k2q"], io)).toBe(0);
    expect(io.out).toBe(
      `${ORDERS_FILE}: lmb7k2q /timeoutInMillis: 10000 → 12345\naccepted 1 live value into 1 file; a plan now shows it in sync\n`,
    );
    expect(await read(CHAT_FILE)).toBe(chat);
    const after = await plan();
    expect(after.integrations.find((r) => r.integrationId === "lmb7k2q")?.status).toBe("IN_SYNC");
    expect(after.integrations.find((r) => r.integrationId === "prx3m9a")?.status).toBe("DRIFTED");
  });

  it("leaves a file someone saved while accept read the API, and exits 1", async () => {
    injectDrift(emulator, documents(desired));
    const edited = "# saved by an editor meanwhile\n";
    const runtime = wrappedRuntime((gateway) =>
      tapGateway(gateway, (method) => {
        if (method === "listIntegrations") appendFileSync(join(cwd, ORDERS_FILE), edited);
      }),
    );
    const io = user();
    expect(await main(["accept", "--api", ORDERS, "--desired", "desired-state"], io, { runtime })).toBe(1);
    expect(io.err).toBe(
      `${ORDERS_FILE} changed since accept read it; nothing was written to it: run accept again\n`,
    );
    expect((await read(ORDERS_FILE)).endsWith(edited)).toBe(true);
    expect(await read(ORDERS_FILE)).toContain("timeoutInMillis: 10000");
  });

  it("leaves the file when live changed it to a value the validator refuses, and exits 1", async () => {
    emulator.overwriteIntegration(ORDERS, "lmb7k2q", { timeoutInMillis: 99_999 });
    const before = await read(ORDERS_FILE);
    const io = user();
    expect(await cli(["accept"], io)).toBe(1);
    expect(io.err).toBe(
      `the accepted values would not validate; nothing was written:\n${ORDERS_FILE}:17:22 /integrations/lmb7k2q/timeoutInMillis timeoutInMillis 99999 is out of range: HTTP APIs take 50 to 30000 ms\n`,
    );
    expect(await read(ORDERS_FILE)).toBe(before);
  });

  it("accepts what it could read, names what it could not, and exits 1", async () => {
    injectDrift(emulator, documents(desired));
    emulator.faults.failNext({
      operation: "GetIntegrations",
      apiId: CHAT,
      status: 403,
      errorType: "AccessDeniedException",
      message: "not allowed",
    });
    const chat = await read(CHAT_FILE);
    const io = user();
    expect(await cli(["accept"], io)).toBe(1);
    expect(io.err).toMatch(
      new RegExp(`^apigw-drift: ${CHAT_FILE}: reading API ${CHAT} failed: .*not allowed`),
    );
    expect(io.out).toContain(`${ORDERS_FILE}: lmb7k2q /timeoutInMillis: 10000 → 12345\n`);
    expect(await read(CHAT_FILE)).toBe(chat);
  });

  it("names a declared integration that is not live, and leaves its declaration", async () => {
    const file = join(cwd, ORDERS_FILE);
    await writeFile(
      file,
      (await read(ORDERS_FILE)).replace("integrations:\n", "integrations:\n  gone123: {}\n"),
    );
    const io = user();
    expect(await cli(["accept"], io)).toBe(0);
    expect(io.out).toBe(
      `left gone123 of API ${ORDERS}: it is declared but not live, and accept never removes a declaration\nnothing to accept: no declared field of the selected integrations differs from live\n`,
    );
  });

  it("fails before reading when a run cannot start: an unknown API, or no runtime", async () => {
    const io = user();
    expect(await cli(["accept", "--api", "nope"], io)).toBe(1);
    expect(io.err).toBe(`apigw-drift: API nope has no desired-state file; known APIs: ${ORDERS}, ${CHAT}\n`);
    const other = user();
    expect(await cli(["accept", "--account", "999999999999"], other)).toBe(1);
    expect(other.err).toBe(
      "apigw-drift: the run was told it acts in account 999999999999 (--account / APIGW_DRIFT_ACCOUNT), but its credentials act in account 123456789012; correct --account, or use that account's credentials. Nothing was read or changed\n",
    );
    const typo = user();
    expect(await cli(["accept", "--account", "12345"], typo)).toBe(1);
    expect(typo.err).toBe(
      'apigw-drift: APIGW_DRIFT_ACCOUNT must be a 12-digit AWS account id, not "12345"\n',
    );
    const broken = user();
    const runtime = () => Promise.reject(new Error("no credentials \x1b[2J"));
    expect(await main(["accept", "--desired", "desired-state"], broken, { runtime })).toBe(1);
    expect(broken.err).toBe("apigw-drift: no credentials \\x1b[2J\n");
  });

  it("never writes through a symbolic link swapped in for the file while it read the API", async () => {
    injectDrift(emulator, documents(desired));
    const file = join(cwd, ORDERS_FILE);
    const target = join(cwd, "elsewhere.yaml");
    const runtime = wrappedRuntime((gateway) =>
      tapGateway(gateway, (method) => {
        if (method !== "listIntegrations" || existsSync(target)) return;
        copyFileSync(file, target);
        rmSync(file);
        symlinkSync(target, file);
      }),
    );
    const io = user();
    expect(await main(["accept", "--api", ORDERS, "--desired", "desired-state"], io, { runtime })).toBe(1);
    expect(io.err).toBe(
      `${ORDERS_FILE} is a symbolic link; refusing to write through it. Remove the link or name another file.\n`,
    );
    expect(await readFile(target, "utf8")).toContain("timeoutInMillis: 10000");
  });

  it("says there is nothing to accept, and exits 0, when nothing drifted", async () => {
    const io = user();
    expect(await cli(["accept"], io)).toBe(0);
    expect(io.out).toBe(
      "nothing to accept: no declared field of the selected integrations differs from live\n",
    );
  });

  it("writes nothing and exits 1 when the desired state is invalid, or a file is a symbolic link", async () => {
    injectDrift(emulator, documents(desired));
    await writeFile(join(cwd, "desired-state", "broken.yaml"), "apiId: x\n");
    const io = user();
    expect(await cli(["accept"], io)).toBe(1);
    expect(io.err).toContain(
      "accept changes nothing until the desired state is valid (apigw-drift validate).",
    );
    await rm(join(cwd, "desired-state", "broken.yaml"));

    // A link never counts as desired state, so it is an error before any read.
    const target = join(cwd, "elsewhere.yaml");
    await cp(join(cwd, ORDERS_FILE), target);
    await rm(join(cwd, ORDERS_FILE));
    await symlink(target, join(cwd, ORDERS_FILE));
    const linked = user();
    expect(await cli(["accept"], linked)).toBe(1);
    expect(await readFile(target, "utf8")).toBe(
      await readFile(join("desired-state", "orders-http.yaml"), "utf8"),
    );
  });
});
