import type { Mode } from "../../lib/plan/report.ts";

/** The function's environment, validated once per cold start: a bad value fails loudly, not a run later. */
export interface FunctionConfig {
  RECONCILE_MODE: Mode;
  DRIFT_HISTORY_TABLE: string;
  DRIFT_HISTORY_RETENTION_DAYS: number;
  MAX_UPDATES: number;
  MAX_DELETES: number;
  RATE_LIMIT: number;
  CONCURRENCY: number;
  /** Stop starting work this long before the function times out: time to record history and return. */
  DEADLINE_MARGIN_MS: number;
  APIGW_DRIFT_REDACTION_KEY?: string;
  /** The SSM SecureString parameter holding the redaction key (its name, never the key): redaction-key.ts. */
  APIGW_DRIFT_REDACTION_KEY_PARAMETER?: string;
  /** Who changed drift, from CloudTrail LookupEvents (PRODUCT §8): "off" turns the lookups off. */
  ATTRIBUTION: "on" | "off";
  /** LookupEvents pages a run may read. */
  ATTRIBUTION_PAGES: number;
  /** EventBridge notifications after each run (PRODUCT §8): "off" sends none. */
  NOTIFICATIONS: "on" | "off";
  /**
   * The function's own role (the template passes its ARN): its writes are never taken for drift's author,
   * and the event-driven path ignores its events. Unset: STS GetCallerIdentity, once per cold start.
   */
  APIGW_DRIFT_ROLE_ARN?: string;
}

/**
 * A number read as `Number(text)` reads it (so "1e2" is 100), except that a blank value is no number (Number
 * reads "" as 0), then checked; absent, the default. Written by hand rather than with a schema library: this runs in every cold start, and the
 * function's bundle then carries no validator (PRODUCT §7, the cold-start bar).
 */
const number =
  (fallback: number, check: (n: number) => boolean, takes: string) =>
  (raw: string | undefined): { value: number } | { problem: string } => {
    if (raw === undefined) return { value: fallback };
    const n = raw.trim() === "" ? Number.NaN : Number(raw);
    return check(n) ? { value: n } : { problem: `takes ${takes}, not ${JSON.stringify(raw)}` };
  };
const whole = (min: number) => (n: number) => Number.isSafeInteger(n) && n >= min;

const NUMBERS = {
  DRIFT_HISTORY_RETENTION_DAYS: number(90, whole(1), "a whole number of days ≥ 1"),
  MAX_UPDATES: number(100, whole(0), "a whole number ≥ 0"),
  MAX_DELETES: number(5, whole(0), "a whole number ≥ 0"),
  RATE_LIMIT: number(10, (n) => Number.isFinite(n) && n > 0, "a number of requests per second > 0"),
  CONCURRENCY: number(8, whole(1), "a whole number ≥ 1"),
  DEADLINE_MARGIN_MS: number(30_000, whole(0), "a whole number of milliseconds ≥ 0"),
  ATTRIBUTION_PAGES: number(20, whole(1), "a whole number of pages ≥ 1"),
} as const;

/** The on/off switches, "on" when unset. */
const SWITCHES = ["ATTRIBUTION", "NOTIFICATIONS"] as const;

const ROLE_ARN = /^arn:aws[\w-]*:iam::\d{12}:role\/\S+$/;

/** The variables the function reads (besides the POWERTOOLS_* and NODE_OPTIONS the runtime reads). */
export const ENVIRONMENT_VARIABLES = [
  "RECONCILE_MODE",
  "DRIFT_HISTORY_TABLE",
  ...Object.keys(NUMBERS),
  "APIGW_DRIFT_REDACTION_KEY",
  "APIGW_DRIFT_REDACTION_KEY_PARAMETER",
  ...SWITCHES,
  "APIGW_DRIFT_ROLE_ARN",
];

export function parseConfig(env: Record<string, string | undefined>): FunctionConfig {
  const problems: string[] = [];
  const mode = env.RECONCILE_MODE ?? "apply";
  if (mode !== "plan" && mode !== "apply") {
    problems.push(`RECONCILE_MODE: takes "plan" or "apply", not ${JSON.stringify(mode)}`);
  }
  const table = env.DRIFT_HISTORY_TABLE;
  if (!table) problems.push("DRIFT_HISTORY_TABLE: must name the history table (template.yaml sets it)");
  const numbers: Record<string, number> = {};
  for (const [name, read] of Object.entries(NUMBERS)) {
    const result = read(env[name]);
    if ("problem" in result) problems.push(`${name}: ${result.problem}`);
    else numbers[name] = result.value;
  }
  const switches: Record<string, "on" | "off"> = {};
  for (const name of SWITCHES) {
    const value = env[name] ?? "on";
    if (value === "on" || value === "off") switches[name] = value;
    else problems.push(`${name}: takes "on" or "off", not ${JSON.stringify(value)}`);
  }
  const role = env.APIGW_DRIFT_ROLE_ARN;
  if (role !== undefined && !ROLE_ARN.test(role)) {
    problems.push(
      `APIGW_DRIFT_ROLE_ARN: takes an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME; template.yaml sets it), not ${JSON.stringify(role)}`,
    );
  }
  const key = env.APIGW_DRIFT_REDACTION_KEY;
  const parameter = env.APIGW_DRIFT_REDACTION_KEY_PARAMETER;
  if (key && parameter) {
    problems.push(
      "APIGW_DRIFT_REDACTION_KEY: set either APIGW_DRIFT_REDACTION_KEY (the key) or APIGW_DRIFT_REDACTION_KEY_PARAMETER (the SSM parameter holding it), not both",
    );
  }
  if (problems.length > 0) throw new Error(`invalid function environment: ${problems.join("; ")}`);
  return {
    RECONCILE_MODE: mode as Mode,
    DRIFT_HISTORY_TABLE: table!,
    ...(numbers as Pick<FunctionConfig, keyof typeof NUMBERS>),
    ...(switches as Pick<FunctionConfig, (typeof SWITCHES)[number]>),
    ...(role !== undefined ? { APIGW_DRIFT_ROLE_ARN: role } : {}),
    ...(key !== undefined ? { APIGW_DRIFT_REDACTION_KEY: key } : {}),
    ...(parameter !== undefined ? { APIGW_DRIFT_REDACTION_KEY_PARAMETER: parameter } : {}),
  };
}

/** Account and Region from the invoked function's ARN (arn:aws:lambda:REGION:ACCOUNT:function:NAME). */
export function whereFromArn(arn: string): { account?: string; region?: string } {
  const parts = arn.split(":");
  return parts.length >= 6 && parts[0] === "arn" ? { region: parts[3], account: parts[4] } : {};
}
