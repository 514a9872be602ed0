import { existsSync } from "node:fs";
import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { main } from "../../lib/cli/main.ts";
import { openEmbeddedStore } from "../../lib/history/embedded.ts";
import { DynamoHistory } from "../../lib/history/store.ts";
import { historyTable, startDynalite } from "../helpers/dynalite.ts";
import { SEEDED_NOW, seededReports, withoutAttribution } from "../helpers/report-history.ts";
import { captureIo } from "../helpers/world.ts";

let cwd: string;
const deps = { history: { now: () => SEEDED_NOW } };
const cli = async (args: string[], env: Record<string, string | undefined> = {}) => {
  const io = captureIo(env, cwd);
  const code = await main(["report", ...args], io, deps);
  return { code, io };
};
/** Rows of one of the report's tables, counted by their closing tags. */
const rows = (html: string, id: string) => {
  const table = html.slice(html.indexOf(`<table id="${id}">`));
  return table.slice(table.indexOf("<tbody>"), table.indexOf("</tbody>")).split("</tr>").length - 1;
};

beforeEach(async () => {
  cwd = await mkdtemp(join(tmpdir(), "apigw-drift-report-"));
});
afterEach(async () => {
  vi.unstubAllEnvs();
  await rm(cwd, { recursive: true, force: true });
});

async function seedEmbedded(reports = withoutAttribution(seededReports())): Promise<void> {
  const store = await openEmbeddedStore({ cwd });
  try {
    const history = new DynamoHistory({
      client: store.client,
      tableName: store.tableName,
      now: () => SEEDED_NOW,
    });
    for (const report of reports) await history.record(report);
  } finally {
    await store.close();
  }
}

