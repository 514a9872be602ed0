import { formatError } from "../desired-state/errors.ts";
import { readDesiredFolder } from "../desired-state/folder.ts";
import { jsonText, terminal } from "../text/escape.ts";
import type { CliIo } from "./io.ts";

export interface ValidateOptions {
  desired: string;
  json?: boolean;
}

/** `apigw-drift validate`: exit 0 when the whole desired state is valid, 1 with every error otherwise. */
export async function runValidate(options: ValidateOptions, io: CliIo): Promise<number> {
  const state = await readDesiredFolder(options.desired, { cwd: io.cwd });
  const errors = state.errors;
  if (options.json) {
    io.stdout(`${jsonText(errors)}\n`);
  } else if (errors.length > 0) {
    for (const e of errors) io.stdout(`${formatError(e)}\n`);
    const files = new Set(errors.map((e) => e.file)).size;
    io.stderr(
      `\n${errors.length} error${errors.length === 1 ? "" : "s"} in ${files} file${files === 1 ? "" : "s"}; nothing will be applied until all are fixed.\n`,
    );
  } else {
    const integrations = state.apis.reduce((n, a) => n + a.integrationIds.length, 0);
    io.stdout(
      `valid: ${state.apis.length} API${state.apis.length === 1 ? "" : "s"}, ${integrations} integrations in ${terminal(options.desired)}\n`,
    );
  }
  return errors.length === 0 ? 0 : 1;
}
