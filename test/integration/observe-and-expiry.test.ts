import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { injectDrift } from "../../emulator/seed.ts";
import type { Emulator } from "../../emulator/server.ts";
import { main } from "../../lib/cli/main.ts";
import { type DesiredState, documents } from "../../lib/desired-state/state.ts";
import type { Report } from "../../lib/plan/report.ts";
import { captureIo, startWorld } from "../helpers/world.ts";

const ORDERS = "a1b2c3d4e5";
const CHAT = "w9x8y7z6v5";

let emulator: Emulator;
let desired: DesiredState;
let close: () => Promise<void>;
let cwd: string;
const user = () => captureIo({}, cwd);

/** The example desired state in this test's folder, with orders-http.yaml edited by `edit`. */
async function desiredWith(edit: (text: string) => string): Promise<string> {
  await cp("desired-state", join(cwd, "desired-state"), { recursive: true });
  const file = join(cwd, "desired-state", "orders-http.yaml");
  await writeFile(file, edit(await readFile(file, "utf8")));
  return "desired-state";
}

beforeEach(async () => {
  ({ emulator, desired, close } = await startWorld());
  cwd = await mkdtemp(join(tmpdir(), "apigw-drift-modes-"));
});
afterEach(async () => {
  await close();
  vi.unstubAllEnvs();
  await rm(cwd, { recursive: true, force: true });
});

describe("mode: observe, against the emulator", () => {
  it("never sends an observed API a write in apply, and reports its drift DRIFTED", async () => {
    const dir = await desiredWith((t) => t.replace("prune: false\n", "prune: true\nmode: observe\n"));
    injectDrift(emulator, documents(desired));
    const before = emulator.calls.all().length;

    const io = user();
    expect(await main(["apply", "--desired", dir, "--json", "--no-history"], io)).toBe(1);
    const report = JSON.parse(io.out) as Report;

    const writes = emulator.calls
      .all()
      .slice(before)
      .filter((c) => c.method !== "GET");
    // The enforced API is fixed; the observed one gets no UpdateIntegration and no DeleteIntegration.
    expect(writes.length).toBeGreaterThan(0);
    expect(writes.filter((c) => c.apiId === ORDERS)).toEqual([]);
    expect(writes.every((c) => c.apiId === CHAT)).toBe(true);

    expect(report.status).toBe("PARTIAL");
    const orders = report.integrations.filter((r) => r.apiId === ORDERS && r.status !== "IN_SYNC");
    const stray = orders.find((r) => r.status === "UNMANAGED")?.integrationId;
    expect(orders.map((r) => [r.integrationId, r.status, r.action, r.observed])).toEqual(
      [
        ["lmb7k2q", "DRIFTED", undefined, true],
        ["prx3m9a", "DRIFTED", undefined, true],
        // Prune would delete the stray integration; observe keeps it.
        [stray, "UNMANAGED", undefined, true],
      ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    );
    expect(emulator.getIntegration(ORDERS, stray ?? "")).toBeDefined();
    expect(report.integrations.filter((r) => r.apiId === CHAT).map((r) => r.status)).toContain("UPDATED");

    const human = user();
    expect(await main(["plan", "--desired", dir, "--no-history"], human)).toBe(0);
    expect(human.out).toContain("~ lmb7k2q  drifted: observed, not changed (mode: observe)");
    expect(human.out).toContain("not declared: prune would delete it; observed, not changed (mode: observe)");
  });
});

describe("ignore entries with until, against the emulator", () => {
  const expiring = (until: string) => (t: string) =>
    t.replace(
      "ignore: [/description]\n",
      `ignore:\n  - /description\n  - path: /timeoutInMillis\n    reason: load test (TICKET-123)\n    until: ${until}\n`,
    );

  it("shows an expired entry's path as drift, and validate warns of it with file:line", async () => {
    const dir = await desiredWith(expiring("2020-01-31"));
    emulator.overwriteIntegration(ORDERS, "lmb7k2q", { timeoutInMillis: 12345 });

    const validate = user();
    expect(await main(["validate", "--desired", dir], validate)).toBe(0);
    const warning = `desired-state/orders-http.yaml:13:12 /ignore/1/until warning: ignore /timeoutInMillis on every integration of API ${ORDERS} expired on 2020-01-31 (reason: load test (TICKET-123)); it is drift again: remove the entry, or set a later until`;
    expect(validate.out).toBe(`${warning}\nvalid: 2 APIs, 6 integrations in desired-state (1 warning)\n`);

    const io = user();
    expect(await main(["plan", "--desired", dir, "--json", "--no-history"], io)).toBe(0);
    const report = JSON.parse(io.out) as Report;
    expect(report.status).toBe("DRIFTED");
    expect(report.integrations.find((r) => r.integrationId === "lmb7k2q")?.diffs).toEqual([
      { path: "/timeoutInMillis", kind: "changed", expected: 10000, actual: 12345 },
    ]);
    expect(report.warnings).toEqual([
      {
        message: `desired-state/orders-http.yaml:13:12: ignore /timeoutInMillis on every integration of API ${ORDERS} expired on 2020-01-31 (reason: load test (TICKET-123)); it is drift again: remove the entry, or set a later until`,
      },
    ]);
  });

  it("keeps ignoring the path until the entry's day is past", async () => {
    const dir = await desiredWith(expiring("2999-12-31"));
    emulator.overwriteIntegration(ORDERS, "lmb7k2q", { timeoutInMillis: 12345 });
    const io = user();
    expect(await main(["plan", "--desired", dir, "--json", "--no-history"], io)).toBe(0);
    const report = JSON.parse(io.out) as Report;
    expect(report.status).toBe("IN_SYNC");
    expect(report.warnings).toEqual([]);
  });
});