describe("report --html from the embedded store", () => {
  it("writes one page of the last 30 days: a chart line per API, the drifting integrations, revert times", async () => {
    await seedEmbedded();
    const { code, io } = await cli(["--html", "out/drift.html"]);
    expect(io.err).toBe(
      `wrote out/drift.html: 29 drift sightings of 8 integrations in 3 APIs, 2025-03-01T12:00:00.000Z to 2025-03-31T12:00:00.000Z, from the local store in ${join(cwd, ".apigw-drift/history")}\n`,
    );
    expect(code).toBe(0);
    expect(io.out).toBe("");
    const html = await readFile(join(cwd, "out/drift.html"), "utf8");
    expect(html.match(/<g class="series"/g)).toHaveLength(3);
    expect(html.match(/<g data-point=/g)).toHaveLength(3 * 31);
    expect(rows(html, "drifting")).toBe(8);
    expect(rows(html, "reverts")).toBe(3);
    // Seeded without changedBy (attribution off, or runs before it): no one is named, every sighting unknown.
    expect(rows(html, "changers")).toBe(1);
    expect(html).toContain('<td colspan="3">29 sightings carry no attribution');
    expect(html).toContain(
      '<tr><th scope="row"><code>a1b2c3d4e5</code></th><td class="n">8</td><td class="n">0</td><td class="n">12 h</td><td>4 d 12 h (<code>prx3m9a</code>)</td><td class="n">0</td><td class="n">—</td></tr>',
    );
    // Written whole, with no temporary file left beside it.
    expect(await readdir(join(cwd, "out"))).toEqual(["drift.html"]);
    expect((await lstat(join(cwd, "out/drift.html"))).mode & 0o777).toBe(0o644);
  });

  it("names who changed them from the changedBy history keeps with each drift event", async () => {
    // The runs as attribution recorded them: history stores changedBy, and the page reads it back.
    await seedEmbedded(seededReports());
    const { code } = await cli(["--html", "who.html"]);
    expect(code).toBe(0);
    const html = await readFile(join(cwd, "who.html"), "utf8");
    // Three principals, and one row for the sightings nobody was found for (the payments drift).
    expect(rows(html, "changers")).toBe(4);
    const principal = (arn: string, changes: number) =>
      `<tr><th scope="row"><code>${arn}</code></th><td class="n">${changes}</td>`;
    expect(html).toContain(principal("arn:aws:sts::123456789012:assumed-role/Admin/alice@example.com", 5));
    expect(html).toContain(principal("arn:aws:sts::123456789012:assumed-role/ci-deploy/github-actions", 4));
    expect(html).toContain(principal("arn:aws:iam::123456789012:user/bob", 1));
    expect(html).toContain('<td colspan="3">5 sightings carry no attribution');
  });

  it("narrows to one API and a window given as for history", async () => {
    await seedEmbedded();
    const { code, io } = await cli([
      "--html",
      "orders.html",
      "--api",
      "a1b2c3d4e5",
      "--since",
      "2025-03-05",
      "--until",
      "2025-03-11",
    ]);
    expect(code).toBe(0);
    expect(io.err).toMatch(
      /^wrote orders\.html: 8 drift sightings of 2 integrations in 1 API, 2025-03-05T00:00:00\.000Z to 2025-03-11T23:59:59\.999Z, from /,
    );
    const html = await readFile(join(cwd, "orders.html"), "utf8");
    expect(html).toContain("<title>apigw-drift drift report for API a1b2c3d4e5</title>");
    expect(html.match(/<g class="series"/g)).toHaveLength(1);
    expect(html.match(/<g data-point=/g)).toHaveLength(7);
    expect(rows(html, "drifting")).toBe(2);
  });

  it("replaces an earlier report in place", async () => {
    await seedEmbedded();
    await writeFile(join(cwd, "drift.html"), "old");
    expect((await cli(["--html", "drift.html", "--since", "2d"])).code).toBe(0);
    const html = await readFile(join(cwd, "drift.html"), "utf8");
    expect(html).toContain('<p class="summary" id="summary">2 drift sightings of 1 integration in 1 API.');
  });

  it("escapes the file name it prints, so a name cannot forge a line of the log", async () => {
    const { code, io } = await cli(["--html", "a\n::error::b.html"]);
    expect(code).toBe(0);
    expect(io.err).toMatch(/^wrote a\\n::error::b\.html: 0 drift sightings of 0 integrations in 0 APIs, /);
    expect(existsSync(join(cwd, "a\n::error::b.html"))).toBe(true);
  });

  it("writes a page that says so when history holds no drift", async () => {
    const { code } = await cli(["--html", "empty.html"]);
    expect(code).toBe(0);
    expect(await readFile(join(cwd, "empty.html"), "utf8")).toContain(
      "No drift was recorded in this window.",
    );
  });
});

describe("report --html from a DynamoDB table", () => {
  let dynamo: Awaited<ReturnType<typeof startDynalite>>;
  beforeAll(async () => {
    dynamo = await startDynalite();
  });
  afterAll(async () => {
    await dynamo.close();
  });

  it("reads the table named by DRIFT_HISTORY_TABLE through the same queries", async () => {
    vi.stubEnv("AWS_ENDPOINT_URL_DYNAMODB", dynamo.endpoint);
    vi.stubEnv("AWS_REGION", "eu-west-1");
    vi.stubEnv("AWS_ACCESS_KEY_ID", "test");
    vi.stubEnv("AWS_SECRET_ACCESS_KEY", "test");
    const table = await historyTable(dynamo.client);
    const history = new DynamoHistory({ client: dynamo.client, tableName: table, now: () => SEEDED_NOW });
    for (const report of withoutAttribution(seededReports())) await history.record(report);
    const { code, io } = await cli(["--html", "table.html", "--since", "2025-03-01T00:00:00Z"], {
      DRIFT_HISTORY_TABLE: table,
    });
    expect(io.err).toBe(
      `wrote table.html: 29 drift sightings of 8 integrations in 3 APIs, 2025-03-01T00:00:00.000Z to 2025-03-31T12:00:00.000Z, from DynamoDB table ${table}\n`,
    );
    expect(code).toBe(0);
    expect(existsSync(join(cwd, ".apigw-drift"))).toBe(false);
  });
});

