import { describe, expect, it } from "vitest";
import type { DesiredDocument } from "../../../lib/desired-state/schema.ts";
import {
  blockedMessage,
  checkApiGuards,
  checkBlastRadius,
  DEFAULT_LIMITS,
  wouldBlockMessage,
} from "../../../lib/plan/guards.ts";
import type { PlannedIntegration } from "../../../lib/plan/plan.ts";

const planned = (updates: number, deletes: number): PlannedIntegration[] => [
  ...Array.from({ length: updates }, (_, i) => ({
    result: {
      apiId: "a",
      integrationId: `u${i}`,
      status: "DRIFTED" as const,
      diffs: [],
      action: "update" as const,
    },
  })),
  ...Array.from({ length: deletes }, (_, i) => ({
    result: {
      apiId: "a",
      integrationId: `d${i}`,
      status: "UNMANAGED" as const,
      diffs: [],
      action: "delete" as const,
    },
  })),
];

describe(checkBlastRadius.name, () => {
  it("defaults to 100 updates and 5 deletes", () => {
    expect(DEFAULT_LIMITS).toEqual({ maxUpdates: 100, maxDeletes: 5 });
    expect(checkBlastRadius(planned(100, 5))).toEqual({ updates: 100, deletes: 5, over: [] });
  });

  it("blocks an apply over either limit and says how to raise it", () => {
    expect(blockedMessage(checkBlastRadius(planned(101, 0)))).toBe(
      'blast-radius guard: 101 updates exceed maxUpdates 100 (if intended, raise it for this run: --max-updates 101, or "maxUpdates": 101 in a manual invoke). Nothing was changed.',
    );
    expect(checkBlastRadius(planned(0, 6), { maxUpdates: 100, maxDeletes: 5 }).over).toEqual([
      '6 deletes exceed maxDeletes 5 (if intended, raise it for this run: --max-deletes 6, or "maxDeletes": 6 in a manual invoke)',
    ]);
  });

  it("warns a plan over either limit, naming the limit an apply would hit and the flag that raises it", () => {
    expect(wouldBlockMessage(checkBlastRadius(planned(600, 0)))).toBe(
      'an apply of this plan would be blocked by the blast-radius guard: 600 updates exceed maxUpdates 100 (if intended, raise it for this run: --max-updates 600, or "maxUpdates": 600 in a manual invoke)',
    );
  });

  it("accepts a plan within raised limits", () => {
    expect(checkBlastRadius(planned(0, 6), { maxUpdates: 100, maxDeletes: 6 }).over).toEqual([]);
  });
});

describe(checkApiGuards.name, () => {
  const doc: DesiredDocument = {
    apiId: "a1b2c3d4e5",
    protocol: "HTTP",
    account: "123456789012",
    region: "eu-west-1",
    integrations: {},
  };

  it("passes when protocol, account and region match", () => {
    expect(
      checkApiGuards(doc, { protocolType: "HTTP", account: "123456789012", region: "eu-west-1" }),
    ).toEqual([]);
  });

  it("passes without account or region when the file names none", () => {
    expect(
      checkApiGuards({ ...doc, account: undefined, region: undefined }, { protocolType: "HTTP" }),
    ).toEqual([]);
  });

  it("reports each mismatch with what to do", () => {
    expect(
      checkApiGuards(doc, { protocolType: "WEBSOCKET", account: "999999999999", region: "us-east-1" }),
    ).toEqual([
      "API a1b2c3d4e5 is a WEBSOCKET API, but its file says protocol: HTTP; fix the file or its apiId",
      "API a1b2c3d4e5 belongs to account 123456789012 by its file, but this run's credentials act in account 999999999999; run it with that account's credentials",
      "API a1b2c3d4e5 is in eu-west-1 by its file, but this run acts in us-east-1; run it with AWS_REGION=eu-west-1",
    ]);
  });

  it("refuses when the file names an account or region the run cannot confirm", () => {
    expect(checkApiGuards(doc, { protocolType: "HTTP" })).toEqual([
      "API a1b2c3d4e5: the file names account 123456789012, but the account the run's credentials act in is unknown; check the credentials (AWS_PROFILE, or the AWS_* keys)",
      "API a1b2c3d4e5: the file names region eu-west-1, but the run's region is unknown; set AWS_REGION",
    ]);
    expect(
      checkApiGuards(doc, {
        protocolType: "HTTP",
        region: "eu-west-1",
        accountUnknown: "STS GetCallerIdentity failed: no credentials",
      }),
    ).toEqual([
      "API a1b2c3d4e5: the file names account 123456789012, but the account the run's credentials act in is unknown (STS GetCallerIdentity failed: no credentials); check the credentials (AWS_PROFILE, or the AWS_* keys)",
    ]);
  });
});
