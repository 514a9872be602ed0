import { describe, expect, it } from "vitest";
import { renderHuman, renderMarkdown } from "../../../lib/cli/render.ts";
import { type IntegrationResult, type Report, summarise } from "../../../lib/plan/report.ts";
import { expectNothingForged, HOSTILE } from "../../helpers/hostile.ts";

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
        "~ change (live → desired), + add (in the file, not live), - remove (live has it, the file does not)",
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

  it("says an observed API's drift is observed, not changed, and what prune would have done", () => {
    const observed: IntegrationResult[] = [
      { ...drifted, action: undefined, observed: true, diffs: [drifted.diffs[0]!] },
      { apiId: "a1b2c3d4e5", integrationId: "zzz9999", status: "UNMANAGED", diffs: [], observed: true },
    ];
    const expiry =
      "desired-state/orders.yaml:9:12: ignore /timeoutInMillis on every integration of API a1b2c3d4e5 expired on 2027-01-31; it is drift again: remove the entry, or set a later until";
    const text = renderHuman(report("plan", observed, { warnings: [{ message: expiry }] }), { color: false });
    expect(text).toBe(
      [
        "apigw-drift plan · desired revision 0123456789ab-dirty · run run-1",
        "~ change (live → desired), + add (in the file, not live), - remove (live has it, the file does not)",
        "",
        "API a1b2c3d4e5",
        "  ~ lmb7k2q  drifted: observed, not changed (mode: observe)",
        "      ~ /timeoutInMillis: 12345 → 10000",
        "    zzz9999  not declared: prune would delete it; observed, not changed (mode: observe)",
        "",
        `Warning: ${expiry}`,
        "",
        "Plan: 0 to update, 0 to delete, 0 missing, 0 in sync, 1 unmanaged, 1 drifted but observed (mode: observe). API calls: GetApi 1, GetIntegrations 1, throttled 0, retries 0.",
        "Status: DRIFTED",
        "",
      ].join("\n"),
    );
    const md = renderMarkdown(
      report("apply", observed, { status: "PARTIAL", warnings: [{ message: expiry }] }),
    );
    expect(md).toContain(
      "| `a1b2c3d4e5` | `lmb7k2q` | DRIFTED (observed, not changed (mode: observe)) | 1 |",
    );
    expect(md).toContain(
      "| `a1b2c3d4e5` | `zzz9999` | UNMANAGED (prune would delete it; observed, not changed (mode: observe)) | 0 |",
    );
    expect(md).toContain(`> **Warning**: desired-state/orders.yaml:9:12: ignore /timeoutInMillis`);
  });

  it("colours only when asked", () => {
    expect(renderHuman(report("plan", [drifted]), { color: true })).toContain("\u001b[");
    expect(renderHuman(report("plan", [drifted]), { color: false })).not.toContain("\u001b[");
  });
});

describe(renderMarkdown.name, () => {
  it("renders a table per run and per integration, saying in words what each difference does", () => {
    const md = renderMarkdown(report("plan", [drifted]));
    expect(md).toBe(
      [
        "### apigw-drift plan: DRIFTED",
        "",
        "Desired revision `0123456789ab-dirty` · run `run-1`",
        "",
        "| API | integration | status | differences |",
        "|---|---|---|---|",
        "| `a1b2c3d4e5` | `lmb7k2q` | DRIFTED | 3 |",
        "",
        "<details><summary><code>a1b2c3d4e5/lmb7k2q</code>: DRIFTED</summary>",
        "",
        "| path | change | live | desired |",
        "|---|---|---|---|",
        "| `/timeoutInMillis` | change | `12345` | `10000` |",
        // kind "removed" (CloudFormation's word: the file has it, live does not) is what applying adds.
        '| `/description` | add | — | `"orders"` |',
        '| `/requestParameters/append:header.x\\|y` | remove | `"1"` | — |',
        "",
        "</details>",
        "",
        "0 in sync · 1 drifted · 0 updated · 0 missing · 0 failed · 0 deleted",
        "",
      ].join("\n"),
    );
  });

  it("says so when there is no drift", () => {
    const md = renderMarkdown(report("plan", [], { status: "IN_SYNC" }));
    expect(md).toContain("No drift: every declared integration matches its desired state.");
  });
});

