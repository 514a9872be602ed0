import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CliIo } from "../../../lib/cli/io.ts";
import { main } from "../../../lib/cli/main.ts";
import type { Report } from "../../../lib/plan/report.ts";
import { expectNothingForged } from "../../helpers/hostile.ts";

const USAGE = "(run apigw-drift --help for usage)\n";
const WHEN =
  "takes an ISO-8601 date (2025-01-31), date and time (2025-01-31T12:00:00Z) or a duration back from now (30m, 24h, 7d, 2w)";
const RUN_ID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/g;
const INVALID = "\n1 error in 1 file; nothing will be applied until all are fixed.\n";
const SYMLINK =
  "is a symbolic link, which is never followed (it could point outside the folder); put the file itself in its place, or remove the link";
const EMPTY = "file is empty; write an API's desired state (apiId, protocol, integrations)";

/** A command line a user might get wrong, and exactly what they see: every one exits 1. */
const CASES: [string, string[], { stdout?: string; stderr?: string }][] = [
  // Unknown commands and flags.
  ["an unknown command", ["frobnicate"], { stderr: `error: unknown command 'frobnicate'\n${USAGE}` }],
  ["an unknown flag", ["plan", "--frobnicate"], { stderr: `error: unknown option '--frobnicate'\n${USAGE}` }],
  [
    "a flag in the wrong case",
    ["apply", "--Max-Updates", "3"],
    { stderr: `error: unknown option '--Max-Updates'\n(Did you mean --max-updates?)\n${USAGE}` },
  ],
  [
    "a flag of another command",
    ["apply", "--detailed-exitcode"],
    { stderr: `error: unknown option '--detailed-exitcode'\n${USAGE}` },
  ],
  [
    "--markdown on validate",
    ["validate", "--markdown"],
    { stderr: `error: unknown option '--markdown'\n${USAGE}` },
  ],
  [
    "a stray argument",
    ["plan", "desired-state"],
    { stderr: `error: too many arguments for 'plan'. Expected 0 arguments but got 1.\n${USAGE}` },
  ],
  // Bad numbers.
  [
    "a negative --max-deletes",
    ["apply", "--max-deletes", "-1"],
    {
      stderr: `error: option '--max-deletes <n>' argument '-1' is invalid. --max-deletes takes a whole number ≥ 0, not "-1"\n${USAGE}`,
    },
  ],
  [
    "a fractional --max-updates",
    ["apply", "--max-updates", "1.5"],
    {
      stderr: `error: option '--max-updates <n>' argument '1.5' is invalid. --max-updates takes a whole number ≥ 0, not "1.5"\n${USAGE}`,
    },
  ],
  [
    "a hexadecimal --max-updates",
    ["plan", "--max-updates", "0x10"],
    {
      stderr: `error: option '--max-updates <n>' argument '0x10' is invalid. --max-updates takes a whole number ≥ 0, not "0x10"\n${USAGE}`,
    },
  ],
  [
    "--rate 0",
    ["plan", "--rate", "0"],
    {
      stderr: `error: option '--rate <n>' argument '0' is invalid. --rate takes a number of requests per second > 0, not "0"\n${USAGE}`,
    },
  ],
  [
    "--rate fast",
    ["apply", "--rate", "fast"],
    {
      stderr: `error: option '--rate <n>' argument 'fast' is invalid. --rate takes a number of requests per second > 0, not "fast"\n${USAGE}`,
    },
  ],
  [
    "a negative --rate",
    ["plan", "--rate", "-5"],
    {
      stderr: `error: option '--rate <n>' argument '-5' is invalid. --rate takes a number of requests per second > 0, not "-5"\n${USAGE}`,
    },
  ],
  [
    "--concurrency 0",
    ["apply", "--concurrency", "0"],
    {
      stderr: `error: option '--concurrency <n>' argument '0' is invalid. --concurrency takes a whole number ≥ 1, not "0"\n${USAGE}`,
    },
  ],
  [
    "--limit 0",
    ["history", "--limit", "0"],
    {
      stderr: `error: option '--limit <n>' argument '0' is invalid. --limit takes a whole number ≥ 1, not "0"\n${USAGE}`,
    },
  ],
  [
    "--limit ten (says ≥ 1, what --limit takes)",
    ["history", "--limit", "ten"],
    {
      stderr: `error: option '--limit <n>' argument 'ten' is invalid. --limit takes a whole number ≥ 1, not "ten"\n${USAGE}`,
    },
  ],
  // Missing option values.
  [
    "--api without its id",
    ["plan", "--api"],
    { stderr: `error: option '--api <id>' argument missing\n${USAGE}` },
  ],
  [
    "--max-updates without its number",
    ["apply", "--max-updates"],
    { stderr: `error: option '--max-updates <n>' argument missing\n${USAGE}` },
  ],
  [
    "--desired without its folder",
    ["validate", "--desired"],
    { stderr: `error: option '--desired <dir>' argument missing\n${USAGE}` },
  ],
  [
    "import --api without its id",
    ["import", "--api"],
    { stderr: `error: option '--api <id>' argument missing\n${USAGE}` },
  ],
  [
    "import without --api",
    ["import"],
    { stderr: `error: required option '--api <id>' not specified\n${USAGE}` },
  ],
  // Conflicting or impossible options.
  [
    "--json with --markdown",
    ["plan", "--json", "--markdown"],
    { stderr: `error: option '--json' cannot be used with option '--markdown'\n${USAGE}` },
  ],
  [
    "history --since yesterday",
    ["history", "--since", "yesterday"],
    { stderr: `error: --since ${WHEN}, not "yesterday"\n` },
  ],
  [
    "history --until tomorrow",
    ["history", "--until", "tomorrow"],
    { stderr: `error: --until ${WHEN}, not "tomorrow"\n` },
  ],
  [
    "--since after --until",
    ["history", "--since", "2025-02-01", "--until", "2025-01-01"],
    {
      stderr:
        "error: --since (2025-02-01T00:00:00.000Z) is after --until (2025-01-01T23:59:59.999Z): nothing can match\n",
    },
  ],
  [
    "--runs with --api",
    ["history", "--runs", "--api", "a1b2c3d4e5"],
    { stderr: "error: --runs lists whole runs; --api and --integration filter drift events only\n" },
  ],
  [
    "--runs with --integration",
    ["history", "--runs", "--integration", "lmb7k2q"],
    { stderr: "error: --runs lists whole runs; --api and --integration filter drift events only\n" },
  ],
  // Missing folders: validate says so; plan and apply fail the run before any AWS call.
  [
    "validate with a missing folder",
    ["validate", "--desired", "no-such-dir"],
    {
      stdout:
        "no-such-dir:1:1 / folder no-such-dir does not exist; pass the desired-state folder with --desired\n",
      stderr: "\n1 error in 1 file; nothing will be applied until all are fixed.\n",
    },
  ],
  [
    "validate with a file instead of a folder",
    ["validate", "--desired", "api.yaml"],
    {
      stdout: "api.yaml:1:1 / api.yaml is not a folder; pass the desired-state folder with --desired\n",
      stderr: "\n1 error in 1 file; nothing will be applied until all are fixed.\n",
    },
  ],
  [
    "plan with a missing folder",
    ["plan", "--desired", "no-such-dir"],
    {
      stdout: [
        "apigw-drift plan · desired revision test-revision · run RUN",
        "",
        "Error: no-such-dir:1:1 / folder no-such-dir does not exist; pass the desired-state folder with --desired",
        "",
        "Plan: 0 to update, 0 to delete, 0 missing, 0 in sync, 0 unmanaged.",
        "Status: FAILED",
        "",
      ].join("\n"),
    },
  ],
  [
    "apply with a missing folder",
    ["apply", "--desired", "no-such-dir"],
    {
      stdout: [
        "apigw-drift apply · desired revision test-revision · run RUN",
        "",
        "Error: no-such-dir:1:1 / folder no-such-dir does not exist; pass the desired-state folder with --desired",
        "",
        "Apply: 0 updated, 0 deleted, 0 failed, 0 deferred, 0 missing, 0 in sync.",
        "Status: FAILED",
        "",
      ].join("\n"),
    },
  ],
  [
    "apply with an empty folder",
    ["apply", "--desired", "empty"],
    {
      stdout: [
        "apigw-drift apply · desired revision test-revision · run RUN",
        "",
        "Error: empty:1:1 / no *.yaml or *.yml files in empty; write one file per API (see the README)",
        "",
        "Apply: 0 updated, 0 deleted, 0 failed, 0 deferred, 0 missing, 0 in sync.",
        "Status: FAILED",
        "",
      ].join("\n"),
    },
  ],
  [
    "a pull-request plan given a file instead of a folder",
    ["plan", "--desired", "api.yaml", "--markdown", "--no-history"],
    {
      stdout: [
        "### apigw-drift plan: FAILED",
        "",
        "Desired revision `test-revision` · run `RUN`",
        "",
        "Nothing was compared: the run stopped before reading any integration (see the errors below).",
        "",
        "> **Error**: api.yaml:1:1 / api.yaml is not a folder; pass the desired-state folder with --desired",
        "",
        "0 in sync · 0 drifted · 0 updated · 0 missing · 0 failed · 0 deleted",
        "",
      ].join("\n"),
    },
  ],
  // Hostile text on the command line: quoted back escaped, never as a line of its own.
  [
    "an unknown flag holding a newline and a workflow command",
    ["plan", "--x\n::error::forged"],
    { stderr: `error: unknown option '--x\\n::error::forged'\n${USAGE}` },
  ],
  [
    "an unknown command holding an escape sequence",
    ["\u001b[2Jfrob"],
    { stderr: `error: unknown command '\\x1b[2Jfrob'\n${USAGE}` },
  ],
  [
    "a --since holding a newline",
    ["history", "--since", "1d\n::error::forged"],
    { stderr: `error: --since ${WHEN}, not "1d\\n::error::forged"\n` },
  ],
  [
    "a --desired folder named like a workflow command",
    ["validate", "--desired", "::error::forged"],
    {
      stdout:
        "\\x3a:error::forged:1:1 / folder ::error::forged does not exist; pass the desired-state folder with --desired\n",
      stderr: INVALID,
    },
  ],
  // Desired-state folders that are not one flat folder of regular files.
  [
    "validate with a link in the folder",
    ["validate", "--desired", "linked"],
    { stdout: `linked/b.yaml:1:1 / ${SYMLINK}\n`, stderr: INVALID },
  ],
  [
    "plan with a link in the folder (the run fails before any call)",
    ["plan", "--desired", "linked"],
    {
      stdout: [
        "apigw-drift plan · desired revision test-revision · run RUN",
        "",
        `Error: linked/b.yaml:1:1 / ${SYMLINK}`,
        "",
        "Plan: 0 to update, 0 to delete, 0 missing, 0 in sync, 0 unmanaged.",
        "Status: FAILED",
        "",
      ].join("\n"),
    },
  ],
  [
    "validate with a file in a sub-folder",
    ["validate", "--desired", "nested"],
    {
      stdout:
        "nested/team/b.yaml:1:1 / is in a sub-folder, but the desired state is only the files directly in nested: move it up into nested, or out of the folder\n",
      stderr: INVALID,
    },
  ],
  [
    "validate with a FIFO in the folder",
    ["validate", "--desired", "fifo"],
    {
      stdout:
        "fifo/b.yaml:1:1 / is a named pipe (FIFO), not a regular file, and is never opened: remove it from fifo\n",
      stderr: INVALID,
    },
  ],
  [
    "validate with only dot-files in the folder",
    ["validate", "--desired", "dotfiles"],
    {
      stdout:
        "dotfiles:1:1 / no *.yaml or *.yml files in dotfiles; write one file per API (see the README)\n",
      stderr: INVALID,
    },
  ],
  [
    "validate with file names holding a newline, an escape sequence and a bidi override",
    ["validate", "--desired", "names"],
    {
      stdout: [
        `names/\\x1b]8;;evil\\x07x.yaml:1:1 / ${EMPTY}`,
        `names/a\\u202elmay.yaml:1:1 / ${EMPTY}`,
        `names/x\\n::error::forged.yaml:1:1 / ${EMPTY}`,
        "",
      ].join("\n"),
      stderr: "\n3 errors in 3 files; nothing will be applied until all are fixed.\n",
    },
  ],
];

