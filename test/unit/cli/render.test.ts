import { describe, expect, it } from "vitest";
import { renderHuman, renderMarkdown } from "../../../lib/cli/render.ts";
import { type IntegrationResult, type Report, summarise } from "../../../lib/plan/report.ts";

function report(mode: Report["mode"], integrations: IntegrationResult[], over: Partial<Report> = {}): Report {
  return {
    runId: "run-1",
    startedAt: "2026-11-25T12:00:00.000Z",
    finishedAt: "2026-11-25T12:00:01.000Z",
    mode,
    desiredRevision: "0123456789abcdef0123456789abcdef01234567-dirty",
    status: "DRIFTED",
    summary: summarise(integrations),
    integrations,
    apiCalls: { GetApi: 1, GetIntegrations: 1, throttled: 0, retries: 0 },
    errors: [],
    warnings: [],
    ...over,
  };
}

const drifted: IntegrationResult = {
  apiId: "a1b2c3d4e5",
  integrationId: "lmb7k2q",
  status: "DRIFTED",
  action: "update",
  diffs: [
    { path: "/timeoutInMillis", kind: "changed", expected: 10000, actual: 12345 },
    { path: "/description", kind: "removed", expected: "orders" },
    { path: "/requestParameters/append:header.x|y", kind: "added", actual: "1" },
  ],
};

describe(renderHuman.name, () => {
  it("shows changes like terraform plan: live → desired, + added by the file, - removed from live", () => {
    const text = renderHuman(
      report("plan", [drifted, { ...drifted, integrationId: "zzz", status: "IN_SYNC", diffs: [] }]),
      {
        color: false,
      },
    );
    expect(text).toBe(
      [
        "apigw-drift plan · desired revision 0123456789ab-dirty · run run-1",
        "",
        "API a1b2c3d4e5",
        "  ~ lmb7k2q  drifted: will be updated in place",
        "      ~ /timeoutInMillis: 12345 → 10000",
        '      + /description: "orders"',
        '      - /requestParameters/append:header.x|y: "1"',
        "",
        "Plan: 1 to update, 0 to delete, 0 missing, 1 in sync, 0 unmanaged. API calls: GetApi 1, GetIntegrations 1, throttled 0, retries 0.",
        "Status: DRIFTED",
        "",
      ].join("\n"),
    );
  });

  it("names every status in words, with errors", () => {
    const rows: IntegrationResult[] = [
      { apiId: "a", integrationId: "1", status: "UPDATED", diffs: [], action: "update" },
      {
        apiId: "a",
        integrationId: "2",
        status: "FAILED",
        diffs: [],
        action: "update",
        error: { name: "BadRequestException", message: "no" },
      },
      { apiId: "a", integrationId: "3", status: "MISSING", diffs: [] },
      { apiId: "a", integrationId: "4", status: "DELETED", diffs: [], action: "delete" },
      { apiId: "a", integrationId: "5", status: "SKIPPED_MANAGED", diffs: [] },
      { apiId: "a", integrationId: "6", status: "SKIPPED_IN_USE", diffs: [] },
      { apiId: "a", integrationId: "7", status: "DEFERRED", diffs: [], action: "update" },
      { apiId: "b", integrationId: "8", status: "UNMANAGED", diffs: [], action: "delete" },
    ];
    const text = renderHuman(
      report("apply", rows, { status: "PARTIAL", errors: [{ file: "x.yaml", message: "boom" }] }),
      {
        color: false,
      },
    );
    for (const line of [
      "~ 1  updated in place",
      "✗ 2  update failed",
      "BadRequestException: no",
      "! 3  declared but not live (apigw-drift never creates integrations)",
      "- 4  deleted (prune)",
      "5  not declared, API Gateway manages it: never deleted",
      "6  not declared, a route targets it: not deleted",
      "… 7  deferred: the run's time ran out before it",
      "- 8  not declared: will be deleted (prune)",
      "Error: x.yaml: boom",
      "Apply: 1 updated, 1 deleted, 1 failed, 1 deferred, 1 missing, 0 in sync.",
      "Status: PARTIAL",
    ]) {
      expect(text).toContain(line);
    }
  });

  it("colours only when asked", () => {
    expect(renderHuman(report("plan", [drifted]), { color: true })).toContain("\u001b[");
    expect(renderHuman(report("plan", [drifted]), { color: false })).not.toContain("\u001b[");
  });
});

describe(renderMarkdown.name, () => {
  it("renders a table per run and per integration, escaping what would break a cell", () => {
    const md = renderMarkdown(report("plan", [drifted]));
    expect(md).toContain("### apigw-drift plan: DRIFTED");
    expect(md).toContain("| `a1b2c3d4e5` | `lmb7k2q` | DRIFTED | 3 |");
    expect(md).toContain("| `/timeoutInMillis` | changed | `12345` | `10000` |");
    expect(md).toContain('| `/requestParameters/append:header.x\\|y` | added | `"1"` | — |');
  });

  it("says so when there is no drift", () => {
    const md = renderMarkdown(report("plan", [], { status: "IN_SYNC" }));
    expect(md).toContain("No drift: every declared integration matches its desired state.");
  });
});
