/**
 * The emulator's pure model (emulator/patch.ts): server defaults per protocol and integration type, the
 * cross-field refusals, AWS service integrations, and every reading of every behaviour that changes what
 * CreateIntegration / UpdateIntegration store. The wire (real SDK over HTTP) is emulator-behaviour.test.ts.
 */
import { describe, expect, it } from "vitest";
import type { Behaviour } from "../../../emulator/behaviour.ts";
import {
  applyUpdate,
  BadRequest,
  createIntegration,
  type Integration,
  MESSAGES,
} from "../../../emulator/patch.ts";
import type { Protocol } from "../../../emulator/service-model.ts";

const LAMBDA_ARN = "arn:aws:lambda:eu-west-1:123456789012:function:f";
const create = (protocol: Protocol, body: Record<string, unknown>, behaviour: Partial<Behaviour> = {}) =>
  createIntegration(protocol, "abc1234", body, behaviour);
const proxy = {
  integrationType: "HTTP_PROXY",
  integrationMethod: "ANY",
  integrationUri: "https://o.example",
};
const sqs = {
  integrationType: "AWS_PROXY",
  integrationSubtype: "SQS-SendMessage",
  credentialsArn: "arn:aws:iam::123456789012:role/sqs",
  requestParameters: { QueueUrl: "$request.header.queueUrl", MessageBody: "$request.body.message" },
};

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof BadRequest) return error.message;
    throw error;
  }
  throw new Error("expected a BadRequest, got none");
}

