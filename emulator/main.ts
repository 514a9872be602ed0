/**
 * Runs the emulator by hand, then points the SDK (or the CLI) at it with AWS_ENDPOINT_URL_APIGATEWAYV2:
 *
 *   npx node emulator/main.ts --port 4510 --api a1b2c3d4e5 --api wsapi00001:WEBSOCKET
 *   npx node emulator/main.ts --behaviour requestTemplates.patch=merge --behaviour-file probe.json
 *
 * APIs come from `--api ID[:PROTOCOL]` (an empty ID is generated) or CreateApi (no quick create); add
 * integrations with CreateIntegration. `--behaviour-file` reads a `probe --json` result (PRODUCT §11)
 * and `--behaviour name=value` (repeatable, applied after the file) sets one reading; see behaviour.ts.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import {
  BEHAVIOURS,
  type Behaviour,
  BehaviourError,
  behaviourFromProbe,
  parseBehaviourSpec,
} from "./behaviour.ts";
import { startEmulator } from "./server.ts";

const USAGE = [
  "usage: node emulator/main.ts [--port N] [--seed N] [--api ID[:HTTP|WEBSOCKET]]...",
  "                             [--behaviour-file PROBE.json] [--behaviour NAME=VALUE]...",
  "behaviours (default first):",
  ...Object.entries(BEHAVIOURS).map(([name, row]) => {
    const values = [row.default, ...row.values.filter((v) => v !== row.default)];
    return `  ${name}=${values.map(String).join("|")}`;
  }),
].join("\n");

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "4510" },
    seed: { type: "string", default: "1" },
    api: { type: "string", multiple: true, default: [] },
    behaviour: { type: "string", multiple: true, default: [] },
    "behaviour-file": { type: "string" },
    help: { type: "boolean", default: false },
  },
});

if (values.help) {
  console.log(USAGE);
  process.exit(0);
}

let behaviour: Partial<Behaviour> = {};
try {
  const file = values["behaviour-file"];
  if (file !== undefined) {
    let doc: unknown;
    try {
      doc = JSON.parse(readFileSync(file, "utf8"));
    } catch (error) {
      throw new BehaviourError(`--behaviour-file ${file}: ${error instanceof Error ? error.message : error}`);
    }
    const probe = behaviourFromProbe(doc);
    for (const warning of probe.warnings) console.error(`warning: --behaviour-file ${file}: ${warning}`);
    behaviour = probe.behaviour;
  }
  for (const spec of values.behaviour) behaviour = { ...behaviour, ...parseBehaviourSpec(spec) };
} catch (error) {
  if (!(error instanceof BehaviourError)) throw error;
  console.error(`${error.message}\n${USAGE}`);
  process.exit(1);
}

const port = Number(values.port);
const seed = Number(values.seed);
if (!Number.isInteger(port) || port < 0 || port > 65_535 || !Number.isInteger(seed)) {
  console.error(`--port must be 0..65535 and --seed an integer\n${USAGE}`);
  process.exit(1);
}

const apis = values.api.map((spec) => {
  const [apiId, protocolType = "HTTP"] = spec.split(":");
  if (protocolType !== "HTTP" && protocolType !== "WEBSOCKET") {
    console.error(`--api ${spec}: protocol must be HTTP or WEBSOCKET\n${USAGE}`);
    process.exit(1);
  }
  return { ...(apiId ? { apiId } : {}), name: apiId || "api", protocolType } as const;
});

const emulator = await startEmulator({ port, seed, behaviour });
console.log(`API Gateway v2 emulator listening on ${emulator.url}`);
for (const [name, value] of Object.entries(behaviour)) console.log(`  behaviour ${name}=${String(value)}`);
// The SDK still resolves credentials; any values do, the emulator checks no signature.
console.log(
  `  export AWS_ENDPOINT_URL_APIGATEWAYV2=${emulator.url} AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test`,
);
for (const apiSeed of apis) {
  const api = emulator.addApi(apiSeed);
  console.log(`  API ${api.apiId} (${api.protocolType})`);
}

const stop = (): void => {
  void emulator.close().then(() => process.exit(0));
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
