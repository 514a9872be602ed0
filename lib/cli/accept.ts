import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { type AcceptOutcome, acceptDrift } from "../accept/accept.ts";
import type { Gateway } from "../apigateway/gateway.ts";
import { formatError } from "../desired-state/errors.ts";
import { loadDesiredFolder } from "../desired-state/folder.ts";
import { type DesiredFile, loadDesiredFiles } from "../desired-state/load.ts";
import type { LiveIntegration } from "../model/live.ts";
import { reconcile } from "../reconcile/reconcile.ts";
import { createRuntime, type Runtime } from "../runtime/runtime.ts";
import { terminal } from "../text/escape.ts";
import type { CliIo } from "./io.ts";
import { hasRegion, type RuntimeFactory, whereFromCredentials } from "./run.ts";
import { WriteRefusedError, writeFileAtomic } from "./write-file.ts";

export interface AcceptOptions {
  desired: string;
  api?: string[];
  integration?: string[];
  account?: string;
}

/** One file's accepted drift, before it is validated and written. */
interface FileEdit {
  file: string;
  bytes: Uint8Array;
  outcome: AcceptOutcome;
}

/**
 * `accept [--api ID] [--integration ID]`: the live values of drifted declared fields written into the
 * desired-state files (lib/accept), read through the same plan `plan` makes (no history, no lease, no
 * prune) and never a write to API Gateway. Every file it changes is validated with the rest before any is
 * written, and written whole or not at all. Exit 0 when written or nothing drifted, 1 on any error.
 */
export async function runAccept(
  options: AcceptOptions,
  io: CliIo,
  runtimeFactory: RuntimeFactory = createRuntime,
): Promise<number> {
  const say = (line: string) => io.stderr(`${line}\n`);
  const folder = await loadDesiredFolder(options.desired, { cwd: io.cwd });
  const { state } = folder;
  if (state.errors.length > 0) {
    for (const e of state.errors) say(formatError(e));
    say("\naccept changes nothing until the desired state is valid (apigw-drift validate).");
    return 1;
  }
  const claimed = options.account ?? io.env.APIGW_DRIFT_ACCOUNT;
  if (claimed !== undefined && !/^\d{12}$/.test(claimed)) {
    say(`apigw-drift: APIGW_DRIFT_ACCOUNT must be a 12-digit AWS account id, not "${terminal(claimed)}"`);
    return 1;
  }
  let runtime: Runtime;
  try {
    runtime = await runtimeFactory({ redactionKey: io.env.APIGW_DRIFT_REDACTION_KEY });
  } catch (error) {
    say(`apigw-drift: ${terminal((error as Error).message)}`);
    return 1;
  }

  const edits: FileEdit[] = [];
  let failed = false;
  try {
    if (!(await hasRegion(runtime, io))) return 1;
    // The account guard as plan has it: the account from the credentials, the flag only cross-checks it.
    const services = runtime.services({ where: await whereFromCredentials(runtime, claimed) });
    const seen = new Map<string, LiveIntegration>();
    const report = await reconcile(
      {
        mode: "plan",
        ...(options.api ? { apiIds: options.api } : {}),
        ...(options.integration ? { integrationIds: options.integration } : {}),
        prune: false,
      },
      { state, revision: "unknown" },
      { ...services, gateway: recording(services.gateway, seen) },
    );
    for (const e of report.errors) {
      const where = e.file ? `${e.file}${e.line ? `:${e.line}:${e.column ?? 1}` : ""}: ` : "";
      say(`apigw-drift: ${terminal(`${where}${e.message}`)}`);
    }
    if (report.status === "FAILED") return 1;
    failed = report.errors.length > 0;
    for (const r of report.integrations) {
      if (r.status === "MISSING") {
        io.stdout(
          `left ${terminal(r.integrationId)} of API ${terminal(r.apiId)}: it is declared but not live, and accept never removes a declaration\n`,
        );
      }
    }

    const now = services.now();
    for (const api of state.apis) {
      const drifted = report.integrations.filter((r) => r.apiId === api.apiId && r.status === "DRIFTED");
      if (drifted.length === 0) continue;
      const file = folder.files.find((f) => f.path === api.file);
      if (!file) continue;
      const live: { integrationId: string; live: LiveIntegration }[] = [];
      for (const { integrationId } of drifted) {
        const found =
          seen.get(`${api.apiId}/${integrationId}`) ??
          (await services.gateway.getIntegration(api.apiId, integrationId));
        if (found) live.push({ integrationId, live: found });
      }
      try {
        const text = new TextDecoder().decode(file.bytes);
        const doc = state.document(api.apiId);
        edits.push({
          file: api.file,
          bytes: file.bytes,
          outcome: acceptDrift({ text, doc, drifted: live, now, redact: runtime.redact }),
        });
      } catch (error) {
        say(`${terminal(api.file)}: ${terminal((error as Error).message)}; nothing was written to it`);
        failed = true;
      }
    }
  } catch (error) {
    say(`apigw-drift: ${terminal((error as Error).message)}; nothing was written`);
    return 1;
  } finally {
    await runtime.close();
  }

  const changed = edits.filter((e) => e.outcome.accepted.length > 0);
  // The whole desired state, with the new texts, must validate: a file that stops validating stops every run.
  const check = loadDesiredFiles(
    folder.files.map(
      (f): DesiredFile => ({
        ...f,
        bytes: new TextEncoder().encode(
          changed.find((e) => e.file === f.path)?.outcome.text ?? new TextDecoder().decode(f.bytes),
        ),
      }),
    ),
  );
  if (check.errors.length > 0) {
    say("the accepted values would not validate; nothing was written:");
    for (const e of check.errors) say(formatError(e));
    return 1;
  }

  for (const edit of changed) {
    const refused = await writeAccepted(resolve(io.cwd, edit.file), edit);
    if (refused) {
      say(terminal(refused));
      failed = true;
      continue;
    }
    for (const a of edit.outcome.accepted) {
      io.stdout(
        `${terminal(edit.file)}: ${terminal(a.integrationId)} ${terminal(a.path)}: ${show(a.from)} → ${show(a.to)}\n`,
      );
    }
  }
  for (const edit of edits) {
    for (const l of edit.outcome.left) {
      io.stdout(`left ${terminal(l.path)} of ${terminal(l.integrationId)}: ${terminal(l.reason)}\n`);
    }
  }
  const count = changed.reduce((n, e) => n + e.outcome.accepted.length, 0);
  io.stdout(
    count === 0
      ? "nothing to accept: no declared field of the selected integrations differs from live\n"
      : `accepted ${count} live value${count === 1 ? "" : "s"} into ${changed.length} file${changed.length === 1 ? "" : "s"}; a plan now shows ${count === 1 ? "it" : "them"} in sync\n`,
  );
  return failed ? 1 : 0;
}

