import { bucketName, legendSwatch, renderChart } from "./chart.ts";
import { escapeHtml as esc } from "./escape.ts";
import type { ShownDiff } from "./events.ts";
import type { RevertRow } from "./reverts.ts";
import type { ChangerRow, IntegrationRow, ReportView } from "./view.ts";

/**
 * What the page may load: nothing. No script, no font, no stylesheet, no image from anywhere; only its
 * own inline style and data: images. The chart is inline SVG, so it needs none of them.
 */
export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

const STYLE = `
:root { color: #1a1a1a; background: #ffffff; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
body { margin: 0 auto; max-width: 1100px; padding: 24px; }
h1 { font-size: 1.6rem; margin: 0 0 4px; }
h2 { font-size: 1.2rem; margin: 32px 0 8px; border-bottom: 2px solid #1a1a1a; padding-bottom: 4px; }
p.meta { margin: 2px 0; color: #444444; }
p.summary { font-size: 1.05rem; margin: 12px 0 0; }
figure { margin: 0; }
svg.chart { display: block; max-width: 100%; height: auto; border: 1px solid #cccccc; }
svg.chart text { font-size: 12px; fill: #333333; }
svg.chart .grid { stroke: #e3e3e3; stroke-width: 1; }
svg.chart .baseline { stroke: #333333; stroke-width: 1; }
ul.legend { list-style: none; padding: 0; margin: 8px 0; display: flex; flex-wrap: wrap; gap: 6px 20px; }
ul.legend li { display: flex; align-items: center; gap: 6px; }
table { border-collapse: collapse; width: 100%; margin: 8px 0; font-size: 0.9rem; }
caption { text-align: left; font-weight: 600; padding: 4px 0; caption-side: top; }
th, td { border: 1px solid #bbbbbb; padding: 4px 6px; text-align: left; vertical-align: top; }
thead th { background: #f0f0f0; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
code { font: 0.85rem/1.3 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; overflow-wrap: anywhere; }
td { overflow-wrap: anywhere; }
.nowrap { white-space: nowrap; overflow-wrap: normal; }
ul.cell { margin: 0; padding-left: 16px; }
.none { color: #555555; font-style: italic; }
details { margin: 8px 0; }
summary { cursor: pointer; }
@media print { details { display: block; } }
`;

/** The whole page: one self-contained HTML document, with every text from history escaped. */
export function renderReportHtml(view: ReportView): string {
  const title = `apigw-drift drift report${view.apiFilter ? ` for API ${view.apiFilter}` : ""}`;
  return [
    "<!doctype html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">`,
    '<meta name="referrer" content="no-referrer">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${esc(title)}</title>`,
    `<style>${STYLE}</style>`,
    "</head>",
    "<body>",
    "<header>",
    `<h1>${esc(title)}</h1>`,
    `<p class="meta">From ${time(view.since)} to ${time(view.until)} (UTC)${view.apiFilter ? `, API <code>${esc(view.apiFilter)}</code> only` : ""}.</p>`,
    `<p class="meta">History read from ${esc(view.source)}; generated ${time(view.generatedAt)}.</p>`,
    `<p class="summary" id="summary">${summaryLine(view)}</p>`,
    "</header>",
    "<main>",
    chartSection(view),
    driftingSection(view),
    changersSection(view),
    revertsSection(view),
    "</main>",
    "</body>",
    "</html>",
    "",
  ].join("\n");
}

function summaryLine(view: ReportView): string {
  if (view.sightings === 0) return "No drift was recorded in this window.";
  return `${plural(view.sightings, "drift sighting")} of ${plural(view.integrations, "integration")} in ${plural(view.apis, "API")}. A sighting is one run that found an integration drifted.`;
}

