/**
 * The CloudTrail emulator speaks LookupEvents' awsJson1_1 to the real SDK client, records the API Gateway
 * emulator's writes under the principal of each access key, and validates and pages as the API reference
 * describes.
 */
import {
  ApiGatewayV2Client,
  CreateIntegrationCommand,
  DeleteIntegrationCommand,
  UpdateIntegrationCommand,
} from "@aws-sdk/client-apigatewayv2";
import {
  CloudTrailClient,
  type LookupAttributeKey,
  LookupEventsCommand,
  type LookupEventsCommandInput,
} from "@aws-sdk/client-cloudtrail";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type CloudTrailEmulator, startCloudTrailEmulator } from "../../emulator/cloudtrail.ts";
import { type Emulator, startEmulator } from "../../emulator/server.ts";

const ALICE = "arn:aws:sts::123456789012:assumed-role/Admin/alice";
const T0 = Date.parse("2026-03-01T12:00:00Z");
let clock = T0;
let trail: CloudTrailEmulator;
let apigw: Emulator;
let apiId: string;

beforeEach(async () => {
  clock = T0;
  trail = await startCloudTrailEmulator({
    now: () => clock,
    principals: {
      AKIDCONSOLE: {
        type: "AssumedRole",
        arn: ALICE,
        sessionIssuer: "arn:aws:iam::123456789012:role/ops/Admin",
      },
      AKIDBOB: { type: "IAMUser", arn: "arn:aws:iam::123456789012:user/bob" },
    },
  });
  apigw = await startEmulator({ now: () => clock, onWrite: trail.onWrite });
  apiId = apigw.addApi({ name: "orders", protocolType: "HTTP" }).apiId;
});

afterEach(async () => {
  await Promise.all([trail.close(), apigw.close()]);
});

function apigwClient(accessKeyId: string, region = "eu-west-1") {
  return new ApiGatewayV2Client({
    endpoint: apigw.url,
    region,
    credentials: { accessKeyId, secretAccessKey: "x" },
    maxAttempts: 1,
  });
}

function cloudtrail(accessKeyId = "AKIDTOOL") {
  return new CloudTrailClient({
    endpoint: trail.url,
    region: "eu-west-1",
    credentials: { accessKeyId, secretAccessKey: "x" },
    maxAttempts: 1,
  });
}

function byName(name: string, extra: Partial<LookupEventsCommandInput> = {}): LookupEventsCommand {
  return new LookupEventsCommand({
    LookupAttributes: [{ AttributeKey: "EventName", AttributeValue: name }],
    ...extra,
  });
}

/** Lets the emulator's bucket refill between calls: the quota is tested on its own below. */
async function send(client: CloudTrailClient, command: LookupEventsCommand) {
  clock += 1_000;
  return client.send(command);
}