describe("report --html refuses", () => {
  it.each([
    [
      ["--html", "r.html", "--since", "last week"],
      'error: --since takes an ISO-8601 date (2025-01-31), date and time (2025-01-31T12:00:00Z) or a duration back from now (30m, 24h, 7d, 2w), not "last week"\n',
    ],
    [
      ["--html", "r.html", "--until", "2025-02-30"],
      'error: --until takes an ISO-8601 date (2025-01-31), date and time (2025-01-31T12:00:00Z) or a duration back from now (30m, 24h, 7d, 2w), not "2025-02-30"\n',
    ],
    [
      ["--html", "r.html", "--since", "2025-03-10", "--until", "2025-03-01"],
      "error: --since (2025-03-10T00:00:00.000Z) is after --until (2025-03-01T23:59:59.999Z): nothing can match\n",
    ],
    [
      ["--html", "r.html", "--since", "2025-04-01"],
      "error: --since (2025-04-01T00:00:00.000Z) is after now (2025-03-31T12:00:00.000Z): pass an --until after it\n",
    ],
    [["--html", " "], "error: --html takes the path of the HTML file to write\n"],
    [[], "error: required option '--html <file>' not specified\n(run apigw-drift --help for usage)\n"],
  ])("%j with exit 1 and what to fix, writing nothing", async (args, stderr) => {
    const { code, io } = await cli(args);
    expect(io.err).toBe(stderr);
    expect(code).toBe(1);
    expect(await readdir(cwd)).toEqual([]);
  });

  it("a history it cannot open", async () => {
    const { code, io } = await cli(["--html", "r.html"], { DRIFT_HISTORY_RETENTION_DAYS: "forever" });
    expect(io.err).toBe(
      'error: DRIFT_HISTORY_RETENTION_DAYS must be a whole number of days ≥ 1, not "forever"; unset it for the default of 90\n',
    );
    expect(code).toBe(1);
  });

  it("a history it cannot read", async () => {
    vi.stubEnv("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:9");
    vi.stubEnv("AWS_REGION", "eu-west-1");
    vi.stubEnv("AWS_ACCESS_KEY_ID", "test");
    vi.stubEnv("AWS_SECRET_ACCESS_KEY", "test");
    vi.stubEnv("AWS_MAX_ATTEMPTS", "1");
    const { code, io } = await cli(["--html", "r.html"], { DRIFT_HISTORY_TABLE: "nowhere" });
    expect(io.err).toMatch(/^error: reading drift history from table nowhere failed: .+\n$/);
    expect(code).toBe(1);
    expect(existsSync(join(cwd, "r.html"))).toBe(false);
  });

  it("to write through a symbolic link, leaving the link and its target as they were", async () => {
    await writeFile(join(cwd, "target.txt"), "precious");
    await symlink(join(cwd, "target.txt"), join(cwd, "r.html"));
    const { code, io } = await cli(["--html", "r.html"]);
    expect(io.err).toBe(
      "error: r.html is a symbolic link; refusing to write through it. Remove the link or name another file.\n",
    );
    expect(code).toBe(1);
    expect(await readFile(join(cwd, "target.txt"), "utf8")).toBe("precious");
    expect(await readlink(join(cwd, "r.html"))).toBe(join(cwd, "target.txt"));
  });

  it("a path that is a folder", async () => {
    await mkdir(join(cwd, "reports"));
    const { code, io } = await cli(["--html", "reports"]);
    expect(io.err).toBe("error: reports exists and is not a regular file; name a file to write.\n");
    expect(code).toBe(1);
  });

  it("a folder it cannot write in, saying why", async () => {
    await writeFile(join(cwd, "plain"), "");
    const { code, io } = await cli(["--html", "plain/r.html"]);
    expect(io.err).toMatch(/^error: cannot write plain\/r\.html: ENOTDIR: not a directory, .+\n$/);
    expect(code).toBe(1);
  });
});
