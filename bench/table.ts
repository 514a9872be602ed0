/** One line of the results table: a figure, what we measured, what it is held against, and the verdict. */
export interface Row {
  figure: string;
  ours: string;
  /** The floor, baseline or peer figure measured in the same run. */
  reference: string;
  /** ours ÷ reference, when the figure is a ratio. */
  ratio: number | null;
  target: string;
  result: "met" | "MISSED" | "info" | "pending";
  /** Why a figure missed (measured), is pending, or what to read into an informational one. */
  reason?: string;
}

const HEADER = ["figure", "ours", "floor / baseline / peer", "ratio", "target", "result"];

export function formatRatio(ratio: number | null, digits = 2): string {
  return ratio === null || !Number.isFinite(ratio) ? "—" : ratio.toFixed(digits);
}

/** A Markdown table, padded so it also reads in a terminal; reasons follow as numbered notes. */
export function renderTable(rows: readonly Row[]): string {
  const notes: string[] = [];
  const cells = rows.map((r) => {
    let result: string = r.result;
    if (r.reason) {
      notes.push(r.reason);
      result = `${r.result} [${notes.length}]`;
    }
    // A miss by less than the last digit shown would read "1.20 ≤ 1.20 MISSED": one more digit says it.
    return [
      r.figure,
      r.ours,
      r.reference,
      formatRatio(r.ratio, r.result === "MISSED" ? 3 : 2),
      r.target,
      result,
    ];
  });
  const widths = HEADER.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: readonly string[]) => `| ${c.map((s, i) => s.padEnd(widths[i]!)).join(" | ")} |`;
  const out = [line(HEADER), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...cells.map(line)];
  if (notes.length > 0) out.push("", ...notes.map((n, i) => `[${i + 1}] ${n}`));
  return out.join("\n");
}

export const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
export const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
export const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;
