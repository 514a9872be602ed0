import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import type { Diff } from "../diff/diff.ts";
import type { Protocol } from "../model/service.ts";
import type { Mode } from "../plan/report.ts";
import type { Intent } from "../reconcile/reconcile.ts";
import { TTL_ATTRIBUTE } from "./table.ts";

type Item = Record<string, AttributeValue>;

export type { Intent };

/** All open intents share one partition, so the next run finds them with one Query. */
export const INTENTS_PK = "INTENTS";

export function intentKey(i: Pick<Intent, "runId" | "apiId" | "integrationId">): Item {
  return { pk: { S: INTENTS_PK }, sk: { S: `${i.runId}#${i.apiId}#${i.integrationId}` } };
}

export function intentItem(intent: Intent, retentionDays: number): Item {
  return {
    ...intentKey(intent),
    type: { S: "intent" },
    runId: { S: intent.runId },
    startedAt: { S: intent.startedAt },
    mode: { S: intent.mode },
    desiredRevision: { S: intent.desiredRevision },
    apiId: { S: intent.apiId },
    integrationId: { S: intent.integrationId },
    protocol: { S: intent.protocol },
    action: { S: intent.action },
    diffs: { S: JSON.stringify(intent.diffs) },
    ...(intent.account ? { account: { S: intent.account } } : {}),
    ...(intent.region ? { region: { S: intent.region } } : {}),
    // An intent nobody settles (history read-only ever after) still goes with the rest of history.
    [TTL_ATTRIBUTE]: { N: String(Math.floor(Date.parse(intent.startedAt) / 1000) + retentionDays * 86_400) },
  };
}

export function intentFromItem(item: Item): Intent {
  const s = (name: string) => {
    const v = item[name]?.S;
    if (v === undefined) throw new Error(`intent item ${item.sk?.S ?? "?"} has no "${name}"`);
    return v;
  };
  return {
    runId: s("runId"),
    startedAt: s("startedAt"),
    mode: s("mode") as Mode,
    desiredRevision: s("desiredRevision"),
    apiId: s("apiId"),
    integrationId: s("integrationId"),
    protocol: s("protocol") as Protocol,
    action: s("action") as Intent["action"],
    diffs: JSON.parse(s("diffs")) as Diff[],
    ...(item.account?.S ? { account: item.account.S } : {}),
    ...(item.region?.S ? { region: item.region.S } : {}),
  };
}
