import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Emulator } from "../../emulator/server.ts";
import { createReconcileHandler } from "../../functions/reconcile/app.ts";
import { main } from "../../lib/cli/main.ts";
import { readDesiredFolder } from "../../lib/desired-state/folder.ts";
import type { Diff } from "../../lib/diff/diff.ts";
import { createRedactor } from "../../lib/diff/redact.ts";
import type { Report } from "../../lib/plan/report.ts";
import { captureOutput, handlerDeps, jsonLines, lambdaContext } from "../helpers/lambda-harness.ts";
import { captureIo, liveGateway, startWorld } from "../helpers/world.ts";

/**
 * Every secret value below, desired or live, contains SECRET-; no surface may show that text. The hash
 * key is the deployment's own (APIGW_DRIFT_REDACTION_KEY), so hashes are compared with the same key.
 */
const MARK = "SECRET-";
const KEY = "secrets-test-key";
const R = createRedactor(KEY);
const HTTP_API = "a1b2c3d4e5";
const WS_API = "w9x8y7z6v5";
const HOST = "orders.internal.example.com/{proxy}";

const DESIRED_HTTP = `apiId: ${HTTP_API}
protocol: HTTP
account: "123456789012"
region: eu-west-1
integrations:
  prx3m9a:
    integrationType: HTTP_PROXY
    integrationUri: https://svc:SECRET-D1-uri-password@${HOST}
    requestParameters:
      overwrite:header.authorization: Bearer SECRET-D2-auth
      append:querystring.api_key: SECRET-D3-api-key
      overwrite:header.x-forwarded-app: Bearer SECRET-D4-innocuous-name
      overwrite:header.x-session-token: SECRET-D5-session
      overwrite:header.x-env: prod
    responseParameters:
      "200":
        overwrite:header.set-cookie: sid=SECRET-D6-cookie
`;
const DESIRED_WS = `apiId: ${WS_API}
protocol: WEBSOCKET
account: "123456789012"
region: eu-west-1
integrations:
  msg5c6d:
    requestParameters:
      integration.request.header.x-api-key: "'SECRET-D7-ws-key'"
`;
/** What someone changed by hand in the console: every secret, one key added, one removed. */
const LIVE_HTTP = {
  integrationUri: `https://svc:SECRET-L1-uri-password@${HOST}`,
  requestParameters: {
    "overwrite:header.authorization": "Bearer SECRET-L2-auth",
    "append:querystring.api_key": "SECRET-L3-api-key",
    "overwrite:header.x-forwarded-app": "Bearer SECRET-L4-innocuous-name",
    "overwrite:header.x-env": "staging",
    "overwrite:header.cookie": "SECRET-L5-live-only-cookie",
  },
  responseParameters: { "200": { "overwrite:header.set-cookie": "sid=SECRET-L6-cookie" } },
};
const LIVE_WS = { requestParameters: { "integration.request.header.x-api-key": "'SECRET-L7-ws-key'" } };

/** The drift as every surface must show it: each secret as *** plus its keyed hash, the rest as is. */
const HTTP_DIFFS: Diff[] = [
  {
    path: "/integrationUri",
    kind: "changed",
    expected: `https://${R("svc:SECRET-D1-uri-password")}@${HOST}`,
    actual: `https://${R("svc:SECRET-L1-uri-password")}@${HOST}`,
  },
  {
    path: "/requestParameters/append:querystring.api_key",
    kind: "changed",
    expected: R("SECRET-D3-api-key"),
    actual: R("SECRET-L3-api-key"),
  },
  {
    path: "/requestParameters/overwrite:header.authorization",
    kind: "changed",
    expected: R("Bearer SECRET-D2-auth"),
    actual: R("Bearer SECRET-L2-auth"),
  },
  {
    path: "/requestParameters/overwrite:header.cookie",
    kind: "added",
    actual: R("SECRET-L5-live-only-cookie"),
  },
  { path: "/requestParameters/overwrite:header.x-env", kind: "changed", expected: "prod", actual: "staging" },
  {
    path: "/requestParameters/overwrite:header.x-forwarded-app",
    kind: "changed",
    expected: R("Bearer SECRET-D4-innocuous-name"),
    actual: R("Bearer SECRET-L4-innocuous-name"),
  },
  {
    path: "/requestParameters/overwrite:header.x-session-token",
    kind: "removed",
    expected: R("SECRET-D5-session"),
  },
  {
    path: "/responseParameters/200/overwrite:header.set-cookie",
    kind: "changed",
    expected: R("sid=SECRET-D6-cookie"),
    actual: R("sid=SECRET-L6-cookie"),
  },
];
const WS_DIFFS: Diff[] = [
  {
    path: "/requestParameters/integration.request.header.x-api-key",
    kind: "changed",
    expected: R("'SECRET-D7-ws-key'"),
    actual: R("'SECRET-L7-ws-key'"),
  },
];