/**
 * Writes an accepted file, unless it changed on disk since it was read (an editor saved it meanwhile).
 * Returns why it did not, as a sentence naming the file, or undefined once written.
 */
async function writeAccepted(path: string, edit: FileEdit): Promise<string | undefined> {
  try {
    const now = await readFile(path);
    if (!Buffer.from(edit.bytes).equals(now)) {
      return `${edit.file} changed since accept read it; nothing was written to it: run accept again`;
    }
    await writeFileAtomic(path, edit.outcome.text, edit.file);
    return undefined;
  } catch (error) {
    if (error instanceof WriteRefusedError) return error.message;
    return `${edit.file} cannot be written (${(error as Error).message}); check the folder and its permissions`;
  }
}

/**
 * `gateway`, keeping every integration the plan reads (so accept writes the values the plan compared, with
 * no second read), and refusing every write: accept only ever reads API Gateway.
 */
function recording(gateway: Gateway, seen: Map<string, LiveIntegration>): Gateway {
  const keep = (apiId: string, i: LiveIntegration) => seen.set(`${apiId}/${i.integrationId}`, i);
  const refuse = () => Promise.reject(new Error("accept never writes to API Gateway"));
  return {
    apiPages: () => gateway.apiPages(),
    getApi: (apiId) => gateway.getApi(apiId),
    listIntegrations: async (apiId) => {
      const list = await gateway.listIntegrations(apiId);
      for (const i of list) keep(apiId, i);
      return list;
    },
    getIntegration: async (apiId, id) => {
      const found = await gateway.getIntegration(apiId, id);
      if (found) keep(apiId, found);
      return found;
    },
    listRoutes: (apiId) => gateway.listRoutes(apiId),
    updateIntegration: refuse,
    deleteIntegration: refuse,
  };
}

/** A value as JSON (a string shows its quotes), escaped for the terminal. */
function show(value: unknown): string {
  return value === undefined ? "(absent)" : terminal(JSON.stringify(value));
}
