/**
 * Private integrations and cross-field rules through the CLI over real HTTP against the emulator: a
 * WebSocket VPC_LINK integration (a REST VPC link's id, service-facts #19) validates, plans and converges;
 * a tlsConfig removal converges whether the service drops the `{}` it is sent or echoes it back (#23), and
 * a service that refuses it leaves a visible FAILED; an update that would break a cross-field rule
 * (lib/model/invariants.ts) is refused at plan, naming what to declare, with nothing sent.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { resultFor, useEmulatorCli } from "../helpers/emulator-cli.ts";

const { start, emulator, writeFile, validate, run, human, updates, mark, desired } = useEmulatorCli();

describe("a WebSocket private integration (VPC_LINK with a REST VPC link)", () => {
  const API = "w1s2p3r4v5";
  const ID = "nlb7x8y";
  const LIVE = {
    integrationType: "HTTP_PROXY",
    integrationMethod: "POST",
    integrationUri: "http://orders-nlb.internal.example.com/chat",
    connectionType: "VPC_LINK",
    connectionId: "rvl1a2",
    timeoutInMillis: 10000,
  };
  const FILE = `apiId: ${API}
protocol: WEBSOCKET
integrations:
  ${ID}:
    integrationType: HTTP_PROXY
    integrationMethod: POST
    integrationUri: http://orders-nlb.internal.example.com/chat
    connectionType: VPC_LINK
    connectionId: rvl1a2
    timeoutInMillis: 10000
`;

  async function seed(): Promise<void> {
    const e = await start();
    e.addApi({ apiId: API, name: "chat", protocolType: "WEBSOCKET" });
    e.addIntegration(API, { integrationId: ID, ...LIVE });
    await writeFile(`${API}.yaml`, FILE);
  }

  it("validates through the loader", async () => {
    await seed();
    expect(await validate()).toMatchObject({ code: 0, err: "" });
  });

  it("plans drift in connectionId and timeout, converges with one update, and plans in sync after", async () => {
    await seed();
    emulator().overwriteIntegration(API, ID, { connectionId: "rvl9z8", timeoutInMillis: 29000 });
    const plan = await run("plan", "--detailed-exitcode");
    expect(plan.code).toBe(2);
    expect(resultFor(plan.report, ID)).toEqual({
      apiId: API,
      integrationId: ID,
      status: "DRIFTED",
      action: "update",
      diffs: [
        { path: "/connectionId", kind: "changed", expected: "rvl1a2", actual: "rvl9z8" },
        { path: "/timeoutInMillis", kind: "changed", expected: 10000, actual: 29000 },
      ],
    });
    const sent = mark();
    const apply = await run("apply");
    expect(apply.code).toBe(0);
    expect(resultFor(apply.report, ID).status).toBe("UPDATED");
    expect(sent()).toEqual(["GetApi", "GetIntegrations", "UpdateIntegration"]);
    expect(updates(ID)).toEqual([{ connectionId: "rvl1a2", timeoutInMillis: 10000 }]);
    expect(emulator().getIntegration(API, ID)).toMatchObject(LIVE);
    expect((await run("plan", "--detailed-exitcode")).code).toBe(0);
  });

  it("still refuses tlsConfig on a WebSocket API, which only HTTP APIs take", async () => {
    await seed();
    await writeFile(
      `${API}.yaml`,
      `${FILE}    tlsConfig:\n      serverNameToVerify: orders.internal.example.com\n`,
    );
    const result = await validate();
    expect(result.code).toBe(1);
    expect(result.out).toBe(
      `${join(desired(), `${API}.yaml`)}:11:5 /integrations/${ID}/tlsConfig tlsConfig is supported only for HTTP APIs; this file's protocol is WEBSOCKET: remove it\n`,
    );
    expect(result.err).toContain("1 error in 1 file; nothing will be applied until all are fixed.");
  });
});

describe("removing tlsConfig from an HTTP API's private integration", () => {
  const API = "h1t2l3s4v5";
  const ID = "alb5e6f";
  const LIVE = {
    integrationType: "HTTP_PROXY",
    integrationMethod: "ANY",
    integrationUri:
      "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/orders/50dc6c495c0c9188/0467ef3c8400ae65",
    connectionType: "VPC_LINK",
    connectionId: "vl4h5j6",
    tlsConfig: { serverNameToVerify: "orders.internal.example.com" },
  };
  const FILE = `apiId: ${API}
protocol: HTTP
integrations:
  ${ID}:
    integrationType: HTTP_PROXY
    connectionType: VPC_LINK
    connectionId: vl4h5j6
    tlsConfig: null
`;

  async function seed(reading: "removes" | "stored" | "rejected"): Promise<void> {
    const e = await start({ "tlsConfig.emptyObject": reading });
    e.addApi({ apiId: API, name: "orders", protocolType: "HTTP" });
    e.addIntegration(API, { integrationId: ID, ...LIVE });
    await writeFile(`${API}.yaml`, FILE);
  }

  it.each([
    ["removes", undefined],
    ["stored", {}],
  ] as const)("converges when the service %s the {} it is sent", async (reading, after) => {
    await seed(reading);
    const plan = await run("plan");
    expect(resultFor(plan.report, ID)).toMatchObject({
      status: "DRIFTED",
      diffs: [
        { path: "/tlsConfig", kind: "added", actual: { serverNameToVerify: "orders.internal.example.com" } },
      ],
    });
    const apply = await run("apply");
    expect(apply.code).toBe(0);
    expect(resultFor(apply.report, ID).status).toBe("UPDATED");
    expect(updates(ID)).toEqual([{ tlsConfig: {} }]);
    expect(emulator().getIntegration(API, ID)?.tlsConfig).toEqual(after);
    const again = await run("plan", "--detailed-exitcode");
    expect(again.code).toBe(0);
    expect(resultFor(again.report, ID).status).toBe("IN_SYNC");
  });

  it("ends FAILED with the service's 400 when the service refuses the {}", async () => {
    await seed("rejected");
    const message = `UpdateIntegration ${API}/${ID} failed: BadRequestException: Invalid TLS configuration specified: serverNameToVerify is missing`;
    const apply = await run("apply");
    expect(apply.code).toBe(1);
    expect(apply.report.status).toBe("PARTIAL");
    expect(resultFor(apply.report, ID)).toMatchObject({
      status: "FAILED",
      error: { name: "BadRequestException", message },
    });
    expect(emulator().getIntegration(API, ID)?.tlsConfig).toEqual(LIVE.tlsConfig);
    // A person sees it too, and the next plan still shows the drift.
    const shown = await human("apply");
    expect(shown.code).toBe(1);
    expect(shown.out).toContain(`BadRequestException: ${message}`);
    expect(resultFor((await run("plan")).report, ID).status).toBe("DRIFTED");
  });
});

describe("an update that would break a cross-field rule", () => {
  const API = "x1f2r3u4l5";
  const ID = "typ9g8h";
  const LIVE = {
    integrationType: "HTTP_PROXY",
    integrationMethod: "ANY",
    integrationUri: "https://orders.example.com",
  };
  const LAMBDA = "arn:aws:lambda:eu-west-1:123456789012:function:orders";

  async function seed(file: string): Promise<void> {
    const e = await start();
    e.addApi({ apiId: API, name: "orders", protocolType: "HTTP" });
    e.addIntegration(API, { integrationId: ID, ...LIVE });
    await writeFile(`${API}.yaml`, file);
  }

  it("is refused at plan naming what to declare, and nothing is sent (HTTP_PROXY → AWS_PROXY keeping ANY)", async () => {
    await seed(`apiId: ${API}
protocol: HTTP
integrations:
  ${ID}:
    integrationType: AWS_PROXY
    integrationUri: ${LAMBDA}
`);
    const refusal = {
      name: "CannotFixInPlace",
      message:
        "this update would be refused: a Lambda proxy (AWS_PROXY) integration takes only integrationMethod POST, and it would keep ANY; declare integrationMethod: POST",
    };
    const plan = await run("plan", "--detailed-exitcode");
    expect(plan.code).toBe(2);
    expect(resultFor(plan.report, ID)).toEqual({
      apiId: API,
      integrationId: ID,
      status: "DRIFTED",
      diffs: [
        { path: "/integrationType", kind: "changed", expected: "AWS_PROXY", actual: "HTTP_PROXY" },
        { path: "/integrationUri", kind: "changed", expected: LAMBDA, actual: LIVE.integrationUri },
      ],
      error: refusal,
    });
    const sent = mark();
    const apply = await run("apply");
    expect(apply.code).toBe(1);
    expect(resultFor(apply.report, ID)).toMatchObject({ status: "FAILED", error: refusal });
    expect(sent()).toEqual(["GetApi", "GetIntegrations"]);
    expect(emulator().getIntegration(API, ID)).toMatchObject(LIVE);
  });

  it("is sent, and converges, once the file declares what the rule needs", async () => {
    await seed(`apiId: ${API}
protocol: HTTP
integrations:
  ${ID}:
    integrationType: AWS_PROXY
    integrationUri: ${LAMBDA}
    integrationMethod: POST
    payloadFormatVersion: "2.0"
`);
    const apply = await run("apply");
    expect(resultFor(apply.report, ID).status).toBe("UPDATED");
    expect(updates(ID)).toEqual([
      {
        integrationType: "AWS_PROXY",
        integrationUri: LAMBDA,
        integrationMethod: "POST",
        payloadFormatVersion: "2.0",
      },
    ]);
    expect((await run("plan", "--detailed-exitcode")).code).toBe(0);
  });
});