describe("CreateIntegration defaults", () => {
  it.each([
    [
      "an HTTP API HTTP_PROXY",
      "HTTP",
      proxy,
      { ...proxy, connectionType: "INTERNET", timeoutInMillis: 30_000, payloadFormatVersion: "1.0" },
    ],
    [
      "an HTTP API Lambda proxy, with POST filled in",
      "HTTP",
      { integrationType: "AWS_PROXY", integrationUri: LAMBDA_ARN, payloadFormatVersion: "2.0" },
      {
        integrationType: "AWS_PROXY",
        integrationUri: LAMBDA_ARN,
        payloadFormatVersion: "2.0",
        integrationMethod: "POST",
        connectionType: "INTERNET",
        timeoutInMillis: 30_000,
      },
    ],
    [
      "an HTTP API AWS service integration, with no method",
      "HTTP",
      sqs,
      { ...sqs, connectionType: "INTERNET", timeoutInMillis: 30_000, payloadFormatVersion: "1.0" },
    ],
    [
      "a WebSocket MOCK",
      "WEBSOCKET",
      { integrationType: "MOCK" },
      {
        integrationType: "MOCK",
        connectionType: "INTERNET",
        timeoutInMillis: 29_000,
        payloadFormatVersion: "1.0",
        passthroughBehavior: "WHEN_NO_MATCH",
        // biome-ignore lint/suspicious/noTemplateCurlyInString: an API Gateway selection expression
        integrationResponseSelectionExpression: "${integration.response.statuscode}",
      },
    ],
    [
      "a WebSocket HTTP",
      "WEBSOCKET",
      { integrationType: "HTTP", integrationMethod: "GET", integrationUri: "https://o.example" },
      {
        integrationType: "HTTP",
        integrationMethod: "GET",
        integrationUri: "https://o.example",
        connectionType: "INTERNET",
        timeoutInMillis: 29_000,
        payloadFormatVersion: "1.0",
        passthroughBehavior: "WHEN_NO_MATCH",
        // biome-ignore lint/suspicious/noTemplateCurlyInString: an API Gateway selection expression
        integrationResponseSelectionExpression: "${integration.response.statuscode}",
      },
    ],
    [
      "a WebSocket Lambda custom (AWS) integration, with POST",
      "WEBSOCKET",
      { integrationType: "AWS", integrationUri: LAMBDA_ARN },
      {
        integrationType: "AWS",
        integrationUri: LAMBDA_ARN,
        integrationMethod: "POST",
        connectionType: "INTERNET",
        timeoutInMillis: 29_000,
        payloadFormatVersion: "1.0",
        passthroughBehavior: "WHEN_NO_MATCH",
        // biome-ignore lint/suspicious/noTemplateCurlyInString: an API Gateway selection expression
        integrationResponseSelectionExpression: "${integration.response.body.errorMessage}",
      },
    ],
    [
      "a WebSocket Lambda proxy, with POST and no selection expression or passthrough",
      "WEBSOCKET",
      { integrationType: "AWS_PROXY", integrationUri: LAMBDA_ARN },
      {
        integrationType: "AWS_PROXY",
        integrationUri: LAMBDA_ARN,
        integrationMethod: "POST",
        connectionType: "INTERNET",
        timeoutInMillis: 29_000,
        payloadFormatVersion: "1.0",
      },
    ],
  ] as const)("fills %s", (_, protocol, body, stored) => {
    expect(create(protocol, body)).toEqual({ integrationId: "abc1234", ...stored });
  });

  it("refuses an HTTP API Lambda integration created without payloadFormatVersion (facts #22)", () => {
    const body = { integrationType: "AWS_PROXY", integrationUri: LAMBDA_ARN };
    expect(refusal(() => create("HTTP", body))).toBe(MESSAGES.payloadFormatRequired);
    expect(create("WEBSOCKET", body).payloadFormatVersion).toBe("1.0");
  });

  it("refuses AWS, HTTP and MOCK on HTTP APIs with the service's words", () => {
    expect(refusal(() => create("HTTP", { integrationType: "MOCK" }))).toBe(
      "Currently, an API with a protocol type of HTTP may only be associated with proxy integrations (AWS_PROXY, HTTP_PROXY)",
    );
  });

  it("refuses a URI-based integration without a URI, and a Lambda method other than POST", () => {
    expect(refusal(() => create("HTTP", { integrationType: "HTTP_PROXY" }))).toBe(
      "Invalid integration URI specified",
    );
    const lambda = { integrationType: "AWS_PROXY", integrationUri: LAMBDA_ARN, payloadFormatVersion: "1.0" };
    expect(refusal(() => create("HTTP", { ...lambda, integrationMethod: "GET" }))).toBe(
      "HttpMethod must be POST for AWS_PROXY IntegrationType",
    );
    expect(refusal(() => create("HTTP", { ...proxy, payloadFormatVersion: "2.0" }))).toBe(
      "Payload format version 2.0 is only supported for Lambda proxy integrations of HTTP APIs",
    );
  });

  it("takes a WebSocket private integration over a REST VPC link, but no tlsConfig there (facts #19)", () => {
    const vpc = {
      integrationType: "HTTP_PROXY",
      integrationMethod: "PUT",
      integrationUri: "http://www.example.net",
      connectionType: "VPC_LINK",
      connectionId: "abc123",
    };
    expect(create("WEBSOCKET", vpc)).toMatchObject({ connectionType: "VPC_LINK", connectionId: "abc123" });
    expect(refusal(() => create("WEBSOCKET", { ...vpc, tlsConfig: { serverNameToVerify: "x" } }))).toBe(
      "tlsConfig is not supported for WEBSOCKET APIs",
    );
  });

  it("drops tlsConfig on INTERNET integrations (facts #9) and passthroughBehavior on HTTP APIs", () => {
    const stored = create("HTTP", {
      ...proxy,
      tlsConfig: { serverNameToVerify: "o.example" },
      passthroughBehavior: "WHEN_NO_MATCH",
    });
    expect(stored).not.toHaveProperty("tlsConfig");
    expect(stored).not.toHaveProperty("passthroughBehavior");
  });

  it("refuses wrong types, enum values, ranges, status codes and read-only members", () => {
    expect(refusal(() => create("HTTP", { ...proxy, timeoutInMillis: 30_001 }))).toBe(
      "Timeout must be between 50 milliseconds and 30000 milliseconds.",
    );
    expect(refusal(() => create("WEBSOCKET", { integrationType: "MOCK", timeoutInMillis: 29_001 }))).toBe(
      "Timeout must be between 50 milliseconds and 29000 milliseconds.",
    );
    expect(refusal(() => create("HTTP", { ...proxy, connectionType: "CABLE" }))).toBe(
      'Invalid value for connectionType: "CABLE"',
    );
    expect(refusal(() => create("HTTP", { ...proxy, requestParameters: { a: 1 } }))).toBe(
      'Invalid value for requestParameters: {"a":1}',
    );
    expect(refusal(() => create("HTTP", { ...proxy, responseParameters: { "600": { a: "b" } } }))).toBe(
      "Invalid status code 600 in responseParameters",
    );
    expect(refusal(() => create("HTTP", { ...proxy, integrationId: "x" }))).toBe(
      "integrationId is read-only and cannot be set",
    );
    expect(refusal(() => create("HTTP", {}))).toBe("IntegrationType is required");
  });
});

