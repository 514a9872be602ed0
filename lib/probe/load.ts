import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { DesiredState } from "../desired-state/state.ts";
import type { Report } from "../plan/report.ts";
import { readProbeResult } from "./result.ts";
import { probeWarnings } from "./warnings.ts";

/**
 * plan/apply's `--probe-result FILE` (or APIGW_DRIFT_PROBE_RESULT): adds to `report.warnings` what the
 * probe result says about its drifted integrations (warnings.ts). The file is advice, not input: one that
 * cannot be read is a warning saying why, and the run's status and exit code never change.
 */
export function addProbeWarnings(
  report: Report,
  state: DesiredState,
  file: string | undefined,
  cwd: string,
): void {
  if (file === undefined || file === "") return;
  let probe: ReturnType<typeof readProbeResult>;
  try {
    probe = readProbeResult(JSON.parse(readFileSync(resolve(cwd, file), "utf8")));
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    report.warnings.push({
      message: `probe result ${file} not used: ${why}. Write one with apigw-drift probe --yes --json > ${file}`,
    });
    return;
  }
  report.warnings.push(...probeWarnings(probe, file, report, state));
}