let emulator: Emulator;
let close: () => Promise<void>;
let cwd: string;
let desiredDir: string;

beforeEach(async () => {
  ({ emulator, close } = await startWorld());
  cwd = await mkdtemp(join(tmpdir(), "apigw-drift-secrets-"));
  desiredDir = join(cwd, "desired");
  await mkdir(desiredDir);
  await writeFile(join(desiredDir, "orders.yaml"), DESIRED_HTTP);
  await writeFile(join(desiredDir, "chat.yaml"), DESIRED_WS);
  emulator.overwriteIntegration(HTTP_API, "prx3m9a", LIVE_HTTP);
  emulator.overwriteIntegration(WS_API, "msg5c6d", LIVE_WS);
});
afterEach(async () => {
  await close();
  vi.unstubAllEnvs();
  await rm(cwd, { recursive: true, force: true });
});

/** The CLI as a user runs it in `cwd` (history in the embedded store there). */
async function cli(args: string[]) {
  const io = captureIo({ APIGW_DRIFT_REDACTION_KEY: KEY }, cwd);
  const withDesired = args[0] === "history" ? args : [...args, "--desired", desiredDir];
  const code = await main(withDesired, io);
  return { code, out: io.out, err: io.err };
}

/** The sentence of the human output for a redacted diff, as `~ path: live → desired` prints it. */
function humanLine(d: Diff): string {
  const show = (v: unknown) => JSON.stringify(v);
  if (d.kind === "changed") return `~ ${d.path}: ${show(d.actual)} → ${show(d.expected)}`;
  return d.kind === "removed" ? `+ ${d.path}: ${show(d.expected)}` : `- ${d.path}: ${show(d.actual)}`;
}

