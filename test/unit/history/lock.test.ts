import { mkdtemp, readFile, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type LockHolder, lockFile } from "../../../lib/history/lock.ts";

let dir: string;
let file: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "apigw-drift-lock-"));
  file = join(dir, "history.lock");
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

class Busy extends Error {
  readonly holder: LockHolder | undefined;
  constructor(holder: LockHolder | undefined) {
    super("busy");
    this.holder = holder;
  }
}
const busy = (holder: LockHolder | undefined) => new Busy(holder);
const held = (file: string, holder: Partial<LockHolder>) =>
  writeFile(file, JSON.stringify({ pid: 1, host: "here", since: "then", token: "t", ...holder }));

describe(lockFile.name, () => {
  it("writes who holds it, and removes it on release", async () => {
    const lock = await lockFile(file, busy, { pid: 42, host: "here", now: () => 0 });
    expect(JSON.parse(await readFile(file, "utf8"))).toMatchObject({
      pid: 42,
      host: "here",
      since: "1970-01-01T00:00:00.000Z",
    });
    await lock.release();
    await lock.release();
    await expect(readFile(file)).rejects.toThrow(/ENOENT/);
  });

  it("refuses while its holder is alive, naming it", async () => {
    await held(file, { pid: 7 });
    const error = await lockFile(file, busy, { host: "here", isAlive: () => true }).catch((e: unknown) => e);
    expect((error as Busy).holder).toMatchObject({ pid: 7, host: "here" });
  });

  it("takes over the lock of a dead process of this host", async () => {
    await held(file, { pid: 7 });
    const lock = await lockFile(file, busy, { pid: 8, host: "here", isAlive: (pid) => pid !== 7 });
    expect(JSON.parse(await readFile(file, "utf8"))).toMatchObject({ pid: 8 });
    await lock.release();
  });

  it("counts a holder on another host as alive: it cannot be checked from here", async () => {
    await held(file, { host: "elsewhere" });
    await expect(lockFile(file, busy, { host: "here", isAlive: () => false })).rejects.toThrow("busy");
  });

  it("waits for a lock file still being written, and takes over one long unreadable", async () => {
    await writeFile(file, "{");
    await expect(lockFile(file, busy, { host: "here" })).rejects.toThrow("busy");
    await utimes(file, new Date(0), new Date(0));
    const lock = await lockFile(file, busy, { host: "here" });
    await lock.release();
  });

  it("leaves a lock that is no longer its own on release", async () => {
    const lock = await lockFile(file, busy, { host: "here" });
    await held(file, { token: "someone-else" });
    await lock.release();
    expect(JSON.parse(await readFile(file, "utf8"))).toMatchObject({ token: "someone-else" });
  });

  it("checks liveness with a signal by default", async () => {
    await held(file, { pid: process.pid });
    const { hostname } = await import("node:os");
    await expect(lockFile(file, busy, { host: hostname() })).rejects.toThrow("busy");
    await held(file, { pid: 2 ** 22 + 12_345 });
    const lock = await lockFile(file, busy, { host: "here" });
    await lock.release();
  });

  it("reports a folder it cannot write to", async () => {
    await expect(lockFile(join(dir, "missing", "x.lock"), busy)).rejects.toThrow(/ENOENT/);
  });
});
