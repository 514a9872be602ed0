import { describe, expect, it } from "vitest";
import type { DesiredDocument } from "../../../lib/desired-state/schema.ts";
import { stateFromDocuments } from "../../../lib/desired-state/state.ts";
import type { LiveIntegration } from "../../../lib/model/live.ts";
import { diffOptionsFor, planApi } from "../../../lib/plan/plan.ts";
import type { Report } from "../../../lib/plan/report.ts";
import { buildUpdate } from "../../../lib/plan/update.ts";
import { readProbeResult } from "../../../lib/probe/result.ts";
import { liveFromDiffs, probeWarnings } from "../../../lib/probe/warnings.ts";

const WS: DesiredDocument = {
  apiId: "w9x8y7z6v5",
  protocol: "WEBSOCKET",
  integrations: {
    mck0001: { integrationType: "MOCK", requestTemplates: { "application/json": "{}" }, description: null },
    mck0002: { integrationType: "MOCK", templateSelectionExpression: "\\$default" },
  },
} as DesiredDocument;
const HTTP: DesiredDocument = {
  apiId: "a1b2c3d4e5",
  protocol: "HTTP",
  ignore: ["/requestParameters/append:header.x-trace"],
  integrations: {
    prx0001: {
      integrationType: "HTTP_PROXY",
      integrationUri: "https://example.com",
      integrationMethod: "GET",
      requestParameters: { "overwrite:header.x-env": "prod" },
      responseParameters: { "500": { "overwrite:statuscode": "503" } },
      connectionType: "VPC_LINK",
      connectionId: "vl1",
      tlsConfig: null,
    },
  },
} as DesiredDocument;
const LIVE: Record<string, LiveIntegration[]> = {
  w9x8y7z6v5: [
    {
      integrationId: "mck0001",
      integrationType: "MOCK",
      requestTemplates: { "application/json": "{}", "text/plain": "x" },
      description: "old",
    },
    { integrationId: "mck0002", integrationType: "MOCK", templateSelectionExpression: "\\$default" },
  ],
  a1b2c3d4e5: [
    {
      integrationId: "prx0001",
      integrationType: "HTTP_PROXY",
      integrationUri: "https://example.com",
      integrationMethod: "GET",
      requestParameters: {
        "overwrite:header.x-env": "dev",
        "append:header.x-extra": "1",
        "append:header.x-trace": "on",
      },
      responseParameters: {
        "404": { "overwrite:statuscode": "410" },
        "500": { "overwrite:statuscode": "503" },
      },
      connectionType: "VPC_LINK",
      connectionId: "vl1",
      tlsConfig: { serverNameToVerify: "a.example.com" },
    },
  ],
};

/** When the tests' runs start. */
const STARTED_AT = "2027-02-01T09:00:00.000Z";

function planned(docs: DesiredDocument[] = [WS, HTTP]) {
  const state = stateFromDocuments(docs.map((doc) => ({ file: `${doc.apiId}.yaml`, doc })));
  const plans = docs.flatMap((doc) =>
    planApi({ desired: doc, live: LIVE[doc.apiId]!, prune: false, now: Date.parse(STARTED_AT) }),
  );
  return {
    state,
    plans,
    report: { integrations: plans.map((p) => p.result), startedAt: STARTED_AT } as Pick<
      Report,
      "integrations" | "startedAt"
    >,
  };
}

const probe = (behaviours: Record<string, unknown>) =>
  readProbeResult({
    behaviours: Object.fromEntries(
      Object.entries(behaviours).map(([n, v]) => [n, { observed: v, evidence: `observed ${String(v)}` }]),
    ),
  });

