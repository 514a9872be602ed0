import { mkdir, mkdtemp, readdir, readFile, readlink, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GatewayError } from "../../../lib/apigateway/errors.ts";
import { main } from "../../../lib/cli/main.ts";
import type { Runtime } from "../../../lib/runtime/runtime.ts";
import { expectNothingForged, HOSTILE } from "../../helpers/hostile.ts";
import { MemoryGateway } from "../../helpers/memory-gateway.ts";
import { testServices } from "../../helpers/run.ts";
import { captureIo } from "../../helpers/world.ts";

const API = "a1b2c3d4e5";
let cwd: string;
let gateway: MemoryGateway;

beforeEach(async () => {
  cwd = await mkdtemp(join(tmpdir(), "apigw-drift-import-"));
  gateway = new MemoryGateway().addApi(API, "HTTP").addIntegration(API, "abc123", {
    integrationType: "HTTP_PROXY",
    integrationUri: "https://orders.example.com",
    integrationMethod: "ANY",
  });
});
afterEach(async () => {
  await rm(cwd, { recursive: true, force: true });
});

/** `apigw-drift import` in `cwd`, on the in-memory gateway. */
async function cli(args: string[]) {
  const io = captureIo({}, cwd);
  const runtime = async (): Promise<Runtime> => ({
    services: () => testServices(gateway),
    region: async () => "eu-west-1",
    redact: (v) => v,
    close: async () => {},
  });
  const code = await main(["import", "--api", API, ...args], io, { runtime });
  return { code, out: io.out, err: io.err };
}

/** An SDK error as the client throws it, wrapped as the gateway wraps it. */
function awsError(name: string, message: string, status: number, operation = "GetApi") {
  const cause = Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });
  return new GatewayError(operation, API, undefined, cause);
}

describe("apigw-drift import when the service fails", () => {
  it.each([
    [
      "access denied",
      `GetApi ${API}`,
      awsError(
        "AccessDeniedException",
        "User: arn:aws:iam::123456789012:user/dev is not authorized to perform: apigateway:GET",
        403,
      ),
      `cannot import API ${API}: GetApi ${API} failed: AccessDeniedException: User: arn:aws:iam::123456789012:user/dev is not authorized to perform: apigateway:GET; check that the credentials (AWS_PROFILE, or the AWS_* keys) may call apigateway:GET on this API\n`,
    ],
    [
      "throttling after retries",
      `GetIntegrations ${API}`,
      awsError("TooManyRequestsException", "Too Many Requests", 429, "GetIntegrations"),
      `cannot import API ${API}: GetIntegrations ${API} failed: TooManyRequestsException: Too Many Requests; the account's API Gateway request quota is exhausted; wait a minute and run it again\n`,
    ],
    [
      "a 5xx after retries",
      `GetApi ${API}`,
      awsError("InternalServerError", "Internal failure", 500),
      `cannot import API ${API}: GetApi ${API} failed: InternalServerError: Internal failure; the service or the network failed after retries; run it again, and check AWS_ENDPOINT_URL_APIGATEWAYV2 if it is set\n`,
    ],
    [
      "missing credentials",
      `GetApi ${API}`,
      awsError("CredentialsProviderError", "Could not load credentials from any providers", 0),
      `cannot import API ${API}: GetApi ${API} failed: CredentialsProviderError: Could not load credentials from any providers; check the API id, the credentials (AWS_PROFILE, or the AWS_* keys) and AWS_REGION\n`,
    ],
    [
      "an error message with a forged line in it",
      `GetApi ${API}`,
      awsError("BadRequestException", `Invalid ${HOSTILE.newlineCommand} ${HOSTILE.clear}`, 400),
      `cannot import API ${API}: GetApi ${API} failed: BadRequestException: Invalid x\\n::error::forged \\x1b[2J; check the API id, the credentials (AWS_PROFILE, or the AWS_* keys) and AWS_REGION\n`,
    ],
  ])("prints one line on %s, exits 1 and writes nothing", async (_name, call, error, line) => {
    gateway.failures.set(call, error);

    const got = await cli([]);

    expect(got).toEqual({ code: 1, out: "", err: line });
    expectNothingForged(got.err);
    expect(await readdir(cwd)).toEqual([]);
  });

  it("names an API that does not exist, escaped", async () => {
    const io = captureIo({}, cwd);
    const runtime = async (): Promise<Runtime> => ({
      services: () => testServices(gateway),
      region: async () => "eu-west-1",
      redact: (v) => v,
      close: async () => {},
    });
    const code = await main(["import", "--api", HOSTILE.newlineCommand], io, { runtime });

    expect({ code, err: io.err }).toEqual({
      code: 1,
      err: "API x\\n::error::forged does not exist in this account and Region; check the id and AWS_REGION\n",
    });
  });
});