describe("recording API Gateway writes", () => {
  it("records an UpdateIntegration with the caller's principal, Region and the path + body as requestParameters", async () => {
    // An API of us-east-2: the API Gateway emulator keeps each Region's APIs apart, as the service does.
    const eastApi = apigw.at({ account: "123456789012", region: "us-east-2" }).addApi({
      name: "orders",
      protocolType: "HTTP",
    }).apiId;
    const created = await apigwClient("AKIDCONSOLE", "us-east-2").send(
      new CreateIntegrationCommand({
        ApiId: eastApi,
        IntegrationType: "HTTP_PROXY",
        IntegrationMethod: "ANY",
        IntegrationUri: "https://a.example",
        PayloadFormatVersion: "1.0",
      }),
    );
    clock += 5_000;
    await apigwClient("AKIDCONSOLE", "us-east-2").send(
      new UpdateIntegrationCommand({
        ApiId: eastApi,
        IntegrationId: created.IntegrationId!,
        TimeoutInMillis: 5000,
      }),
    );
    const out = await send(cloudtrail(), byName("UpdateIntegration"));
    expect(out.Events).toHaveLength(1);
    const event = out.Events![0]!;
    expect(event).toMatchObject({
      EventName: "UpdateIntegration",
      EventSource: "apigateway.amazonaws.com",
      ReadOnly: "false",
      AccessKeyId: "AKIDCONSOLE",
      Username: "alice",
      EventTime: new Date(T0 + 5_000),
    });
    const record = JSON.parse(event.CloudTrailEvent!);
    expect(record).toMatchObject({
      eventVersion: "1.09",
      eventTime: "2026-03-01T12:00:05Z",
      eventSource: "apigateway.amazonaws.com",
      eventName: "UpdateIntegration",
      awsRegion: "us-east-2",
      sourceIPAddress: "127.0.0.1",
      requestParameters: { apiId: eastApi, integrationId: created.IntegrationId, timeoutInMillis: 5000 },
      eventID: event.EventId,
      readOnly: false,
      eventType: "AwsApiCall",
      managementEvent: true,
      recipientAccountId: "123456789012",
      userIdentity: {
        type: "AssumedRole",
        arn: ALICE,
        accountId: "123456789012",
        accessKeyId: "AKIDCONSOLE",
        sessionContext: {
          sessionIssuer: { type: "Role", arn: "arn:aws:iam::123456789012:role/ops/Admin", userName: "Admin" },
        },
      },
    });
    expect(record.userAgent).toMatch(/^aws-sdk-js\//);
    expect(record.responseElements).toMatchObject({
      integrationId: created.IntegrationId,
      timeoutInMillis: 5000,
    });
  });

  it("records CreateIntegration with only the apiId as path parameter and the new id in responseElements, DeleteIntegration with null", async () => {
    const client = apigwClient("AKIDBOB");
    const created = await client.send(
      new CreateIntegrationCommand({
        ApiId: apiId,
        IntegrationType: "HTTP_PROXY",
        IntegrationMethod: "ANY",
        IntegrationUri: "https://b.example",
        PayloadFormatVersion: "1.0",
      }),
    );
    await client.send(new DeleteIntegrationCommand({ ApiId: apiId, IntegrationId: created.IntegrationId! }));
    const [del, create] = trail.records();
    expect(create).toMatchObject({
      eventName: "CreateIntegration",
      requestParameters: { apiId, integrationType: "HTTP_PROXY", integrationUri: "https://b.example" },
      responseElements: { integrationId: created.IntegrationId },
      userIdentity: { type: "IAMUser", arn: "arn:aws:iam::123456789012:user/bob", userName: "bob" },
    });
    expect(create!.requestParameters).not.toHaveProperty("integrationId");
    expect(del).toMatchObject({
      eventName: "DeleteIntegration",
      requestParameters: { apiId, integrationId: created.IntegrationId },
      responseElements: null,
    });
  });

  it("records a key nobody mapped as an IAM user named after the key, and no record for a refused write", async () => {
    const client = apigwClient("AKIDSTRANGER");
    await expect(
      client.send(
        new UpdateIntegrationCommand({ ApiId: apiId, IntegrationId: "nope123", TimeoutInMillis: 5000 }),
      ),
    ).rejects.toThrow(/Invalid Integration identifier/);
    expect(trail.records()).toEqual([]);
    await client.send(
      new CreateIntegrationCommand({
        ApiId: apiId,
        IntegrationType: "HTTP_PROXY",
        IntegrationMethod: "ANY",
        IntegrationUri: "https://c.example",
        PayloadFormatVersion: "1.0",
      }),
    );
    expect(trail.records()[0]!.userIdentity).toMatchObject({
      arn: "arn:aws:iam::123456789012:user/AKIDSTRANGER",
    });
  });
});

describe("LookupEvents", () => {
  function seedUpdates(count: number, startMs = T0 - 3_600_000): void {
    for (let i = 0; i < count; i++) {
      trail.seed({
        eventName: "UpdateIntegration",
        eventTime: startMs + i * 1_000,
        requestParameters: { apiId, integrationId: `i${i}` },
      });
    }
  }

  it("pages newest first in pages of 50 by default, following NextToken to the end", async () => {
    seedUpdates(120);
    trail.seed({ eventName: "CreateIntegration", eventTime: T0 - 10_000 });
    const client = cloudtrail();
    const sizes: number[] = [];
    const ids: string[] = [];
    let token: string | undefined;
    do {
      const out = await send(client, byName("UpdateIntegration", token ? { NextToken: token } : {}));
      sizes.push(out.Events!.length);
      for (const e of out.Events!) ids.push(JSON.parse(e.CloudTrailEvent!).requestParameters.integrationId);
      token = out.NextToken;
    } while (token);
    expect(sizes).toEqual([50, 50, 20]);
    expect(ids.slice(0, 3)).toEqual(["i119", "i118", "i117"]);
    expect(ids.at(-1)).toBe("i0");
    expect(new Set(ids).size).toBe(120);
  });

  it("keeps StartTime and EndTime inclusive and sees only the last 90 days", async () => {
    trail.seed({ eventName: "UpdateIntegration", eventTime: T0 - 91 * 86_400_000, eventID: "old" });
    trail.seed({ eventName: "UpdateIntegration", eventTime: T0 - 60_000, eventID: "start" });
    trail.seed({ eventName: "UpdateIntegration", eventTime: T0 - 30_000, eventID: "end" });
    trail.seed({ eventName: "UpdateIntegration", eventTime: T0 - 29_000, eventID: "after" });
    const client = cloudtrail();
    const all = await send(client, byName("UpdateIntegration"));
    expect(all.Events!.map((e) => e.EventId)).toEqual(["after", "end", "start"]);
    const window = await send(
      client,
      byName("UpdateIntegration", { StartTime: new Date(T0 - 60_000), EndTime: new Date(T0 - 30_000) }),
    );
    expect(window.Events!.map((e) => e.EventId)).toEqual(["end", "start"]);
  });

  it("filters by each lookup attribute", async () => {
    trail.seed({
      eventName: "UpdateIntegration",
      eventTime: T0 - 5_000,
      eventID: "e1",
      userIdentity: {
        type: "IAMUser",
        arn: "arn:aws:iam::123456789012:user/bob",
        userName: "bob",
        accessKeyId: "AKIDBOB",
      },
    });
    trail.seed({
      eventName: "GetIntegration",
      eventTime: T0 - 4_000,
      eventID: "e2",
      readOnly: true,
      eventSource: "apigateway.amazonaws.com",
    });
    trail.seed({
      eventName: "PutObject",
      eventTime: T0 - 3_000,
      eventID: "e3",
      eventSource: "s3.amazonaws.com",
      resources: [{ ResourceType: "AWS::S3::Object", ResourceName: "k" }],
    });
    const client = cloudtrail();
    const ids = async (key: LookupAttributeKey, value: string) =>
      (
        await send(
          client,
          new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: key, AttributeValue: value }] }),
        )
      ).Events!.map((e) => e.EventId);
    expect(await ids("EventId", "e2")).toEqual(["e2"]);
    expect(await ids("EventSource", "s3.amazonaws.com")).toEqual(["e3"]);
    expect(await ids("ReadOnly", "true")).toEqual(["e2"]);
    expect(await ids("Username", "bob")).toEqual(["e1"]);
    expect(await ids("AccessKeyId", "AKIDBOB")).toEqual(["e1"]);
    expect(await ids("ResourceType", "AWS::S3::Object")).toEqual(["e3"]);
    expect(await ids("ResourceName", "k")).toEqual(["e3"]);
  });

  it.each([
    ["MaxResults 51", { MaxResults: 51 }, "InvalidMaxResultsException"],
    ["MaxResults 0", { MaxResults: 0 }, "InvalidMaxResultsException"],
    [
      "two lookup attributes",
      {
        LookupAttributes: [
          { AttributeKey: "EventName", AttributeValue: "A" },
          { AttributeKey: "EventSource", AttributeValue: "B" },
        ],
      },
      "InvalidLookupAttributesException",
    ],
    [
      "an unknown attribute key",
      { LookupAttributes: [{ AttributeKey: "Region" as LookupAttributeKey, AttributeValue: "x" }] },
      "InvalidLookupAttributesException",
    ],
    [
      "an attribute value over 2000 characters (underscores count twice)",
      { LookupAttributes: [{ AttributeKey: "EventName", AttributeValue: "_".repeat(1001) }] },
      "InvalidLookupAttributesException",
    ],
    [
      "StartTime after EndTime",
      { StartTime: new Date(T0), EndTime: new Date(T0 - 1) },
      "InvalidTimeRangeException",
    ],
    ["a NextToken it never issued", { NextToken: "bm90LWEtdG9rZW4" }, "InvalidNextTokenException"],
    ["an unknown event category", { EventCategory: "data" as "insight" }, "InvalidEventCategoryException"],
  ] satisfies [string, LookupEventsCommandInput, string][])("refuses %s", async (_, input, name) => {
    await expect(send(cloudtrail(), new LookupEventsCommand(input))).rejects.toMatchObject({
      name,
      $metadata: { httpStatusCode: 400 },
    });
  });

  it("refuses a NextToken issued for other parameters", async () => {
    seedUpdates(3);
    const client = cloudtrail();
    const first = await send(client, byName("UpdateIntegration", { MaxResults: 1 }));
    expect(first.NextToken).toBeDefined();
    await expect(
      send(client, byName("DeleteIntegration", { NextToken: first.NextToken! })),
    ).rejects.toMatchObject({
      name: "InvalidNextTokenException",
    });
    const second = await send(
      client,
      byName("UpdateIntegration", { MaxResults: 1, NextToken: first.NextToken! }),
    );
    expect(second.Events).toHaveLength(1);
  });

  it("answers the insight category with no events (it records management events only)", async () => {
    seedUpdates(2);
    const out = await send(cloudtrail(), new LookupEventsCommand({ EventCategory: "insight" }));
    expect(out.Events).toEqual([]);
  });

  it("returns a seeded CloudTrailEvent text as it is, even when it is not JSON", async () => {
    trail.seedRaw("{not json", { eventName: "UpdateIntegration", eventTime: T0 - 1_000 });
    const out = await send(cloudtrail(), byName("UpdateIntegration"));
    expect(out.Events!.map((e) => e.CloudTrailEvent)).toEqual(["{not json"]);
  });
});