function chartSection(view: ReportView): string {
  const { chart } = view;
  const unit = bucketName(chart.bucketDays);
  const head = `<section aria-labelledby="over-time"><h2 id="over-time">Drift over time per API</h2>`;
  if (view.sightings === 0)
    return `${head}<p class="none">Nothing to chart: no drift in this window.</p></section>`;
  const description = [
    `Lines, one per API, of how many integrations runs saw drifted each ${unit} from ${chart.buckets[0]} to ${chart.buckets.at(-1)}.`,
    ...chart.series.map((s) => {
      const peak = Math.max(...s.values);
      const at = chart.buckets[s.values.indexOf(peak)];
      return `${s.label}: ${plural(s.sightings, "sighting")}, at most ${plural(peak, "integration")} in one ${unit} (${at}).`;
    }),
    "The table below the chart has every value.",
  ].join(" ");
  const legend = chart.series
    .map(
      (s, i) =>
        `<li>${legendSwatch(i)}<span><code>${esc(s.label)}</code> (${plural(s.sightings, "sighting")})</span></li>`,
    )
    .join("");
  const header = chart.series
    .map((s) => `<th scope="col" class="n"><code>${esc(s.label)}</code></th>`)
    .join("");
  const rows = chart.buckets
    .map(
      (day, i) =>
        `<tr><th scope="row">${day}</th>${chart.series.map((s) => `<td class="n">${s.values[i]}</td>`).join("")}</tr>`,
    )
    .join("");
  return [
    head,
    "<figure>",
    renderChart(chart, description),
    `<figcaption><ul class="legend" aria-label="Legend: each API's marker and line pattern">${legend}</ul></figcaption>`,
    "</figure>",
    `<details><summary>The chart's values as a table</summary>`,
    `<table id="chart-data"><caption>Integrations seen drifting per ${unit} (UTC), per API</caption>`,
    `<thead><tr><th scope="col">${unit === "day" ? "Day" : `${unit[0]!.toUpperCase()}${unit.slice(1)} from`}</th>${header}</tr></thead>`,
    `<tbody>${rows}</tbody></table></details>`,
    "</section>",
  ].join("");
}

function driftingSection(view: ReportView): string {
  const head = `<section aria-labelledby="drift-most"><h2 id="drift-most">The integrations that drift most</h2>`;
  if (view.drifting.length === 0)
    return `${head}<p class="none">No integration drifted in this window.</p></section>`;
  const rows = view.drifting.map(driftingRow).join("");
  const more =
    view.driftingMore > 0
      ? `<p>${plural(view.driftingMore, "more integration")} drifted less often; narrow the report with <code>--api</code> to see them.</p>`
      : "";
  return [
    head,
    `<table id="drifting"><caption>By drift sightings (runs that found them drifted), then reverts</caption>`,
    "<thead><tr>",
    '<th scope="col">API</th><th scope="col">Integration</th><th scope="col" class="n">Sightings</th>',
    '<th scope="col" class="n">Reverted</th><th scope="col">First seen</th><th scope="col">Last seen</th>',
    '<th scope="col">Last status</th><th scope="col">Paths that drift</th><th scope="col">Changed by</th>',
    '<th scope="col">Newest differences (live → desired)</th>',
    `</tr></thead><tbody>${rows}</tbody></table>`,
    more,
    "</section>",
  ].join("");
}

function driftingRow(r: IntegrationRow): string {
  const paths = r.paths.length
    ? list([
        ...r.paths.map((p) => `<code>${esc(p.path)}</code> (${p.count})`),
        ...(r.morePaths ? [`${r.morePaths} more`] : []),
      ])
    : '<span class="none">none recorded</span>';
  const diffs = r.latest.length
    ? list([...r.latest.map(diffText), ...(r.moreLatest ? [`${r.moreLatest} more`] : [])])
    : '<span class="none">none recorded</span>';
  return [
    "<tr>",
    `<td class="nowrap"><code>${esc(r.apiId)}</code></td>`,
    `<th scope="row" class="nowrap"><code>${esc(r.integrationId)}</code></th>`,
    `<td class="n">${r.sightings}</td><td class="n">${r.reverts}</td>`,
    `<td>${time(r.firstSeen)}</td><td>${time(r.lastSeen)}</td>`,
    `<td class="nowrap">${esc(r.lastStatus)}</td>`,
    `<td>${paths}</td>`,
    `<td>${list(r.changedBy.map((p) => (p === "unknown" ? '<span class="none">unknown</span>' : `<code>${esc(p)}</code>`)))}</td>`,
    `<td>${diffs}</td>`,
    "</tr>",
  ].join("");
}

function diffText(d: ShownDiff): string {
  const live = d.actual === undefined ? "(absent)" : `<code>${esc(d.actual)}</code>`;
  const desired = d.expected === undefined ? "(absent)" : `<code>${esc(d.expected)}</code>`;
  return `<code>${esc(d.path)}</code> ${esc(d.kind)}: ${live} → ${desired}`;
}

