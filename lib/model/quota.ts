/**
 * The API Gateway management API's request quota, shared by every caller in the account and Region and
 * not adjustable. Source: Amazon API Gateway developer guide, "Amazon API Gateway quotas", row "Total
 * operations": "10 requests per second, burst 40" (service-facts #4). No separate rows exist for
 * GetIntegrations, UpdateIntegration or DeleteIntegration.
 */
export const CONTROL_PLANE_QUOTA = { rate: 10, burst: 40 } as const;

/** The least time N calls can take at a quota: the burst is free, the rest come at the rate. */
export function floorSeconds(
  calls: number,
  quota: { rate: number; burst: number } = CONTROL_PLANE_QUOTA,
): number {
  return Math.max(0, calls - quota.burst) / quota.rate;
}
