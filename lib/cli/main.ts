import { Command, CommanderError } from "commander";
import type { CliIo } from "./io.ts";
import { runValidate } from "./validate.ts";

/** Runs the CLI with `argv` (without the node and script entries) and resolves to its exit code. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  let exitCode = 0;
  const program = new Command()
    .name("apigw-drift")
    .description("Drift detection and config sync for Amazon API Gateway v2 integrations")
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError("(run apigw-drift --help for usage)");

  program
    .command("validate")
    .description("check every desired-state file, offline; exit 0 valid, 1 invalid")
    .option("--desired <dir>", "the desired-state folder", "desired-state")
    .option("--json", "print the errors as JSON")
    .action(async (options: { desired: string; json?: boolean }) => {
      exitCode = await runValidate(options, io);
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
