import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { type HistoryDeps, type HistoryOptions, runHistory } from "../../lib/cli/history.ts";
import type { CliIo } from "../../lib/cli/io.ts";
import { openEmbeddedStore } from "../../lib/history/embedded.ts";
import { historyFromEnvironment } from "../../lib/history/environment.ts";
import { DynamoHistory } from "../../lib/history/store.ts";
import { drifted, historyTable, sampleReport, startDynalite } from "../helpers/dynalite.ts";

let dynamo: Awaited<ReturnType<typeof startDynalite>>;
let table: string;
const NOW = Date.parse("2025-03-10T12:00:00.000Z");

beforeAll(async () => {
  dynamo = await startDynalite();
  vi.stubEnv("AWS_ENDPOINT_URL_DYNAMODB", dynamo.endpoint);
  vi.stubEnv("AWS_REGION", "eu-west-1");
  vi.stubEnv("AWS_ACCESS_KEY_ID", "test");
  vi.stubEnv("AWS_SECRET_ACCESS_KEY", "test");
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await dynamo.close();
});

const older = sampleReport("2025-03-08T09:00:00.000Z", [
  drifted("a1b2c3d4e5", "abc123"),
  { apiId: "a1b2c3d4e5", integrationId: "def456", status: "IN_SYNC", diffs: [] },
]);
const newer = sampleReport(
  "2025-03-10T06:30:00.000Z",
  [
    drifted("a1b2c3d4e5", "abc123", [
      {
        path: "/requestParameters/overwrite:header.authorization",
        kind: "changed",
        expected: "*** 1a2b3c",
        actual: "*** 9f8e7d",
      },
      { path: "/description", kind: "added", actual: "console edit" },
    ]),
    {
      apiId: "f6g7h8i9j0",
      integrationId: "xyz789",
      status: "FAILED",
      action: "update",
      diffs: [{ path: "/timeoutInMillis", kind: "removed", expected: 10000 }],
      error: { name: "BadRequestException", message: "Invalid timeout" },
    },
  ],
  { mode: "apply", runId: "7c0b6a52-3d1e-4f8a-9b2c-5e6d7f8a9b0c", desiredRevision: "9a8b7c6d5e4f" },
);

beforeEach(async () => {
  table = await historyTable(dynamo.client);
  const history = new DynamoHistory({ client: dynamo.client, tableName: table });
  await history.record(older);
  await history.record(newer);
});

function io(env: Record<string, string> = {}, cwd = process.cwd()): CliIo & { out: string; err: string } {
  const captured = {
    out: "",
    err: "",
    cwd,
    env: { DRIFT_HISTORY_TABLE: table, ...env },
    stdout: (t: string) => {
      captured.out += t;
    },
    stderr: (t: string) => {
      captured.err += t;
    },
  };
  return captured;
}

const deps: HistoryDeps = { now: () => NOW };
async function history(options: HistoryOptions, env?: Record<string, string>) {
  const out = io(env);
  const code = await runHistory(options, out, deps);
  return { code, out: out.out, err: out.err };
}

