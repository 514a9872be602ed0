import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { parse } from "yaml";

/** action.yml, as far as the tests read it. */
export interface ActionMetadata {
  name: string;
  description: string;
  inputs: Record<string, { description: string; required?: boolean; default?: string }>;
  outputs: Record<string, { description: string; value: string }>;
  runs: { using: string; steps: ActionStep[] };
}

export interface ActionStep {
  name: string;
  id?: string;
  if?: string;
  uses?: string;
  with?: Record<string, string>;
  shell?: string;
  run?: string;
  env?: Record<string, string>;
  "working-directory"?: string;
}

export async function readAction(path = "action.yml"): Promise<ActionMetadata> {
  return parse(await readFile(path, "utf8")) as ActionMetadata;
}

/** What a runner would know when it expands `${{ … }}`: the contexts the action reads. */
export interface Contexts {
  inputs: Record<string, string>;
  github: Record<string, unknown>;
  env: Record<string, string | undefined>;
  runner: Record<string, string>;
  steps: Record<string, { outputs: Record<string, string>; outcome: string }>;
}

/**
 * The part of GitHub's expression language action.yml uses: a context path (`inputs.desired`,
 * `steps.plan.outputs.exitcode`, `github.event.pull_request.head.sha`), a quoted string, `a || b`
 * (the first truthy, as GitHub has it) and `a != b` / `a == b`. Anything else throws, so a new
 * expression in action.yml shows up here instead of being evaluated wrongly.
 */
export function evaluate(expression: string, contexts: Contexts): string {
  const text = expression.trim();
  const comparison = /^(.+?)\s*(!=|==)\s*(.+)$/.exec(text);
  if (comparison) {
    const [left, right] = [evaluate(comparison[1]!, contexts), evaluate(comparison[3]!, contexts)];
    return String(comparison[2] === "==" ? left === right : left !== right);
  }
  if (text.includes("||")) {
    for (const part of text.split("||")) {
      const value = evaluate(part, contexts);
      if (value !== "" && value !== "false" && value !== "0") return value;
    }
    return "";
  }
  const quoted = /^'((?:[^']|'')*)'$/.exec(text);
  if (quoted) return quoted[1]!.replaceAll("''", "'");
  if (!/^[A-Za-z_][\w-]*(\.[\w-]+)*$/.test(text)) throw new Error(`expression not understood here: ${text}`);
  let value: unknown = contexts;
  for (const key of text.split(".")) value = (value as Record<string, unknown> | undefined)?.[key];
  return value === undefined || value === null ? "" : String(value);
}

/** Every `${{ … }}` in `text`, expanded. */
export function expand(text: string, contexts: Contexts): string {
  return text.replace(/\$\{\{(.*?)\}\}/g, (_, expression: string) => evaluate(expression, contexts));
}

export interface StepRun {
  name: string;
  outcome: "success" | "failure" | "skipped";
  /** Why a step was not run here, when it was not. */
  skipped?: string;
  stdout: string;
  stderr: string;
  exitCode?: number;
}

export interface CompositeRun {
  steps: StepRun[];
  outputs: Record<string, string>;
  summary: string;
}

export interface RunOptions {
  /** The inputs the workflow gives (`with:`); the rest take their defaults. */
  with?: Record<string, string>;
  /** The job's environment (AWS endpoints, PATH…), as the runner would pass it. */
  env: Record<string, string | undefined>;
  /** The github context: event, sha, repository, token… */
  github: Record<string, unknown>;
  /** The action's folder (GITHUB_ACTION_PATH). */
  actionPath: string;
  /** The workspace (GITHUB_WORKSPACE): working-directory is relative to it. */
  workspace: string;
  /** Steps a runner does that this one cannot (setup-node, a network install, OIDC): by name, why. */
  skip: Record<string, string>;
}

/**
 * Runs a composite action's `run:` steps the way a runner does: in order, expressions expanded, each as
 * `bash --noprofile --norc -eo pipefail FILE` (GitHub's `shell: bash`), in its working directory, with
 * the step's `env:` expanded and GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, GITHUB_ACTION_PATH, RUNNER_TEMP and
 * GITHUB_EVENT_PATH set; after a failed step the rest are skipped (none of these steps says `always()`).
 * `uses:` steps cannot run here and must be listed in `skip`, so no step is left out silently.
 */
