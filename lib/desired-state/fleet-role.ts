/*
 * The role ARN of a fleet's targets, apart from fleet.yaml's validation: a fleet target's run (the
 * function's `{"target": ...}` invoke) needs only this, and the validation's zod and YAML parser stay out
 * of the function's cold start (PRODUCT §7).
 */

/** Where fleet.yaml's roleArn names each target's account. */
export const ACCOUNT_PLACEHOLDER = "{account}";

/** The role ARN of one account: `{account}` replaced. */
export function roleArnFor(config: { roleArn: string }, account: string): string {
  return config.roleArn.replaceAll(ACCOUNT_PLACEHOLDER, account);
}
