// biome-ignore-all lint/suspicious/noTemplateCurlyInString: GitHub expressions (${{ … }}) are the data under test
/**
 * The reusable GitHub Action (action.yml): its shape and pins, checked by reading it, and its shell
 * steps run the way a runner runs them (test/helpers/composite.ts) against the emulator for the plan and
 * a loopback stand-in for GitHub's REST API for the comment. What cannot run here: setup-node, the
 * action's own `npm ci` (this checkout is installed already), and OIDC through
 * configure-aws-credentials (GitHub's token service); the steps a runner would take instead are named.
 */
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, dirname, join, resolve } from "node:path";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { injectDrift } from "../../emulator/seed.ts";
import type { Emulator } from "../../emulator/server.ts";
import { MARKER } from "../../lib/action/comment.ts";
import { type DesiredState, documents } from "../../lib/desired-state/state.ts";
import { ensureCliBundle } from "../helpers/cli-bundle.ts";
import { type ActionMetadata, readAction, runComposite } from "../helpers/composite.ts";
import { startFakeGitHub } from "../helpers/fake-github.ts";
import { startWorld } from "../helpers/world.ts";

let action: ActionMetadata;
let raw: string;
beforeAll(async () => {
  raw = await readFile("action.yml", "utf8");
  action = await readAction("action.yml");
});

