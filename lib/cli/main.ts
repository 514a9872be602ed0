import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import type { Mode } from "../plan/report.ts";
import { terminal } from "../text/escape.ts";
import { type AcceptOptions, runAccept } from "./accept.ts";
import { type HistoryDeps, type HistoryOptions, runHistory } from "./history.ts";
import { runImport } from "./import.ts";
import type { CliIo } from "./io.ts";
import {
  PROBE_MAX_RATE,
  PROBE_RATE,
  type ProbeCliOptions,
  type ProbeDeps,
  runProbeCommand,
} from "./probe.ts";
import { type ReportOptions, runReport } from "./report.ts";
import { type RunOptions, type RuntimeFactory, runReconcile } from "./run.ts";
import { runValidate } from "./validate.ts";
import { packageVersion } from "./version.ts";

/** Extra dependencies tests inject; the CLI's real ones by default. */
export interface CliDeps {
  /** Builds the runtime of plan, apply and import (lib/runtime); tests wrap it to watch the calls. */
  runtime?: RuntimeFactory;
  history?: HistoryDeps;
  probe?: ProbeDeps;
}

/** Runs the CLI with `argv` (without the node and script entries) and resolves to its exit code. */
export async function main(argv: readonly string[], io: CliIo, deps: CliDeps = {}): Promise<number> {
  let exitCode = 0;
  const program = new Command()
    .name("apigw-drift")
    .description("Drift detection and config sync for Amazon API Gateway v2 integrations")
    .version(packageVersion(), "-V, --version", "print the version and exit")
    .exitOverride()
    .configureOutput({
      writeOut: io.stdout,
      writeErr: io.stderr,
      outputError: (text, write) => write(usageError(text)),
      getOutHelpWidth: () => io.columns ?? 80,
      getErrHelpWidth: () => io.columns ?? 80,
    })
    .showHelpAfterError("(run apigw-drift --help for usage)")
    .addHelpText("after", HELP_AFTER);

  program
    .command("validate")
    .description("check every desired-state file, offline; exit 0 valid, 1 invalid")
    .option("--desired <dir>", "the desired-state folder", "desired-state")
    .option("--json", "print the errors as JSON")
    .action(async (options: { desired: string; json?: boolean }) => {
      exitCode = await runValidate(options, io);
    });

  for (const mode of ["plan", "apply"] as const satisfies Mode[]) {
    const command = program
      .command(mode)
      .description(
        mode === "plan"
          ? "show the drift between desired state and live integrations; changes nothing"
          : "fix drift with UpdateIntegration (and prune, where a file says so); exit 0 only when all is reconciled",
      );
    reconcileOptions(command);
    if (mode === "plan") {
      command.option("--detailed-exitcode", "exit 0 in sync, 2 drift, 1 error (as terraform plan)");
    }
    command.action(async (options: RunOptions) => {
      exitCode = await runReconcile(mode, options, io, deps.runtime, deps.history);
    });
  }

  program
    .command("import")
    .description("write a desired-state file from a live API, for adoption; a plan right after it is in sync")
    .requiredOption("--api <id>", "the API to import")
    .option("--out <file>", "where to write it ('-' for stdout; default <desired>/<apiId>.yaml)")
    .option("--desired <dir>", "the desired-state folder", "desired-state")
    .option("--force", "overwrite an existing file")
    .option(
      "--account <id>",
      "the AWS account id to record as the file's guard (or APIGW_DRIFT_ACCOUNT)",
      accountId,
    )
    .action(async (options: Parameters<typeof runImport>[0]) => {
      exitCode = await runImport(options, io, deps.runtime);
    });

  program
    .command("accept")
    .description(
      "write the live values of drifted fields into the desired-state files, keeping their comments and formatting",
    )
    .option("--desired <dir>", "the desired-state folder", "desired-state")
    .option("--api <id>", "only this API (repeatable)", collect)
    .option("--integration <id>", "only this integration (repeatable)", collect)
    .option(
      "--account <id>",
      "the AWS account this run acts in, for files that name one (or APIGW_DRIFT_ACCOUNT)",
    )
    .action(async (options: AcceptOptions) => {
      exitCode = await runAccept(options, io, deps.runtime);
    });

  program
    .command("history")
    .description("drift events (or --runs) recorded by plan and apply, newest first")
    .option("--api <id>", "only this API")
    .option("--integration <id>", "only this integration")
    .option("--since <when>", "ISO-8601 date/time, or a duration back from now (30m, 24h, 7d, 2w)")
    .option("--until <when>", "ISO-8601 date/time (a date means its end), or a duration")
    .option("--limit <n>", "at most this many (default 50)", positiveCount("--limit"))
    .option("--account <id>", "only what runs in this AWS account recorded (a fleet's target)")
    .option("--region <name>", "only what runs in this Region recorded (a fleet's target)")
    .option("--runs", "run records instead of drift events")
    .option("--json", "print a JSON array")
    .action(async (options: HistoryOptions) => {
      exitCode = await runHistory(options, io, deps.history);
    });

  program
    .command("report")
    .description(
      "write drift history as one self-contained HTML page: a chart, who changed what, time to revert",
    )
    .requiredOption("--html <file>", "the HTML file to write (replaced atomically; never through a symlink)")
    .option("--since <when>", "ISO-8601 date/time, or a duration back from now (default 30d)")
    .option("--until <when>", "ISO-8601 date/time (a date means its end), or a duration (default now)")
    .option("--api <id>", "only this API")
    .action(async (options: ReportOptions) => {
      exitCode = await runReport(options, io, deps.history);
    });

  program
    .command("probe")
    .description(
      "settle, on a sandbox account, the service behaviours apigw-drift cannot source; without --yes it only prints its plan and the IAM policy it needs",
    )
    .option("--yes", "run it: creates its own scratch APIs (apigw-drift-probe-*) and deletes them")
    .option("--vpc-link <id>", "a VPC link, for the tlsConfig experiment (skipped without)")
    .option("--vpc-link-uri <arn>", "the load balancer listener (or Cloud Map service) ARN behind --vpc-link")
    .option("--account <id>", "the account, for the placeholder role's ARN (or APIGW_DRIFT_ACCOUNT)")
    .option("--clean-all", "delete every scratch API an earlier probe left, however young")
    .option(
      "--rate <n>",
      `requests per second, at most ${PROBE_MAX_RATE} (default ${PROBE_RATE})`,
      rate(PROBE_MAX_RATE),
    )
    .option("--json", "print the result as JSON (PRODUCT §11), for plan --probe-result and the emulator")
    .action(async (options: ProbeCliOptions) => {
      exitCode = await runProbeCommand(options, io, deps.probe);
    });

  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version exit 0; every usage error is 1, as documented.
      return e.exitCode === 0 ? 0 : 1;
    }
    throw e;
  }
  return exitCode;
}

