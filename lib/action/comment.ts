import { readFile } from "node:fs/promises";

/**
 * The first line of the plan comment: how a later run finds the comment to update instead of adding
 * another. Hidden when GitHub renders the comment.
 */
export const MARKER = "<!-- apigw-drift-plan -->";

/**
 * The marker of one desired-state folder: the plain one for `desired-state` at the repository's root,
 * one naming the folder otherwise, so two jobs planning two folders keep a comment each. Only characters
 * that cannot end an HTML comment are kept.
 */
export function markerFor(workingDirectory = ".", desired = "desired-state"): string {
  const key = `${workingDirectory}/${desired}`
    .replace(/[^A-Za-z0-9._/-]/g, "_")
    .replace(/-{2,}/g, "-")
    .replace(/\/{2,}/g, "/")
    .replace(/^(\.\/)+/, "")
    .replace(/\/+$/, "");
  return key === "desired-state" ? MARKER : `<!-- apigw-drift-plan ${key} -->`;
}
/** GitHub refuses a comment body longer than 65,536 characters. */
export const MAX_BODY = 65_536;

export interface CommentInput {
  /** The marker to start with (markerFor); MARKER by default. */
  marker?: string;
  /** The plan's `--markdown` output (rendered and escaped by the CLI). */
  plan: string;
  /** The plan's stderr, shown only when it failed. */
  stderr: string;
  /** The plan's exit code: 0 in sync, 2 drift, 1 error. */
  exitcode: number;
  /** Where the whole run can be read (the job summary has the full plan). */
  runUrl?: string;
}

/**
 * The comment's body: the marker, the plan, and when the plan failed its stderr inside <pre> with HTML
 * escaped, so no error text can close the block or add markup. Cut at a line to fit GitHub's limit,
 * saying where the rest is.
 */
export function commentBody(input: CommentInput): string {
  const marker = input.marker ?? MARKER;
  const parts = [marker];
  if (input.plan.trim()) parts.push(input.plan.trimEnd());
  if (input.exitcode !== 0 && input.exitcode !== 2) {
    const err = input.stderr.trim();
    parts.push(
      `**apigw-drift plan failed** (exit ${input.exitcode})${err ? ":" : "; it printed nothing on stderr."}`,
    );
    if (err) parts.push(`<pre>${escapeHtml(err)}</pre>`);
  }
  const footer = input.runUrl ? `<sub>[The workflow run](${input.runUrl}) has the whole plan.</sub>` : "";
  const body = [...parts, footer].filter(Boolean).join("\n\n");
  if (body.length <= MAX_BODY) return `${body}\n`;
  const note = `\n\n**The plan is longer than a comment can hold; it was cut here.**${input.runUrl ? ` The [workflow run](${input.runUrl})'s summary has all of it.` : " The workflow run's summary has all of it."}\n`;
  const room = MAX_BODY - note.length;
  const cut = body.slice(0, room);
  // Whole lines only: half a table row or an unclosed <details> is worse than one line less.
  return `${cut.slice(0, Math.max(cut.lastIndexOf("\n"), marker.length))}${note}`;
}

/** One issue comment, as far as the REST API's answer matters here. */
export interface IssueComment {
  id: number;
  body?: string | null;
  html_url?: string;
  user?: { login?: string; type?: string } | null;
}

/** The REST calls the comment needs (tests give their own). */
export interface CommentsApi {
  /** The token's own login, or undefined when the token cannot say (GITHUB_TOKEN and app tokens). */
  whoami(): Promise<string | undefined>;
  list(page: number): Promise<IssueComment[]>;
  create(body: string): Promise<IssueComment>;
  update(id: number, body: string): Promise<IssueComment>;
}

export const PAGE_SIZE = 100;

/**
 * Updates the pull request's plan comment in place, or adds it when there is none: the first comment
 * that starts with the marker and was written by this token's identity: its login when the token has
 * one (a personal token), otherwise a bot (GITHUB_TOKEN writes as github-actions[bot]). A person's
 * comment that starts with the marker is never taken over: its author could edit it afterwards to show
 * a plan that is not the run's.
 */
export async function upsertComment(
  api: CommentsApi,
  body: string,
  marker = MARKER,
): Promise<{ action: "created" | "updated"; comment: IssueComment }> {
  const login = await api.whoami();
  const byUs = (c: IssueComment) => (login ? c.user?.login === login : c.user?.type === "Bot");
  for (let page = 1; ; page++) {
    const comments = await api.list(page);
    const ours = comments.find((c) => (c.body ?? "").startsWith(`${marker}\n`) && byUs(c));
    if (ours) return { action: "updated", comment: await api.update(ours.id, body) };
    if (comments.length < PAGE_SIZE) break;
  }
  return { action: "created", comment: await api.create(body) };
}

/** A GitHub REST answer that was not a success, with what GitHub said. */
export class GitHubApiError extends Error {
  override name = "GitHubApiError";
  readonly status: number;
  constructor(message: string, status: number) {
    super(message);
    this.status = status;
  }
}

export interface RestOptions {
  /** GITHUB_API_URL: https://api.github.com, or a GitHub Enterprise Server's. */
  apiUrl: string;
  /** owner/name. */
  repository: string;
  issue: number;
  token: string;
  fetch?: typeof fetch;
}

