import { execFileSync } from "node:child_process";
import { lstat, mkdir, mkdtemp, open, readdir, rm, symlink, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { formatError } from "../../../lib/desired-state/errors.ts";
import { loadDesiredFolder, readDesiredFolder } from "../../../lib/desired-state/folder.ts";
import { DEFAULT_YAML_LIMITS } from "../../../lib/desired-state/yaml.ts";

// The real functions, watched, so a test can tell what was opened, and make the folder change between
// the listing and the read.
vi.mock("node:fs/promises", async (importOriginal) => {
  const actual = await importOriginal<typeof import("node:fs/promises")>();
  return {
    ...actual,
    open: vi.fn(actual.open),
    lstat: vi.fn(actual.lstat),
    readdir: vi.fn(actual.readdir),
  };
});

const API = (id: string) => `apiId: ${id}\nprotocol: HTTP\nintegrations: {}\n`;

let cwd: string;
beforeEach(async () => {
  cwd = await mkdtemp(join(tmpdir(), "apigw-drift-folder-"));
  vi.mocked(open).mockClear();
});
afterEach(async () => {
  vi.mocked(lstat).mockRestore();
  vi.mocked(readdir).mockRestore();
  await rm(cwd, { recursive: true, force: true });
});

/** The paths the loader opened, relative to cwd. */
const opened = () => vi.mocked(open).mock.calls.map(([path]) => String(path).slice(cwd.length + 1));

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

  it("ignores files that are not YAML, and sub-folders that hold none", async () => {
    await writeFile(join(cwd, "a.yaml"), API("a1"));
    await writeFile(join(cwd, "README.md"), "# not yaml: [");
    await writeFile(join(cwd, "a.yaml.bak"), "not: [yaml");
    await mkdir(join(cwd, "docs", "img"), { recursive: true });
    await writeFile(join(cwd, "docs", "img", "diagram.png"), "png");

    const state = await read(".");

    expect(state.errors).toEqual([]);
    expect(state.apis.map((a) => a.apiId)).toEqual(["a1"]);
    expect(opened()).toEqual(["a.yaml"]);
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
    expect(opened()).toEqual(["small.yaml"]);
  });
});

