import { describe, expect, it } from "vitest";
import { checkRules } from "../../../lib/desired-state/rules.ts";
import type { SchemaProtocol } from "../../../lib/desired-state/schema.ts";

/** The rule messages for one integration `abc`, as `pointer-ish path (key|value): message`. */
function check(integration: Record<string, unknown>, protocol: SchemaProtocol = "HTTP"): string[] {
  return checkRules({ integrations: { abc: integration } }, protocol).map(
    (m) => `${m.path.slice(2).join("/")} ${m.atKey ? "key" : "value"}: ${m.message}`,
  );
}

describe("checkRules", () => {
  describe("tlsConfig", () => {
    it("refuses tlsConfig without connectionType VPC_LINK, positioned at its key", () => {
      const message =
        "tlsConfig key: tlsConfig applies only to private integrations: declare connectionType: VPC_LINK with it, or remove it (the service ignores it on INTERNET integrations, so it would never converge)";

      expect(check({ tlsConfig: { serverNameToVerify: "x" } })).toEqual([message]);
      expect(check({ tlsConfig: { serverNameToVerify: "x" }, connectionType: "INTERNET" })).toEqual([
        message,
      ]);
    });

    it("refuses an empty tlsConfig, which compares as none", () => {
      const message =
        "tlsConfig key: tlsConfig is empty, which reads the same as no tlsConfig (the service may drop an empty one or echo it back, so the two cannot be told apart); declare serverNameToVerify, or write tlsConfig: null to require none";
      expect(check({ tlsConfig: {}, connectionType: "VPC_LINK" })).toEqual([message]);
      expect(check({ tlsConfig: { serverNameToVerify: null } })).toEqual([message]);
    });

    it("accepts tlsConfig with connectionType VPC_LINK", () => {
      expect(check({ tlsConfig: { serverNameToVerify: "x" }, connectionType: "VPC_LINK" })).toEqual([]);
    });

    it("accepts tlsConfig: null, which asks for no TLS settings", () => {
      expect(check({ tlsConfig: null })).toEqual([]);
    });
  });

  describe("integrationMethod of Lambda proxy integrations", () => {
    it("refuses a method other than POST on a Lambda AWS_PROXY integration", () => {
      expect(check({ integrationType: "AWS_PROXY", integrationMethod: "GET" })).toEqual([
        "integrationMethod value: Lambda proxy (AWS_PROXY) integrations must use integrationMethod: POST, not GET",
      ]);
      expect(check({ integrationType: "AWS_PROXY", integrationMethod: "ANY" }, "WEBSOCKET")).toHaveLength(1);
    });

    it("accepts POST on a Lambda AWS_PROXY integration, and any method on an HTTP_PROXY one", () => {
      expect(check({ integrationType: "AWS_PROXY", integrationMethod: "POST" })).toEqual([]);
      expect(check({ integrationType: "HTTP_PROXY", integrationMethod: "GET" })).toEqual([]);
    });

    it("leaves the method of an AWS service integration (with integrationSubtype) alone", () => {
      expect(
        check({
          integrationType: "AWS_PROXY",
          integrationSubtype: "SQS-SendMessage",
          integrationMethod: "GET",
        }),
      ).toEqual([]);
    });
  });

  describe("payloadFormatVersion 2.0", () => {
    it("accepts 2.0 on a Lambda proxy integration of an HTTP API", () => {
      expect(check({ integrationType: "AWS_PROXY", payloadFormatVersion: "2.0" })).toEqual([]);
    });

    it("refuses 2.0 on any other integration type", () => {
      expect(check({ integrationType: "HTTP_PROXY", payloadFormatVersion: "2.0" })).toEqual([
        'payloadFormatVersion value: payloadFormatVersion "2.0" is only for Lambda proxy (AWS_PROXY) integrations; use "1.0" for HTTP_PROXY',
      ]);
    });

    it("refuses 2.0 on an AWS service integration", () => {
      expect(
        check({
          integrationType: "AWS_PROXY",
          integrationSubtype: "SQS-SendMessage",
          payloadFormatVersion: "2.0",
        }),
      ).toEqual([
        'payloadFormatVersion value: payloadFormatVersion "2.0" is only for Lambda proxy integrations; an AWS service integration (integrationSubtype SQS-SendMessage) takes "1.0"',
      ]);
    });

    it("refuses 2.0 on a WebSocket API, even for a Lambda proxy integration", () => {
      expect(check({ integrationType: "AWS_PROXY", payloadFormatVersion: "2.0" }, "WEBSOCKET")).toEqual([
        'payloadFormatVersion value: payloadFormatVersion "2.0" is only for Lambda proxy integrations of HTTP APIs; WebSocket APIs take "1.0"',
      ]);
    });

    it("accepts 2.0 on an HTTP API integration whose type is not declared (not owned)", () => {
      expect(check({ payloadFormatVersion: "2.0" })).toEqual([]);
    });

    it("accepts 1.0 everywhere", () => {
      expect(check({ integrationType: "HTTP_PROXY", payloadFormatVersion: "1.0" })).toEqual([]);
      expect(check({ integrationType: "MOCK", payloadFormatVersion: "1.0" }, "WEBSOCKET")).toEqual([]);
    });
  });

  describe("integrationSubtype", () => {
    it("refuses integrationSubtype on a type other than AWS_PROXY", () => {
      expect(check({ integrationType: "HTTP_PROXY", integrationSubtype: "SQS-SendMessage" })).toEqual([
        "integrationSubtype value: integrationSubtype applies only to AWS_PROXY integrations, and this one is HTTP_PROXY; remove it",
      ]);
    });

    it("accepts integrationSubtype on AWS_PROXY, and when the type is not declared", () => {
      expect(check({ integrationType: "AWS_PROXY", integrationSubtype: "SQS-SendMessage" })).toEqual([]);
      expect(check({ integrationSubtype: "SQS-SendMessage" })).toEqual([]);
    });
  });

  describe("requestParameters keys", () => {
    it("accepts the HTTP API forms, overwrite:path included", () => {
      const requestParameters = {
        "append:header.x-a": "a",
        "overwrite:querystring.q": "b",
        "remove:header.x-b": "''",
        "overwrite:path": "/v2/orders",
      };

      expect(check({ requestParameters })).toEqual([]);
    });

    it("refuses other keys on an HTTP API, at the key", () => {
      expect(
        check({ requestParameters: { "header.x": "a", "append:path": "b", "set:header.x": "c" } }),
      ).toEqual(
        ["header.x", "append:path", "set:header.x"].map(
          (key) =>
            `requestParameters/${key} key: request parameter "${key}" has the wrong form; HTTP APIs take <append|overwrite|remove>:<header|querystring|path>.<name> (or declare integrationSubtype for an AWS service integration)`,
        ),
      );
    });

    it("accepts service parameter keys such as QueueUrl on an AWS service integration", () => {
      const integration = {
        integrationType: "AWS_PROXY",
        integrationSubtype: "SQS-SendMessage",
        requestParameters: { QueueUrl: "$request.header.queueUrl", MessageBody: "$request.body" },
      };

      expect(check(integration)).toEqual([]);
    });

    it("accepts integration.request.* keys on a WebSocket API and refuses HTTP API forms there", () => {
      const requestParameters = {
        "integration.request.header.x-id": "context.connectionId",
        "integration.request.querystring.room": "route.request.body.room",
        "integration.request.path.id": "'static'",
        "overwrite:header.x": "a",
      };

      expect(check({ requestParameters }, "WEBSOCKET")).toEqual([
        'requestParameters/overwrite:header.x key: request parameter "overwrite:header.x" has the wrong form; WebSocket APIs take integration.request.<header|querystring|path>.<name>',
      ]);
    });

    it("leaves the key forms alone when the protocol is unreadable", () => {
      expect(check({ requestParameters: { anything: "x" } }, "ANY")).toEqual([]);
    });

    it('refuses an empty value, which UpdateIntegration reads as "remove"', () => {
      expect(check({ requestParameters: { "overwrite:header.x": "" } })).toEqual([
        'requestParameters/overwrite:header.x key: requestParameters "overwrite:header.x" has an empty value, which UpdateIntegration reads as "remove"; to require that the key be absent, leave it out (the map is owned whole)',
      ]);
    });
  });

  describe("responseParameters keys", () => {
    it("accepts header mappings and overwrite:statuscode", () => {
      const responseParameters = {
        "404": { "overwrite:statuscode": "410", "append:header.x": "a", "remove:header.y": "''" },
      };

      expect(check({ responseParameters })).toEqual([]);
    });

    it("refuses other keys and empty values, at the key", () => {
      expect(
        check({ responseParameters: { "500": { "overwrite:body": "x", "overwrite:header.z": "" } } }),
      ).toEqual([
        'responseParameters/500/overwrite:body key: response parameter "overwrite:body" has the wrong form; use <append|overwrite|remove>:header.<name> or overwrite:statuscode',
        'responseParameters/500/overwrite:header.z key: responseParameters/500 "overwrite:header.z" has an empty value, which UpdateIntegration reads as "remove"; to require that the key be absent, leave it out (the map is owned whole)',
      ]);
    });

    it("skips a status code whose mappings are not a map (the schema reports it)", () => {
      expect(check({ responseParameters: { "500": "x" } })).toEqual([]);
    });
  });

  describe("ignore", () => {
    it("accepts pointers to the protocol's fields and below them", () => {
      const doc = {
        ignore: ["/description", "/requestParameters/overwrite:header.x"],
        integrations: { abc: { ignore: ["/responseParameters/404", "/tlsConfig/serverNameToVerify"] } },
      };

      expect(checkRules(doc, "HTTP")).toEqual([]);
    });

    it("refuses a pointer that names no field, or a field of the other protocol", () => {
      const doc = { ignore: ["/nope", "/templateSelectionExpression"], integrations: {} };

      expect(checkRules(doc, "HTTP")).toEqual([
        {
          path: ["ignore", "0"],
          atKey: false,
          message:
            'ignore entry "/nope" names no integration field; pointers start at an integration\'s fields, e.g. /description',
        },
        {
          path: ["ignore", "1"],
          atKey: false,
          message:
            'ignore entry "/templateSelectionExpression" names templateSelectionExpression, which HTTP APIs do not have; remove it',
        },
      ]);
    });

    it("refuses a pointer to an inherited name such as /toString", () => {
      expect(check({ ignore: ["/toString", "/constructor"] })).toEqual([
        'ignore/0 value: ignore entry "/toString" names no integration field; pointers start at an integration\'s fields, e.g. /description',
        'ignore/1 value: ignore entry "/constructor" names no integration field; pointers start at an integration\'s fields, e.g. /description',
      ]);
    });

    it("leaves entries that are not pointers to the schema", () => {
      expect(check({ ignore: ["description", 3, "/bad~2"] })).toEqual([]);
    });

    it("accepts a field of either protocol when the protocol is unreadable", () => {
      expect(check({ ignore: ["/tlsConfig", "/requestTemplates"] }, "ANY")).toEqual([]);
    });
  });

  describe("defensive reading", () => {
    it("reads documents of any shape without throwing", () => {
      expect(checkRules(null, "HTTP")).toEqual([]);
      expect(checkRules([], "HTTP")).toEqual([]);
      expect(checkRules({ ignore: "x", integrations: [] }, "HTTP")).toEqual([]);
      expect(checkRules({ integrations: { a: null, b: [1], c: "x" } }, "WEBSOCKET")).toEqual([]);
      expect(
        check({ integrationType: 1, integrationSubtype: 2, tlsConfig: [], requestParameters: [] }),
      ).toEqual([]);
    });

    it("checks the top-level ignore list even when integrations is unreadable", () => {
      expect(checkRules({ ignore: ["/nope"], integrations: "x" }, "HTTP")).toHaveLength(1);
    });
  });
});
