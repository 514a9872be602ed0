import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";

export interface FakeComment {
  id: number;
  body: string;
  user: { login: string; type: "Bot" | "User" };
}

export interface FakeRequest {
  method: string;
  path: string;
  authorization?: string;
  apiVersion?: string;
  body?: unknown;
}

/**
 * Just enough of GitHub's REST API for the plan comment, on loopback: one repository's issue comments
 * (list with per_page/page, create, update), and `GET /user`, which answers 403 as it does for
 * GITHUB_TOKEN unless a login is given. Comments are written as `author`. Every request is recorded.
 */
export async function startFakeGitHub(options: {
  repository: string;
  issue: number;
  token: string;
  author?: FakeComment["user"];
  login?: string;
}) {
  const comments: FakeComment[] = [];
  const requests: FakeRequest[] = [];
  let nextId = 1000;
  const author = options.author ?? { login: "github-actions[bot]", type: "Bot" as const };
  const base = `/repos/${options.repository}/issues`;
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const body = await readBody(req);
    requests.push({
      method: req.method ?? "",
      path: `${url.pathname}${url.search}`,
      authorization: req.headers.authorization,
      apiVersion: req.headers["x-github-api-version"] as string | undefined,
      ...(body === undefined ? {} : { body }),
    });
    const send = (status: number, value: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(value));
    };
    if (req.headers.authorization !== `Bearer ${options.token}`)
      return send(401, { message: "Bad credentials" });
    if (req.method === "GET" && url.pathname === "/user") {
      return options.login
        ? send(200, { login: options.login })
        : send(403, { message: "Resource not accessible by integration" });
    }
    const shown = (c: FakeComment) => ({
      ...c,
      html_url: `https://github.test/${options.repository}/pull/${options.issue}#issuecomment-${c.id}`,
    });
    if (url.pathname === `${base}/${options.issue}/comments`) {
      if (req.method === "GET") {
        const perPage = Number(url.searchParams.get("per_page") ?? 30);
        const page = Number(url.searchParams.get("page") ?? 1);
        return send(200, comments.slice((page - 1) * perPage, page * perPage).map(shown));
      }
      if (req.method === "POST") {
        const comment = { id: nextId++, body: (body as { body: string }).body, user: author };
        comments.push(comment);
        return send(201, shown(comment));
      }
    }
    const edit = new RegExp(`^${base}/comments/(\\d+)$`).exec(url.pathname);
    if (edit && req.method === "PATCH") {
      const comment = comments.find((c) => c.id === Number(edit[1]));
      if (!comment) return send(404, { message: "Not Found" });
      comment.body = (body as { body: string }).body;
      return send(200, shown(comment));
    }
    return send(404, { message: "Not Found" });
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    comments,
    requests,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  if (chunks.length === 0) return undefined;
  return JSON.parse(Buffer.concat(chunks).toString("utf8"));
}
