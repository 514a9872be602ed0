import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import {
  createApi,
  createIntegration,
  drift,
  liveIntegrations,
  motoTool,
  operations,
  useMoto,
} from "../../helpers/moto.ts";
import { resultFor, useCli } from "../../helpers/moto-cli.ts";

const QUEUE = "https://sqs.eu-west-1.amazonaws.com/123456789012/orders";

describe.runIf(motoTool().available)("an AWS-service integration (SQS-SendMessage) against moto", () => {
  const moto = useMoto();
  const { importApi, plan, apply } = useCli();

  async function seedSqsIntegration() {
    const client = moto.server.client;
    const apiId = await createApi(client, "orders-queue", "HTTP");
    const sqs = await createIntegration(client, apiId, {
      IntegrationType: "AWS_PROXY",
      IntegrationSubtype: "SQS-SendMessage",
      CredentialsArn: "arn:aws:iam::123456789012:role/orders-sqs",
      PayloadFormatVersion: "1.0",
      TimeoutInMillis: 10000,
      RequestParameters: { QueueUrl: QUEUE, MessageBody: "$request.body" },
    });
    const imported = await importApi(apiId);
    expect(imported.code).toBe(0);
    return { apiId, sqs, file: imported.file };
  }

  it("imports it with its subtype and request parameters, and plans it in sync", async () => {
    const { apiId, sqs, file } = await seedSqsIntegration();
    expect(await readFile(file, "utf8")).toBe(
      [
        "# yaml-language-server: $schema=../schema/desired-state.schema.json",
        `apiId: ${apiId}`,
        "protocol: HTTP",
        'account: "123456789012"',
        "region: eu-west-1",
        "integrations:",
        `  ${sqs}:`,
        "    integrationType: AWS_PROXY",
        "    integrationSubtype: SQS-SendMessage",
        "    credentialsArn: arn:aws:iam::123456789012:role/orders-sqs",
        "    timeoutInMillis: 10000",
        "    requestParameters:",
        `      QueueUrl: ${QUEUE}`,
        "      MessageBody: $request.body",
        "",
      ].join("\n"),
    );
    const run = await plan();
    expect(run.report.status).toBe("IN_SYNC");
    expect(run.code).toBe(0);
  });

  it("puts back a changed request parameter and timeout, and converges", async () => {
    const { apiId, sqs } = await seedSqsIntegration();
    await drift(moto.server.client, apiId, sqs, {
      IntegrationSubtype: "SQS-SendMessage",
      TimeoutInMillis: 3000,
      RequestParameters: { QueueUrl: QUEUE, MessageBody: "$request.body.message" },
    });
    const drifted = await plan();
    expect(resultFor(drifted.report, sqs).diffs).toEqual([
      {
        path: "/requestParameters/MessageBody",
        kind: "changed",
        expected: "$request.body",
        actual: "$request.body.message",
      },
      { path: "/timeoutInMillis", kind: "changed", expected: 10000, actual: 3000 },
    ]);
    const applied = await apply();
    expect(applied.report.status).toBe("RECONCILED");
    expect(resultFor(applied.report, sqs).status).toBe("UPDATED");
    expect((await liveIntegrations(moto.server.client, apiId))[sqs]).toMatchObject({
      IntegrationSubtype: "SQS-SendMessage",
      RequestParameters: { QueueUrl: QUEUE, MessageBody: "$request.body" },
      TimeoutInMillis: 10000,
    });
    expect((await plan()).report.status).toBe("IN_SYNC");
  });

  // PRODUCT §4, service-facts #17: every UpdateIntegration of an AWS-service integration names
  // integrationSubtype and integrationType again and sends the whole desired requestParameters; AWS
  // re-validates it as a URI integration otherwise (400 "Invalid integration URI specified"). moto accepts
  // the short form too, so the request itself is asserted.
  it("names the subtype, the type and every request parameter in each update", async () => {
    const { apiId, sqs } = await seedSqsIntegration();
    await drift(moto.server.client, apiId, sqs, {
      IntegrationSubtype: "SQS-SendMessage",
      TimeoutInMillis: 3000,
    });
    const applied = await apply();
    expect(operations(applied.sent)).toEqual(["GetApi", "GetIntegrations", "UpdateIntegration"]);
    expect(applied.sent[2]?.input).toEqual({
      ApiId: apiId,
      IntegrationId: sqs,
      IntegrationType: "AWS_PROXY",
      IntegrationSubtype: "SQS-SendMessage",
      RequestParameters: { MessageBody: "$request.body", QueueUrl: QUEUE },
      TimeoutInMillis: 10000,
    });
  });

  // PRODUCT §4, service-facts #11: a live request parameter the file does not declare cannot be removed in
  // place from an AWS-service integration (AWS answers a "" tombstone with 400 "Mapping expression missing
  // source or destination"); the result is FAILED naming the key, with no "" sent. moto would drop the key
  // on a "" tombstone, so the absence of the request is what is asserted.
  it("fails an undeclared request parameter it cannot remove in place, naming the key", async () => {
    const { apiId, sqs } = await seedSqsIntegration();
    await drift(moto.server.client, apiId, sqs, {
      IntegrationSubtype: "SQS-SendMessage",
      RequestParameters: { QueueUrl: QUEUE, MessageBody: "$request.body", DelaySeconds: "5" },
    });
    const drifted = await plan();
    expect(resultFor(drifted.report, sqs).diffs).toEqual([
      { path: "/requestParameters/DelaySeconds", kind: "added", actual: "5" },
    ]);
    const applied = await apply();
    const tombstones = applied.sent.filter(
      (c) =>
        c.operation === "UpdateIntegration" &&
        Object.values((c.input.RequestParameters ?? {}) as Record<string, string>).includes(""),
    );
    expect(tombstones).toEqual([]);
    const result = resultFor(applied.report, sqs);
    expect(result.status).toBe("FAILED");
    expect(result.error?.message).toContain("DelaySeconds");
    expect(applied.report.status).toBe("PARTIAL");
  });
});
