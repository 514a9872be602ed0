import { terminalLines } from "../text/escape.ts";
import { processIo } from "./io.ts";
import { main } from "./main.ts";

main(process.argv.slice(2), processIo()).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      // A bug's stack: its message may quote untrusted text, so each of its lines is escaped.
      `apigw-drift: ${terminalLines(error instanceof Error ? (error.stack ?? error.message) : String(error))}\n`,
    );
    process.exitCode = 1;
  },
);