describe("UpdateIntegration", () => {
  const live = (): Integration => create("HTTP", { ...proxy, description: "d" });

  it("recomputes the response selection expression when the type changes", () => {
    const mock = create("WEBSOCKET", { integrationType: "MOCK" });
    const aws = applyUpdate("WEBSOCKET", mock, { integrationType: "AWS", integrationUri: LAMBDA_ARN });
    // biome-ignore lint/suspicious/noTemplateCurlyInString: an API Gateway selection expression
    expect(aws.integrationResponseSelectionExpression).toBe("${integration.response.body.errorMessage}");
    const proxied = applyUpdate("WEBSOCKET", aws, { integrationType: "AWS_PROXY" });
    expect(proxied).not.toHaveProperty("integrationResponseSelectionExpression");
  });

  it.each([
    ["integrationType", "IntegrationType is required"],
    ["integrationUri", "Invalid integration URI specified"],
    ["integrationMethod", "integrationMethod cannot be removed from HTTP_PROXY integrations"],
    ["payloadFormatVersion", "payloadFormatVersion cannot be removed from HTTP_PROXY integrations"],
  ])("refuses an empty reset of %s where the type needs it (facts #21)", (field, message) => {
    const current = live();
    expect(refusal(() => applyUpdate("HTTP", current, { [field]: "" }))).toBe(message);
  });

  it("clears a MOCK's integrationUri with an empty string, as any plain string", () => {
    const mock = create("WEBSOCKET", { integrationType: "MOCK", integrationUri: "https://x" });
    expect(applyUpdate("WEBSOCKET", mock, { integrationUri: "" })).not.toHaveProperty("integrationUri");
  });

  it("leaves a stored integration unchanged when it refuses an update", () => {
    const current = live();
    const before = structuredClone(current);
    expect(() => applyUpdate("HTTP", current, { timeoutInMillis: 1, description: "x" })).toThrow(BadRequest);
    expect(current).toEqual(before);
  });

  it("does not re-check combinations an update does not touch, so injected drift never blocks it", () => {
    const drifted = { ...live(), payloadFormatVersion: "2.0" };
    expect(applyUpdate("HTTP", drifted, { description: "x" }).description).toBe("x");
  });
});

