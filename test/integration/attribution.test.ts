/**
 * Attribution over real HTTP: the API Gateway emulator's writes, signed with different access keys, land in
 * the CloudTrail emulator, and the lookup driver finds them through the SDK's standard configuration
 * (AWS_ENDPOINT_URL_CLOUDTRAIL). The pacing and the page budget are asserted on the emulator's call log.
 */
import { ApiGatewayV2Client, UpdateIntegrationCommand } from "@aws-sdk/client-apigatewayv2";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type CloudTrailEmulator, startCloudTrailEmulator } from "../../emulator/cloudtrail.ts";
import { type Emulator, startEmulator } from "../../emulator/server.ts";
import { RateLimiter } from "../../lib/apigateway/limiter.ts";
import { createCloudTrailClient } from "../../lib/attribution/client.ts";
import { selfIdentity } from "../../lib/attribution/identity.ts";
import { lookupChanges } from "../../lib/attribution/lookup.ts";

const ALICE = "arn:aws:sts::123456789012:assumed-role/Admin/alice";
const TOOL = "arn:aws:sts::123456789012:assumed-role/apigw-drift-ci/run-1";
/** One clock for the emulators and the limiter (performance.now), so their times compare. */
const clock = () => performance.timeOrigin + performance.now();

let trail: CloudTrailEmulator;
let apigw: Emulator;
let apiId: string;

async function start(options: Parameters<typeof startCloudTrailEmulator>[0] = {}) {
  trail = await startCloudTrailEmulator({
    now: clock,
    principals: {
      AKIDCONSOLE: { type: "AssumedRole", arn: ALICE, sessionIssuer: "arn:aws:iam::123456789012:role/Admin" },
      AKIDTOOL: { type: "AssumedRole", arn: TOOL },
    },
    ...options,
  });
  vi.stubEnv("AWS_ENDPOINT_URL_CLOUDTRAIL", trail.url);
}

beforeEach(async () => {
  await start();
  apigw = await startEmulator({ now: clock, onWrite: trail.onWrite });
  apiId = apigw.addApi({ name: "orders", protocolType: "HTTP" }).apiId;
  vi.stubEnv("AWS_REGION", "eu-west-1");
  vi.stubEnv("AWS_ACCESS_KEY_ID", "AKIDTOOL");
  vi.stubEnv("AWS_SECRET_ACCESS_KEY", "test");
});

afterEach(async () => {
  vi.unstubAllEnvs();
  await Promise.all([trail.close(), apigw.close()]);
});

function integration(): string {
  return apigw.addIntegration(apiId, {
    integrationType: "HTTP_PROXY",
    integrationMethod: "ANY",
    integrationUri: "https://o.example",
  }).integrationId;
}

async function updateAs(accessKeyId: string, integrationId: string, timeoutInMillis: number) {
  const client = new ApiGatewayV2Client({
    endpoint: apigw.url,
    region: "eu-west-1",
    credentials: { accessKeyId, secretAccessKey: "x" },
  });
  await client.send(
    new UpdateIntegrationCommand({
      ApiId: apiId,
      IntegrationId: integrationId,
      TimeoutInMillis: timeoutInMillis,
    }),
  );
  client.destroy();
}

/** Integrations nobody wrote, so the driver pages to the end of the budget. */
function seedNoise(count: number): void {
  const now = Date.now();
  for (let i = 0; i < count; i++) {
    trail.seed({
      eventName: "UpdateIntegration",
      eventTime: now - 1_000 - i * 1_000,
      requestParameters: { apiId, integrationId: `noise${i}` },
    });
  }
}