describe("apigw-drift history", () => {
  it("prints drift events as a JSON array, newest first, with the documented keys", async () => {
    const { code, out, err } = await history({ json: true });
    expect([code, err]).toEqual([0, ""]);
    const events = JSON.parse(out) as Record<string, unknown>[];
    // One run's events share `at`; the key orders them by API and integration, descending too.
    expect(events.map((e) => `${e.at} ${e.integrationId}`)).toEqual([
      "2025-03-10T06:30:00.000Z xyz789",
      "2025-03-10T06:30:00.000Z abc123",
      "2025-03-08T09:00:00.000Z abc123",
    ]);
    for (const e of events) {
      expect(Object.keys(e)).toEqual([
        "runId",
        "at",
        "mode",
        "desiredRevision",
        "apiId",
        "integrationId",
        "status",
        "action",
        "diffs",
        "error",
        "changedBy",
      ]);
    }
    expect(events[0]).toEqual({
      runId: newer.runId,
      at: "2025-03-10T06:30:00.000Z",
      mode: "apply",
      desiredRevision: "9a8b7c6d5e4f",
      apiId: "f6g7h8i9j0",
      integrationId: "xyz789",
      status: "FAILED",
      action: "update",
      diffs: [{ path: "/timeoutInMillis", kind: "removed", expected: 10000 }],
      error: { name: "BadRequestException", message: "Invalid timeout" },
      changedBy: null,
    });
    expect(events[1]?.diffs).toEqual(newer.integrations[0]?.diffs);
  });

  it("filters by API, integration, time and count", async () => {
    const ids = async (options: HistoryOptions) =>
      (
        JSON.parse((await history({ ...options, json: true })).out) as { at: string; integrationId: string }[]
      ).map((e) => `${e.at.slice(5, 10)} ${e.integrationId}`);
    expect(await ids({ api: "f6g7h8i9j0" })).toEqual(["03-10 xyz789"]);
    expect(await ids({ integration: "abc123" })).toEqual(["03-10 abc123", "03-08 abc123"]);
    expect(await ids({ api: "a1b2c3d4e5", integration: "abc123", since: "24h" })).toEqual(["03-10 abc123"]);
    expect(await ids({ until: "2025-03-09" })).toEqual(["03-08 abc123"]);
    expect(await ids({ since: "2025-03-08T09:00:00Z", until: "2025-03-08T09:00:00Z" })).toEqual([
      "03-08 abc123",
    ]);
    expect(await ids({ limit: 1 })).toEqual(["03-10 xyz789"]);
  });

  it("prints a readable table by default", async () => {
    const { code, out, err } = await history({ limit: 2 });
    expect(code).toBe(0);
    expect(out).toBe(
      [
        "AT                    MODE   API         INTEGRATION  STATUS   RUN       CHANGES",
        "2025-03-10 06:30:00Z  apply  f6g7h8i9j0  xyz789       FAILED   7c0b6a52  + /timeoutInMillis, ✗ BadRequestException: Invalid timeout",
        "2025-03-10 06:30:00Z  apply  a1b2c3d4e5  abc123       DRIFTED  7c0b6a52  ~ /requestParameters/overwrite:header.authorization, - /description",
        `2 drift events, newest first, from DynamoDB table ${table}`,
        "",
      ].join("\n"),
    );
    expect(err).toBe(
      "older ones may be recorded too: raise --limit, or narrow with --since, --until, --api, --integration, --account or --region\n",
    );
  });

  it("prints run records with --runs, as JSON or a table", async () => {
    const json = await history({ runs: true, json: true });
    const runs = JSON.parse(json.out) as { runId: string; status: string; events: number }[];
    expect(runs.map((r) => [r.runId, r.status, r.events])).toEqual([
      [newer.runId, newer.status, 2],
      [older.runId, "DRIFTED", 1],
    ]);
    const text = await history({ runs: true });
    expect(text.out).toBe(
      [
        "STARTED               MODE   STATUS   REVISION      RUN                                   EVENTS  INTEGRATIONS",
        "2025-03-10 06:30:00Z  apply  PARTIAL  9a8b7c6d5e4f  7c0b6a52-3d1e-4f8a-9b2c-5e6d7f8a9b0c  2       1 drifted, 1 failed",
        "2025-03-08 09:00:00Z  plan   DRIFTED  0123456789ab  run-2025-03-08T09:00:00.000Z          1       1 in sync, 1 drifted",
        `2 runs, newest first, from DynamoDB table ${table}`,
        "",
      ].join("\n"),
    );
  });

  it("says when nothing matches", async () => {
    expect((await history({ api: "nothing1", json: true })).out).toBe("[]\n");
    expect((await history({ api: "nothing1" })).out).toBe(
      `no drift events recorded in DynamoDB table ${table} match\n`,
    );
    expect((await history({ runs: true, until: "2025-01-01" })).out).toBe(
      `no runs recorded in DynamoDB table ${table} match\n`,
    );
  });

  it.each([
    [
      { since: "yesterday" },
      `--since takes an ISO-8601 date (2025-01-31), date and time (2025-01-31T12:00:00Z) or a duration back from now (30m, 24h, 7d, 2w), not "yesterday"`,
    ],
    [
      { until: "2025-02-30" },
      `--until takes an ISO-8601 date (2025-01-31), date and time (2025-01-31T12:00:00Z) or a duration back from now (30m, 24h, 7d, 2w), not "2025-02-30"`,
    ],
    [
      { since: "1d", until: "2d" },
      "--since (2025-03-09T12:00:00.000Z) is after --until (2025-03-08T12:00:00.000Z): nothing can match",
    ],
    [{ limit: 0 }, "--limit takes a whole number ≥ 1, not 0"],
    [
      { runs: true, api: "a1b2c3d4e5" },
      "--runs lists whole runs; --api and --integration filter drift events only",
    ],
  ] as [HistoryOptions, string][])("exits 1 on %o with a clear message", async (options, message) => {
    const { code, out, err } = await history(options);
    expect([code, out, err]).toEqual([1, "", `error: ${message}\n`]);
  });

  it("exits 1 naming the table when it cannot be read", async () => {
    const { code, err } = await history({}, { DRIFT_HISTORY_TABLE: "no-such-table" });
    expect(code).toBe(1);
    expect(err).toMatch(
      /^error: reading drift history from table no-such-table failed: ResourceNotFoundException/,
    );
  });

  it("exits 1 on a bad retention setting", async () => {
    const { code, err } = await history({}, { DRIFT_HISTORY_RETENTION_DAYS: "ninety" });
    expect([code, err]).toEqual([
      1,
      'error: DRIFT_HISTORY_RETENTION_DAYS must be a whole number of days ≥ 1, not "ninety"; unset it for the default of 90\n',
    ]);
  });
});

describe("apigw-drift history on the embedded store", () => {
  let cwd: string;
  beforeEach(async () => {
    cwd = await mkdtemp(join(tmpdir(), "apigw-drift-cli-"));
    return () => rm(cwd, { recursive: true, force: true });
  });

  it("reads the local store when no table is configured", async () => {
    const local = await historyFromEnvironment({}, cwd);
    await local.history.record(newer);
    await local.close();
    const out = io({}, cwd);
    out.env = {};
    expect(await runHistory({ json: true }, out, deps)).toBe(0);
    expect((JSON.parse(out.out) as unknown[]).length).toBe(2);
  });

  it("exits 1 with the busy message while another run holds the folder", async () => {
    const holder = await openEmbeddedStore({ cwd });
    try {
      const out = io({}, cwd);
      out.env = {};
      expect(await runHistory({}, out, deps)).toBe(1);
      expect(out.err).toMatch(/^error: another apigw-drift run is using \.apigw-drift\/ \(pid \d+ on /);
    } finally {
      await holder.close();
    }
  });
});
