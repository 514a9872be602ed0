import { describe, expect, it } from "vitest";
import type { LiveIntegration } from "../../../lib/model/live.ts";
import { buildUpdate } from "../../../lib/plan/update.ts";

const live = (fields: Record<string, unknown>): LiveIntegration => ({ integrationId: "abc123", ...fields });
const http = { protocol: "HTTP" as const };
const ws = { protocol: "WEBSOCKET" as const };
/** The request the plan would send. */
const fieldsOf = (...args: Parameters<typeof buildUpdate>) => buildUpdate(...args)?.fields;

describe(buildUpdate.name, () => {
  it("returns nothing when there is no drift", () => {
    expect(fieldsOf({ description: "a" }, live({ description: "a" }), http)).toBeUndefined();
  });

  it("sends exactly the top-level fields that differ", () => {
    const update = fieldsOf(
      { description: "a", timeoutInMillis: 10000, integrationUri: "https://x" },
      live({ description: "a", timeoutInMillis: 5000, integrationUri: "https://x" }),
      http,
    );
    expect(update).toEqual({ timeoutInMillis: 10000 });
  });

  it("unsets a string field with an empty string", () => {
    expect(fieldsOf({ description: null }, live({ description: "stray" }), http)).toEqual({
      description: "",
    });
  });

  it("resets a defaulted field to its server default instead of an empty string", () => {
    expect(fieldsOf({ timeoutInMillis: null }, live({ timeoutInMillis: 50 }), http)).toEqual({
      timeoutInMillis: 30000,
    });
    expect(fieldsOf({ connectionType: null }, live({ connectionType: "VPC_LINK" }), ws)).toEqual({
      connectionType: "INTERNET",
    });
  });

  it("sends a drifted request parameter map whole, removing live-only keys with an empty string", () => {
    const update = fieldsOf(
      { requestParameters: { "overwrite:header.a": "1", "overwrite:header.b": "2" } },
      live({ requestParameters: { "overwrite:header.a": "1", "overwrite:header.c": "3" } }),
      http,
    );
    expect(update).toEqual({
      requestParameters: { "overwrite:header.a": "1", "overwrite:header.b": "2", "overwrite:header.c": "" },
    });
  });

  it("keeps ignored request parameters at their live values and never removes them", () => {
    const update = fieldsOf(
      { requestParameters: { "overwrite:header.a": "1", "append:header.x-trace": "declared" } },
      live({ requestParameters: { "overwrite:header.a": "0", "append:header.x-trace": "live" } }),
      { ...http, ignore: ["/requestParameters/append:header.x-trace"] },
    );
    expect(update).toEqual({
      requestParameters: { "append:header.x-trace": "live", "overwrite:header.a": "1" },
    });
  });

  it("sends requestTemplates whole without removal markers", () => {
    const update = fieldsOf(
      { requestTemplates: { "application/json": "{}" } },
      live({ requestTemplates: { "application/json": "[]", "text/plain": "x" } }),
      ws,
    );
    expect(update).toEqual({ requestTemplates: { "application/json": "{}" } });
  });

  it("removes a responseParameters status code with an empty map and sends the others whole", () => {
    const update = fieldsOf(
      { responseParameters: { "200": { "overwrite:header.a": "1" } } },
      live({
        responseParameters: {
          "200": { "overwrite:header.a": "1", "overwrite:header.b": "2" },
          "404": { "overwrite:statuscode": "410" },
        },
      }),
      http,
    );
    expect(update).toEqual({ responseParameters: { "200": { "overwrite:header.a": "1" }, "404": {} } });
  });

  it("sends an ignored status code back as live has it, as it does an ignored request parameter", () => {
    const update = fieldsOf(
      { responseParameters: { "200": { "overwrite:header.a": "1" } } },
      live({
        responseParameters: {
          "200": { "overwrite:header.a": "0", "append:header.x-trace": "t" },
          "500": { "overwrite:header.b": "2" },
        },
      }),
      { ...http, ignore: ["/responseParameters/500", "/responseParameters/200/append:header.x-trace"] },
    );
    expect(update).toEqual({
      responseParameters: {
        "200": { "append:header.x-trace": "t", "overwrite:header.a": "1" },
        "500": { "overwrite:header.b": "2" },
      },
    });
  });

  it("removes tlsConfig with an empty object and sends a changed one whole", () => {
    expect(fieldsOf({ tlsConfig: null }, live({ tlsConfig: { serverNameToVerify: "a" } }), http)).toEqual({
      tlsConfig: {},
    });
    expect(
      fieldsOf(
        { tlsConfig: { serverNameToVerify: "b" } },
        live({ tlsConfig: { serverNameToVerify: "a" } }),
        http,
      ),
    ).toEqual({ tlsConfig: { serverNameToVerify: "b" } });
  });

  it("keeps an ignored tlsConfig member at its live value", () => {
    const update = fieldsOf(
      { tlsConfig: { serverNameToVerify: "b" }, description: "d" },
      live({ tlsConfig: { serverNameToVerify: "a" } }),
      { ...http, ignore: ["/tlsConfig/serverNameToVerify"] },
    );
    expect(update).toEqual({ description: "d" });
  });

  describe("an AWS service integration (integrationSubtype set)", () => {
    const sqs = {
      integrationType: "AWS_PROXY",
      integrationSubtype: "SQS-SendMessage",
      credentialsArn: "arn:aws:iam::123456789012:role/sqs",
      payloadFormatVersion: "1.0",
      requestParameters: {
        QueueUrl: "https://sqs.eu-west-1.amazonaws.com/1/q",
        MessageBody: "$request.body",
      },
    };

    it("names the subtype and type again and re-sends every request parameter, whatever drifted", () => {
      const planned = buildUpdate({ credentialsArn: "arn:aws:iam::123456789012:role/new" }, live(sqs), http);
      expect(planned).toEqual({
        fields: {
          credentialsArn: "arn:aws:iam::123456789012:role/new",
          integrationSubtype: "SQS-SendMessage",
          integrationType: "AWS_PROXY",
          requestParameters: sqs.requestParameters,
        },
        cannot: [],
      });
    });

    it("sends the whole desired parameter map without an empty-string marker", () => {
      const planned = buildUpdate(
        { requestParameters: { QueueUrl: sqs.requestParameters.QueueUrl, MessageBody: "$request.body.msg" } },
        live(sqs),
        http,
      );
      expect(planned?.fields?.requestParameters).toEqual({
        MessageBody: "$request.body.msg",
        QueueUrl: sqs.requestParameters.QueueUrl,
      });
      expect(planned?.cannot).toEqual([]);
    });

    it("cannot remove a live-only parameter in place, names it, and sends nothing for it alone", () => {
      const planned = buildUpdate(
        { requestParameters: { QueueUrl: sqs.requestParameters.QueueUrl } },
        live(sqs),
        http,
      );
      expect(planned).toEqual({
        cannot: [
          {
            field: "requestParameters",
            message:
              'requestParameters "MessageBody" is live but not in the file, and a parameter of an AWS service integration (SQS-SendMessage) cannot be removed in place (the service refuses the "" marker that removes one). Declare the key, or delete and recreate the integration',
          },
        ],
      });
    });

    it("fixes the rest of the drift beside a parameter it cannot remove", () => {
      const planned = buildUpdate(
        {
          requestParameters: { QueueUrl: "https://sqs.eu-west-1.amazonaws.com/1/other" },
          description: "orders",
        },
        live(sqs),
        http,
      );
      expect(planned?.fields).toEqual({
        description: "orders",
        integrationSubtype: "SQS-SendMessage",
        integrationType: "AWS_PROXY",
        requestParameters: { QueueUrl: "https://sqs.eu-west-1.amazonaws.com/1/other" },
      });
      expect(planned?.cannot.map((c) => c.field)).toEqual(["requestParameters"]);
    });

    it("refuses to change the subtype in place", () => {
      const planned = buildUpdate({ integrationSubtype: "SQS-ReceiveMessage" }, live(sqs), http);
      expect(planned).toEqual({
        cannot: [
          {
            field: "integrationSubtype",
            message:
              'integrationSubtype cannot be changed in place (live "SQS-SendMessage", the file "SQS-ReceiveMessage"): delete the integration and create it with the new subtype, or declare the live one',
          },
        ],
      });
    });
  });
});