function changersSection(view: ReportView): string {
  const head = `<section aria-labelledby="who"><h2 id="who">Who changed them</h2>`;
  if (view.sightings === 0) return `${head}<p class="none">No drift, so no one to name.</p></section>`;
  const rows = view.changers.map(changerRow);
  const u = view.unattributed;
  if (u.sightings > 0) {
    rows.push(
      `<tr><th scope="row"><span class="none">unknown</span></th><td class="n">—</td><td class="n">${u.integrations}</td><td colspan="3">${u.sightings === 1 ? "1 sighting carries" : `${u.sightings} sightings carry`} no attribution: CloudTrail had no matching event, attribution was off, or the run predates it.</td></tr>`,
    );
  }
  return [
    head,
    `<table id="changers"><caption>Principals whose API Gateway calls wrote a drifted integration (CloudTrail, PRODUCT §8)</caption>`,
    '<thead><tr><th scope="col">Principal</th><th scope="col" class="n">Changes</th><th scope="col" class="n">Integrations</th>',
    '<th scope="col">APIs</th><th scope="col">Last change</th><th scope="col">CloudTrail events</th></tr></thead>',
    `<tbody>${rows.join("")}</tbody></table>`,
    "</section>",
  ].join("");
}

function changerRow(r: ChangerRow): string {
  return [
    "<tr>",
    `<th scope="row"><code>${esc(r.principal)}</code></th>`,
    `<td class="n">${r.changes}</td><td class="n">${r.integrations}</td>`,
    `<td>${list(r.apis.map((a) => `<code>${esc(a)}</code>`))}</td>`,
    `<td>${time(r.last)}</td>`,
    `<td>${r.eventNames.length ? esc(r.eventNames.join(", ")) : '<span class="none">not recorded</span>'}</td>`,
    "</tr>",
  ].join("");
}

function revertsSection(view: ReportView): string {
  const head = `<section aria-labelledby="revert"><h2 id="revert">Detection to revert</h2>`;
  if (view.reverts.length === 0) {
    return `${head}<p class="none">No integration needed an update in this window.</p></section>`;
  }
  return [
    head,
    "<p>From an integration's first sighting as needing an update to the apply that reverted it, between the runs' start times: a drift one apply found and fixed counts as 0. Drift put back by hand leaves no record, so it stays open until a run sees it again.</p>",
    `<table id="reverts"><caption>Per API, in this window</caption>`,
    '<thead><tr><th scope="col">API</th><th scope="col" class="n">Reverted</th><th scope="col" class="n">In the same run</th>',
    '<th scope="col" class="n">Median</th><th scope="col">Worst</th><th scope="col" class="n">Still open</th>',
    '<th scope="col" class="n">Oldest open</th></tr></thead>',
    `<tbody>${view.reverts.map(revertRow).join("")}</tbody></table>`,
    "</section>",
  ].join("");
}

function revertRow(r: RevertRow): string {
  const worst =
    r.worstMs === undefined
      ? "—"
      : `${formatDuration(r.worstMs)} (<code>${esc(r.worstIntegration ?? "")}</code>)`;
  return [
    "<tr>",
    `<th scope="row"><code>${esc(r.apiId)}</code></th>`,
    `<td class="n">${r.reverted}</td><td class="n">${r.sameRun}</td>`,
    `<td class="n">${r.medianMs === undefined ? "—" : formatDuration(r.medianMs)}</td>`,
    `<td>${worst}</td>`,
    `<td class="n">${r.open}</td>`,
    `<td class="n">${r.oldestOpenMs === undefined ? "—" : formatDuration(r.oldestOpenMs)}</td>`,
    "</tr>",
  ].join("");
}

/** A duration for people: `0 s`, `45 s`, `12 min`, `3 h 5 min`, `2 d 4 h`. */
export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const min = Math.floor(s / 60);
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 24) return min % 60 ? `${h} h ${min % 60} min` : `${h} h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
}

/** An instant as `yyyy-mm-dd hh:mm` in a <time> element; text that is not an instant, escaped as is. */
function time(at: string): string {
  const ms = Date.parse(at);
  if (Number.isNaN(ms)) return esc(at);
  const iso = new Date(ms).toISOString();
  return `<time datetime="${iso}" class="nowrap">${iso.slice(0, 10)} ${iso.slice(11, 16)}</time>`;
}

function list(items: readonly string[]): string {
  return items.length === 1
    ? items[0]!
    : `<ul class="cell">${items.map((i) => `<li>${i}</li>`).join("")}</ul>`;
}

function plural(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? "" : "s"}`;
}
