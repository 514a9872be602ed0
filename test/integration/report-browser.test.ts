/**
 * The HTML report in a real browser: Debian's Chromium, headless, driven by playwright-core (no browser
 * download). One browser for the file; each test opens its own page. Every request the pages make is
 * recorded and refused unless it is the report file itself, so "no network request" is what the browser
 * saw, not what the HTML looks like.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../lib/cli/main.ts";
import { openEmbeddedStore } from "../../lib/history/embedded.ts";
import { DynamoHistory } from "../../lib/history/store.ts";
import { renderReportHtml } from "../../lib/report/html.ts";
import { buildReportView } from "../../lib/report/view.ts";
import { launchChromium } from "../helpers/chromium.ts";
import {
  eventsOf,
  HOSTILE,
  hostileEvents,
  SEEDED_NOW,
  seededReports,
  withoutAttribution,
} from "../helpers/report-history.ts";
import { requireTool } from "../helpers/tools.ts";
import { captureIo } from "../helpers/world.ts";

const chromiumTool = requireTool("chromium", "apt-get install -y chromium");
const DAY = 86_400_000;

describe.runIf(chromiumTool.available)("the HTML report in Chromium", () => {
  let work: string;
  let context: BrowserContext;
  let closeBrowser: () => Promise<void>;
  /** Every request any page made (the browser's events) and every one routing saw, and the one URL allowed. */
  const requests: string[] = [];
  const routed: string[] = [];
  let allowed = "";

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), "apigw-drift-report-browser-"));
    ({ context, close: closeBrowser } = await launchChromium(chromiumTool.path!));
    await context.route("**/*", (route) => {
      const url = route.request().url();
      routed.push(url);
      return url === allowed ? route.continue() : route.abort();
    });
    context.on("request", (request) => {
      requests.push(request.url());
    });
  }, 60_000);
  afterAll(async () => {
    await closeBrowser?.();
    await rm(work, { recursive: true, force: true });
  });

  /** A new page whose console errors and uncaught errors are collected. */
  async function open(): Promise<{ page: Page; errors: string[] }> {
    requests.length = 0;
    routed.length = 0;
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") errors.push(`${m.type()}: ${m.text()}`);
    });
    page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
    page.on("dialog", (d) => {
      errors.push(`dialog: ${d.message()}`);
      return d.dismiss();
    });
    return { page, errors };
  }

  it("renders the file the CLI wrote from history: its chart, its tables, and loads nothing else", async () => {
    const store = await openEmbeddedStore({ cwd: work });
    try {
      const history = new DynamoHistory({
        client: store.client,
        tableName: store.tableName,
        now: () => SEEDED_NOW,
      });
      for (const report of withoutAttribution(seededReports())) await history.record(report);
    } finally {
      await store.close();
    }
    const io = captureIo({}, work);
    expect(await main(["report", "--html", "drift.html"], io, { history: { now: () => SEEDED_NOW } })).toBe(
      0,
    );
    const url = pathToFileURL(join(work, "drift.html")).href;
    allowed = url;

    const { page, errors } = await open();
    await page.goto(url);
    const chart = page.getByRole("img", { name: "Integrations seen drifting per day, per API" });
    await expect.poll(() => chart.count()).toBe(1);
    const box = await chart.boundingBox();
    expect(box!.width).toBeGreaterThan(800);
    expect(box!.height).toBeGreaterThan(250);
    expect(await page.locator("svg.chart g.series").count()).toBe(3);
    for (const api of ["a1b2c3d4e5", "f6g7h8i9j0", "w9x8y7z6v5"]) {
      expect(await page.locator(`svg.chart g.series[data-series="${api}"] [data-point]`).count()).toBe(31);
    }
    expect(
      await page
        .locator('svg.chart g.series[data-series="a1b2c3d4e5"] [data-point="19"]')
        .getAttribute("data-value"),
    ).toBe("3");
    expect(await page.locator("#chart-data tbody tr").count()).toBe(31);
    expect(await page.locator("#drifting tbody tr").count()).toBe(8);
    expect(await page.locator("#changers tbody tr").count()).toBe(1);
    expect(await page.locator("#reverts tbody tr").count()).toBe(3);
    expect(await page.locator("#drifting thead th").allTextContents()).toEqual([
      "API",
      "Integration",
      "Sightings",
      "Reverted",
      "First seen",
      "Last seen",
      "Last status",
      "Paths that drift",
      "Changed by",
      "Newest differences (live → desired)",
    ]);
    expect(errors).toEqual([]);
    expect(requests).toEqual([url]);
    expect(routed).toEqual([url]);
    await page.close();
  });

  it("names who changed what, from changedBy on the events, with no request at all", async () => {
    const html = renderReportHtml(
      buildReportView(eventsOf(seededReports()), {
        now: SEEDED_NOW,
        since: SEEDED_NOW - 30 * DAY,
        until: SEEDED_NOW,
        source: "seeded history",
      }),
    );
    const { page, errors } = await open();
    await page.setContent(html);
    expect(await page.locator("#changers tbody th").allTextContents()).toEqual([
      "arn:aws:sts::123456789012:assumed-role/Admin/alice@example.com",
      "arn:aws:sts::123456789012:assumed-role/ci-deploy/github-actions",
      "arn:aws:iam::123456789012:user/bob",
      "unknown",
    ]);
    expect(await page.locator("#changers tbody tr").first().locator("td").allTextContents()).toEqual([
      "5",
      "2",
      "a1b2c3d4e5w9x8y7z6v5",
      "2025-03-25 02:00",
      "DeleteIntegration, UpdateIntegration",
    ]);
    expect(await page.locator("#reverts tbody tr").nth(2).locator("td").allTextContents()).toEqual([
      "3",
      "3",
      "0 s",
      "0 s (msg5c6d)",
      "0",
      "—",
    ]);
    // The table's values, open: the text alternative is there for readers who cannot see the lines.
    await page.locator("details summary").click();
    await expect.poll(() => page.locator("#chart-data").isVisible()).toBe(true);
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    expect(routed).toEqual([]);
    await page.close();
  });

  it("shows hostile ids, principals, paths and values as text: nothing runs, nothing loads", async () => {
    const html = renderReportHtml(
      buildReportView(hostileEvents(), {
        now: Date.parse("2025-03-10T12:00:00.000Z"),
        since: Date.parse("2025-03-03T12:00:00.000Z"),
        until: Date.parse("2025-03-10T12:00:00.000Z"),
        source: HOSTILE.source,
      }),
    );
    const { page, errors } = await open();
    await page.setContent(html);
    expect(await page.evaluate(() => (globalThis as Record<string, unknown>).__pwned)).toBeUndefined();
    expect(await page.locator("script, img, iframe, svg[onload], b, i").count()).toBe(0);
    expect(await page.locator("#drifting tbody td").first().textContent()).toBe(HOSTILE.api);
    expect(await page.locator("#drifting tbody th").first().textContent()).toBe(HOSTILE.integration);
    expect(await page.locator("#changers tbody th").first().textContent()).toBe(HOSTILE.principal);
    expect(await page.locator("#drifting tbody tr").first().locator("td").nth(6).textContent()).toBe(
      `${HOSTILE.path} (2)`,
    );
    expect(await page.locator("#drifting tbody tr").first().locator("td").nth(8).textContent()).toBe(
      `${HOSTILE.path} changed: "<i>x</i>" → ${JSON.stringify(HOSTILE.value)}`,
    );
    expect(await page.locator("svg.chart g.series").getAttribute("data-series")).toBe(HOSTILE.api);
    // The style block survived whole: the table still has its borders.
    expect(
      await page
        .locator("#drifting td")
        .first()
        .evaluate((td) => {
          type Styles = (e: unknown) => { borderTopStyle: string };
          return (globalThis as unknown as { getComputedStyle: Styles }).getComputedStyle(td).borderTopStyle;
        }),
    ).toBe("solid");
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    expect(routed).toEqual([]);
    await page.close();
  });

  it("enforces its Content-Security-Policy: an image added later is refused before it leaves the page", async () => {
    // A server on loopback that counts what reaches it: the proof that nothing went out.
    let hits = 0;
    const server = createServer((_, res) => {
      hits += 1;
      res.end();
    });
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
    const pixel = `http://127.0.0.1:${(server.address() as AddressInfo).port}/pixel.png`;
    allowed = pixel; // even routing would let it through: only the page's policy stops it
    try {
      const { page, errors } = await open();
      await page.setContent(
        renderReportHtml(
          buildReportView([], {
            now: SEEDED_NOW,
            since: SEEDED_NOW - DAY,
            until: SEEDED_NOW,
            source: "none",
          }),
        ),
      );
      await page.evaluate((src) => {
        type Doc = { createElement(n: string): { src: string }; body: { append(e: unknown): void } };
        const doc = (globalThis as unknown as { document: Doc }).document;
        const img = doc.createElement("img");
        img.src = src;
        doc.body.append(img);
      }, pixel);
      await expect.poll(() => errors.length).toBeGreaterThan(0);
      // Chromium's wording changes between versions; the directive and the URL do not.
      expect(errors).toHaveLength(1);
      expect(errors[0]).toContain(`'${pixel}'`);
      expect(errors[0]).toContain('Content Security Policy directive: "img-src data:"');
      // The page asked (Playwright reports the attempt), the browser's network never saw it.
      expect(requests).toEqual([pixel]);
      expect(routed).toEqual([]);
      expect(hits).toBe(0);
      await page.close();
    } finally {
      allowed = "";
      await new Promise((done) => server.close(done));
    }
  });
});
