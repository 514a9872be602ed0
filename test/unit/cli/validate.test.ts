import { describe, expect, it } from "vitest";
import { main } from "../../../lib/cli/main.ts";
import { captureIo as capture } from "../../helpers/world.ts";

describe("apigw-drift validate", () => {
  it("accepts the example desired state and exits 0", async () => {
    const io = capture();
    expect(await main(["validate", "--desired", "desired-state"], io)).toBe(0);
    expect(io.out).toBe("valid: 2 APIs, 6 integrations in desired-state\n");
  });

  it("exits 1 and says so when the folder does not exist", async () => {
    const io = capture();
    expect(await main(["validate", "--desired", "no-such-folder", "--json"], io)).toBe(1);
    const errors = JSON.parse(io.out);
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toBe(
      "folder no-such-folder does not exist; pass the desired-state folder with --desired",
    );
  });
});