describe(liveFromDiffs.name, () => {
  it("rebuilds enough of live from a report's diffs that the product plans the same request again", () => {
    const { plans } = planned();
    for (const p of plans.filter((x) => x.update)) {
      const doc = p.result.apiId === WS.apiId ? WS : HTTP;
      const declaration = doc.integrations[p.result.integrationId]!;
      const options = diffOptionsFor(doc, p.result.integrationId, Date.parse(STARTED_AT));
      const rebuilt = buildUpdate(
        declaration,
        liveFromDiffs(declaration, p.result.diffs, doc.protocol),
        options,
      );
      const { requestParameters: sent, ...rest } = p.update!;
      // The ignored key goes back as live has it; the report does not carry it, nor need it.
      const { "append:header.x-trace": _, ...owned } = (sent ?? {}) as Record<string, string>;
      expect(rebuilt?.fields).toEqual(sent ? { ...rest, requestParameters: owned } : rest);
    }
  });
});

describe(probeWarnings.name, () => {
  it("says nothing for readings the product is built for, or ones that do not touch updates", () => {
    const { state, report } = planned();
    const readings = probe({
      "requestParameters.patch": "replace",
      "description.emptyString": "stored",
      "tlsConfig.emptyObject": "stored",
      "getIntegrations.maxPageSize": 25,
      "throttle.refusedSpendsQuota": true,
    });
    expect(probeWarnings(readings, "p.json", report, state)).toEqual([]);
  });

  it("names the behaviour, the integration and the field, for each drifted integration the reading breaks", () => {
    const { state, report } = planned();
    const readings = probe({
      "requestTemplates.patch": "merge",
      "description.emptyString": "rejected",
      "requestParameters.emptyString": "stored",
      "responseParameters.emptyObject": "rejected",
      "tlsConfig.emptyObject": "rejected",
    });
    expect(probeWarnings(readings, "p.json", report, state).map((w) => w.message)).toEqual([
      "probe result p.json: requestTemplates.patch is merge on this account (observed merge), so the update of w9x8y7z6v5/mck0001 would leave requestTemplates drifted: the service merges requestTemplates, so a template the update leaves out stays. Declare what live has, or delete and recreate the integration",
      'probe result p.json: description.emptyString is rejected on this account (observed rejected), so the update of w9x8y7z6v5/mck0001 would be refused (description): the service refuses description "", the only way to clear it. Declare what live has, or delete and recreate the integration',
      'probe result p.json: requestParameters.emptyString is stored on this account (observed stored), so the update of a1b2c3d4e5/prx0001 would leave requestParameters drifted: the service stores a request parameter sent with "" instead of removing it, and "" is the only removal there is. Declare what live has, or delete and recreate the integration',
      "probe result p.json: responseParameters.emptyObject is rejected on this account (observed rejected), so the update of a1b2c3d4e5/prx0001 would be refused (responseParameters): the service refuses a status code sent with {}, the only way to remove one. Declare what live has, or delete and recreate the integration",
      "probe result p.json: tlsConfig.emptyObject is rejected on this account (observed rejected), so the update of a1b2c3d4e5/prx0001 would be refused (tlsConfig): the service refuses tlsConfig {}, the only way to remove it. Declare what live has, or delete and recreate the integration",
    ]);
  });

  it("looks at an apply's failed updates but not at the ones that went through", () => {
    const { state, report } = planned([WS]);
    const readings = probe({ "requestTemplates.patch": "merge" });
    const as = (status: "UPDATED" | "FAILED") => ({
      startedAt: STARTED_AT,
      integrations: report.integrations.map((r) => (r.integrationId === "mck0001" ? { ...r, status } : r)),
    });
    expect(probeWarnings(readings, "p.json", as("UPDATED"), state)).toEqual([]);
    expect(probeWarnings(readings, "p.json", as("FAILED"), state)).toHaveLength(1);
  });

  it("skips an API the state does not hold", () => {
    const { report } = planned([WS]);
    const other = stateFromDocuments([{ file: "h.yaml", doc: HTTP }]);
    expect(probeWarnings(probe({ "requestTemplates.patch": "merge" }), "p.json", report, other)).toEqual([]);
  });
});