describe("action.yml", () => {
  it("is a composite action with the documented inputs, defaults and outputs", () => {
    expect(action.runs.using).toBe("composite");
    expect(Object.fromEntries(Object.entries(action.inputs).map(([k, v]) => [k, v.default]))).toEqual({
      desired: "desired-state",
      "role-to-assume": "",
      "aws-region": "",
      account: "",
      "working-directory": ".",
      "node-version": "24",
      "github-token": "${{ github.token }}",
      "fail-on-drift": "false",
    });
    for (const [name, input] of Object.entries(action.inputs)) {
      expect(input.required, name).toBe(false);
      expect(input.description.length, name).toBeGreaterThan(20);
    }
    expect(action.outputs).toEqual({
      exitcode: {
        description:
          "The plan's exit code: 0 in sync, 2 drift, 1 error (as terraform plan -detailed-exitcode).",
        value: "${{ steps.plan.outputs.exitcode }}",
      },
      drift: {
        description: '"true" when the plan found drift (exit code 2), else "false".',
        value: "${{ steps.plan.outputs.drift }}",
      },
    });
  });

  it("sets up Node, installs, assumes the role, validates, plans, comments, then decides", () => {
    expect(action.runs.steps.map((s) => [s.name, s.id ?? null, s.uses?.split("@")[0] ?? s.shell])).toEqual([
      ["Set up Node.js", null, "actions/setup-node"],
      ["Install apigw-drift", "install", "bash"],
      ["Configure AWS credentials (OIDC)", "aws", "aws-actions/configure-aws-credentials"],
      ["Validate (offline; file:line:col annotations on failure)", "validate", "bash"],
      ["Plan (read-only)", "plan", "bash"],
      ["Comment the plan on the pull request", null, "bash"],
      ["Result", null, "bash"],
    ]);
    const aws = action.runs.steps[2]!;
    expect(aws.if).toBe("inputs.role-to-assume != ''");
    expect(aws.with).toEqual({
      "role-to-assume": "${{ inputs.role-to-assume }}",
      "aws-region": "${{ inputs.aws-region }}",
      "role-session-name": "apigw-drift-plan",
    });
    expect(action.runs.steps[0]!.with).toEqual({ "node-version": "${{ inputs.node-version }}" });
    const plan = action.runs.steps[4]!.run!;
    expect(plan).toContain(
      'node "$GITHUB_ACTION_PATH/dist/cli.mjs" plan --desired "$DESIRED" --markdown --detailed-exitcode --no-history',
    );
  });

  it("pins every action it uses to a full commit SHA, with the version as a comment", () => {
    const uses = [...raw.matchAll(/^\s*uses:\s*(\S+)(.*)$/gm)].map((m) => [m[1], m[2]!.trim()]);
    expect(uses).toEqual([
      ["actions/setup-node@820762786026740c76f36085b0efc47a31fe5020", "# v7.0.0"],
      ["aws-actions/configure-aws-credentials@e6de054238d6b7531b4efff3b6587d9aade6a06c", "# v6.2.3"],
    ]);
    for (const step of action.runs.steps.filter((s) => s.uses)) {
      expect(step.uses).toMatch(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/);
    }
  });

  it("splices no expression into a shell script: inputs and step outputs reach run: only through env:", () => {
    for (const step of action.runs.steps.filter((s) => s.run !== undefined)) {
      expect(step.run, step.name).not.toContain("${{");
      expect(step.shell, step.name).toBe("bash");
    }
    // What the scripts read comes in by name.
    const env = Object.fromEntries(action.runs.steps.map((s) => [s.name, s.env ?? {}]));
    expect(env["Plan (read-only)"]).toEqual({
      DESIRED: "${{ inputs.desired }}",
      AWS_REGION: "${{ inputs.aws-region || env.AWS_REGION }}",
      APIGW_DRIFT_ACCOUNT:
        "${{ inputs.account || steps.aws.outputs.aws-account-id || env.APIGW_DRIFT_ACCOUNT }}",
      DESIRED_REVISION: "${{ github.event.pull_request.head.sha || github.sha }}",
    });
  });

  it("is what the repository's own pull-request workflow runs", async () => {
    const workflow = parse(await readFile(".github/workflows/desired-state-plan.yml", "utf8")) as {
      permissions: Record<string, string>;
      jobs: { plan: { steps: { uses?: string; with?: Record<string, string> }[] } };
    };
    expect(workflow.permissions).toEqual({ contents: "read", "id-token": "write", "pull-requests": "write" });
    expect(workflow.jobs.plan.steps.map((s) => s.uses)).toEqual([
      "actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1",
      "./",
    ]);
    expect(workflow.jobs.plan.steps[1]!.with).toEqual({
      desired: "desired-state",
      "role-to-assume": "${{ vars.APIGW_DRIFT_PLAN_ROLE_ARN }}",
      "aws-region": "${{ vars.AWS_REGION }}",
      account: "${{ vars.AWS_ACCOUNT_ID }}",
    });
  });

  it("has a problem matcher that turns validate's lines into file:line:col annotations", async () => {
    const matcher = JSON.parse(await readFile(".github/apigw-drift-matcher.json", "utf8")) as {
      problemMatcher: { owner: string; pattern: { regexp: string }[] }[];
    };
    expect(matcher.problemMatcher[0]!.owner).toBe("apigw-drift-validate");
    const line =
      "desired-state/orders-http.yaml:17:22 /integrations/lmb7k2q/timeoutInMillis timeoutInMillis 99999999 is out of range: HTTP APIs take 50 to 30000 ms";
    const pattern = new RegExp(matcher.problemMatcher[0]!.pattern[0]!.regexp);
    expect(pattern.exec(line)?.slice(1)).toEqual([
      "desired-state/orders-http.yaml",
      "17",
      "22",
      "/integrations/lmb7k2q/timeoutInMillis",
      undefined,
      "timeoutInMillis 99999999 is out of range: HTTP APIs take 50 to 30000 ms",
    ]);
    // An expired ignore entry: validate exits 0, and the annotation is a warning.
    const warning =
      "desired-state/orders-http.yaml:12:12 /ignore/1/until warning: ignore /timeoutInMillis on every integration of API a1b2c3d4e5 expired on 2027-01-31; it is drift again: remove the entry, or set a later until";
    expect(pattern.exec(warning)?.slice(4, 7)).toEqual([
      "/ignore/1/until",
      "warning",
      "ignore /timeoutInMillis on every integration of API a1b2c3d4e5 expired on 2027-01-31; it is drift again: remove the entry, or set a later until",
    ]);
    expect((matcher.problemMatcher[0]!.pattern[0] as unknown as Record<string, number>).severity).toBe(5);
  });
});

