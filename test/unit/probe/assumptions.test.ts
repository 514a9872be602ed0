import { describe, expect, it } from "vitest";
import { BEHAVIOURS, defaultBehaviour } from "../../../emulator/behaviour.ts";
import { RateLimiter } from "../../../lib/apigateway/limiter.ts";
import { assumptionOf, assumptions, SCENARIOS } from "../../../lib/probe/assumptions.ts";
import { BASELINE, BEHAVIOUR_NAMES, BEHAVIOUR_READINGS } from "../../../lib/probe/behaviours.ts";
import { judgeUpdate } from "../../../lib/probe/judge.ts";

describe("the probe's behaviours", () => {
  it("are the emulator's, with the same readings, and the baseline is the emulator's defaults", () => {
    expect(BEHAVIOUR_NAMES).toEqual(Object.keys(BEHAVIOURS));
    for (const name of BEHAVIOUR_NAMES) {
      expect([...BEHAVIOUR_READINGS[name]].sort()).toEqual([...BEHAVIOURS[name].values].sort());
    }
    expect(BASELINE).toEqual(defaultBehaviour());
  });
});

describe(assumptionOf.name, () => {
  it("finds, from the product's own planner and codecs, the readings each encoding works under", () => {
    const readings = Object.fromEntries(Object.entries(assumptions()).map(([n, a]) => [n, a.readings]));
    expect(readings).toEqual({
      "requestParameters.patch": ["merge", "replace"],
      "requestParameters.emptyString": ["removes"],
      "requestTemplates.patch": ["replace"],
      "responseParameters.emptyObject": ["removes", "stored"],
      "description.emptyString": ["clears", "stored"],
      "stringFields.emptyString": ["clears", "stored"],
      "subtype.updateWithoutSubtype": ["accepted", "rejected"],
      "subtype.emptyStringParameter": ["accepted", "rejected"],
      "subtype.change": ["accepted", "rejected"],
      "subtype.requiredParametersOnUpdate": ["stored", "sent"],
      "tlsConfig.emptyObject": ["removes", "stored"],
      "getIntegrations.maxPageSize": [500],
      "throttle.refusedSpendsQuota": [true, false],
    });
  });

  it("judges a scenario whose drift the product plans to fix, for every update behaviour", () => {
    for (const [name, s] of Object.entries(SCENARIOS)) {
      // Under the baseline the product does what it plans: otherwise the scenario says nothing.
      expect({ name, ok: judgeUpdate(s!.desired, s!.live, { protocol: s!.protocol }, BASELINE).ok }).toEqual({
        name,
        ok: true,
      });
    }
  });

  it("names where each assumption lives", () => {
    expect(assumptionOf("requestTemplates.patch").where).toBe(
      "lib/model/codecs.ts templateMapCodec: the whole desired map, no removal marker",
    );
    expect(assumptionOf("getIntegrations.maxPageSize").where).toBe(
      "lib/apigateway/gateway.ts PAGE_SIZE 500 (refused: it goes on at the service's default page)",
    );
  });

  it("is right about the limiter: a throttled answer keeps its token spent, safe under either reading", async () => {
    const slept: number[] = [];
    const limiter = new RateLimiter({
      rate: 1,
      burst: 1,
      now: () => 0,
      sleep: async (ms) => {
        slept.push(ms);
        throw new Error("no token came back");
      },
    });
    await limiter.acquire();
    limiter.record(true);
    await expect(limiter.acquire()).rejects.toThrow("no token came back");
    expect(slept).toEqual([1000]);
    expect(assumptionOf("throttle.refusedSpendsQuota").readings).toEqual([true, false]);
  });
});
