import { spawn } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { resolve } from "node:path";
import { GetApisCommand } from "@aws-sdk/client-apigatewayv2";
import { describe, expect, it } from "vitest";
import { createApi, motoTool } from "../../helpers/moto.ts";
import { launch, startMoto } from "../../helpers/moto-server.ts";

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function gone(pid: number, withinMs: number): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  while (alive(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

describe.runIf(motoTool().available)("the moto_server test helper", () => {
  it("serves on a loopback port, forgets everything on reset, and leaves no process after close", async () => {
    const moto = await startMoto();
    try {
      expect(moto.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(alive(moto.pid)).toBe(true);
      await createApi(moto.client, "kept until reset", "HTTP");
      expect((await moto.client.send(new GetApisCommand({}))).Items).toHaveLength(1);
      await moto.reset();
      expect((await moto.client.send(new GetApisCommand({}))).Items).toEqual([]);
    } finally {
      await moto.close();
    }
    expect(alive(moto.pid)).toBe(false);
    await expect(fetch(`${moto.url}/moto-api/`)).rejects.toThrow("fetch failed");
  });

  it("never mistakes another server on its port for moto: it reports moto's own bind failure", async () => {
    // Someone took the port between freePort() and moto's bind, and answers every request with 200.
    const squatter = createServer((_, res) => res.end("not moto"));
    await new Promise<void>((done) => squatter.listen(0, "127.0.0.1", done));
    const port = (squatter.address() as AddressInfo).port;
    try {
      await expect(launch("moto_server", port, 15_000)).rejects.toThrow(
        /^moto_server exited before it answered:\n[\s\S]*Address already in use/,
      );
    } finally {
      await new Promise((done) => squatter.close(done));
    }
  });

  it("takes moto down with the process that started it, even one killed outright", async () => {
    const helper = resolve("test/helpers/moto-server.ts");
    const script = `const { startMoto } = await import(${JSON.stringify(helper)});
      const moto = await startMoto();
      process.stdout.write("moto " + moto.pid + "\\n");
      setInterval(() => {}, 60_000);`;
    const owner = spawn(process.execPath, ["--input-type=module", "-e", script], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    const pid = await new Promise<number>((done, fail) => {
      let out = "";
      owner.stdout.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        const line = /moto (\d+)\n/.exec(out);
        if (line) done(Number(line[1]));
      });
      owner.once("exit", (code) => fail(new Error(`the owner exited (${code}) before moto started`)));
    });
    expect(alive(pid)).toBe(true);
    owner.kill("SIGKILL");
    expect(await gone(pid, 5_000)).toBe(true);
  });
});