let cwd: string;
beforeAll(async () => {
  cwd = await mkdtemp(join(tmpdir(), "apigw-drift-args-"));
  await writeFile(join(cwd, "api.yaml"), "apiId: a1b2c3d4e5\n");
  await mkdir(join(cwd, "empty"));
  const valid = "apiId: a1b2c3d4e5\nprotocol: HTTP\nintegrations: {}\n";
  for (const dir of ["linked", "nested/team", "fifo", "dotfiles", "names"]) {
    await mkdir(join(cwd, dir), { recursive: true });
  }
  await writeFile(join(cwd, "linked", "a.yaml"), valid);
  await symlink(join(cwd, "api.yaml"), join(cwd, "linked", "b.yaml"));
  await writeFile(join(cwd, "nested", "a.yaml"), valid);
  await writeFile(join(cwd, "nested", "team", "b.yaml"), valid);
  await writeFile(join(cwd, "fifo", "a.yaml"), valid);
  execFileSync("mkfifo", [join(cwd, "fifo", "b.yaml")]);
  await writeFile(join(cwd, "dotfiles", ".a.yaml"), valid);
  await writeFile(join(cwd, "dotfiles", ".DS_Store"), "");
  for (const name of ["x\n::error::forged.yaml", "\u001b]8;;evil\u0007x.yaml", "a\u202elmay.yaml"]) {
    await writeFile(join(cwd, "names", name), "");
  }
});
afterAll(async () => {
  await rm(cwd, { recursive: true, force: true });
});

