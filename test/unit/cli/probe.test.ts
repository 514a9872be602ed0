import { describe, expect, it } from "vitest";
import { main } from "../../../lib/cli/main.ts";
import { captureIo } from "../../helpers/world.ts";

const refuse = () => {
  throw new Error("the plan must not build a client");
};

async function probe(args: string[], env: Record<string, string | undefined> = {}) {
  const io = captureIo(env);
  const code = await main(["probe", ...args], io, { probe: { connect: refuse } });
  return { code, out: io.out, err: io.err };
}

describe("apigw-drift probe without --yes", () => {
  it("plans the tlsConfig experiment on the VPC link it is given, with the listener behind it", async () => {
    const { code, out } = await probe(
      [
        "--vpc-link",
        "vl8x2k1",
        "--vpc-link-uri",
        "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/net/pricing/1/2",
      ],
      { AWS_REGION: "eu-west-1" },
    );
    expect(code).toBe(0);
    expect(out).toContain(
      'tlsConfig.emptyObject (HTTP API): creates {"integrationType":"HTTP_PROXY","integrationMethod":"ANY","integrationUri":"arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/net/pricing/1/2","payloadFormatVersion":"1.0","connectionType":"VPC_LINK","connectionId":"vl8x2k1","tlsConfig":{"serverNameToVerify":"probe.example.com"}}; sends UpdateIntegration {"tlsConfig":{}}; reads tlsConfig back: tlsConfig gone: removes; {}: stored; a 400: rejected',
    );
    expect(out).toContain("Calls: at most 43,");
  });

  it("says which account the placeholder role names when it knows none, and plans for any Region", async () => {
    const { out } = await probe([], { APIGW_DRIFT_ACCOUNT: undefined });
    expect(out).toContain("(no --account or APIGW_DRIFT_ACCOUNT: the role's ARN names account 000000000000)");
    expect(out).toContain('"Resource": "arn:aws:iam::*:role/apigw-drift-probe-placeholder"');
    expect(out).toContain("The IAM policy it needs (Region *):");
    expect(out).toContain('"apigateway:Request/ApiName": "apigw-drift-probe-*"');
  });

  it.each(["0", "11", "fast"])(
    "refuses --rate %s: the probe never asks for more than the quota",
    async (rate) => {
      const { code, err } = await probe(["--rate", rate]);
      expect(code).toBe(1);
      expect(err).toContain(`--rate takes a number of requests per second > 0 up to 10, not "${rate}"`);
    },
  );
});
