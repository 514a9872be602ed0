import { type DesiredStateError, formatError } from "../desired-state/errors.ts";
import { readDesiredFolder } from "../desired-state/folder.ts";
import { expiredIgnores } from "../desired-state/ignore.ts";
import { jsonText, terminal } from "../text/escape.ts";
import type { CliIo } from "./io.ts";

export interface ValidateOptions {
  desired: string;
  json?: boolean;
}

/**
 * `apigw-drift validate`: exit 0 when the whole desired state is valid, 1 with every error otherwise.
 * Ignore entries past their `until` day are warnings, not errors (exit 0): their fields are drift again.
 * `--json` prints the errors as a JSON array; warnings then go to stderr, one line each.
 */
export async function runValidate(options: ValidateOptions, io: CliIo, now = Date.now()): Promise<number> {
  const state = await readDesiredFolder(options.desired, { cwd: io.cwd });
  const errors = state.errors;
  const warnings = expiredIgnores(state.apis, now);
  if (options.json) {
    io.stdout(`${jsonText(errors)}\n`);
    for (const w of warnings) io.stderr(`${formatWarning(w)}\n`);
  } else if (errors.length > 0) {
    for (const e of errors) io.stdout(`${formatError(e)}\n`);
    for (const w of warnings) io.stdout(`${formatWarning(w)}\n`);
    const files = new Set(errors.map((e) => e.file)).size;
    io.stderr(
      `\n${errors.length} error${errors.length === 1 ? "" : "s"} in ${files} file${files === 1 ? "" : "s"}; nothing will be applied until all are fixed.\n`,
    );
  } else {
    for (const w of warnings) io.stdout(`${formatWarning(w)}\n`);
    const integrations = state.apis.reduce((n, a) => n + a.integrationIds.length, 0);
    const warned = warnings.length > 0 ? ` (${count(warnings.length, "warning")})` : "";
    io.stdout(
      `valid: ${count(state.apis.length, "API")}, ${count(integrations, "integration")} in ${terminal(options.desired)}${warned}\n`,
    );
  }
  return errors.length === 0 ? 0 : 1;
}

/** `file:line:col pointer warning: message`: the error form, which the CI problem matcher reads as a warning. */
export function formatWarning(w: DesiredStateError): string {
  return formatError({ ...w, message: `warning: ${w.message}` });
}

function count(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}
