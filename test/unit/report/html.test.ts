import { describe, expect, it } from "vitest";
import { escapeHtml } from "../../../lib/report/escape.ts";
import { CONTENT_SECURITY_POLICY, formatDuration, renderReportHtml } from "../../../lib/report/html.ts";
import { buildReportView } from "../../../lib/report/view.ts";
import { eventsOf, HOSTILE, hostileEvents, SEEDED_NOW, seededReports } from "../../helpers/report-history.ts";

const DAY = 86_400_000;
const NOW = Date.parse("2025-03-10T12:00:00.000Z");
const WINDOW = { now: NOW, since: NOW - 7 * DAY, until: NOW, source: "test store" };

describe("escapeHtml", () => {
  it("replaces the five characters that end text, a tag or an attribute, and control characters", () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
      "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;",
    );
    expect(escapeHtml("a\u0000b\u001bc\u0085d\te\nf\rg 🙂")).toBe("a\ufffdb\ufffdc\ufffdd\te\nf\rg 🙂");
  });
});

describe("formatDuration", () => {
  it.each([
    [0, "0 s"],
    [45_000, "45 s"],
    [60_000, "1 min"],
    [12 * 60_000 + 29_000, "12 min"],
    [3 * 3_600_000, "3 h"],
    [3 * 3_600_000 + 5 * 60_000, "3 h 5 min"],
    [2 * DAY, "2 d"],
    [2 * DAY + 4 * 3_600_000 + 59 * 60_000, "2 d 4 h"],
  ])("shows %d ms as %s", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe("renderReportHtml", () => {
  const seeded = renderReportHtml(
    buildReportView(eventsOf(seededReports()), {
      now: SEEDED_NOW,
      since: SEEDED_NOW - 30 * DAY,
      until: SEEDED_NOW,
      source: "the local store in /srv/.apigw-drift/history",
    }),
  );

  it("is one document that can load nothing: a strict CSP, no script, no URL but the SVG namespace", () => {
    expect(seeded.startsWith('<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n')).toBe(
      true,
    );
    expect(seeded).toContain(
      `<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">`,
    );
    expect(CONTENT_SECURITY_POLICY).toBe(
      "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'",
    );
    expect(seeded).not.toMatch(/<script|<link|<img|<iframe|@import|url\(|javascript:/i);
    expect(
      seeded.match(/(?:https?:)?\/\/[^\s"'<)]+/g)?.filter((u) => !u.startsWith("http://www.w3.org/2000/svg")),
    ).toEqual([
      // Values from the seeded diffs, shown as text, never loaded.
      "https://orders-v2.internal.example.com/{proxy}&quot;",
      "https://orders.internal.example.com/{proxy}&quot;",
    ]);
  });

  it("gives the chart a title, a description in words and its values as a table", () => {
    expect(seeded).toContain(
      '<svg class="chart" viewBox="0 0 960 340" width="100%" role="img" aria-labelledby="chart-title chart-desc"',
    );
    expect(seeded).toContain('<title id="chart-title">Integrations seen drifting per day, per API</title>');
    expect(seeded).toContain(
      '<desc id="chart-desc">Lines, one per API, of how many integrations runs saw drifted each day from 2025-03-01 to 2025-03-31. a1b2c3d4e5: 20 sightings, at most 3 integrations in one day (2025-03-20). f6g7h8i9j0: 5 sightings, at most 1 integration in one day (2025-03-27). w9x8y7z6v5: 4 sightings, at most 1 integration in one day (2025-03-13). The table below the chart has every value.</desc>',
    );
    expect(seeded.match(/<g class="series"/g)).toHaveLength(3);
    expect(seeded.match(/<g data-point=/g)).toHaveLength(3 * 31);
    expect(seeded).toContain(
      '<tr><th scope="row">2025-03-20</th><td class="n">3</td><td class="n">0</td><td class="n">0</td></tr>',
    );
    // Told apart without colour: each series its own marker and dash.
    expect([...seeded.matchAll(/data-marker="([a-z-]+)"/g)].map((m) => m[1])).toEqual([
      "circle",
      "square",
      "triangle",
    ]);
  });

  it("has header cells on every table and says 'unknown' where no one is named", () => {
    for (const id of ["chart-data", "drifting", "changers", "reverts"]) {
      const table = seeded.slice(seeded.indexOf(`<table id="${id}">`));
      expect(table.slice(0, table.indexOf("</table>"))).toMatch(
        /<caption>[^<]+.*<thead><tr><th scope="col">/s,
      );
    }
    expect(seeded).toContain(
      '<tr><th scope="row"><span class="none">unknown</span></th><td class="n">—</td><td class="n">1</td><td colspan="3">5 sightings carry no attribution',
    );
    expect(seeded).toContain(
      '<tr><th scope="row"><code>f6g7h8i9j0</code></th><td class="n">0</td><td class="n">0</td><td class="n">—</td><td>—</td><td class="n">1</td><td class="n">4 d 6 h</td></tr>',
    );
  });

  it("escapes every text from history: ids, principals, paths, values and the store's location", () => {
    const html = renderReportHtml(buildReportView(hostileEvents(), { ...WINDOW, source: HOSTILE.source }));
    for (const text of Object.values(HOSTILE)) expect(html).not.toContain(text);
    expect(html).not.toMatch(/<script|<img|<iframe|<svg onload|<b>|<i>/i);
    expect(html).toContain("<code>&lt;script&gt;window.__pwned=1&lt;/script&gt;</code>");
    expect(html).toContain('data-series="&lt;script&gt;window.__pwned=1&lt;/script&gt;"');
    expect(html).toContain("<code>&quot;&gt;&lt;img src=x onerror=&quot;window.__pwned=2&quot;&gt;</code>");
    expect(html).toContain("<code>&lt;/style&gt;&lt;script&gt;window.__pwned=3&lt;/script&gt;</code>");
    expect(html).toContain("/requestParameters/&#39;&gt;&lt;svg onload=window.__pwned=4&gt;");
    expect(html).toContain(
      "&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;&lt;iframe src=javascript:window.__pwned=5&gt;",
    );
    expect(html).toContain("History read from the local store in /tmp/&lt;b&gt;bold&lt;/b&gt;&amp;amp;;");
    expect(html.match(/<\/style>/g)).toHaveLength(1);
  });

  it("says there was no drift, and draws no chart, for an empty window", () => {
    const html = renderReportHtml(buildReportView([], { ...WINDOW, apiId: "a1b2c3d4e5" }));
    expect(html).toContain("<title>apigw-drift drift report for API a1b2c3d4e5</title>");
    expect(html).toContain('<p class="summary" id="summary">No drift was recorded in this window.</p>');
    expect(html).toContain("Nothing to chart: no drift in this window.");
    expect(html).not.toContain("<svg");
    expect(html).not.toContain("<table");
  });
});
