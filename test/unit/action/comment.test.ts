import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  type CommentsApi,
  commentBody,
  type IssueComment,
  MARKER,
  MAX_BODY,
  markerFor,
  PAGE_SIZE,
  runCommentStep,
  upsertComment,
} from "../../../lib/action/comment.ts";
import { startFakeGitHub } from "../../helpers/fake-github.ts";

const PLAN =
  "### apigw-drift plan: DRIFTED\n\n| API | integration | status | differences |\n|---|---|---|---|\n";

describe("markerFor", () => {
  it("is the plain marker for desired-state at the root, and names any other folder safely", () => {
    expect(markerFor()).toBe(MARKER);
    expect(markerFor(".", "desired-state")).toBe("<!-- apigw-drift-plan -->");
    expect(markerFor("./", "desired-state/")).toBe("<!-- apigw-drift-plan -->");
    expect(markerFor("infra/prod", "desired-state")).toBe(
      "<!-- apigw-drift-plan infra/prod/desired-state -->",
    );
    expect(markerFor(".", "x --><script>")).toBe("<!-- apigw-drift-plan x_-__script_ -->");
  });
});

describe("commentBody", () => {
  it("starts with the marker and holds the plan as the CLI rendered it", () => {
    expect(
      commentBody({ plan: PLAN, stderr: "progress", exitcode: 2, runUrl: "https://github.test/r/1" }),
    ).toBe(
      `${MARKER}\n\n${PLAN.trimEnd()}\n\n<sub>[The workflow run](https://github.test/r/1) has the whole plan.</sub>\n`,
    );
  });

  it("adds a failed plan's stderr inside <pre>, escaped, so no error text can add markup", () => {
    const body = commentBody({
      plan: "",
      stderr: "apigw-drift: </pre><img src=x onerror=alert(1)> & `rm -rf`\n",
      exitcode: 1,
    });
    expect(body).toBe(
      `${MARKER}\n\n**apigw-drift plan failed** (exit 1):\n\n<pre>apigw-drift: &#60;/pre&#62;&#60;img src=x onerror=alert(1)&#62; &#38; \`rm -rf\`</pre>\n`,
    );
    expect(commentBody({ plan: "", stderr: "  ", exitcode: 1 })).toBe(
      `${MARKER}\n\n**apigw-drift plan failed** (exit 1); it printed nothing on stderr.\n`,
    );
  });

  it("cuts a plan too long for a comment at a whole line and says where the rest is", () => {
    const line = `| \`api\` | \`${"i".repeat(80)}\` | DRIFTED | 1 |\n`;
    const plan = line.repeat(Math.ceil((MAX_BODY * 1.5) / line.length));
    const body = commentBody({ plan, stderr: "", exitcode: 2, runUrl: "https://github.test/r/1" });
    expect(body.length).toBeLessThanOrEqual(MAX_BODY);
    expect(body.startsWith(`${MARKER}\n\n| \`api\``)).toBe(true);
    expect(
      body.endsWith(
        `DRIFTED | 1 |\n\n**The plan is longer than a comment can hold; it was cut here.** The [workflow run](https://github.test/r/1)'s summary has all of it.\n`,
      ),
    ).toBe(true);
  });
});

/** Comments in memory, in pages, with the calls made. */
function memoryApi(existing: IssueComment[], login?: string): CommentsApi & { calls: string[] } {
  const calls: string[] = [];
  let next = 1;
  return {
    calls,
    whoami: async () => {
      calls.push("whoami");
      return login;
    },
    list: async (page) => {
      calls.push(`list ${page}`);
      return existing.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE);
    },
    create: async (body) => {
      calls.push("create");
      const c = { id: next++, body, user: { login: login ?? "github-actions[bot]", type: "Bot" } };
      existing.push(c);
      return c;
    },
    update: async (id, body) => {
      calls.push(`update ${id}`);
      const c = existing.find((x) => x.id === id)!;
      c.body = body;
      return c;
    },
  };
}

const bot = { login: "github-actions[bot]", type: "Bot" };
const person = { login: "mallory", type: "User" };

describe("upsertComment", () => {
  it("creates the comment when no page has one, reading every page once", async () => {
    const others = Array.from({ length: PAGE_SIZE }, (_, i) => ({ id: 500 + i, body: "lgtm", user: person }));
    const api = memoryApi(others);
    expect(await upsertComment(api, `${MARKER}\n\nplan`)).toMatchObject({ action: "created" });
    expect(api.calls).toEqual(["whoami", "list 1", "list 2", "create"]);
  });

  it("updates its own comment in place, found on a later page", async () => {
    const comments: IssueComment[] = [
      ...Array.from({ length: PAGE_SIZE }, (_, i) => ({ id: 500 + i, body: "lgtm", user: person })),
      { id: 9, body: `${MARKER}\n\nold plan`, user: bot },
    ];
    const api = memoryApi(comments);
    expect(await upsertComment(api, `${MARKER}\n\nnew plan`)).toMatchObject({
      action: "updated",
      comment: { id: 9 },
    });
    expect(api.calls).toEqual(["whoami", "list 1", "list 2", "update 9"]);
    expect(comments.at(-1)!.body).toBe(`${MARKER}\n\nnew plan`);
  });

  it("never takes over a person's comment that starts with the marker, nor one that quotes it later", async () => {
    const comments: IssueComment[] = [
      { id: 1, body: `${MARKER}\n\nNo drift (trust me)`, user: person },
      { id: 2, body: `as the bot said:\n${MARKER}\n`, user: bot },
      { id: 3, body: `${MARKER} infra/desired-state -->\n\nanother folder's plan`, user: bot },
    ];
    const api = memoryApi(comments);
    expect(await upsertComment(api, `${MARKER}\n\nplan`)).toMatchObject({
      action: "created",
      comment: { id: 1 },
    });
    expect(comments.map((c) => c.body)).toEqual([
      `${MARKER}\n\nNo drift (trust me)`,
      `as the bot said:\n${MARKER}\n`,
      `${MARKER} infra/desired-state -->\n\nanother folder's plan`,
      `${MARKER}\n\nplan`,
    ]);
  });

  it("matches the token's own login when it has one (a personal token writes as its user)", async () => {
    const comments: IssueComment[] = [
      { id: 1, body: `${MARKER}\n\nold`, user: bot },
      { id: 2, body: `${MARKER}\n\nold`, user: { login: "ci-user", type: "User" } },
    ];
    const api = memoryApi(comments, "ci-user");
    expect(await upsertComment(api, `${MARKER}\n\nnew`)).toMatchObject({
      action: "updated",
      comment: { id: 2 },
    });
  });
});