/** Runs the CLI with AWS and history that only record that they were asked for. */
async function cli(argv: string[]) {
  const touched: string[] = [];
  const io: CliIo & { out: string; err: string } = {
    out: "",
    err: "",
    cwd,
    env: { DESIRED_REVISION: "test-revision", APIGW_DRIFT_ACCOUNT: "123456789012" },
    stdout: (t) => {
      io.out += t;
    },
    stderr: (t) => {
      io.err += t;
    },
  };
  const code = await main(argv, io, {
    runtime: async () => {
      touched.push("aws");
      throw new Error("the CLI built an AWS client");
    },
    history: {
      open: async () => {
        touched.push("history");
        throw new Error("the CLI opened history");
      },
    },
  });
  return { code, out: io.out.replaceAll(RUN_ID, "RUN"), err: io.err, touched };
}

describe("apigw-drift on the bad-argument corpus", () => {
  it.each(CASES)(
    "exits 1 on %s, with exactly what to fix, touching neither AWS nor history",
    async (_n, argv, want) => {
      const got = await cli(argv);
      expect({ code: got.code, stdout: got.out, stderr: got.err }).toEqual({
        code: 1,
        stdout: want.stdout ?? "",
        stderr: want.stderr ?? "",
      });
      expect(got.touched).toEqual([]);
      expectNothingForged(got.out + got.err);
    },
  );

  it("prints the package's version with --version, and exits 0", async () => {
    const { version } = JSON.parse(await readFile("package.json", "utf8")) as { version: string };
    const got = await cli(["--version"]);
    expect({ code: got.code, stdout: got.out, stderr: got.err }).toEqual({
      code: 0,
      stdout: `${version}\n`,
      stderr: "",
    });
  });

  it("lists the commands, the environment and the exit codes with --help, and exits 0", async () => {
    const got = await cli(["--help"]);
    expect({ code: got.code, stderr: got.err }).toEqual({ code: 0, stderr: "" });
    expect(got.out).toBe(HELP);
  });

  it("holds at least 15 cases", () => {
    expect(CASES.length).toBeGreaterThanOrEqual(15);
  });

  it("prints the usage on stderr and exits 1 when no command is given", async () => {
    const got = await cli([]);
    expect(got.code).toBe(1);
    expect(got.out).toBe("");
    expect(got.err).toMatch(/^Usage: apigw-drift \[options\] \[command\]\n/);
    expect(got.err).toContain("  validate [options]");
    expect(got.touched).toEqual([]);
  });

  it("reports a missing folder in the --json report, with no API call counted", async () => {
    const got = await cli(["apply", "--desired", "no-such-dir", "--json"]);
    expect(got.code).toBe(1);
    const report = JSON.parse(got.out) as Report;
    expect(report).toMatchObject({ mode: "apply", status: "FAILED", integrations: [], apiCalls: {} });
    expect(report.errors).toEqual([
      {
        file: "no-such-dir",
        line: 1,
        column: 1,
        pointer: "",
        message: "folder no-such-dir does not exist; pass the desired-state folder with --desired",
      },
    ]);
    expect(got.touched).toEqual([]);
  });
});

