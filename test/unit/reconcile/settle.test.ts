import { describe, expect, it } from "vitest";
import { createRedactor } from "../../../lib/diff/redact.ts";
import { intentFromItem, intentItem, intentKey } from "../../../lib/history/intents.ts";
import { TTL_ATTRIBUTE } from "../../../lib/history/table.ts";
import type { LiveIntegration } from "../../../lib/model/live.ts";
import type { Intent } from "../../../lib/reconcile/reconcile.ts";
import { settledReport, settleIntent } from "../../../lib/reconcile/settle.ts";

const redact = createRedactor();

const intent = (over: Partial<Intent> = {}): Intent => ({
  runId: "0b7f6c1e-1111-4a4a-9c9c-000000000001",
  startedAt: "2026-12-01T10:00:00.000Z",
  mode: "apply",
  desiredRevision: "abc123",
  apiId: "a1b2c3d4e5",
  integrationId: "int0001",
  protocol: "HTTP",
  action: "update",
  diffs: [
    { path: "/timeoutInMillis", kind: "changed", expected: 29000, actual: 12000 },
    {
      path: "/requestParameters/overwrite:header.x-env",
      kind: "changed",
      expected: "prod",
      actual: "staging",
    },
    { path: "/description", kind: "added", actual: "set by hand" },
  ],
  ...over,
});

const live = (fields: Record<string, unknown>): LiveIntegration => ({
  integrationId: "int0001",
  integrationType: "HTTP_PROXY",
  integrationUri: "https://example.com",
  integrationMethod: "ANY",
  payloadFormatVersion: "1.0",
  connectionType: "INTERNET",
  ...fields,
});

describe("settleIntent: what became of a write whose run ended without recording it", () => {
  it("is UPDATED when live shows every value the update was to set, and a removed key gone", () => {
    const now = live({ timeoutInMillis: 29000, requestParameters: { "overwrite:header.x-env": "prod" } });
    expect(settleIntent(intent(), now, redact)).toEqual({
      apiId: "a1b2c3d4e5",
      integrationId: "int0001",
      action: "update",
      diffs: intent().diffs,
      status: "UPDATED",
    });
  });

  it("is DEFERRED when live still shows the drift: the write was never made", () => {
    const now = live({
      timeoutInMillis: 12000,
      requestParameters: { "overwrite:header.x-env": "staging" },
      description: "set by hand",
    });
    expect(settleIntent(intent(), now, redact).status).toBe("DEFERRED");
  });

  it("is FAILED as partly applied when only some differences are fixed, saying how many", () => {
    const now = live({ timeoutInMillis: 29000, description: "set by hand" });
    expect(settleIntent(intent(), now, redact)).toMatchObject({
      status: "FAILED",
      error: {
        name: "PartlyApplied",
        message: "1 of the 3 differences the update was to fix are fixed; the next plan shows the rest",
      },
    });
  });

  it("compares a default the service fills in as the plan did (an absent timeout is 30000 on HTTP)", () => {
    const toDefault = intent({
      diffs: [{ path: "/timeoutInMillis", kind: "changed", expected: 30000, actual: 5000 }],
    });
    expect(settleIntent(toDefault, live({}), redact).status).toBe("UPDATED");
  });

  it("compares a secret in its redacted form, as the intent keeps it", () => {
    const secret = "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlMTIzNDU2";
    const path = "/requestParameters/overwrite:header.Authorization";
    const redacted = createRedactor()(secret);
    const toSecret = intent({ diffs: [{ path, kind: "changed", expected: redacted, actual: "[changed]" }] });
    expect(toSecret.diffs[0]!.expected).not.toContain("eyJ");
    const now = live({ requestParameters: { "overwrite:header.Authorization": secret } });
    expect(settleIntent(toSecret, now, redact).status).toBe("UPDATED");
    const other = live({ requestParameters: { "overwrite:header.Authorization": `${secret}x` } });
    expect(settleIntent(toSecret, other, redact).status).toBe("DEFERRED");
  });

  it("is FAILED (Gone) for an update whose integration no longer exists", () => {
    expect(settleIntent(intent(), undefined, redact)).toMatchObject({
      status: "FAILED",
      error: { name: "Gone", message: "integration int0001 no longer exists" },
    });
  });

  it("is DELETED for a delete whose integration is gone, and DEFERRED while it is still there", () => {
    const del = intent({ action: "delete", diffs: [] });
    expect(settleIntent(del, undefined, redact).status).toBe("DELETED");
    expect(settleIntent(del, live({}), redact).status).toBe("DEFERRED");
  });
});

describe("settledReport: the dead run's record rebuilt from its intents", () => {
  it("keeps the dead run's id, start and revision, sorts its results, and is PARTIAL even when all were applied", () => {
    const a = intent({ integrationId: "b2" });
    const b = intent({ integrationId: "a1" });
    const results = [
      { ...settleIntent(a, undefined, redact), status: "UPDATED" as const },
      { ...settleIntent(b, undefined, redact), status: "UPDATED" as const },
    ];
    const report = settledReport([a, b], results, "settler-run", "2026-12-01T10:05:00.000Z");
    expect(report).toMatchObject({
      runId: a.runId,
      startedAt: a.startedAt,
      finishedAt: "2026-12-01T10:05:00.000Z",
      mode: "apply",
      desiredRevision: "abc123",
      status: "PARTIAL",
      summary: { UPDATED: 2 },
      errors: [
        {
          message:
            "this run ended without recording its report (killed, or out of time); run settler-run settled its 2 write-ahead intents from the live integrations: 2 applied, 0 not",
        },
      ],
    });
    expect(report.integrations.map((r) => r.integrationId)).toEqual(["a1", "b2"]);
  });

  it("counts what was not applied, in the singular for one intent", () => {
    const one = intent();
    const report = settledReport(
      [one],
      [settleIntent(one, live({}), redact)],
      "r2",
      "2026-12-01T10:05:00.000Z",
    );
    expect(report.errors[0]!.message).toMatch(
      /settled its 1 write-ahead intent from the live integrations: 0 applied, 1 not$/,
    );
  });
});

describe("intent items", () => {
  it("round-trip through the table's item form, in one partition keyed by run, API and integration", () => {
    const i = intent();
    const item = intentItem(i, 90);
    expect(intentKey(i)).toEqual({
      pk: { S: "INTENTS" },
      sk: { S: `${i.runId}#a1b2c3d4e5#int0001` },
    });
    expect(item.pk).toEqual({ S: "INTENTS" });
    expect(Number(item[TTL_ATTRIBUTE]?.N)).toBe(Date.parse(i.startedAt) / 1000 + 90 * 86_400);
    expect(intentFromItem(item)).toEqual(i);
  });

  it("names the item and the attribute a malformed intent lacks", () => {
    const { diffs: _dropped, ...item } = intentItem(intent(), 90);
    expect(() => intentFromItem(item)).toThrow(
      `intent item ${intent().runId}#a1b2c3d4e5#int0001 has no "diffs"`,
    );
  });
});