describe("runCommentStep over REST", () => {
  let github: Awaited<ReturnType<typeof startFakeGitHub>>;
  const files: Record<string, string> = {
    "/event.json": JSON.stringify({ pull_request: { number: 7 } }),
    "/plan.md": PLAN,
    "/plan.stderr": "",
  };
  const read = async (path: string) => {
    if (!(path in files)) throw new Error(`ENOENT: ${path}`);
    return files[path]!;
  };
  const env = () => ({
    GITHUB_API_URL: github.url,
    GITHUB_REPOSITORY: "octo/infra",
    GITHUB_EVENT_NAME: "pull_request",
    GITHUB_EVENT_PATH: "/event.json",
    GITHUB_TOKEN: "ghs_test",
    PLAN_FILE: "/plan.md",
    PLAN_STDERR_FILE: "/plan.stderr",
    PLAN_EXITCODE: "2",
  });
  beforeEach(async () => {
    github = await startFakeGitHub({ repository: "octo/infra", issue: 7, token: "ghs_test" });
  });
  afterEach(async () => {
    await github.close();
  });

  it("creates the comment, then updates the same one on the next push", async () => {
    const lines: string[] = [];
    const io = { log: (l: string) => lines.push(l), readFile: read };
    expect(await runCommentStep(env(), io)).toBe(0);
    files["/plan.md"] = "### apigw-drift plan: IN_SYNC\n";
    expect(await runCommentStep({ ...env(), PLAN_EXITCODE: "0" }, io)).toBe(0);
    expect(lines).toEqual([
      "created the plan comment on pull request #7: https://github.test/octo/infra/pull/7#issuecomment-1000",
      "updated the plan comment on pull request #7: https://github.test/octo/infra/pull/7#issuecomment-1000",
    ]);
    expect(github.comments).toEqual([
      {
        id: 1000,
        body: `${MARKER}\n\n### apigw-drift plan: IN_SYNC\n`,
        user: { login: "github-actions[bot]", type: "Bot" },
      },
    ]);
    expect(github.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      "GET /user",
      "GET /repos/octo/infra/issues/7/comments?per_page=100&page=1",
      "POST /repos/octo/infra/issues/7/comments",
      "GET /user",
      "GET /repos/octo/infra/issues/7/comments?per_page=100&page=1",
      "PATCH /repos/octo/infra/issues/comments/1000",
    ]);
    expect(new Set(github.requests.map((r) => `${r.authorization} ${r.apiVersion}`))).toEqual(
      new Set(["Bearer ghs_test 2022-11-28"]),
    );
    files["/plan.md"] = PLAN;
  });

  it("comments nothing outside a pull request", async () => {
    const lines: string[] = [];
    const code = await runCommentStep(
      { ...env(), GITHUB_EVENT_NAME: "push", GITHUB_EVENT_PATH: "/push.json" },
      { log: (l) => lines.push(l), readFile: async (p) => (p === "/push.json" ? "{}" : read(p)) },
    );
    expect(code).toBe(0);
    expect(lines).toEqual(["not a pull request (push): no comment; the plan is in the job summary"]);
    expect(github.requests).toEqual([]);
  });

  it("warns, and passes, when the token may not comment (a fork's read-only token)", async () => {
    const lines: string[] = [];
    const code = await runCommentStep(
      { ...env(), GITHUB_REPOSITORY: "octo/elsewhere" },
      { log: (l) => lines.push(l), readFile: read },
    );
    expect(code).toBe(0);
    expect(lines).toEqual([
      "::warning title=apigw-drift::could not comment on the pull request (404): the token needs pull-requests: write (a pull request from a fork gets a read-only token). The plan is in the job summary.",
    ]);
  });

  it("fails with GitHub's message on one line for a bad token or a missing setting", async () => {
    const lines: string[] = [];
    expect(
      await runCommentStep(
        { ...env(), GITHUB_TOKEN: "wrong" },
        { log: (l) => lines.push(l), readFile: read },
      ),
    ).toBe(1);
    expect(lines).toEqual([
      `::error title=apigw-drift::GET ${github.url}/repos/octo/infra/issues/7/comments?per_page=100&page=1 answered 401: Bad credentials`,
    ]);
    lines.length = 0;
    expect(
      await runCommentStep({ ...env(), GITHUB_TOKEN: "" }, { log: (l) => lines.push(l), readFile: read }),
    ).toBe(1);
    expect(lines).toEqual([
      "::error title=apigw-drift::GITHUB_TOKEN is not set; this step runs inside the apigw-drift action",
    ]);
  });
});