/** A report whose every untrusted field holds hostile text: ids, paths, values, errors, file names. */
function hostileReport(): Report {
  const r: IntegrationResult = {
    apiId: `a1${HOSTILE.leadingCommand}`,
    integrationId: `i${HOSTILE.newlineCommand}`,
    status: "FAILED",
    action: "update",
    diffs: [
      {
        path: `/requestParameters/overwrite:header.${HOSTILE.newlineCommand}`,
        kind: "changed",
        expected: HOSTILE.clear,
        actual: HOSTILE.hyperlink,
      },
      { path: `/description${HOSTILE.bidi}`, kind: "removed", expected: `${HOSTILE.c1}${HOSTILE.separator}` },
      { path: `/requestParameters/${HOSTILE.markdown}`, kind: "added", actual: HOSTILE.legacyCommand },
    ],
    error: { name: HOSTILE.indentedCommand, message: `${HOSTILE.nul} ${HOSTILE.markdown}` },
  };
  return report("apply", [r], {
    status: "PARTIAL",
    runId: HOSTILE.newlineCommand,
    desiredRevision: HOSTILE.clear,
    errors: [
      {
        file: `${HOSTILE.leadingCommand}.yaml`,
        line: 2,
        column: 3,
        pointer: "/x\ny",
        message: HOSTILE.clear,
      },
      { message: `</details> ${HOSTILE.newlineCommand}` },
    ],
    warnings: [{ message: `${HOSTILE.newlineCommand} ${HOSTILE.markdown} ${HOSTILE.bidi}` }],
  });
}

describe("rendering untrusted text", () => {
  it("escapes every id, path, value and message in the human output", () => {
    const text = renderHuman(hostileReport(), { color: false });
    expect(text).toBe(
      [
        "apigw-drift apply · desired revision \\x1b[2J · run x\\n::error::forged",
        "~ change (live → desired), + add (in the file, not live), - remove (live has it, the file does not)",
        "",
        "API a1::warning::forged",
        "  ✗ ix\\n::error::forged  update failed",
        '      ~ /requestParameters/overwrite:header.x\\n::error::forged: "\\u001b]8;;https://evil.example/\\u0007click\\u001b]8;;\\u0007" → "\\u001b[2J"',
        '      + /descriptiona\\u202elmay.exe: "\\x9b2Ja\\u2028b"',
        '      - /requestParameters/a|b`c <b>&</b> @team #12 [x](y): "a #\\x23[error]forged"',
        "        \\x3a:error::forged: a\\x00b a|b`c <b>&</b> @team #12 [x](y)",
        "",
        "Error: \\x3a:warning::forged.yaml:2:3 /x\\ny \\x1b[2J",
        "Error: </details> x\\n::error::forged",
        "",
        "Warning: x\\n::error::forged a|b`c <b>&</b> @team #12 [x](y) a\\u202elmay.exe",
        "",
        "Apply: 0 updated, 0 deleted, 1 failed, 0 deferred, 0 missing, 0 in sync. API calls: GetApi 1, GetIntegrations 1, throttled 0, retries 0.",
        "Status: PARTIAL",
        "",
      ].join("\n"),
    );
    expectNothingForged(text);
    // Colour adds only SGR sequences (ESC [ n m); with them taken out, nothing raw is left.
    const sgr = new RegExp(`${String.fromCharCode(27)}\\[\\d+m`, "g");
    expectNothingForged(renderHuman(hostileReport(), { color: true }).replaceAll(sgr, ""));
  });

  it("escapes every id, path, value and message in the markdown comment", () => {
    const md = renderMarkdown(hostileReport());
    expect(md).toBe(
      [
        "### apigw-drift apply: PARTIAL",
        "",
        "Desired revision `\\x1b[2J` · run `x\\n::error::forged`",
        "",
        "| API | integration | status | differences |",
        "|---|---|---|---|",
        "| `a1::warning::forged` | `ix\\n::error::forged` | FAILED | 3 |",
        "",
        "<details><summary><code>a1::warning::forged/ix\\n::error::forged</code>: FAILED</summary>",
        "",
        "| path | change | live | desired |",
        "|---|---|---|---|",
        '| `/requestParameters/overwrite:header.x\\n::error::forged` | change | `"\\u001b]8;;https://evil.example/\\u0007click\\u001b]8;;\\u0007"` | `"\\u001b[2J"` |',
        '| `/descriptiona\\u202elmay.exe` | add | — | `"\\x9b2Ja\\u2028b"` |',
        '| ``/requestParameters/a\\|b`c <b>&</b> @team #12 [x](y)`` | remove | `"a #\\x23[error]forged"` | — |',
        "",
        "**  \\\\x3a:error::forged**: a\\\\x00b a\\|b\\`c &lt;b&gt;&amp;&lt;/b&gt; @&#8203;team #&#8203;12 \\[x\\](y)",
        "",
        "</details>",
        "",
        "> **Error**: \\\\x3a:warning::forged.yaml:2:3 /x\\\\ny \\\\x1b\\[2J",
        "",
        "> **Error**: &lt;/details&gt; x\\\\n::error::forged",
        "",
        "> **Warning**: x\\\\n::error::forged a\\|b\\`c &lt;b&gt;&amp;&lt;/b&gt; @&#8203;team #&#8203;12 \\[x\\](y) a\\\\u202elmay.exe",
        "",
        "0 in sync · 0 drifted · 0 updated · 0 missing · 1 failed · 0 deleted",
        "",
      ].join("\n"),
    );
    expectNothingForged(md);
  });
});

