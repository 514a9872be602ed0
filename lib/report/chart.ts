import { escapeHtml as esc } from "./escape.ts";
import type { ChartView, Series } from "./view.ts";

/**
 * How each series is told apart without colour: a marker shape and a dash pattern of its own, and its
 * name in the legend and in every point's tooltip. The colours (Okabe–Ito, safe for the common colour
 * blindnesses) only add to that.
 */
export const SERIES_STYLES = [
  { marker: "circle", dash: "", colour: "#0072b2" },
  { marker: "square", dash: "8 4", colour: "#d55e00" },
  { marker: "triangle", dash: "2 3", colour: "#009e73" },
  { marker: "diamond", dash: "10 3 2 3", colour: "#cc79a7" },
  { marker: "triangle-down", dash: "4 4", colour: "#e69f00" },
  { marker: "cross", dash: "12 3 3 3 3 3", colour: "#56b4e9" },
  { marker: "plus", dash: "1 3", colour: "#000000" },
  { marker: "bar", dash: "6 2", colour: "#7f6000" },
  { marker: "hexagon", dash: "14 5", colour: "#666666" },
] as const;

const WIDTH = 960;
const HEIGHT = 340;
const LEFT = 56;
const RIGHT = 16;
const TOP = 16;
const BOTTOM = 52;

/** The marker shapes as path data around (x, y). */
function markerPath(marker: string, x: number, y: number): string {
  const r = 4.5;
  const p = (dx: number, dy: number) => `${round(x + dx)},${round(y + dy)}`;
  switch (marker) {
    case "circle":
      return `M${p(-r, 0)}A${r},${r} 0 1,0 ${p(r, 0)}A${r},${r} 0 1,0 ${p(-r, 0)}Z`;
    case "square":
      return `M${p(-r, -r)}L${p(r, -r)}L${p(r, r)}L${p(-r, r)}Z`;
    case "triangle":
      return `M${p(0, -r - 1)}L${p(r + 1, r)}L${p(-r - 1, r)}Z`;
    case "triangle-down":
      return `M${p(0, r + 1)}L${p(r + 1, -r)}L${p(-r - 1, -r)}Z`;
    case "diamond":
      return `M${p(0, -r - 1)}L${p(r + 1, 0)}L${p(0, r + 1)}L${p(-r - 1, 0)}Z`;
    case "cross":
      return `M${p(-r, -r)}L${p(r, r)}M${p(r, -r)}L${p(-r, r)}`;
    case "plus":
      return `M${p(-r - 1, 0)}L${p(r + 1, 0)}M${p(0, -r - 1)}L${p(0, r + 1)}`;
    case "bar":
      return `M${p(-r - 1, -2)}L${p(r + 1, -2)}L${p(r + 1, 2)}L${p(-r - 1, 2)}Z`;
    default: {
      const points = Array.from({ length: 6 }, (_, i) => {
        const a = (Math.PI / 3) * i;
        return p(r * Math.cos(a), r * Math.sin(a));
      });
      return `M${points.join("L")}Z`;
    }
  }
}

/** Open shapes (lines only) are stroked, the rest filled. */
function isOpen(marker: string): boolean {
  return marker === "cross" || marker === "plus";
}

export function seriesStyle(index: number) {
  return SERIES_STYLES[index % SERIES_STYLES.length]!;
}

/** The marker and dash of series `index`, small, for the legend. */
export function legendSwatch(index: number): string {
  const s = seriesStyle(index);
  return `<svg class="swatch" width="44" height="14" viewBox="0 0 44 14" aria-hidden="true" focusable="false"><line x1="2" y1="7" x2="42" y2="7" stroke="${s.colour}" stroke-width="2"${s.dash ? ` stroke-dasharray="${s.dash}"` : ""}/>${marker(s, 22, 7)}</svg>`;
}

function marker(s: (typeof SERIES_STYLES)[number], x: number, y: number, extra = ""): string {
  const paint = isOpen(s.marker)
    ? `fill="none" stroke="${s.colour}" stroke-width="2"`
    : `fill="${s.colour}" stroke="#ffffff" stroke-width="1"`;
  return `<path${extra} d="${markerPath(s.marker, x, y)}" ${paint}/>`;
}

