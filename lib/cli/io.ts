import { jsonTextChunks } from "../text/escape.ts";

/** Where the CLI writes: injected so tests read what a user would see. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** The working directory relative paths resolve against. */
  cwd: string;
  env: Record<string, string | undefined>;
  /** Colour the human output: stdout is a terminal and NO_COLOR is not set. */
  color?: boolean;
  /** The terminal's width, for wrapping --help; undefined (80) when stdout is not a terminal. */
  columns?: number;
  /** Aborted by SIGINT or SIGTERM: a run starts no new write, finishes those in flight, and reports. */
  interrupt?: AbortSignal;
}

/**
 * A report as `--json` prints it, written in pieces of about 64 KiB: stdout to a pipe or a file is
 * synchronous on Linux, so the report's text is never held whole (tens of MB for 50,000 integrations).
 */
export function writeJson(value: unknown, io: Pick<CliIo, "stdout">): void {
  let buffered = "";
  for (const chunk of jsonTextChunks(value)) {
    buffered += chunk;
    if (buffered.length >= 65_536) {
      io.stdout(buffered);
      buffered = "";
    }
  }
  io.stdout(`${buffered}\n`);
}

export function processIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    cwd: process.cwd(),
    env: process.env,
    color: process.stdout.isTTY === true && !process.env.NO_COLOR,
    columns: process.stdout.isTTY ? process.stdout.columns : undefined,
    interrupt: interruptSignal(),
  };
}

/**
 * SIGINT and SIGTERM (Ctrl-C, CI cancellation, `timeout`) abort the returned signal: the run starts no
 * new write, lets those in flight finish, prints its report, records history and lets go of its lease.
 * A second signal exits at once with 130; the write-ahead history lets the next apply settle what that
 * run had in flight.
 */
function interruptSignal(): AbortSignal {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      process.stderr.write(
        `apigw-drift: ${signal} again: exiting now; the next apply settles what was in flight\n`,
      );
      process.exit(130);
    }
    process.stderr.write(
      `apigw-drift: ${signal}: no new write starts; finishing those in flight and recording them (${signal} again to exit now)\n`,
    );
    controller.abort(new Error(`interrupted by ${signal}`));
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return controller.signal;
}