describe("apigw-drift import writing the file", () => {
  it("writes the file whole, leaving no temporary file behind", async () => {
    const got = await cli(["--desired", "desired"]);

    expect(got).toEqual({
      code: 0,
      out: "",
      err: `wrote desired/${API}.yaml: 1 integration of API ${API} (HTTP)\n`,
    });
    expect(await readdir(join(cwd, "desired"))).toEqual([`${API}.yaml`]);
    expect(await readFile(join(cwd, "desired", `${API}.yaml`), "utf8")).toContain("abc123:");
  });

  it("refuses to write through a link at the destination, with or without --force", async () => {
    const outside = join(cwd, "outside.txt");
    await writeFile(outside, "precious\n");
    await mkdir(join(cwd, "desired"));
    await symlink(outside, join(cwd, "desired", `${API}.yaml`));

    for (const force of [[], ["--force"]]) {
      const got = await cli(["--desired", "desired", ...force]);
      expect(got).toEqual({
        code: 1,
        out: "",
        err: `desired/${API}.yaml is a symbolic link, which import never writes through; remove the link, or pass --out to write elsewhere; nothing was written\n`,
      });
    }
    expect(await readFile(outside, "utf8")).toBe("precious\n");
    expect(await readlink(join(cwd, "desired", `${API}.yaml`))).toBe(outside);
    expect(await readdir(join(cwd, "desired"))).toEqual([`${API}.yaml`]);
  });

  it("refuses a dangling link too: writing it would create the file it points to", async () => {
    await symlink(join(cwd, "created-elsewhere.yaml"), join(cwd, "out.yaml"));

    const got = await cli(["--out", "out.yaml", "--force"]);

    expect(got.code).toBe(1);
    expect(got.err).toBe(
      "out.yaml is a symbolic link, which import never writes through; remove the link, or pass --out to write elsewhere; nothing was written\n",
    );
    expect((await readdir(cwd)).sort()).toEqual(["out.yaml"]);
  });

  it("refuses to overwrite without --force, and replaces the file (not its contents in place) with it", async () => {
    await writeFile(join(cwd, "out.yaml"), "old\n");

    const refused = await cli(["--out", "out.yaml"]);
    expect(refused).toEqual({
      code: 1,
      out: "",
      err: "out.yaml exists; pass --force to overwrite it, or --out to write elsewhere; nothing was written\n",
    });
    expect(await readFile(join(cwd, "out.yaml"), "utf8")).toBe("old\n");

    const forced = await cli(["--out", "out.yaml", "--force"]);
    expect(forced.code).toBe(0);
    expect(await readFile(join(cwd, "out.yaml"), "utf8")).toContain("abc123:");
    expect(await readdir(cwd)).toEqual(["out.yaml"]);
  });

  it("refuses a destination that is a folder", async () => {
    await mkdir(join(cwd, "out.yaml"));

    const got = await cli(["--out", "out.yaml", "--force"]);

    expect(got.err).toBe(
      "out.yaml exists and is not a regular file; pass --out to write elsewhere; nothing was written\n",
    );
  });

  it("says why it cannot write, in one line", async () => {
    await writeFile(join(cwd, "file"), "");

    const got = await cli(["--out", "file/out.yaml"]);

    expect(got.code).toBe(1);
    expect(got.err).toMatch(
      /^file\/out\.yaml cannot be written \(EEXIST: file already exists, mkdir '.+'\); check the folder and its permissions; nothing was written\n$/,
    );
  });
});