/**
 * The chart as inline SVG: one group per series (`data-series`, its label), one marker per bucket
 * (`data-point`), each with a tooltip; a title and a description that says what the lines show for
 * readers that cannot see them. Every label is escaped.
 */
export function renderChart(chart: ChartView, description: string): string {
  const n = chart.buckets.length;
  const max = Math.max(1, ...chart.series.flatMap((s) => s.values));
  const step = Math.max(1, Math.ceil(max / 5));
  const top = Math.ceil(max / step) * step;
  const plotW = WIDTH - LEFT - RIGHT;
  const plotH = HEIGHT - TOP - BOTTOM;
  const x = (i: number) => LEFT + (n === 1 ? plotW / 2 : (plotW * i) / (n - 1));
  const y = (v: number) => TOP + plotH - (plotH * v) / top;
  const out: string[] = [];
  out.push(
    `<svg class="chart" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="100%" role="img" aria-labelledby="chart-title chart-desc" xmlns="http://www.w3.org/2000/svg">`,
    `<title id="chart-title">Integrations seen drifting per ${bucketName(chart.bucketDays)}, per API</title>`,
    `<desc id="chart-desc">${esc(description)}</desc>`,
  );
  // Grid and y axis: whole numbers, since the values count integrations.
  out.push(`<g class="axis y-axis" aria-hidden="true">`);
  for (let v = 0; v <= top; v += step) {
    out.push(
      `<line x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${round(y(v))}" y2="${round(y(v))}" class="grid"/>`,
      `<text x="${LEFT - 8}" y="${round(y(v) + 4)}" text-anchor="end">${v}</text>`,
    );
  }
  out.push(
    `<text x="14" y="${TOP + plotH / 2}" text-anchor="middle" transform="rotate(-90 14 ${TOP + plotH / 2})">integrations</text>`,
    `</g>`,
  );
  // X axis: at most about ten dates, so they never overlap.
  const every = Math.max(1, Math.ceil(n / 10));
  out.push(`<g class="axis x-axis" aria-hidden="true">`);
  out.push(
    `<line x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${TOP + plotH}" y2="${TOP + plotH}" class="baseline"/>`,
  );
  chart.buckets.forEach((day, i) => {
    if (i % every !== 0 && i !== n - 1) return;
    out.push(
      `<line x1="${round(x(i))}" x2="${round(x(i))}" y1="${TOP + plotH}" y2="${TOP + plotH + 5}" class="baseline"/>`,
      `<text x="${round(x(i))}" y="${TOP + plotH + 20}" text-anchor="middle">${day.slice(5)}</text>`,
    );
  });
  out.push(
    `<text x="${LEFT + plotW / 2}" y="${HEIGHT - 6}" text-anchor="middle">${chart.bucketDays === 1 ? "day" : `${bucketName(chart.bucketDays)} starting`} (UTC, month-day), ${chart.buckets[0]} to ${chart.buckets.at(-1)}</text>`,
    `</g>`,
  );
  chart.series.forEach((series, index) => {
    out.push(seriesGroup(series, index, chart, x, y));
  });
  out.push(`</svg>`);
  return out.join("");
}

function seriesGroup(
  series: Series,
  index: number,
  chart: ChartView,
  x: (i: number) => number,
  y: (v: number) => number,
): string {
  const s = seriesStyle(index);
  const points = series.values.map((v, i) => `${round(x(i))},${round(y(v))}`).join(" ");
  const parts = [
    `<g class="series" data-series="${esc(series.label)}" data-marker="${s.marker}">`,
    `<title>${esc(series.label)}: ${series.sightings} drift sighting${series.sightings === 1 ? "" : "s"}</title>`,
    `<polyline points="${points}" fill="none" stroke="${s.colour}" stroke-width="2"${s.dash ? ` stroke-dasharray="${s.dash}"` : ""}/>`,
  ];
  series.values.forEach((v, i) => {
    parts.push(
      `<g data-point="${i}" data-value="${v}">${marker(s, x(i), y(v))}<title>${esc(series.label)}, ${chart.buckets[i]}: ${v} integration${v === 1 ? "" : "s"} drifted</title></g>`,
    );
  });
  parts.push(`</g>`);
  return parts.join("");
}

export function bucketName(days: number): string {
  return days === 1 ? "day" : days === 7 ? "week" : `${days}-day period`;
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