const HELP = `Usage: apigw-drift [options] [command]

Drift detection and config sync for Amazon API Gateway v2 integrations

Options:
  -V, --version       print the version and exit
  -h, --help          display help for command

Commands:
  validate [options]  check every desired-state file, offline; exit 0 valid, 1
                      invalid
  plan [options]      show the drift between desired state and live
                      integrations; changes nothing
  apply [options]     fix drift with UpdateIntegration (and prune, where a file
                      says so); exit 0 only when all is reconciled
  import [options]    write a desired-state file from a live API, for adoption;
                      a plan right after it is in sync
  accept [options]    write the live values of drifted fields into the
                      desired-state files, keeping their comments and formatting
  history [options]   drift events (or --runs) recorded by plan and apply,
                      newest first
  report [options]    write drift history as one self-contained HTML page: a
                      chart, who changed what, time to revert
  probe [options]     settle, on a sandbox account, the service behaviours
                      apigw-drift cannot source; without --yes it only prints
                      its plan and the IAM policy it needs
  help [command]      display help for command

Environment:
  AWS_REGION, AWS_PROFILE        Region and credentials, through the AWS SDK's standard chain
                                 (AWS_ACCESS_KEY_ID and the other AWS_* variables work too)
  AWS_ENDPOINT_URL_APIGATEWAYV2  another API Gateway endpoint (the emulator, for one)
  AWS_ENDPOINT_URL_DYNAMODB      another DynamoDB endpoint, for DRIFT_HISTORY_TABLE
  AWS_ENDPOINT_URL_CLOUDTRAIL    another CloudTrail endpoint, for who changed drift (attribution)
  DRIFT_HISTORY_TABLE            the DynamoDB table of drift history; unset: the local store in
                                 ./.apigw-drift/
  DRIFT_HISTORY_RETENTION_DAYS   days history items are kept (default 90)
  APIGW_DRIFT_ACCOUNT            the AWS account the run acts in, for files that name one (as --account)
  APIGW_DRIFT_REDACTION_KEY      the key of the hash shown for redacted values; set your own
  APIGW_DRIFT_PROBE_RESULT       a probe --json result for plan and apply (as --probe-result)
  DESIRED_REVISION               the desired revision to record (default: the folder's git commit)
  NO_COLOR                       no colour in the human output

Exit codes:
  validate   0 valid, 1 invalid
  plan       0 read (drift or not), 1 error; with --detailed-exitcode 0 in sync, 2 drift, 1 error
  apply      0 all reconciled (or nothing to do), 1 anything left, failed or refused
  import     0 written, 1 nothing written
  accept     0 written (or nothing to accept), 1 an error (a file it could not validate or write is
             left as it was)
  history    0 read (even when nothing matches), 1 a bad option or unreadable history
  report     0 written, 1 a bad option, unreadable history or a file it cannot write
  probe      0 ran (or printed its plan), 1 could not run or left a scratch API behind,
             130 interrupted (after deleting its scratch APIs)
  all        1 a usage error; 130 interrupted (SIGINT/SIGTERM)
`;