describe("AWS service integrations (facts #11, #17, #21)", () => {
  it("requires each action's required parameters on create (dev guide, Integration subtype reference)", () => {
    const { MessageBody: _, ...noBody } = sqs.requestParameters;
    expect(refusal(() => create("HTTP", { ...sqs, requestParameters: noBody }))).toBe(
      "Missing required request parameters for SQS-SendMessage: MessageBody",
    );
    const events = {
      ...sqs,
      integrationSubtype: "EventBridge-PutEvents",
      requestParameters: { Detail: "$request.body" },
    };
    expect(refusal(() => create("HTTP", events))).toBe(
      "Missing required request parameters for EventBridge-PutEvents: DetailType, Source",
    );
    expect(refusal(() => create("HTTP", { ...sqs, integrationSubtype: "SQS-Frobnicate" }))).toBe(
      "Unsupported integration subtype SQS-Frobnicate",
    );
    expect(refusal(() => create("HTTP", { ...proxy, integrationSubtype: "SQS-SendMessage" }))).toBe(
      "integrationSubtype is supported only for AWS_PROXY integrations, not HTTP_PROXY",
    );
  });

  const body = { integrationSubtype: "SQS-SendMessage", requestParameters: sqs.requestParameters };

  it("refuses an update that does not name the subtype, or takes it, per subtype.updateWithoutSubtype", () => {
    const current = create("HTTP", sqs);
    const without = { requestParameters: sqs.requestParameters, description: "x" };
    expect(refusal(() => applyUpdate("HTTP", current, without))).toBe("Invalid integration URI specified");
    const accepted = { "subtype.updateWithoutSubtype": "accepted" } as const;
    expect(applyUpdate("HTTP", current, without, accepted).description).toBe("x");
  });

  it('refuses a "" parameter, or removes the key, per subtype.emptyStringParameter', () => {
    const current = create("HTTP", {
      ...sqs,
      requestParameters: { ...sqs.requestParameters, DelaySeconds: "0" },
    });
    const update = { ...body, requestParameters: { ...sqs.requestParameters, DelaySeconds: "" } };
    expect(refusal(() => applyUpdate("HTTP", current, update))).toBe(
      "Invalid selection expression specified: Validation Result: warnings : [], errors : [Mapping expression missing source or destination]",
    );
    const removed = applyUpdate("HTTP", current, update, { "subtype.emptyStringParameter": "accepted" });
    expect(removed.requestParameters).toEqual(sqs.requestParameters);
  });

  it("never clears the subtype in place, and changes it only under subtype.change=accepted", () => {
    const current = create("HTTP", sqs);
    expect(refusal(() => applyUpdate("HTTP", current, { ...body, integrationSubtype: "" }))).toBe(
      "Invalid integration URI specified",
    );
    const purge = {
      integrationSubtype: "SQS-PurgeQueue",
      requestParameters: { QueueUrl: "$request.body.q" },
    };
    expect(refusal(() => applyUpdate("HTTP", current, purge))).toBe(
      "integrationSubtype cannot be changed from SQS-SendMessage to SQS-PurgeQueue; create a new integration",
    );
    const changed = applyUpdate("HTTP", current, purge, {
      "subtype.change": "accepted",
      "requestParameters.patch": "replace",
    });
    expect(changed).toMatchObject({
      integrationSubtype: "SQS-PurgeQueue",
      requestParameters: { QueueUrl: "$request.body.q" },
    });
    const lambda = create("HTTP", {
      integrationType: "AWS_PROXY",
      integrationUri: LAMBDA_ARN,
      payloadFormatVersion: "1.0",
    });
    expect(refusal(() => applyUpdate("HTTP", lambda, purge))).toBe(
      "An integration without a subtype cannot become an AWS service integration (SQS-PurgeQueue); create a new integration",
    );
  });

  it("wants the required parameters in every update body, or only in the result, per subtype.requiredParametersOnUpdate", () => {
    const current = create("HTTP", sqs);
    const described = { integrationSubtype: "SQS-SendMessage", description: "x" };
    expect(refusal(() => applyUpdate("HTTP", current, described))).toBe(
      "Missing required request parameters for SQS-SendMessage: QueueUrl, MessageBody",
    );
    const stored = { "subtype.requiredParametersOnUpdate": "stored" } as const;
    expect(applyUpdate("HTTP", current, described, stored).description).toBe("x");
    const replaced = { ...stored, "requestParameters.patch": "replace" } as const;
    const partial = {
      integrationSubtype: "SQS-SendMessage",
      requestParameters: { QueueUrl: "$request.body.q" },
    };
    expect(refusal(() => applyUpdate("HTTP", current, partial, replaced))).toBe(
      "Missing required request parameters for SQS-SendMessage: MessageBody",
    );
  });
});