describe("quota, access and faults", () => {
  it("throttles past 2 requests at once, refilling at 2 per second, with ThrottlingException 429 by default", async () => {
    const client = cloudtrail();
    await client.send(byName("UpdateIntegration"));
    await client.send(byName("UpdateIntegration"));
    await expect(client.send(byName("UpdateIntegration"))).rejects.toMatchObject({
      name: "ThrottlingException",
      message: "Rate exceeded",
      $metadata: { httpStatusCode: 429 },
    });
    clock += 499;
    await expect(client.send(byName("UpdateIntegration"))).rejects.toMatchObject({
      name: "ThrottlingException",
    });
    clock += 1;
    await client.send(byName("UpdateIntegration"));
    expect(trail.calls.all().map((c) => c.status)).toEqual([200, 200, 429, 429, 200]);
    expect(trail.calls.all().map((c) => c.at)).toEqual([T0, T0, T0, T0 + 499, T0 + 500]);
  });

  it("answers throttling with 400 when told to (the older model's status)", async () => {
    await trail.close();
    trail = await startCloudTrailEmulator({
      now: () => clock,
      throttle: { rate: 2, burst: 1 },
      throttleStatus: 400,
    });
    const client = cloudtrail();
    await client.send(byName("UpdateIntegration"));
    await expect(client.send(byName("UpdateIntegration"))).rejects.toMatchObject({
      name: "ThrottlingException",
      $metadata: { httpStatusCode: 400 },
    });
  });

  it("denies a key it was told to deny, naming the principal and the action", async () => {
    trail.deny("AKIDBOB");
    await expect(send(cloudtrail("AKIDBOB"), byName("UpdateIntegration"))).rejects.toMatchObject({
      name: "AccessDeniedException",
      message:
        "User: arn:aws:iam::123456789012:user/bob is not authorized to perform: cloudtrail:LookupEvents because no identity-based policy allows the cloudtrail:LookupEvents action",
      $metadata: { httpStatusCode: 400 },
    });
    await expect(send(cloudtrail("AKIDOTHER"), byName("UpdateIntegration"))).resolves.toMatchObject({
      Events: [],
    });
  });

  it("fails the next calls it was told to fail, then answers again", async () => {
    trail.failNext({ status: 503, errorType: "ServiceUnavailableException", times: 2 });
    const client = cloudtrail();
    await expect(send(client, byName("UpdateIntegration"))).rejects.toMatchObject({
      $metadata: { httpStatusCode: 503 },
    });
    await expect(send(client, byName("UpdateIntegration"))).rejects.toMatchObject({
      $metadata: { httpStatusCode: 503 },
    });
    await expect(send(client, byName("UpdateIntegration"))).resolves.toMatchObject({ Events: [] });
  });

  it("answers a target it does not serve with UnknownOperationException", async () => {
    const res = await fetch(trail.url, {
      method: "POST",
      headers: {
        "content-type": "application/x-amz-json-1.1",
        "x-amz-target": "CloudTrail_20131101.CreateTrail",
      },
      body: "{}",
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      __type: "UnknownOperationException",
      message: "Unknown operation CloudTrail_20131101.CreateTrail",
    });
  });
});
