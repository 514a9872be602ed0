/**
 * The emulator's table of service behaviour (emulator/service-model.ts) and its modes (behaviour.ts): the
 * table covers exactly the SDK model's members, every row and rule names a source, every default is a
 * value its own field accepts, and every mode's default is one of its readings.
 */
import type { UpdateIntegrationRequest } from "@aws-sdk/client-apigatewayv2";
import { describe, expect, it } from "vitest";
import {
  BEHAVIOUR_NAMES,
  BEHAVIOURS,
  BehaviourError,
  behaviourFromProbe,
  defaultBehaviour,
  parseBehaviourSpec,
  resolveBehaviour,
} from "../../../emulator/behaviour.ts";
import { createIntegration } from "../../../emulator/patch.ts";
import {
  FIELD_NAMES,
  type FieldName,
  type FieldRow,
  PROTOCOLS,
  SERVICE_MODEL,
  SUBTYPES,
} from "../../../emulator/service-model.ts";

/** Compile-time: FIELD_NAMES is exactly UpdateIntegrationRequest's members (camelCase), no more, no less. */
type SdkMember = Uncapitalize<Exclude<keyof UpdateIntegrationRequest, "ApiId" | "IntegrationId">>;
const exact: Record<SdkMember, true> & Record<FieldName, true> = Object.fromEntries(
  FIELD_NAMES.map((f) => [f, true]),
) as Record<SdkMember & FieldName, true>;

const rows = (): [string, FieldRow][] => [
  ...Object.entries(SERVICE_MODEL.fields),
  ...Object.entries(SERVICE_MODEL.readOnly),
];

describe("the emulator's service model", () => {
  it("has one row per UpdateIntegration member of the SDK model", () => {
    expect(Object.keys(SERVICE_MODEL.fields).sort()).toEqual(Object.keys(exact).sort());
    expect(Object.keys(SERVICE_MODEL.fields)).toHaveLength(17);
  });

  it("names a source for every row, default and removal rule", () => {
    for (const [field, row] of rows()) {
      expect(row.source.length, field).toBeGreaterThan(10);
      for (const protocol of PROTOCOLS) {
        for (const rule of row.defaults[protocol] ?? [])
          expect(rule.source.length, field).toBeGreaterThan(10);
      }
      for (const rule of row.removal) expect(rule.source.length, field).toBeGreaterThan(10);
    }
  });

  it("gives defaults only to protocols whose APIs take the field, and removal effects that exist", () => {
    for (const [field, row] of rows()) {
      for (const protocol of PROTOCOLS) {
        if (row.defaults[protocol]) expect(row.protocols, `${field} ${protocol}`).toContain(protocol);
      }
      for (const rule of row.removal) {
        const effect = rule.effect;
        const known =
          ["removes", "rejected", "stored"].includes(effect) || BEHAVIOUR_NAMES.includes(effect as never);
        expect(known, `${field}: ${effect}`).toBe(true);
      }
    }
  });

  it("keeps each default inside its field's wire type and range", () => {
    for (const [field, row] of Object.entries(SERVICE_MODEL.fields)) {
      for (const protocol of PROTOCOLS) {
        for (const rule of row.defaults[protocol] ?? []) {
          if (row.wire.type === "enum") expect(row.wire.values, field).toContain(rule.value);
          if (row.wire.type === "integer") {
            const { min, max } = row.wire.ranges[protocol];
            expect(rule.value as number, field).toBeGreaterThanOrEqual(min);
            expect(rule.value as number, field).toBeLessThanOrEqual(max);
          }
        }
      }
    }
  });

  it("states the defaults of facts #5 and #22 as plain, comparable data", () => {
    const { fields } = SERVICE_MODEL;
    expect(fields.timeoutInMillis.wire).toMatchObject({
      ranges: { HTTP: { min: 50, max: 30_000 }, WEBSOCKET: { min: 50, max: 29_000 } },
    });
    expect(
      fields.integrationMethod.defaults.HTTP?.map(({ value, integrationTypes, subtype }) => ({
        value,
        integrationTypes,
        subtype,
      })),
    ).toEqual([{ value: "POST", integrationTypes: ["AWS_PROXY"], subtype: "absent" }]);
    expect(
      fields.payloadFormatVersion.defaults.HTTP?.map((r) => [r.value, r.integrationTypes, r.subtype]),
    ).toEqual([
      ["1.0", ["HTTP_PROXY"], undefined],
      ["1.0", ["AWS_PROXY"], "present"],
    ]);
    expect(
      SERVICE_MODEL.readOnly.integrationResponseSelectionExpression.defaults.WEBSOCKET?.map((r) => [
        r.value,
        r.integrationTypes,
      ]),
    ).toEqual([
      // biome-ignore lint/suspicious/noTemplateCurlyInString: an API Gateway selection expression
      ["${integration.response.statuscode}", ["MOCK", "HTTP"]],
      // biome-ignore lint/suspicious/noTemplateCurlyInString: an API Gateway selection expression
      ["${integration.response.body.errorMessage}", ["AWS"]],
    ]);
    expect(fields.connectionId.protocols).toEqual(["HTTP", "WEBSOCKET"]);
    expect(fields.tlsConfig.protocols).toEqual(["HTTP"]);
  });

  it("creates every AWS service action from its required parameters alone", () => {
    for (const [action, row] of Object.entries(SUBTYPES)) {
      const requestParameters = Object.fromEntries(row.required.map((k) => [k, "$request.body.x"]));
      const created = createIntegration("HTTP", "abc1234", {
        integrationType: "AWS_PROXY",
        integrationSubtype: action,
        requestParameters,
      });
      expect(created.requestParameters, action).toEqual(requestParameters);
      expect(created, action).not.toHaveProperty("integrationMethod");
    }
    expect(SUBTYPES["SQS-SendMessage"]?.required).toEqual(["QueueUrl", "MessageBody"]);
    expect(SUBTYPES["EventBridge-PutEvents"]?.required).toEqual(["Detail", "DetailType", "Source"]);
  });
});