describe("behaviours of UpdateIntegration", () => {
  const params = { "overwrite:header.a": "1", "overwrite:header.b": "2" };
  const withParams = () => create("HTTP", { ...proxy, requestParameters: params });

  it.each([
    ["merge", { "overwrite:header.a": "1", "overwrite:header.b": "3" }],
    ["replace", { "overwrite:header.b": "3" }],
  ] as const)("requestParameters.patch=%s", (reading, expected) => {
    const next = applyUpdate(
      "HTTP",
      withParams(),
      { requestParameters: { "overwrite:header.b": "3" } },
      {
        "requestParameters.patch": reading,
      },
    );
    expect(next.requestParameters).toEqual(expected);
  });

  it("never clears request parameters with {} under merge (cdkd #1160), but does under replace", () => {
    expect(applyUpdate("HTTP", withParams(), { requestParameters: {} }).requestParameters).toEqual(params);
    const replaced = applyUpdate(
      "HTTP",
      withParams(),
      { requestParameters: {} },
      { "requestParameters.patch": "replace" },
    );
    expect(replaced).not.toHaveProperty("requestParameters");
  });

  it.each([
    ["removes", { "overwrite:header.b": "2" }],
    ["stored", { "overwrite:header.a": "", "overwrite:header.b": "2" }],
  ] as const)("requestParameters.emptyString=%s", (reading, expected) => {
    const next = applyUpdate(
      "HTTP",
      withParams(),
      { requestParameters: { "overwrite:header.a": "" } },
      {
        "requestParameters.emptyString": reading,
      },
    );
    expect(next.requestParameters).toEqual(expected);
  });

  it("requestParameters.emptyString=rejected", () => {
    const behaviour = { "requestParameters.emptyString": "rejected" } as const;
    expect(
      refusal(() =>
        applyUpdate("HTTP", withParams(), { requestParameters: { "overwrite:header.a": "" } }, behaviour),
      ),
    ).toBe(MESSAGES.emptyMapping);
  });

  it.each([
    ["replace", { "text/plain": "" }],
    ["merge", { "application/json": "a", "text/plain": "" }],
  ] as const)(
    "requestTemplates.patch=%s, an empty template being a body, not a removal",
    (reading, expected) => {
      const mock = create("WEBSOCKET", {
        integrationType: "MOCK",
        requestTemplates: { "application/json": "a" },
      });
      const next = applyUpdate(
        "WEBSOCKET",
        mock,
        { requestTemplates: { "text/plain": "" } },
        {
          "requestTemplates.patch": reading,
        },
      );
      expect(next.requestTemplates).toEqual(expected);
    },
  );

  const responses = () =>
    create("HTTP", {
      ...proxy,
      responseParameters: { "200": { "overwrite:header.x": "1" }, "404": { "overwrite:statuscode": "410" } },
    });

  it.each([
    ["removes", { "200": { "overwrite:header.x": "1" } }],
    ["stored", { "200": { "overwrite:header.x": "1" }, "404": {} }],
  ] as const)("responseParameters.emptyObject=%s", (reading, expected) => {
    const next = applyUpdate(
      "HTTP",
      responses(),
      { responseParameters: { "404": {} } },
      {
        "responseParameters.emptyObject": reading,
      },
    );
    expect(next.responseParameters).toEqual(expected);
  });

  it("replaces a sent status code's mappings whole and keeps the codes not sent", () => {
    const next = applyUpdate("HTTP", responses(), {
      responseParameters: { "200": { "append:header.y": "2" } },
    });
    expect(next.responseParameters).toEqual({
      "200": { "append:header.y": "2" },
      "404": { "overwrite:statuscode": "410" },
    });
  });

  it("responseParameters.emptyObject=rejected", () => {
    const behaviour = { "responseParameters.emptyObject": "rejected" } as const;
    expect(
      refusal(() => applyUpdate("HTTP", responses(), { responseParameters: { "404": {} } }, behaviour)),
    ).toBe("Invalid response parameters specified for status code 404: no mappings");
  });

  it.each([
    ["description.emptyString", "description", "description cannot be removed from HTTP_PROXY integrations"],
    [
      "stringFields.emptyString",
      "credentialsArn",
      "credentialsArn cannot be removed from HTTP_PROXY integrations",
    ],
  ] as const)("%s: clears, stored or rejected", (name, field, message) => {
    const current = create("HTTP", { ...proxy, [field]: "arn:aws:iam::123456789012:role/x" });
    expect(applyUpdate("HTTP", current, { [field]: "" }, { [name]: "clears" })).not.toHaveProperty(field);
    expect(applyUpdate("HTTP", current, { [field]: "" }, { [name]: "stored" })[field]).toBe("");
    expect(refusal(() => applyUpdate("HTTP", current, { [field]: "" }, { [name]: "rejected" }))).toBe(
      message,
    );
  });

  it("fills a cleared defaulted field's default again (connectionType)", () => {
    const vpc = create("HTTP", { ...proxy, connectionType: "VPC_LINK", connectionId: "vl1" });
    expect(applyUpdate("HTTP", vpc, { connectionType: "" }).connectionType).toBe("INTERNET");
  });

  const privateProxy = () =>
    create("HTTP", {
      ...proxy,
      connectionType: "VPC_LINK",
      connectionId: "vl1",
      tlsConfig: { serverNameToVerify: "o.example" },
    });

  it("tlsConfig.emptyObject: removes, stored (moto: echoed back as {}) or rejected", () => {
    expect(applyUpdate("HTTP", privateProxy(), { tlsConfig: {} })).not.toHaveProperty("tlsConfig");
    expect(
      applyUpdate("HTTP", privateProxy(), { tlsConfig: {} }, { "tlsConfig.emptyObject": "stored" }).tlsConfig,
    ).toEqual({});
    expect(
      refusal(() =>
        applyUpdate("HTTP", privateProxy(), { tlsConfig: {} }, { "tlsConfig.emptyObject": "rejected" }),
      ),
    ).toBe("Invalid TLS configuration specified: serverNameToVerify is missing");
    const changed = applyUpdate("HTTP", privateProxy(), { tlsConfig: { serverNameToVerify: "p.example" } });
    expect(changed.tlsConfig).toEqual({ serverNameToVerify: "p.example" });
  });
});