/** The comments of one pull request (an issue, to the REST API) over `fetch`. */
export function restCommentsApi(options: RestOptions): CommentsApi {
  const doFetch = options.fetch ?? fetch;
  const base = `${options.apiUrl.replace(/\/+$/, "")}/repos/${options.repository}/issues`;
  const call = async <T>(method: string, url: string, body?: unknown): Promise<T> => {
    const response = await doFetch(url, {
      method,
      headers: {
        accept: "application/vnd.github+json",
        authorization: `Bearer ${options.token}`,
        "x-github-api-version": "2022-11-28",
        "user-agent": "apigw-drift-action",
        ...(body ? { "content-type": "application/json" } : {}),
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    if (!response.ok) {
      let said = text.slice(0, 300);
      try {
        said = (JSON.parse(text) as { message?: string }).message ?? said;
      } catch {
        // not JSON: keep the start of the text
      }
      throw new GitHubApiError(`${method} ${url} answered ${response.status}: ${said}`, response.status);
    }
    return JSON.parse(text) as T;
  };
  return {
    whoami: async () => {
      try {
        return (await call<{ login?: string }>("GET", `${options.apiUrl.replace(/\/+$/, "")}/user`)).login;
      } catch (error) {
        // GITHUB_TOKEN and GitHub App tokens have no user: "Resource not accessible by integration".
        if (error instanceof GitHubApiError && (error.status === 401 || error.status === 403))
          return undefined;
        throw error;
      }
    },
    list: (page) => call("GET", `${base}/${options.issue}/comments?per_page=${PAGE_SIZE}&page=${page}`),
    create: (body) => call("POST", `${base}/${options.issue}/comments`, { body }),
    update: (id, body) => call("PATCH", `${base}/comments/${id}`, { body }),
  };
}

/** Where the action's step writes: stdout for the log, and the GitHub workflow commands it may emit. */
export interface ActionIo {
  log: (line: string) => void;
  readFile?: (path: string) => Promise<string>;
  fetch?: typeof fetch;
}

/**
 * The action's comment step, from the environment a runner gives it: the plan and its stderr from
 * files (never through an expression spliced into a script), the pull request from the event payload.
 * Outside a pull request it comments nothing. A token that may not comment (a pull request from a fork
 * gets a read-only one) is a warning, not a failure: the plan's own result decides the check.
 * Resolves to the step's exit code.
 */
export async function runCommentStep(env: Record<string, string | undefined>, io: ActionIo): Promise<number> {
  const read = io.readFile ?? ((path: string) => readFile(path, "utf8"));
  const need = (name: string) => {
    const value = env[name];
    if (!value) throw new Error(`${name} is not set; this step runs inside the apigw-drift action`);
    return value;
  };
  try {
    const issue = await pullRequestNumber(env, read);
    if (issue === undefined) {
      io.log(
        `not a pull request (${env.GITHUB_EVENT_NAME ?? "no event"}): no comment; the plan is in the job summary`,
      );
      return 0;
    }
    const plan = await read(need("PLAN_FILE")).catch(() => "");
    const stderr = env.PLAN_STDERR_FILE ? await read(env.PLAN_STDERR_FILE).catch(() => "") : "";
    const exitcode = Number(env.PLAN_EXITCODE ?? "1");
    const runUrl =
      env.GITHUB_SERVER_URL && env.GITHUB_REPOSITORY && env.GITHUB_RUN_ID
        ? `${env.GITHUB_SERVER_URL}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}`
        : undefined;
    const marker = markerFor(env.WORKING_DIRECTORY || ".", env.DESIRED || "desired-state");
    const body = commentBody({
      marker,
      plan,
      stderr,
      exitcode: Number.isInteger(exitcode) ? exitcode : 1,
      runUrl,
    });
    const api = restCommentsApi({
      apiUrl: env.GITHUB_API_URL || "https://api.github.com",
      repository: need("GITHUB_REPOSITORY"),
      issue,
      token: need("GITHUB_TOKEN"),
      ...(io.fetch ? { fetch: io.fetch } : {}),
    });
    const { action, comment } = await upsertComment(api, body, marker);
    io.log(
      `${action} the plan comment on pull request #${issue}${comment.html_url ? `: ${comment.html_url}` : ""}`,
    );
    return 0;
  } catch (error) {
    if (error instanceof GitHubApiError && (error.status === 403 || error.status === 404)) {
      io.log(
        `::warning title=apigw-drift::could not comment on the pull request (${error.status}): the token needs pull-requests: write (a pull request from a fork gets a read-only token). The plan is in the job summary.`,
      );
      return 0;
    }
    io.log(`::error title=apigw-drift::${oneLine((error as Error).message)}`);
    return 1;
  }
}

async function pullRequestNumber(
  env: Record<string, string | undefined>,
  read: (path: string) => Promise<string>,
): Promise<number | undefined> {
  if (!env.GITHUB_EVENT_PATH) return undefined;
  const event = JSON.parse(await read(env.GITHUB_EVENT_PATH)) as {
    pull_request?: { number?: unknown };
  };
  const n = event.pull_request?.number;
  return typeof n === "number" && Number.isInteger(n) && n > 0 ? n : undefined;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Workflow commands end at a newline: one line, so an error text cannot start a command of its own. */
function oneLine(text: string): string {
  return text.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}
