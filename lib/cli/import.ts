import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { formatError } from "../desired-state/errors.ts";
import { desiredFromLive, renderDesiredYaml } from "../desired-state/from-live.ts";
import { loadDesiredFiles } from "../desired-state/load.ts";
import { createRuntime } from "../runtime/runtime.ts";
import type { CliIo } from "./io.ts";
import type { RuntimeFactory } from "./run.ts";

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
  const runtime = await runtimeFactory({});
  let imported: ReturnType<typeof desiredFromLive>;
  let api: { apiId: string; protocolType: string };
  try {
    const { gateway } = runtime.services({ where: {} });
    const found = await gateway.getApi(options.api);
    if (!found) {
      io.stderr(
        `API ${options.api} does not exist in this account and Region; check the id and AWS_REGION\n`,
      );
      return 1;
    }
    api = found;
    const live = await gateway.listIntegrations(api.apiId);
    imported = desiredFromLive(api, live, {
      account: options.account ?? io.env.APIGW_DRIFT_ACCOUNT,
      region: await runtime.region(),
    });
  } finally {
    await runtime.close();
  }
  const out = options.out ?? join(options.desired, `${api.apiId}.yaml`);
  const text = renderDesiredYaml(imported.doc);
  // The file must be one the validator accepts; anything else would stop every run.
  const check = loadDesiredFiles([{ path: out, bytes: new TextEncoder().encode(text) }]);
  if (check.errors.length > 0) {
    io.stderr("the imported state does not validate; nothing was written:\n");
    for (const e of check.errors) io.stderr(`${formatError(e)}\n`);
    return 1;
  }
  for (const s of imported.skipped) io.stderr(`skipped ${s.integrationId}: ${s.reason}\n`);
  if (imported.placeholders.length > 0) {
    io.stderr(
      `left out ${imported.placeholders.length} secret value${imported.placeholders.length === 1 ? "" : "s"} (a file meant for git never holds one); each reads "REPLACE-ME: secret not imported", so the plan shows it as drift until you declare the real mapping (a stage variable or $request reference):\n`,
    );
    for (const p of imported.placeholders) io.stderr(`  ${p}\n`);
  }
  if (out === "-") {
    io.stdout(text);
    return 0;
  }
  const path = resolve(io.cwd, out);
  if (existsSync(path) && !options.force) {
    io.stderr(`${out} exists; pass --force to overwrite it, or --out to write elsewhere\n`);
    return 1;
  }
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text);
  const count = Object.keys(imported.doc.integrations).length;
  io.stderr(
    `wrote ${out}: ${count} integration${count === 1 ? "" : "s"} of API ${api.apiId} (${api.protocolType})\n`,
  );
  return 0;
}
