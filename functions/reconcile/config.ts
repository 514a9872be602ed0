import { z } from "zod";

/** The function's environment, validated once per cold start: a bad value fails loudly, not a run later. */
const Environment = z
  .object({
    RECONCILE_MODE: z.enum(["plan", "apply"]).default("apply"),
    DRIFT_HISTORY_TABLE: z.string().min(1, "DRIFT_HISTORY_TABLE must name the history table"),
    DRIFT_HISTORY_RETENTION_DAYS: z.coerce.number().int().min(1).default(90),
    MAX_UPDATES: z.coerce.number().int().min(0).default(100),
    MAX_DELETES: z.coerce.number().int().min(0).default(5),
    RATE_LIMIT: z.coerce.number().positive().default(10),
    CONCURRENCY: z.coerce.number().int().min(1).default(8),
    /** Stop starting work this long before the function times out: time to record history and return. */
    DEADLINE_MARGIN_MS: z.coerce.number().int().min(0).default(30_000),
    APIGW_DRIFT_REDACTION_KEY: z.string().optional(),
    /** The SSM SecureString parameter holding the redaction key (its name, never the key): redaction-key.ts. */
    APIGW_DRIFT_REDACTION_KEY_PARAMETER: z.string().optional(),
    /** Who changed drift, from CloudTrail LookupEvents (PRODUCT §8): "off" turns the lookups off. */
    ATTRIBUTION: z.enum(["on", "off"]).default("on"),
    /** LookupEvents pages a run may read. */
    ATTRIBUTION_PAGES: z.coerce.number().int().min(1).default(20),
    /** EventBridge notifications after each run (PRODUCT §8): "off" sends none. */
    NOTIFICATIONS: z.enum(["on", "off"]).default("on"),
    /**
     * The function's own role (the template passes its ARN): its writes are never taken for drift's author,
     * and the event-driven path ignores its events. Unset: STS GetCallerIdentity, once per cold start.
     */
    APIGW_DRIFT_ROLE_ARN: z
      .string()
      .regex(/^arn:aws[\w-]*:iam::\d{12}:role\/\S+$/, "APIGW_DRIFT_ROLE_ARN must be an IAM role ARN")
      .optional(),
  })
  .refine((env) => !(env.APIGW_DRIFT_REDACTION_KEY && env.APIGW_DRIFT_REDACTION_KEY_PARAMETER), {
    path: ["APIGW_DRIFT_REDACTION_KEY"],
    message:
      "set either APIGW_DRIFT_REDACTION_KEY (the key) or APIGW_DRIFT_REDACTION_KEY_PARAMETER (the SSM parameter holding it), not both",
  });

export type FunctionConfig = z.infer<typeof Environment>;

/** The variables the function reads (besides the POWERTOOLS_* and NODE_OPTIONS the runtime reads). */
export const ENVIRONMENT_VARIABLES = Object.keys(Environment.shape);

export function parseConfig(env: Record<string, string | undefined>): FunctionConfig {
  const parsed = Environment.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    throw new Error(`invalid function environment: ${problems.join("; ")}`);
  }
  return parsed.data;
}

/** Account and Region from the invoked function's ARN (arn:aws:lambda:REGION:ACCOUNT:function:NAME). */
export function whereFromArn(arn: string): { account?: string; region?: string } {
  const parts = arn.split(":");
  return parts.length >= 6 && parts[0] === "arn" ? { region: parts[3], account: parts[4] } : {};
}
