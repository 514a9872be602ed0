// Renders the README's screenshot of the drift report (docs/report.png): thirty days of seeded history
// for three APIs, with attribution, drawn by the same code as `apigw-drift report --html`, photographed
// by the system's Chromium. Run it after changing the page: node scripts/report-screenshot.ts
import { mkdir } from "node:fs/promises";
import { renderReportHtml } from "../lib/report/html.ts";
import { buildReportView } from "../lib/report/view.ts";
import { DEBIAN_CHROMIUM, launchChromium } from "../test/helpers/chromium.ts";
import { eventsOf, SEEDED_NOW, seededReports } from "../test/helpers/report-history.ts";

const OUT = "docs/report.png";
const html = renderReportHtml(
  buildReportView(eventsOf(seededReports()), {
    now: SEEDED_NOW,
    since: SEEDED_NOW - 30 * 86_400_000,
    until: SEEDED_NOW,
    source: "DynamoDB table apigw-drift-history",
  }),
);
const browser = await launchChromium(process.env.CHROMIUM ?? DEBIAN_CHROMIUM, { width: 1150, height: 900 });
try {
  const page = await browser.context.newPage();
  await page.setContent(html);
  await mkdir("docs", { recursive: true });
  await page.screenshot({ path: OUT, fullPage: true });
  process.stdout.write(`wrote ${OUT}\n`);
} finally {
  await browser.close();
}
