import { terminal } from "../text/escape.ts";
import { BEHAVIOUR_NAMES } from "./behaviours.ts";
import type { ProbeResult } from "./result.ts";

/**
 * The probe's result as a table a person reads: behaviour, what the account showed, what the product
 * assumes, whether they agree; then each behaviour's evidence in the service's words (escaped: it is the
 * service's text).
 */
export function renderProbeTable(result: ProbeResult): string {
  const rows = BEHAVIOUR_NAMES.flatMap((name) => {
    const entry = result.behaviours[name];
    if (!entry) return [];
    const agrees = entry.agrees === null ? "?" : entry.agrees ? "yes" : "NO";
    const assumed = entry.assumed.length === 0 ? "(none)" : entry.assumed.map(String).join(" | ");
    return [{ name, observed: String(entry.observed), assumed, agrees, evidence: entry.evidence }];
  });
  const header = {
    name: "behaviour",
    observed: "observed",
    assumed: "apigw-drift assumes",
    agrees: "agree?",
  };
  const width = (key: keyof typeof header) => Math.max(header[key].length, ...rows.map((r) => r[key].length));
  const line = (r: typeof header) =>
    [
      r.name.padEnd(width("name")),
      r.observed.padEnd(width("observed")),
      r.assumed.padEnd(width("assumed")),
      r.agrees,
    ]
      .join("  ")
      .trimEnd();
  const out = [
    `apigw-drift probe · ${terminal(result.region)} · ${terminal(result.probedAt)}`,
    "",
    line(header),
    ...rows.map(line),
    "",
    "Evidence (the service's words):",
    ...rows.map((r) => `  ${r.name}: ${terminal(r.evidence)}`),
  ];
  const disagreements = rows.filter((r) => r.agrees === "NO").map((r) => r.name);
  out.push(
    "",
    disagreements.length === 0
      ? "Every behaviour the probe settled is what apigw-drift assumes."
      : `apigw-drift assumes otherwise for ${disagreements.join(", ")}: run plan with --probe-result to see which integrations that affects, and send the --json output to the apigw-drift maintainers.`,
  );
  return `${out.join("\n")}\n`;
}
