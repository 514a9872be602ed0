/**
 * `apigw-drift probe --yes` against moto's API Gateway v2, a server nobody on the team wrote: it reports
 * moto's behaviour (README, "moto as a second backend": maps replaced whole, "" and {} stored, nothing
 * validated), which is the moto-like fixture the emulator tests start from, and it leaves no scratch API.
 */
import { GetApisCommand } from "@aws-sdk/client-apigatewayv2";
import { describe, expect, it } from "vitest";
import { motoTool, useMoto } from "../../helpers/moto.ts";
import { probeCli, probeFixture } from "../../helpers/probe.ts";

describe.runIf(motoTool().available)("probe against moto", () => {
  const moto = useMoto();

  it("reports moto's readings, which are the moto-like fixture's, and deletes its scratch APIs", async () => {
    const { code, out, err } = await probeCli(["--yes", "--json", "--vpc-link", "vl-moto01"]);
    expect(code, err).toBe(0);
    const { behaviours } = JSON.parse(out) as { behaviours: Record<string, { observed: unknown }> };
    const observed = Object.fromEntries(Object.entries(behaviours).map(([n, b]) => [n, b.observed]));
    const fixture = probeFixture("moto-like");
    expect(observed).toEqual(
      Object.fromEntries(Object.entries(fixture.behaviours).map(([n, b]) => [n, b.observed])),
    );
    expect(behaviours["description.emptyString"]).toEqual({
      observed: "stored",
      evidence: 'GetIntegration after the update: description ""',
      assumed: ["clears", "stored"],
      agrees: true,
    });
    const left = await moto.server.client.send(new GetApisCommand({}));
    expect(left.Items ?? []).toEqual([]);
  });
});