describe("the emulator's behaviours", () => {
  it("defaults each behaviour to one of its readings, with the reason", () => {
    for (const name of BEHAVIOUR_NAMES) {
      const row = BEHAVIOURS[name];
      expect(row.values as readonly unknown[], name).toContain(row.default);
      expect(row.why.length, name).toBeGreaterThan(20);
    }
    expect(defaultBehaviour()).toMatchObject({
      "requestParameters.patch": "merge",
      "requestTemplates.patch": "replace",
      "subtype.updateWithoutSubtype": "rejected",
      "getIntegrations.maxPageSize": 500,
      "throttle.refusedSpendsQuota": false,
    });
  });

  it("overlays given readings on the defaults and refuses unknown names and values", () => {
    expect(resolveBehaviour({ "tlsConfig.emptyObject": "stored" })["tlsConfig.emptyObject"]).toBe("stored");
    expect(() => resolveBehaviour({ "tlsConfig.emptyObject": "kept" as "stored" })).toThrow(
      'behaviour tlsConfig.emptyObject takes removes | stored | rejected, not "kept"',
    );
    expect(() => resolveBehaviour({ nope: 1 } as never)).toThrow(BehaviourError);
  });

  it("parses name=value, spelling numbers and booleans as strings", () => {
    expect(parseBehaviourSpec("getIntegrations.maxPageSize=100")).toEqual({
      "getIntegrations.maxPageSize": 100,
    });
    expect(parseBehaviourSpec("throttle.refusedSpendsQuota=true")).toEqual({
      "throttle.refusedSpendsQuota": true,
    });
    expect(() => parseBehaviourSpec("requestTemplates.patch")).toThrow(
      '--behaviour takes name=value, got "requestTemplates.patch"',
    );
    expect(() => parseBehaviourSpec("requestTemplates.patchy=merge")).toThrow(
      /^unknown behaviour "requestTemplates.patchy"; known: requestParameters.patch, /,
    );
  });

  it("reads a probe result, skipping unknown names with a warning", () => {
    const probe = {
      probedAt: "2026-12-01T00:00:00Z",
      region: "eu-west-1",
      behaviours: {
        "requestTemplates.patch": { observed: "merge", evidence: "..." },
        "getIntegrations.maxPageSize": { observed: 100, evidence: "..." },
        "stage.cache": { observed: "yes" },
      },
    };
    expect(behaviourFromProbe(probe)).toEqual({
      behaviour: { "requestTemplates.patch": "merge", "getIntegrations.maxPageSize": 100 },
      warnings: ['ignoring unknown behaviour "stage.cache"'],
    });
    expect(() => behaviourFromProbe({ behaviours: { "requestTemplates.patch": {} } })).toThrow(
      'behaviour requestTemplates.patch has no "observed" value',
    );
    expect(() => behaviourFromProbe([])).toThrow(/must be a probe result/);
  });
});