export async function runComposite(action: ActionMetadata, options: RunOptions): Promise<CompositeRun> {
  const temp = await mkdtemp(join(options.workspace, "..", "runner-temp-"));
  const eventPath = join(temp, "event.json");
  await writeFile(eventPath, JSON.stringify(options.github.event ?? {}));
  const summaryPath = join(temp, "step-summary.md");
  await writeFile(summaryPath, "");
  const inputs = Object.fromEntries(
    Object.entries(action.inputs).map(([name, spec]) => [name, options.with?.[name] ?? spec.default ?? ""]),
  );
  const contexts: Contexts = {
    inputs: {},
    github: options.github,
    env: options.env,
    runner: { temp, os: "Linux" },
    steps: {},
  };
  // Defaults may be expressions themselves (`${{ github.token }}`).
  contexts.inputs = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, expand(v, contexts)]));
  const steps: StepRun[] = [];
  let failed = false;
  for (const [index, step] of action.runs.steps.entries()) {
    const record = (run: Omit<StepRun, "name">) => {
      steps.push({ name: step.name, ...run });
      if (step.id) contexts.steps[step.id] ??= { outputs: {}, outcome: run.outcome };
    };
    if (failed) {
      record({ outcome: "skipped", skipped: "an earlier step failed", stdout: "", stderr: "" });
      continue;
    }
    if (step.if !== undefined && evaluate(step.if, contexts) !== "true") {
      record({ outcome: "skipped", skipped: `if: ${step.if}`, stdout: "", stderr: "" });
      continue;
    }
    const reason = options.skip[step.name];
    if (reason !== undefined) {
      record({ outcome: "skipped", skipped: reason, stdout: "", stderr: "" });
      continue;
    }
    if (step.uses || step.run === undefined)
      throw new Error(`step "${step.name}" uses an action; list it in skip`);
    const outputPath = join(temp, `output-${index}`);
    await writeFile(outputPath, "");
    const script = join(temp, `step-${index}.sh`);
    // As a runner does: expressions in the script are expanded before bash sees it (which is why
    // action.yml must never put one there).
    await writeFile(script, expand(step.run, contexts));
    const stepEnv: Record<string, string | undefined> = {
      ...options.env,
      GITHUB_ACTION_PATH: options.actionPath,
      GITHUB_WORKSPACE: options.workspace,
      GITHUB_OUTPUT: outputPath,
      GITHUB_STEP_SUMMARY: summaryPath,
      GITHUB_EVENT_PATH: eventPath,
      GITHUB_EVENT_NAME: String(options.github.event_name ?? ""),
      GITHUB_REPOSITORY: String(options.github.repository ?? ""),
      GITHUB_SHA: String(options.github.sha ?? ""),
      GITHUB_SERVER_URL: String(options.github.server_url ?? ""),
      GITHUB_API_URL: String(options.github.api_url ?? ""),
      GITHUB_RUN_ID: String(options.github.run_id ?? ""),
      RUNNER_TEMP: temp,
      ...Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, expand(String(v), contexts)])),
    };
    const cwd = resolve(options.workspace, expand(step["working-directory"] ?? ".", contexts));
    await mkdir(cwd, { recursive: true });
    const result = await bash(script, cwd, stepEnv);
    const outputs = parseOutputs(await readFile(outputPath, "utf8"));
    const outcome = result.code === 0 ? "success" : "failure";
    steps.push({
      name: step.name,
      outcome,
      stdout: result.stdout,
      stderr: result.stderr,
      exitCode: result.code,
    });
    if (step.id) contexts.steps[step.id] = { outputs, outcome };
    failed = result.code !== 0;
  }
  const outputs = Object.fromEntries(
    Object.entries(action.outputs).map(([name, spec]) => [name, expand(spec.value, contexts)]),
  );
  return { steps, outputs, summary: await readFile(summaryPath, "utf8") };
}

function bash(script: string, cwd: string, env: Record<string, string | undefined>) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((done, reject) => {
    const child = spawn("bash", ["--noprofile", "--norc", "-eo", "pipefail", script], {
      cwd,
      env: Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined)) as NodeJS.ProcessEnv,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d;
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d;
    });
    child.on("error", reject);
    child.on("close", (code) => done({ code: code ?? 1, stdout, stderr }));
  });
}

/** GITHUB_OUTPUT's two forms: `name=value` and `name<<DELIMITER` … `DELIMITER`. */
export function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const end = lines.indexOf(heredoc[2]!, i + 1);
      out[heredoc[1]!] = lines.slice(i + 1, end).join("\n");
      i = end;
    } else if (line.includes("=")) {
      out[line.slice(0, line.indexOf("="))] = line.slice(line.indexOf("=") + 1);
    }
  }
  return out;
}
