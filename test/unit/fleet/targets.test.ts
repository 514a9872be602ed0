import { describe, expect, it } from "vitest";
import type { DesiredApiEntry } from "../../../lib/desired-state/state.ts";
import { groupTargets, selectedApis, selectionFor, targetName } from "../../../lib/fleet/targets.ts";

const api = (
  apiId: string,
  where: { account?: string; region?: string } = {},
  ids = ["i1"],
): DesiredApiEntry => ({
  file: `d/${apiId}.yaml`,
  apiId,
  protocol: "HTTP",
  ...where,
  prune: false,
  mode: "enforce",
  integrationIds: ids,
  datedIgnores: [],
});
const HOME = { account: "111111111111", region: "eu-west-1" };

describe(groupTargets.name, () => {
  it("puts a file without account or region in the run's own account and Region", () => {
    const targets = groupTargets(
      [api("a"), api("b", { region: "us-east-1" }), api("c", { account: "222222222222" }), api("d", HOME)],
      HOME,
    );
    expect(targets.map((t) => [targetName(t), t.own, t.apis.map((a) => a.apiId)])).toEqual([
      ["111111111111/eu-west-1", true, ["a", "d"]],
      ["111111111111/us-east-1", true, ["b"]],
      ["222222222222/eu-west-1", false, ["c"]],
    ]);
  });

  it("keeps what it cannot place apart, sorted last, when the run's own account or Region is unknown", () => {
    const targets = groupTargets([api("a"), api("b", { account: "222222222222", region: "eu-west-1" })], {});
    expect(targets.map((t) => [targetName(t), t.own, t.account, t.region])).toEqual([
      ["222222222222/eu-west-1", false, "222222222222", "eu-west-1"],
      ["?/?", false, undefined, undefined],
    ]);
  });
});

describe(selectedApis.name, () => {
  const apis = [api("a", {}, ["i1", "i2"]), api("b", {}, ["i3"])];
  it("selects as reconcile selects, by API and then integration", () => {
    expect(selectedApis(apis, {})?.map((a) => a.apiId)).toEqual(["a", "b"]);
    expect(selectedApis(apis, { apiIds: ["b"] })?.map((a) => a.apiId)).toEqual(["b"]);
    expect(selectedApis(apis, { integrationIds: ["i2"] })?.map((a) => a.apiId)).toEqual(["a"]);
  });
  it("gives up on an id the desired state does not have, for the single run to report", () => {
    expect(selectedApis(apis, { apiIds: ["zz"] })).toBeUndefined();
    expect(selectedApis(apis, { apiIds: ["b"], integrationIds: ["i1"] })).toBeUndefined();
  });
});

describe(selectionFor.name, () => {
  it("narrows the selection to one target's APIs and integrations", () => {
    const [target] = groupTargets([api("a", {}, ["i1", "i2"])], HOME);
    expect(selectionFor(target!, { apiIds: ["a", "b"], integrationIds: ["i2", "i9"] })).toEqual({
      apiIds: ["a"],
      integrationIds: ["i2"],
    });
    expect(selectionFor(target!, {})).toEqual({});
  });
});