describe("secret parameter values on every surface", () => {
  it("shows each secret in the --json report only as *** and a keyed hash, the change still visible", async () => {
    const { code, out, err } = await cli(["plan", "--json", "--no-history"]);
    expect(code).toBe(0);
    expect(out + err).not.toContain(MARK);
    const report = JSON.parse(out) as Report;
    expect(report.status).toBe("DRIFTED");
    expect(report.integrations.find((r) => r.integrationId === "prx3m9a")?.diffs).toEqual(HTTP_DIFFS);
    expect(report.integrations.find((r) => r.integrationId === "msg5c6d")?.diffs).toEqual(WS_DIFFS);
    for (const d of [...HTTP_DIFFS, ...WS_DIFFS].filter((x) => x.kind === "changed")) {
      expect(d.expected, d.path).not.toEqual(d.actual);
    }
  });

  it("redacts the human plan and apply output, line by line", async () => {
    const plan = await cli(["plan", "--no-history"]);
    expect(plan.out + plan.err).not.toContain(MARK);
    for (const d of [...HTTP_DIFFS, ...WS_DIFFS]) expect(plan.out).toContain(`      ${humanLine(d)}\n`);
    const apply = await cli(["apply", "--no-history"]);
    expect(apply.code).toBe(0);
    expect(apply.out + apply.err).not.toContain(MARK);
    expect(apply.out).toContain("  ~ prx3m9a  updated in place\n");
    for (const d of HTTP_DIFFS) expect(apply.out).toContain(`      ${humanLine(d)}\n`);
  });

  it("redacts the markdown pull-request comment", async () => {
    const { code, out } = await cli(["plan", "--markdown", "--no-history"]);
    expect(code).toBe(0);
    expect(out).not.toContain(MARK);
    const cell = (v: unknown) => (v === undefined ? "—" : `\`${JSON.stringify(v)}\``);
    for (const d of [...HTTP_DIFFS, ...WS_DIFFS]) {
      const change = { changed: "change", removed: "add", added: "remove" }[d.kind];
      expect(out).toContain(`| \`${d.path}\` | ${change} | ${cell(d.actual)} | ${cell(d.expected)} |`);
    }
  });

  it("stores only redacted diffs in history: history --json, the table and the run records", async () => {
    expect((await cli(["plan"])).code).toBe(0);
    expect((await cli(["apply"])).code).toBe(0);
    const events = await cli(["history", "--json"]);
    expect(events.code).toBe(0);
    expect(events.out).not.toContain(MARK);
    const recorded = JSON.parse(events.out) as { integrationId: string; status: string; diffs: Diff[] }[];
    expect(recorded.filter((e) => e.integrationId === "prx3m9a").map((e) => [e.status, e.diffs])).toEqual([
      ["UPDATED", HTTP_DIFFS],
      ["DRIFTED", HTTP_DIFFS],
    ]);
    expect(recorded.filter((e) => e.integrationId === "msg5c6d").map((e) => e.diffs)).toEqual([
      WS_DIFFS,
      WS_DIFFS,
    ]);
    for (const args of [["history"], ["history", "--runs", "--json"], ["history", "--api", HTTP_API]]) {
      const { code, out, err } = await cli(args);
      expect(code, args.join(" ")).toBe(0);
      expect(out + err, args.join(" ")).not.toContain(MARK);
    }
  });

  it("applies the real desired values, not their redactions", async () => {
    expect((await cli(["apply", "--no-history"])).code).toBe(0);
    const prx = emulator.getIntegration(HTTP_API, "prx3m9a");
    expect(prx?.integrationUri).toBe(`https://svc:SECRET-D1-uri-password@${HOST}`);
    expect(prx?.requestParameters).toEqual({
      "overwrite:header.authorization": "Bearer SECRET-D2-auth",
      "append:querystring.api_key": "SECRET-D3-api-key",
      "overwrite:header.x-forwarded-app": "Bearer SECRET-D4-innocuous-name",
      "overwrite:header.x-session-token": "SECRET-D5-session",
      "overwrite:header.x-env": "prod",
    });
    expect(prx?.responseParameters).toEqual({
      "200": { "overwrite:header.set-cookie": "sid=SECRET-D6-cookie" },
    });
    expect(emulator.getIntegration(WS_API, "msg5c6d")?.requestParameters).toEqual({
      "integration.request.header.x-api-key": "'SECRET-D7-ws-key'",
    });
    // The update on the wire carried the secret itself: redaction is for people, never for the service.
    const [update] = emulator.calls.filter({ operation: "UpdateIntegration", integrationId: "prx3m9a" });
    expect(JSON.stringify(update?.body)).toContain(
      '"overwrite:header.authorization":"Bearer SECRET-D2-auth"',
    );
    expect((await cli(["plan", "--detailed-exitcode", "--no-history"])).code).toBe(0);
  });

  it("keeps secrets out of the Lambda's logs, metrics and report while it applies the real values", async () => {
    const desired = await readDesiredFolder(desiredDir);
    const { deps, recorded } = handlerDeps({
      desired,
      gateway: () => {
        const live = liveGateway();
        return { gateway: live.gateway, apiCalls: () => live.stats.toRecord() };
      },
      env: { APIGW_DRIFT_REDACTION_KEY: KEY },
    });
    const handler = createReconcileHandler(deps);
    const { value: report, output } = await captureOutput(async () => {
      const r = await handler({ mode: "apply" }, lambdaContext());
      deps.metrics.publishStoredMetrics();
      return r;
    });
    expect(report?.status).toBe("RECONCILED");
    expect(output).not.toContain(MARK);
    expect(JSON.stringify(report)).not.toContain(MARK);
    expect(JSON.stringify(recorded)).not.toContain(MARK);
    const logged = jsonLines(output).filter((l) => l.message === "integration");
    expect(logged.map((l) => [l.integrationId, l.status, l.diffs])).toEqual([
      ["prx3m9a", "UPDATED", HTTP_DIFFS],
      ["msg5c6d", "UPDATED", WS_DIFFS],
    ]);
    expect(emulator.getIntegration(HTTP_API, "prx3m9a")?.requestParameters).toMatchObject({
      "overwrite:header.authorization": "Bearer SECRET-D2-auth",
    });
  });
});
