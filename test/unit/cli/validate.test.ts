import { describe, expect, it } from "vitest";
import { main } from "../../../lib/cli/main.ts";
import { runValidate } from "../../../lib/cli/validate.ts";
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

  it("warns of an expired ignore entry with file:line:col, its path, reason and date, and exits 0", async () => {
    const io = capture();
    const at = Date.UTC(2027, 5, 1);
    expect(await runValidate({ desired: "test/fixtures/expiring" }, io, at)).toBe(0);
    expect(io.out).toBe(
      [
        "test/fixtures/expiring/orders-http.yaml:9:12 /ignore/1/until warning: ignore /timeoutInMillis on every integration of API a1b2c3d4e5 expired on 2020-01-31 (reason: load test until the new backend ships (TICKET-123)); it is drift again: remove the entry, or set a later until",
        "test/fixtures/expiring/orders-http.yaml:18:41 /integrations/prx3m9a/ignore/0/until warning: ignore /integrationUri on integrations/prx3m9a of API a1b2c3d4e5 expired on 2020-06-30; it is drift again: remove the entry, or set a later until",
        "valid: 1 API, 1 integration in test/fixtures/expiring (2 warnings)",
        "",
      ].join("\n"),
    );
    expect(io.err).toBe("");
  });

  it("keeps --json a list of errors, and says the warnings on stderr", async () => {
    const io = capture();
    expect(await main(["validate", "--desired", "test/fixtures/expiring", "--json"], io)).toBe(0);
    expect(JSON.parse(io.out)).toEqual([]);
    expect(
      io.err
        .split("\n")
        .filter(Boolean)
        .map((l) => l.split(" ").slice(0, 3).join(" ")),
    ).toEqual([
      "test/fixtures/expiring/orders-http.yaml:9:12 /ignore/1/until warning:",
      "test/fixtures/expiring/orders-http.yaml:18:41 /integrations/prx3m9a/ignore/0/until warning:",
    ]);
  });

  it("warns of nothing before the until day is over", async () => {
    const io = capture();
    expect(await runValidate({ desired: "test/fixtures/expiring" }, io, Date.UTC(2020, 0, 31, 23))).toBe(0);
    expect(io.out).toBe("valid: 1 API, 1 integration in test/fixtures/expiring\n");
  });
});