/**
 * A usage error from commander, escaped: it quotes the command line, which a CI job may build from a branch
 * name or a pull request's title. Its one line break of its own is before a "(Did you mean …?)"; any other
 * is the argument's, and is shown as `\n`.
 */
function usageError(text: string): string {
  const SUGGESTION = "\n(Did you mean ";
  return `${text.replace(/\n$/, "").split(SUGGESTION).map(terminal).join(SUGGESTION)}\n`;
}

/** What `--help` adds after the commands: the environment the CLI reads and what its exit codes mean. */
export const HELP_AFTER = `
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
  all        1 a usage error; 130 interrupted (SIGINT/SIGTERM)`;

function reconcileOptions(command: Command): void {
  command
    .option("--desired <dir>", "the desired-state folder", "desired-state")
    .option("--api <id>", "only this API (repeatable)", collect)
    .option("--integration <id>", "only this integration (repeatable)", collect)
    .option(
      "--max-deletes <n>",
      "blast-radius limit on deletes for this run (default 5)",
      count("--max-deletes"),
    )
    .option(
      "--max-updates <n>",
      "blast-radius limit on updates for this run (default 100)",
      count("--max-updates"),
    )
    .option("--rate <n>", "client-side requests per second (default 10, the account's quota)", rate())
    .option("--concurrency <n>", "calls in flight at most (default 8)", positiveCount("--concurrency"))
    .option("--no-prune", "do not delete undeclared integrations in this run, whatever the files say")
    .option("--no-history", "record nothing (an apply still takes the lease): for pull-request plans")
    .option(
      "--account <id>",
      "cross-check: the AWS account the credentials must act in (or APIGW_DRIFT_ACCOUNT); the account itself comes from STS",
      accountId,
    )
    .option("--probe-result <file>", "a probe --json result: warn of updates it shows cannot work")
    .option("--no-attribution", "do not look up who changed drifted integrations in CloudTrail")
    .option(
      "--attribution-pages <n>",
      "CloudTrail LookupEvents pages this run may read to find who changed what (default 20)",
      positiveCount("--attribution-pages"),
    )
    .addOption(new Option("--json", "print the report as JSON").conflicts("markdown"))
    .option("--markdown", "print the report as a pull-request comment");
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function count(flag: string, least = 0) {
  return (value: string): number => {
    if (!/^\d+$/.test(value) || Number(value) < least)
      throw new InvalidArgumentError(`${flag} takes a whole number ≥ ${least}, not "${value}"`);
    return Number(value);
  };
}

/** As count, from 1: "--limit ten" must say what --limit takes, not what --max-deletes takes. */
function positiveCount(flag: string) {
  return count(flag, 1);
}

function rate(most = Number.POSITIVE_INFINITY) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+(\.\d+)?$/.test(value) || !(n > 0) || n > most) {
      const range = Number.isFinite(most) ? ` up to ${most}` : "";
      throw new InvalidArgumentError(
        `--rate takes a number of requests per second > 0${range}, not "${value}"`,
      );
    }
    return n;
  };
}

/** An AWS account id: twelve digits (quoted in YAML, since a leading zero is part of it). */
function accountId(value: string): string {
  if (!/^\d{12}$/.test(value)) {
    throw new InvalidArgumentError(`--account takes a 12-digit AWS account id, not "${value}"`);
  }
  return value;
}
