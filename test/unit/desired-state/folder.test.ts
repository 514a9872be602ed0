import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { formatError } from "../../../lib/desired-state/errors.ts";
import { readDesiredFolder } from "../../../lib/desired-state/folder.ts";
import { DEFAULT_YAML_LIMITS } from "../../../lib/desired-state/yaml.ts";

// readFile is the real one, watched, so a test can tell that an oversized file is never read.
vi.mock("node:fs/promises", async (importOriginal) => {
  const actual = await importOriginal<typeof import("node:fs/promises")>();
  return { ...actual, readFile: vi.fn(actual.readFile) };
});

const API = (id: string) => `apiId: ${id}\nprotocol: HTTP\nintegrations: {}\n`;

let cwd: string;
beforeEach(async () => {
  cwd = await mkdtemp(join(tmpdir(), "apigw-drift-folder-"));
  vi.mocked(readFile).mockClear();
});
afterEach(async () => {
  await rm(cwd, { recursive: true, force: true });
});

const read = (dir: string, limits = DEFAULT_YAML_LIMITS) => readDesiredFolder(dir, { cwd, limits });
const messages = async (dir: string) => (await read(dir)).errors.map(formatError);

describe("readDesiredFolder", () => {
  it("reads every .yaml and .yml file in the folder, relative to cwd, named as given", async () => {
    await mkdir(join(cwd, "desired"));
    await writeFile(join(cwd, "desired", "b.yaml"), API("b1"));
    await writeFile(join(cwd, "desired", "a.yml"), API("a1"));
    await writeFile(join(cwd, "desired", "C.YAML"), API("c1"));

    const state = await read("desired");

    expect(state.errors).toEqual([]);
    expect(state.apis.map((a) => [a.apiId, a.file])).toEqual([
      ["a1", join("desired", "a.yml")],
      ["b1", join("desired", "b.yaml")],
      ["c1", join("desired", "C.YAML")],
    ]);
  });

  it("reads relative to the process's working directory by default", async () => {
    const state = await readDesiredFolder("desired-state");

    expect(state.errors).toEqual([]);
    expect(state.apis.map((a) => a.file)).toEqual([
      join("desired-state", "orders-http.yaml"),
      join("desired-state", "chat-websocket.yaml"),
    ]);
  });

  it("ignores files that are not YAML, and folders even when named like YAML", async () => {
    await writeFile(join(cwd, "a.yaml"), API("a1"));
    await writeFile(join(cwd, "README.md"), "# not yaml: [");
    await writeFile(join(cwd, "a.yaml.bak"), "not: [yaml");
    await mkdir(join(cwd, "nested.yaml"));
    await writeFile(join(cwd, "nested.yaml", "b.yaml"), API("b1"));

    const state = await read(".");

    expect(state.errors).toEqual([]);
    expect(state.apis.map((a) => a.apiId)).toEqual(["a1"]);
  });

  it("reports the errors of every file, with file names as the folder was given", async () => {
    await writeFile(join(cwd, "one.yaml"), "apiId: a1\nprotocol: HTTP\nintegrations: {}\n");
    await writeFile(join(cwd, "two.yaml"), "apiId: a1\nprotocol: http\nintegrations: {}\n");

    expect(await messages(cwd)).toEqual([
      `${join(cwd, "two.yaml")}:1:8 /apiId apiId a1 is already declared in ${join(cwd, "one.yaml")}:1:8; one API has one file: merge them`,
      `${join(cwd, "two.yaml")}:2:11 /protocol protocol "http" is not valid; write HTTP or WEBSOCKET (did you mean HTTP?)`,
    ]);
  });

  it("reports a missing folder as an error, never as an empty desired state", async () => {
    expect(await messages("absent")).toEqual([
      "absent:1:1 / folder absent does not exist; pass the desired-state folder with --desired",
    ]);
  });

  it("reports a file given as the folder", async () => {
    await writeFile(join(cwd, "api.yaml"), API("a1"));

    expect(await messages("api.yaml")).toEqual([
      "api.yaml:1:1 / api.yaml is not a folder; pass the desired-state folder with --desired",
    ]);
  });

  it("reports a folder that cannot be read, with the reason", async () => {
    await writeFile(join(cwd, "api.yaml"), API("a1"));

    const [line] = await messages(join("api.yaml", "sub"));

    expect(line).toMatch(/^api\.yaml\/sub:1:1 \/ cannot read folder api\.yaml\/sub: ENOTDIR/);
  });

  it("reports a folder with no YAML files", async () => {
    await writeFile(join(cwd, "notes.txt"), "nothing here");

    expect(await messages(".")).toEqual([
      ".:1:1 / no *.yaml or *.yml files in .; write one file per API (see the README)",
    ]);
  });

  it("refuses an oversized file by its size, without reading it", async () => {
    await writeFile(join(cwd, "small.yaml"), API("a1"));
    await writeFile(join(cwd, "big.yaml"), `# ${"x".repeat(200)}\n${API("b1")}`);

    const state = await read(".", { ...DEFAULT_YAML_LIMITS, maxBytes: 100 });

    expect(state.errors.map(formatError)).toEqual([
      "big.yaml:1:1 / file is 245 bytes, over the 100-byte limit for a desired-state file (one API has at most a few hundred integrations); check that this is the right file",
    ]);
    const readPaths = vi.mocked(readFile).mock.calls.map(([path]) => String(path));
    expect(readPaths).toEqual([join(cwd, "small.yaml")]);
  });
});
