import { describe, expect, it } from "vitest";
import { BASELINE, type Readings } from "../../../lib/probe/behaviours.ts";
import { simulateUpdate } from "../../../lib/probe/simulate.ts";

const at = (patch: Partial<Readings>): Readings => ({ ...BASELINE, ...patch }) as Readings;
const live = {
  integrationId: "abc1234",
  integrationType: "HTTP_PROXY",
  description: "d",
  requestParameters: { a: "1", b: "2" },
  requestTemplates: { j: "{}", t: "a" },
  responseParameters: { "404": { h: "x" }, "500": { h: "y" } },
  tlsConfig: { serverNameToVerify: "a.example.com" },
};
const sqs = {
  integrationId: "sqs1234",
  integrationType: "AWS_PROXY",
  integrationSubtype: "SQS-SendMessage",
  requestParameters: { QueueUrl: "q", MessageBody: "b", MessageGroupId: "g" },
};

describe(simulateUpdate.name, () => {
  it.each([
    ["merge", { a: "", b: "3" }, { b: "3" }],
    ["replace", { b: "3" }, { b: "3" }],
    ["merge", { b: "3" }, { a: "1", b: "3" }],
  ] as const)("requestParameters.patch=%s: sent %j gives %j", (patch, sent, after) => {
    const out = simulateUpdate(live, { requestParameters: sent }, at({ "requestParameters.patch": patch }));
    expect(out).toMatchObject({ after: { requestParameters: after } });
  });

  it('reads "" on a parameter as each requestParameters.emptyString reading says', () => {
    const sent = { requestParameters: { a: "", b: "2" } };
    expect(simulateUpdate(live, sent, at({ "requestParameters.emptyString": "stored" }))).toMatchObject({
      after: { requestParameters: { a: "", b: "2" } },
    });
    expect(simulateUpdate(live, sent, at({ "requestParameters.emptyString": "rejected" }))).toEqual({
      refused: { behaviour: "requestParameters.emptyString", field: "requestParameters" },
    });
  });

  it("merges or replaces templates, and never reads a template as a removal", () => {
    const sent = { requestTemplates: { t: "" } };
    expect(simulateUpdate(live, sent, at({ "requestTemplates.patch": "merge" }))).toMatchObject({
      after: { requestTemplates: { j: "{}", t: "" } },
    });
    expect(simulateUpdate(live, sent, BASELINE)).toMatchObject({ after: { requestTemplates: { t: "" } } });
  });

  it("removes, stores or refuses a status code sent with {}, and replaces a sent code's mappings whole", () => {
    const sent = { responseParameters: { "404": {}, "500": { k: "z" } } };
    expect(simulateUpdate(live, sent, BASELINE)).toMatchObject({
      after: { responseParameters: { "500": { k: "z" } } },
    });
    expect(simulateUpdate(live, sent, at({ "responseParameters.emptyObject": "stored" }))).toMatchObject({
      after: { responseParameters: { "404": {}, "500": { k: "z" } } },
    });
    expect(simulateUpdate(live, sent, at({ "responseParameters.emptyObject": "rejected" }))).toEqual({
      refused: { behaviour: "responseParameters.emptyObject", field: "responseParameters" },
    });
  });

  it('clears, stores or refuses "" on description and on the other string fields, each by its own reading', () => {
    const cleared = simulateUpdate(live, { description: "", credentialsArn: "" }, BASELINE);
    expect(cleared).toEqual({ after: expect.not.objectContaining({ description: expect.anything() }) });
    expect(
      simulateUpdate(live, { description: "" }, at({ "description.emptyString": "stored" })),
    ).toMatchObject({ after: { description: "" } });
    expect(
      simulateUpdate(live, { credentialsArn: "" }, at({ "stringFields.emptyString": "rejected" })),
    ).toEqual({
      refused: { behaviour: "stringFields.emptyString", field: "credentialsArn" },
    });
  });

  it("removes, stores or refuses tlsConfig {}", () => {
    expect(simulateUpdate(live, { tlsConfig: {} }, BASELINE)).toEqual({
      after: expect.not.objectContaining({ tlsConfig: expect.anything() }),
    });
    expect(simulateUpdate(live, { tlsConfig: {} }, at({ "tlsConfig.emptyObject": "stored" }))).toMatchObject({
      after: { tlsConfig: {} },
    });
    expect(simulateUpdate(live, { tlsConfig: {} }, at({ "tlsConfig.emptyObject": "rejected" }))).toEqual({
      refused: { behaviour: "tlsConfig.emptyObject", field: "tlsConfig" },
    });
  });

  it("refuses an AWS service integration's update without its subtype, with another one, or without its parameters", () => {
    const parameters = { QueueUrl: "q", MessageBody: "b" };
    expect(simulateUpdate(sqs, { requestParameters: parameters }, BASELINE)).toEqual({
      refused: { behaviour: "subtype.updateWithoutSubtype", field: "integrationSubtype" },
    });
    expect(
      simulateUpdate(sqs, { integrationSubtype: "SQS-PurgeQueue", requestParameters: parameters }, BASELINE),
    ).toEqual({
      refused: { behaviour: "subtype.change", field: "integrationSubtype" },
    });
    expect(
      simulateUpdate(sqs, { integrationSubtype: "SQS-SendMessage", description: "x" }, BASELINE),
    ).toEqual({
      refused: { behaviour: "subtype.requiredParametersOnUpdate", field: "requestParameters" },
    });
    const marked = {
      integrationSubtype: "SQS-SendMessage",
      requestParameters: { ...parameters, MessageGroupId: "" },
    };
    expect(simulateUpdate(sqs, marked, BASELINE)).toEqual({
      refused: { behaviour: "subtype.emptyStringParameter", field: "requestParameters" },
    });
    expect(simulateUpdate(sqs, marked, at({ "subtype.emptyStringParameter": "accepted" }))).toMatchObject({
      after: { requestParameters: parameters },
    });
  });
});