describe("readDesiredFolder on a folder that is not one flat folder of files", () => {
  const SYMLINK =
    "is a symbolic link, which is never followed (it could point outside the folder); put the file itself in its place, or remove the link";

  it("refuses a link to a file outside the folder without reading or echoing its target", async () => {
    const outside = await mkdtemp(join(tmpdir(), "apigw-drift-outside-"));
    await writeFile(join(outside, "secret.yaml"), "apiId: SECRET-TARGET-CONTENT\n");
    await mkdir(join(cwd, "desired"));
    await writeFile(join(cwd, "desired", "a.yaml"), API("a1"));
    await symlink(join(outside, "secret.yaml"), join(cwd, "desired", "b.yaml"));

    const state = await read("desired");
    await rm(outside, { recursive: true, force: true });

    expect(state.errors.map(formatError)).toEqual([`desired/b.yaml:1:1 / ${SYMLINK}`]);
    expect(JSON.stringify(state)).not.toContain("SECRET-TARGET-CONTENT");
    expect(opened()).toEqual(["desired/a.yaml"]);
  });

  it("refuses links of any kind and name: to a folder, dangling, to a file in the folder", async () => {
    await writeFile(join(cwd, "a.yaml"), API("a1"));
    await mkdir(join(cwd, "elsewhere"));
    await symlink(join(cwd, "elsewhere"), join(cwd, "team.yaml"));
    await symlink(join(cwd, "nothing-here"), join(cwd, "dangling.yml"));
    await symlink(join(cwd, "a.yaml"), join(cwd, "alias.yaml"));
    await symlink(join(cwd, "a.yaml"), join(cwd, "README"));

    expect(await messages(".")).toEqual([
      `README:1:1 / ${SYMLINK}`,
      `alias.yaml:1:1 / ${SYMLINK}`,
      `dangling.yml:1:1 / ${SYMLINK}`,
      `team.yaml:1:1 / ${SYMLINK}`,
    ]);
  });

  it("reports only the link, not an empty folder, when a link is its one YAML file", async () => {
    await symlink("/etc/hostname", join(cwd, "a.yaml"));

    expect(await messages(".")).toEqual([`a.yaml:1:1 / ${SYMLINK}`]);
  });

  it("names every YAML file in a sub-folder, at any depth, links included", async () => {
    await writeFile(join(cwd, "a.yaml"), API("a1"));
    await mkdir(join(cwd, "team-b", "old"), { recursive: true });
    await writeFile(join(cwd, "team-b", "b.yaml"), API("b1"));
    await writeFile(join(cwd, "team-b", "notes.txt"), "not yaml");
    await writeFile(join(cwd, "team-b", "old", "c.YML"), API("c1"));
    await symlink(join(cwd, "a.yaml"), join(cwd, "team-b", "d.yaml"));
    await mkdir(join(cwd, "nested.yaml"));
    await writeFile(join(cwd, "nested.yaml", "e.yaml"), API("e1"));

    const state = await read(".");

    const moveUp =
      "is in a sub-folder, but the desired state is only the files directly in .: move it up into ., or out of the folder";
    expect(state.errors.map(formatError)).toEqual([
      `nested.yaml/e.yaml:1:1 / ${moveUp}`,
      `team-b/b.yaml:1:1 / ${moveUp}`,
      `team-b/d.yaml:1:1 / ${moveUp}`,
      `team-b/old/c.YML:1:1 / ${moveUp}`,
    ]);
    expect(opened()).toEqual(["a.yaml"]);
  });

  it("skips dot-files and dot-folders: editor locks, .DS_Store, .git", async () => {
    await writeFile(join(cwd, "a.yaml"), API("a1"));
    await writeFile(join(cwd, ".DS_Store"), "\u0000\u0001binary");
    await symlink("user@host.1234:1700000000", join(cwd, ".#a.yaml"));
    await writeFile(join(cwd, ".a.yaml.swp"), "b0VIM");
    await writeFile(join(cwd, ".hidden.yaml"), "not: [valid");
    await mkdir(join(cwd, ".git"));
    await writeFile(join(cwd, ".git", "config.yaml"), "not: [valid");
    await mkdir(join(cwd, "sub", ".cache"), { recursive: true });
    await writeFile(join(cwd, "sub", ".cache", "x.yaml"), API("x1"));

    const state = await read(".");

    expect(state.errors).toEqual([]);
    expect(state.apis.map((a) => a.apiId)).toEqual(["a1"]);
    expect(opened()).toEqual(["a.yaml"]);
  });

  it("refuses a FIFO without opening it (reading one waits forever)", async () => {
    await writeFile(join(cwd, "a.yaml"), API("a1"));
    execFileSync("mkfifo", [join(cwd, "b.yaml")]);
    execFileSync("mkfifo", [join(cwd, "pipe")]);

    expect(await messages(".")).toEqual([
      "b.yaml:1:1 / is a named pipe (FIFO), not a regular file, and is never opened: remove it from .",
      "pipe:1:1 / is a named pipe (FIFO), not a regular file, and is never opened: remove it from .",
    ]);
    expect(opened()).toEqual(["a.yaml"]);
  });

  it("refuses a socket and a device", async () => {
    await mkdir(join(cwd, "desired"));
    await writeFile(join(cwd, "desired", "a.yaml"), API("a1"));
    const server = createServer();
    await new Promise<void>((done) => server.listen(join(cwd, "desired", "s.yaml"), done));
    const info = await lstat("/dev/null");
    vi.mocked(lstat).mockImplementation(async (path) =>
      String(path).endsWith("null.yaml")
        ? info
        : (await vi.importActual<typeof import("node:fs/promises")>("node:fs/promises")).lstat(path),
    );
    await writeFile(join(cwd, "desired", "null.yaml"), "");

    const lines = await messages("desired");
    await new Promise((done) => server.close(done));

    expect(lines).toEqual([
      "desired/null.yaml:1:1 / is a character device, not a regular file, and is never opened: remove it from desired",
      "desired/s.yaml:1:1 / is a socket, not a regular file, and is never opened: remove it from desired",
    ]);
  });

  it("refuses a link or a FIFO swapped in between the listing and the read, without following or waiting", async () => {
    await writeFile(join(cwd, "a.yaml"), API("a1"));
    await writeFile(join(cwd, "outside.txt"), "apiId: SECRET-TARGET-CONTENT\n");
    await symlink(join(cwd, "outside.txt"), join(cwd, "b.yaml"));
    execFileSync("mkfifo", [join(cwd, "c.yaml")]);
    // What lstat saw before the swap: a regular file.
    const regular = await lstat(join(cwd, "a.yaml"));
    const actual = await vi.importActual<typeof import("node:fs/promises")>("node:fs/promises");
    vi.mocked(lstat).mockImplementation(async (path) =>
      /[bc]\.yaml$/.test(String(path)) ? regular : actual.lstat(path),
    );

    const state = await read(".");

    expect(state.errors.map(formatError)).toEqual([
      `b.yaml:1:1 / ${SYMLINK}`,
      "c.yaml:1:1 / is a named pipe (FIFO), not a regular file, and is never opened: remove it from .",
    ]);
    expect(JSON.stringify(state)).not.toContain("SECRET-TARGET-CONTENT");
  });

  it("refuses a sub-folder it cannot list: it may hide desired state", async () => {
    await writeFile(join(cwd, "a.yaml"), API("a1"));
    await mkdir(join(cwd, "locked"));
    const actual = await vi.importActual<typeof import("node:fs/promises")>("node:fs/promises");
    vi.mocked(readdir).mockImplementation((async (path: string) => {
      if (String(path).endsWith("locked"))
        throw Object.assign(new Error("EACCES: permission denied"), { code: "EACCES" });
      return actual.readdir(path);
    }) as typeof readdir);

    expect(await messages(".")).toEqual([
      "locked:1:1 / is a sub-folder that cannot be listed, so it may hide desired state: make it readable, or move it out of .",
    ]);
  });

  it("returns the bytes it validated, for the Lambda build to embed", async () => {
    await writeFile(join(cwd, "b.yaml"), API("b1"));
    await writeFile(join(cwd, "a.yml"), API("a1"));

    const folder = await loadDesiredFolder(".", { cwd });

    expect(folder.state.errors).toEqual([]);
    expect(folder.files.map((f) => [f.path, Buffer.from(f.bytes).toString()])).toEqual([
      ["a.yml", API("a1")],
      ["b.yaml", API("b1")],
    ]);
  });
});
