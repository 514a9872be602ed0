import { randomBytes } from "node:crypto";
import { link, lstat, mkdir, rename, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { classify, GatewayError } from "../apigateway/errors.ts";
import type { Gateway, LiveApi } from "../apigateway/gateway.ts";
import { formatError } from "../desired-state/errors.ts";
import { desiredFromLive, renderDesiredYaml, SECRET_PLACEHOLDER } from "../desired-state/from-live.ts";
import { loadDesiredFiles } from "../desired-state/load.ts";
import { describeError } from "../reconcile/failure.ts";
import { createRuntime } from "../runtime/runtime.ts";
import { terminal } from "../text/escape.ts";
import type { CliIo } from "./io.ts";
import { hasRegion, type RuntimeFactory } from "./run.ts";

export interface ImportOptions {
  api: string;
  out?: string;
  desired: string;
  force?: boolean;
  account?: string;
}

/** `import --api ID`: writes a desired-state file from live, for adoption; `--out -` prints it. */
export async function runImport(
  options: ImportOptions,
  io: CliIo,
  runtimeFactory: RuntimeFactory = createRuntime,
): Promise<number> {
  const say = (line: string) => io.stderr(`${line}\n`);
  const runtime = await runtimeFactory({});
  let api: LiveApi | undefined;
  let live: Awaited<ReturnType<Gateway["listIntegrations"]>>;
  let region: string | undefined;
  try {
    if (!(await hasRegion(runtime, io))) return 1;
    const { gateway } = runtime.services({ where: {} });
    api = await gateway.getApi(options.api);
    if (!api) {
      say(
        `API ${terminal(options.api)} does not exist in this account and Region; check the id and AWS_REGION`,
      );
      return 1;
    }
    live = await gateway.listIntegrations(api.apiId);
    region = await runtime.region();
  } catch (error) {
    // One line a person can act on, not a stack trace: what failed, the service's words, what to check.
    say(
      `cannot import API ${terminal(options.api)}: ${terminal(describeError(error).message)}; ${hint(error)}`,
    );
    return 1;
  } finally {
    await runtime.close();
  }
  const imported = desiredFromLive(api, live, {
    account: options.account ?? io.env.APIGW_DRIFT_ACCOUNT,
    region,
  });
  const out = options.out ?? join(options.desired, `${api.apiId}.yaml`);
  const text = renderDesiredYaml(imported.doc);
  // The file must be one the validator accepts; anything else would stop every run.
  const check = loadDesiredFiles([{ path: out, bytes: new TextEncoder().encode(text) }]);
  if (check.errors.length > 0) {
    say("the imported state does not validate; nothing was written:");
    for (const e of check.errors) say(formatError(e));
    return 1;
  }
  for (const s of imported.skipped) say(`skipped ${terminal(s.integrationId)}: ${terminal(s.reason)}`);
  if (imported.placeholders.length > 0) {
    const n = imported.placeholders.length;
    say(
      `left out ${n} secret value${n === 1 ? "" : "s"} (a file meant for git never holds one); each reads "${SECRET_PLACEHOLDER}", so the plan shows it as drift until you declare the real mapping (a stage variable or $request reference):`,
    );
    for (const p of imported.placeholders) say(`  ${terminal(p)}`);
  }
  if (out === "-") {
    io.stdout(text);
    return 0;
  }
  let refused: string | undefined;
  try {
    refused = await writeSafely(resolve(io.cwd, out), text, options.force === true);
  } catch (error) {
    refused = `cannot be written (${(error as Error).message}); check the folder and its permissions`;
  }
  if (refused) {
    say(`${terminal(out)} ${terminal(refused)}; nothing was written`);
    return 1;
  }
  const count = Object.keys(imported.doc.integrations).length;
  say(
    `wrote ${terminal(out)}: ${count} integration${count === 1 ? "" : "s"} of API ${terminal(api.apiId)} (${api.protocolType})`,
  );
  return 0;
}

/** What to check for a failed read, by the failure's class. */
function hint(error: unknown): string {
  switch (error instanceof GatewayError ? error.failure : classify(error)) {
    case "access-denied":
      return "check that the credentials (AWS_PROFILE, or the AWS_* keys) may call apigateway:GET on this API";
    case "throttling":
      return "the account's API Gateway request quota is exhausted; wait a minute and run it again";
    case "transient":
      return "the service or the network failed after retries; run it again, and check AWS_ENDPOINT_URL_APIGATEWAYV2 if it is set";
    default:
      return "check the API id, the credentials (AWS_PROFILE, or the AWS_* keys) and AWS_REGION";
  }
}

/**
 * Writes `text` at `path` whole or not at all: into a temporary dot-file in the same folder (the folder
 * reader skips dot-files, so a leftover is never desired state), then moved into place. Never through a
 * symbolic link at `path` (refused; and rename replaces a link, never follows one), and without `force`
 * never over an existing file, even one created meanwhile (link(2) fails on an existing name). Returns why
 * it refused, or undefined once written.
 */
async function writeSafely(path: string, text: string, force: boolean): Promise<string | undefined> {
  const existing = await lstat(path).catch(() => undefined);
  if (existing?.isSymbolicLink()) {
    return "is a symbolic link, which import never writes through; remove the link, or pass --out to write elsewhere";
  }
  if (existing && !existing.isFile())
    return "exists and is not a regular file; pass --out to write elsewhere";
  if (existing && !force) return "exists; pass --force to overwrite it, or --out to write elsewhere";
  await mkdir(dirname(path), { recursive: true });
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString("hex")}.tmp`);
  // "wx": created here, never an existing file or a link planted at that name.
  await writeFile(temporary, text, { flag: "wx" });
  try {
    if (force) await rename(temporary, path);
    else {
      try {
        await link(temporary, path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "EEXIST") {
          return "was created while importing; pass --force to overwrite it, or --out to write elsewhere";
        }
        throw error;
      }
    }
  } finally {
    await rm(temporary, { force: true });
  }
  return undefined;
}
