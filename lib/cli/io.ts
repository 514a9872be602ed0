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
}

export function processIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    cwd: process.cwd(),
    env: process.env,
    color: process.stdout.isTTY === true && !process.env.NO_COLOR,
    columns: process.stdout.isTTY ? process.stdout.columns : undefined,
  };
}