describe("attribution over HTTP", () => {
  it("names the console principal of a change, and never the tool for its own write", async () => {
    const byAlice = integration();
    const byTool = integration();
    await updateAs("AKIDCONSOLE", byAlice, 5000);
    await updateAs("AKIDTOOL", byTool, 6000);
    const { client, stats } = createCloudTrailClient();
    const result = await lookupChanges(
      client,
      [
        { apiId, integrationId: byAlice, status: "DRIFTED" },
        { apiId, integrationId: byTool, status: "DRIFTED" },
      ],
      { self: selfIdentity(TOOL) },
    );
    const alice = result.changedBy.get(`${apiId}/${byAlice}`);
    expect(alice).toMatchObject({
      principal: ALICE,
      eventName: "UpdateIntegration",
      sourceIpAddress: "127.0.0.1",
    });
    expect(alice?.eventId).toBe(
      trail.records().find((r) => r.userIdentity && (r.userIdentity as { arn: string }).arn === ALICE)
        ?.eventID,
    );
    expect(result.changedBy.has(`${apiId}/${byTool}`)).toBe(false);
    // The tool's integration had no update by anyone else, so its creation was looked up too.
    expect(
      trail.calls
        .all()
        .map(
          (c) =>
            (c.body as { LookupAttributes: { AttributeValue: string }[] }).LookupAttributes[0]!
              .AttributeValue,
        ),
    ).toEqual(["UpdateIntegration", "CreateIntegration"]);
    expect(stats.toRecord()).toEqual({ LookupEvents: 2, throttled: 0, retries: 0 });
    client.destroy();
  });

  it("stops at exactly the page budget, asserted on the emulator's log", async () => {
    seedNoise(260);
    const { client } = createCloudTrailClient();
    const result = await lookupChanges(client, [{ apiId, integrationId: "nobody", status: "DRIFTED" }], {
      self: selfIdentity(TOOL),
      pageBudget: 4,
    });
    expect(trail.calls.filter("LookupEvents", 200)).toHaveLength(4);
    expect(trail.calls.all().every((c) => (c.body as { MaxResults: number }).MaxResults === 50)).toBe(true);
    expect(result.pages).toBe(4);
    expect(result.warnings).toEqual([
      `CloudTrail attribution stopped at its page budget (4 LookupEvents pages); 1 of 1 changed integrations stay unattributed: ${apiId}/nobody.`,
    ]);
    client.destroy();
  });

  it("never sends faster than the 2 requests/s token bucket allows (burst 2), asserted on arrival times", async () => {
    seedNoise(400);
    // The limiter starts now and full: by time t it can have released at most 2 + 2t tokens, plus one for
    // each throttled answer (a refused request gives its token back). Arrivals come after sends, so each
    // arrival time bounds its send from above: this holds however slow the machine is.
    const started = clock();
    const { client } = createCloudTrailClient({
      limiter: new RateLimiter({ rate: 2, burst: 2, concurrency: 1, now: () => performance.now() }),
    });
    await lookupChanges(client, [{ apiId, integrationId: "nobody", status: "DRIFTED" }], {
      self: selfIdentity(TOOL),
      pageBudget: 7,
    });
    const calls = trail.calls.all();
    expect(calls.filter((c) => c.status === 200)).toHaveLength(7);
    let refunded = 0;
    for (const [i, call] of calls.entries()) {
      const allowed = 2 + (2 * (call.at - started)) / 1000 + refunded;
      expect(i + 1, `call ${i + 1} at +${Math.round(call.at - started)} ms`).toBeLessThanOrEqual(allowed);
      if (call.errorType === "ThrottlingException") refunded += 1;
    }
    // And the pacing is real: seven calls cannot all arrive within the first 2.5 s of a 2/s bucket of 2.
    expect(calls.at(-1)!.at - started).toBeGreaterThanOrEqual(2_500 - 1);
    client.destroy();
  });

  it.each([429, 400] as const)(
    "retries ThrottlingException answered with %i and still attributes",
    async (status) => {
      const deleted = integration();
      apigw.removeIntegration(apiId, deleted);
      trail.seed({
        eventName: "DeleteIntegration",
        eventTime: Date.now() - 5_000,
        requestParameters: { apiId, integrationId: deleted },
      });
      // The status of CloudTrail's ThrottlingException is unsettled (README): both must be retried.
      trail.failNext({ status, errorType: "ThrottlingException", message: "Rate exceeded", times: 2 });
      const { client, stats } = createCloudTrailClient();
      const result = await lookupChanges(client, [{ apiId, integrationId: deleted, status: "MISSING" }], {
        self: selfIdentity(TOOL),
      });
      expect(result.warnings).toEqual([]);
      expect(result.changedBy.get(`${apiId}/${deleted}`)?.eventName).toBe("DeleteIntegration");
      expect(trail.calls.all().map((c) => [c.status, c.errorType])).toEqual([
        [status, "ThrottlingException"],
        [status, "ThrottlingException"],
        [200, undefined],
      ]);
      expect(stats.toRecord()).toEqual({ LookupEvents: 1, throttled: 2, retries: 2 });
      client.destroy();
    },
  );

  it("completes with a warning when the credentials may not call LookupEvents", async () => {
    trail.deny("AKIDTOOL");
    const { client } = createCloudTrailClient();
    const result = await lookupChanges(client, [{ apiId, integrationId: "x", status: "DRIFTED" }], {
      self: selfIdentity(TOOL),
    });
    expect(result.changedBy.size).toBe(0);
    expect(result.warnings).toEqual([
      `CloudTrail attribution was skipped: these credentials may not call cloudtrail:LookupEvents (AccessDeniedException: User: ${TOOL} is not authorized to perform: cloudtrail:LookupEvents because no identity-based policy allows the cloudtrail:LookupEvents action). Grant cloudtrail:LookupEvents on Resource "*" (it cannot be scoped to a resource), or turn attribution off with --no-attribution; 1 of 1 changed integrations stay unattributed: ${apiId}/x.`,
    ]);
    expect(trail.calls.all()).toHaveLength(1);
    client.destroy();
  });

  it("completes with a warning when CloudTrail stays unavailable through the retries", async () => {
    trail.failNext({ status: 503, errorType: "ServiceUnavailableException", message: "down", times: 10 });
    const { client } = createCloudTrailClient({
      maxAttempts: 2,
      limiter: new RateLimiter({ rate: 50, burst: 50, concurrency: 1 }),
    });
    const result = await lookupChanges(client, [{ apiId, integrationId: "x", status: "DRIFTED" }], {
      self: selfIdentity(TOOL),
    });
    expect(trail.calls.all().map((c) => c.status)).toEqual([503, 503]);
    expect(result.warnings).toEqual([
      `CloudTrail attribution stopped: CloudTrail LookupEvents failed (ServiceUnavailableException: down); 1 of 1 changed integrations stay unattributed: ${apiId}/x.`,
    ]);
    client.destroy();
  });
});