describe("who changed it (PRODUCT §8)", () => {
  const by = {
    principal: "arn:aws:sts::123456789012:assumed-role/Admin/alice",
    at: "2026-11-25T11:58:03.000Z",
    eventName: "UpdateIntegration",
    eventId: "e1",
  };
  const attributed: IntegrationResult = { ...drifted, changedBy: by };
  const missing: IntegrationResult = {
    apiId: "a1b2c3d4e5",
    integrationId: "gone1",
    status: "MISSING",
    diffs: [],
  };

  it("says who changed an integration, when and how, above its differences", () => {
    const text = renderHuman(report("plan", [attributed]), { color: false });
    expect(text).toContain(
      [
        "  ~ lmb7k2q  drifted: will be updated in place",
        "      changed by arn:aws:sts::123456789012:assumed-role/Admin/alice at 2026-11-25T11:58:03.000Z (UpdateIntegration)",
        "      ~ /timeoutInMillis: 12345 → 10000",
      ].join("\n"),
    );
  });

  it("adds a changed-by column to the markdown only when someone is named, with a dash for the others", () => {
    expect(renderMarkdown(report("plan", [drifted]))).toContain(
      "| API | integration | status | differences |\n",
    );
    const md = renderMarkdown(report("plan", [attributed, missing]));
    expect(md).toContain(
      [
        "| API | integration | status | differences | changed by |",
        "|---|---|---|---|---|",
        "| `a1b2c3d4e5` | `lmb7k2q` | DRIFTED | 3 | `arn:aws:sts::123456789012:assumed-role/Admin/alice` at 2026-11-25T11:58:03.000Z (UpdateIntegration) |",
        "| `a1b2c3d4e5` | `gone1` | MISSING | 0 | — |",
      ].join("\n"),
    );
  });

  it("escapes a principal and an event name, which a role's session name and a forged record control", () => {
    const hostile = {
      ...drifted,
      changedBy: {
        ...by,
        principal: `arn:aws:sts::1:assumed-role/R/${HOSTILE.newlineCommand}`,
        eventName: HOSTILE.markdown,
      },
    };
    const text = renderHuman(report("plan", [hostile]), { color: false });
    expect(text).toContain(
      "      changed by arn:aws:sts::1:assumed-role/R/x\\n::error::forged at 2026-11-25T11:58:03.000Z (a|b`c <b>&</b> @team #12 [x](y))",
    );
    expectNothingForged(text);
    const md = renderMarkdown(report("plan", [hostile]));
    expect(md).toContain(
      "| `arn:aws:sts::1:assumed-role/R/x\\n::error::forged` at 2026-11-25T11:58:03.000Z (a\\|b\\`c &lt;b&gt;&amp;&lt;/b&gt; @&#8203;team #&#8203;12 \\[x\\](y)) |",
    );
    expectNothingForged(md);
  });
});