describe("action.yml's steps, run as a runner runs them", () => {
  const SKIP = {
    "Set up Node.js": "node 24 is first on PATH already (the node devDependency)",
    "Install apigw-drift":
      "this checkout is installed already; npm ci here would replace node_modules under the test run",
  };
  let emulator: Emulator;
  let desired: DesiredState;
  let closeWorld: () => Promise<void>;
  let github: Awaited<ReturnType<typeof startFakeGitHub>>;
  let root: string;
  let workspace: string;

  beforeAll(() => {
    ensureCliBundle();
  });
  beforeEach(async () => {
    ({ emulator, desired, close: closeWorld } = await startWorld());
    github = await startFakeGitHub({ repository: "octo/infra", issue: 42, token: "ghs_fake" });
    root = await mkdtemp(join(tmpdir(), "apigw-drift-action-"));
    workspace = join(root, "workspace");
    await mkdir(workspace);
    await cp("desired-state", join(workspace, "desired-state"), { recursive: true });
  });
  afterEach(async () => {
    await closeWorld();
    await github.close();
    await rm(root, { recursive: true, force: true });
  });

  const run = (inputs: Record<string, string> = {}, github_: Record<string, unknown> = {}, skip = {}) =>
    runComposite(action, {
      with: inputs,
      actionPath: resolve("."),
      workspace,
      skip: { ...SKIP, ...skip },
      env: {
        PATH: [dirname(process.execPath), process.env.PATH].join(delimiter),
        HOME: root,
        AWS_ENDPOINT_URL_APIGATEWAYV2: emulator.url,
        AWS_ENDPOINT_URL_STS: process.env.AWS_ENDPOINT_URL_STS ?? "",
        AWS_REGION: "eu-west-1",
        AWS_ACCESS_KEY_ID: "test",
        AWS_SECRET_ACCESS_KEY: "test",
        APIGW_DRIFT_ACCOUNT: "123456789012",
      },
      github: {
        token: "ghs_fake",
        event_name: "pull_request",
        event: { pull_request: { number: 42, head: { sha: "0123456789abcdef0123456789abcdef01234567" } } },
        sha: "fedcba9876543210fedcba9876543210fedcba98",
        repository: "octo/infra",
        server_url: "https://github.test",
        api_url: github.url,
        run_id: "99",
        ...github_,
      },
    });
  const outcomes = (r: Awaited<ReturnType<typeof run>>) => r.steps.map((s) => `${s.name}: ${s.outcome}`);

  it("plans drift, posts one comment, and updates that comment on the next push", async () => {
    injectDrift(emulator, documents(desired));
    const first = await run();
    expect(outcomes(first)).toEqual([
      "Set up Node.js: skipped",
      "Install apigw-drift: skipped",
      "Configure AWS credentials (OIDC): skipped",
      "Validate (offline; file:line:col annotations on failure): success",
      "Plan (read-only): success",
      "Comment the plan on the pull request: success",
      "Result: success",
    ]);
    expect(first.steps[2]!.skipped).toBe("if: inputs.role-to-assume != ''");
    expect(first.outputs).toEqual({ exitcode: "2", drift: "true" });
    expect(first.steps[3]!.stdout).toBe(
      "::add-matcher::" +
        resolve(".github/apigw-drift-matcher.json") +
        "\nvalid: 2 APIs, 6 integrations in desired-state\n::remove-matcher owner=apigw-drift-validate::\n",
    );
    expect(first.steps[5]!.stdout).toBe(
      "created the plan comment on pull request #42: https://github.test/octo/infra/pull/42#issuecomment-1000\n",
    );
    expect(first.steps[6]!.stdout).toBe(
      "drift (expected in a change to desired state): see the plan comment\n",
    );
    expect(github.comments).toHaveLength(1);
    const body = github.comments[0]!.body;
    expect(
      body.startsWith(`${MARKER}\n\n### apigw-drift plan: DRIFTED\n\nDesired revision \`0123456789ab\``),
    ).toBe(true);
    expect(
      body.endsWith(
        "\n\n<sub>[The workflow run](https://github.test/octo/infra/actions/runs/99) has the whole plan.</sub>\n",
      ),
    ).toBe(true);
    // The job summary has the same plan.
    expect(body).toContain(first.summary.trimEnd());

    // The next push: the drift is fixed; the same comment now says so.
    await closeWorld();
    ({ emulator, desired, close: closeWorld } = await startWorld());
    const second = await run();
    expect(second.outputs).toEqual({ exitcode: "0", drift: "false" });
    expect(second.steps[5]!.stdout).toBe(
      "updated the plan comment on pull request #42: https://github.test/octo/infra/pull/42#issuecomment-1000\n",
    );
    expect(second.steps[6]!.stdout).toBe("in sync\n");
    expect(github.comments).toHaveLength(1);
    expect(github.comments[0]!.body).toContain("### apigw-drift plan: IN_SYNC");
    expect(github.requests.filter((r) => r.method !== "GET").map((r) => `${r.method} ${r.path}`)).toEqual([
      "POST /repos/octo/infra/issues/42/comments",
      "PATCH /repos/octo/infra/issues/comments/1000",
    ]);
  });

  it("fails the check on drift when fail-on-drift is true, after commenting", async () => {
    injectDrift(emulator, documents(desired));
    const result = await run({ "fail-on-drift": "true" });
    expect(result.outputs).toEqual({ exitcode: "2", drift: "true" });
    expect(result.steps.at(-1)).toMatchObject({
      name: "Result",
      outcome: "failure",
      exitCode: 1,
      stdout: "::error title=apigw-drift::the plan found drift, and fail-on-drift is true\n",
    });
    expect(github.comments).toHaveLength(1);
  });

  it("comments an invalid desired state's errors and fails the check", async () => {
    const file = join(workspace, "desired-state/orders-http.yaml");
    await writeFile(
      file,
      (await readFile(file, "utf8")).replace("timeoutInMillis: 10000", "timeoutInMillis: 99999999"),
    );
    const result = await run();
    expect(outcomes(result).slice(3)).toEqual([
      "Validate (offline; file:line:col annotations on failure): success",
      "Plan (read-only): success",
      "Comment the plan on the pull request: success",
      "Result: failure",
    ]);
    expect(result.steps[3]!.stdout).toContain(
      "desired-state/orders-http.yaml:17:22 /integrations/lmb7k2q/timeoutInMillis timeoutInMillis 99999999 is out of range",
    );
    expect(result.outputs).toEqual({ exitcode: "1", drift: "false" });
    expect(result.steps.at(-1)!.stdout).toBe(
      "::error title=apigw-drift::the desired state is invalid (see the annotations and the plan comment)\n",
    );
    expect(github.comments[0]!.body).toContain("### apigw-drift plan: FAILED");
    expect(github.comments[0]!.body).toContain("timeoutInMillis 99999999 is out of range");
  });

  it("takes hostile folder names and event fields as data: nothing they say runs", async () => {
    const hostile = 'ds $(touch pwned-1) `touch pwned-2` "; touch pwned-3; "';
    await cp(join(workspace, "desired-state"), join(workspace, "sub", hostile), { recursive: true });
    const result = await run(
      { desired: hostile, "working-directory": "sub" },
      {
        event: { pull_request: { number: 42, head: { sha: "$(touch pwned-4)" } } },
      },
    );
    expect(result.steps[3]!.stdout).toContain(`valid: 2 APIs, 6 integrations in ${hostile}\n`);
    expect(result.outputs).toEqual({ exitcode: "0", drift: "false" });
    expect(github.comments[0]!.body).toContain("Desired revision `$(touch pwned-4)`");
    // A folder other than desired-state keeps a comment of its own.
    expect(github.comments[0]!.body.split("\n")[0]).toBe(
      "<!-- apigw-drift-plan sub/ds___touch_pwned-1___touch_pwned-2_____touch_pwned-3___ -->",
    );
    const everywhere = [...(await readdir(root, { recursive: true })), ...(await readdir(resolve(".")))].map(
      String,
    );
    expect(everywhere.filter((f) => f.includes("pwned") && !f.includes("ds "))).toEqual([]);
  });

  it("assumes the role only when one is given (a runner's OIDC step, which cannot run here)", async () => {
    const result = await run(
      { "role-to-assume": "arn:aws:iam::123456789012:role/apigw-drift-plan", account: "123456789012" },
      {},
      { "Configure AWS credentials (OIDC)": "OIDC needs GitHub's token service" },
    );
    expect(result.steps[2]).toMatchObject({
      outcome: "skipped",
      skipped: "OIDC needs GitHub's token service",
    });
    expect(result.outputs).toEqual({ exitcode: "0", drift: "false" });
  });
});
