import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { formatError } from "../../../lib/desired-state/errors.ts";
import { loadFleetFile } from "../../../lib/desired-state/fleet.ts";
import { roleArnFor } from "../../../lib/desired-state/fleet-role.ts";
import { loadDesiredFolder } from "../../../lib/desired-state/folder.ts";
import { renderFleetSchema } from "../../../scripts/gen-schema.ts";

const ROLE = "arn:aws:iam::{account}:role/apigw-drift-spoke";
const load = (text: string) =>
  loadFleetFile({ path: "desired-state/fleet.yaml", bytes: new TextEncoder().encode(text) });
const errors = (text: string) => load(text).errors.map(formatError);

describe(loadFleetFile.name, () => {
  it("takes the role, the ExternalId and the concurrency", () => {
    expect(load(`roleArn: ${ROLE}\nexternalId: abc-123\nconcurrency: 3\n`)).toEqual({
      fleet: { roleArn: ROLE, externalId: "abc-123", concurrency: 3 },
      errors: [],
    });
  });

  it("runs 8 targets at once unless told otherwise", () => {
    expect(load(`roleArn: ${ROLE}\n`).fleet).toEqual({ roleArn: ROLE, concurrency: 8 });
  });

  it("substitutes each target's account into the role", () => {
    expect(roleArnFor({ roleArn: "arn:aws-cn:iam::{account}:role/ops/spoke" }, "222222222222")).toBe(
      "arn:aws-cn:iam::222222222222:role/ops/spoke",
    );
  });

  it("reports every error with its line, column and pointer, and what to write", () => {
    expect(
      errors(
        'roleArn: arn:aws:iam::123456789012:role/spoke\nexternalID: x\nconcurrency: 0\nexternalId: "a"\n',
      ),
    ).toEqual([
      'desired-state/fleet.yaml:1:10 /roleArn roleArn "arn:aws:iam::123456789012:role/spoke" is not an IAM role ARN with {account} for the account; write arn:aws:iam::{account}:role/<name>, {account} standing for each target\'s account id',
      'desired-state/fleet.yaml:2:1 /externalID unknown key "externalID"; did you mean externalId? fleet.yaml takes roleArn, externalId, concurrency',
      "desired-state/fleet.yaml:3:14 /concurrency concurrency 0 is not valid: write a whole number of targets run at once, from 1 to 64 (default 8)",
      'desired-state/fleet.yaml:4:13 /externalId externalId "a" is not valid: STS takes 2 to 1224 letters, digits and +=,.@:/-_ characters',
    ]);
  });

  it("says what roleArn to write when it is missing, and what the file is when it is not a map", () => {
    expect(errors("concurrency: 2\n")).toEqual([
      "desired-state/fleet.yaml:1:1 /roleArn missing required key roleArn: write roleArn: arn:aws:iam::{account}:role/apigw-drift-spoke (the role templates/spoke-role.yaml creates in each account)",
    ]);
    expect(errors("- roleArn\n")).toEqual([
      "desired-state/fleet.yaml:1:1 / fleet.yaml is a map with roleArn (and optionally externalId and concurrency), e.g. roleArn: arn:aws:iam::{account}:role/apigw-drift-spoke",
    ]);
  });

  it("refuses what the YAML parser refuses, where it stands", () => {
    expect(errors(`roleArn: ${ROLE}\nroleArn: ${ROLE}\n`)).toHaveLength(1);
    expect(errors(`roleArn: ${ROLE}\nroleArn: ${ROLE}\n`)[0]).toMatch(/^desired-state\/fleet\.yaml:2:1 /);
  });

  it("has a JSON Schema for editors, from the same schema", () => {
    const schema = JSON.parse(renderFleetSchema());
    expect(schema.required).toEqual(["roleArn"]);
    expect(Object.keys(schema.properties)).toEqual(["roleArn", "externalId", "concurrency"]);
    expect(schema.additionalProperties).toBe(false);
  });
});

describe("fleet.yaml in the desired-state folder", () => {
  let cwd: string;
  beforeEach(async () => {
    cwd = await mkdtemp(join(tmpdir(), "apigw-drift-fleet-file-"));
    await mkdir(join(cwd, "d"));
    await writeFile(join(cwd, "d", "orders.yaml"), "apiId: a1b2c3d4e5\nprotocol: HTTP\nintegrations: {}\n");
  });
  afterEach(async () => rm(cwd, { recursive: true, force: true }));

  it("is read apart from the API files: the state carries it, and it is no API", async () => {
    await writeFile(join(cwd, "d", "fleet.yaml"), `roleArn: ${ROLE}\n`);
    const folder = await loadDesiredFolder("d", { cwd });
    expect(folder.state.errors).toEqual([]);
    expect(folder.state.apis.map((a) => a.apiId)).toEqual(["a1b2c3d4e5"]);
    expect(folder.state.fleet).toEqual({ roleArn: ROLE, concurrency: 8 });
    expect(folder.files.map((f) => f.path)).toEqual(["d/orders.yaml"]);
    expect(folder.fleetFile?.path).toBe("d/fleet.yaml");
  });

  it("fails the desired state when invalid, as any file does", async () => {
    await writeFile(join(cwd, "d", "fleet.yml"), "roleArn: nope\n");
    const folder = await loadDesiredFolder("d", { cwd });
    expect(folder.state.errors.map(formatError)).toEqual([
      'd/fleet.yml:1:10 /roleArn roleArn "nope" is not an IAM role ARN with {account} for the account; write arn:aws:iam::{account}:role/<name>, {account} standing for each target\'s account id',
    ]);
    expect(folder.state.fleet).toBeUndefined();
  });

  it("refuses two fleet files", async () => {
    await writeFile(join(cwd, "d", "fleet.yaml"), `roleArn: ${ROLE}\n`);
    await writeFile(join(cwd, "d", "fleet.yml"), `roleArn: ${ROLE}\n`);
    const folder = await loadDesiredFolder("d", { cwd });
    expect(folder.state.errors.map(formatError)).toEqual([
      "d/fleet.yml:1:1 / d/fleet.yaml is the fleet's file already: keep one of the two, not both",
    ]);
  });

  it("is no desired state on its own: a folder with only fleet.yaml has no API files", async () => {
    await rm(join(cwd, "d", "orders.yaml"));
    await writeFile(join(cwd, "d", "fleet.yaml"), `roleArn: ${ROLE}\n`);
    const folder = await loadDesiredFolder("d", { cwd });
    expect(folder.state.errors.map((e) => e.message)).toEqual([
      "no *.yaml or *.yml files in d; write one file per API (see the README)",
    ]);
  });
});
