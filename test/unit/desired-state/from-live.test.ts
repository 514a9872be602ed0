import { describe, expect, it } from "vitest";
import { desiredFromLive, renderDesiredYaml } from "../../../lib/desired-state/from-live.ts";
import { loadDesiredFiles } from "../../../lib/desired-state/load.ts";
import { diffIntegration } from "../../../lib/diff/diff.ts";

const live = [
  {
    integrationId: "bbb2222",
    integrationType: "HTTP_PROXY",
    integrationMethod: "GET",
    integrationUri: "https://b.example.com",
    connectionType: "INTERNET",
    timeoutInMillis: 30000,
    payloadFormatVersion: "1.0",
    requestParameters: {},
    responseParameters: { "404": { "overwrite:statuscode": "410" } },
  },
  {
    integrationId: "aaa1111",
    integrationType: "AWS_PROXY",
    integrationMethod: "POST",
    timeoutInMillis: 5000,
  },
  { integrationId: "mmm0000", integrationType: "AWS_PROXY", apiGatewayManaged: true },
];

describe(desiredFromLive.name, () => {
  it("declares what is live, without defaults, empty maps and read-only fields", () => {
    const { doc, skipped } = desiredFromLive({ apiId: "a1b2c3d4e5", protocolType: "HTTP" }, live, {
      account: "123456789012",
      region: "eu-west-1",
    });
    expect(doc).toEqual({
      apiId: "a1b2c3d4e5",
      protocol: "HTTP",
      account: "123456789012",
      region: "eu-west-1",
      integrations: {
        aaa1111: { integrationType: "AWS_PROXY", timeoutInMillis: 5000 },
        bbb2222: {
          integrationType: "HTTP_PROXY",
          integrationUri: "https://b.example.com",
          integrationMethod: "GET",
          responseParameters: { "404": { "overwrite:statuscode": "410" } },
        },
      },
    });
    expect(skipped).toEqual([{ integrationId: "mmm0000", reason: "API Gateway manages it (quick create)" }]);
  });

  it("writes a file the validator accepts and a plan finds in sync", () => {
    const { doc } = desiredFromLive({ apiId: "a1b2c3d4e5", protocolType: "HTTP" }, live, {
      account: "012345678901",
    });
    const text = renderDesiredYaml(doc);
    // Quoted: an unquoted account id would be read back as a number and lose its leading zero.
    expect(text).toContain('account: "012345678901"');
    expect(text.split("\n")[0]).toBe("# yaml-language-server: $schema=../schema/desired-state.schema.json");
    const state = loadDesiredFiles([{ path: "x.yaml", bytes: new TextEncoder().encode(text) }]);
    expect(state.errors).toEqual([]);
    const loaded = state.document(state.apis[0]!.apiId);
    for (const integration of live.filter((i) => !i.apiGatewayManaged)) {
      const declared = loaded.integrations[integration.integrationId]!;
      expect(diffIntegration(declared, integration, { protocol: "HTTP" })).toEqual([]);
    }
  });
});
