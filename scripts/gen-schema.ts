// Writes schema/desired-state.schema.json and schema/fleet.schema.json from the validators' own schemas.
// `npm run schema`.
import { writeFileSync } from "node:fs";
import { fleetJsonSchema } from "../lib/desired-state/fleet.ts";
import { desiredStateJsonSchema } from "../lib/desired-state/schema.ts";

export const SCHEMA_PATH = "schema/desired-state.schema.json";
/** fleet.yaml's (PRODUCT §9): `# yaml-language-server: $schema=../schema/fleet.schema.json`. */
export const FLEET_SCHEMA_PATH = "schema/fleet.schema.json";

export function renderSchema(): string {
  return `${JSON.stringify(desiredStateJsonSchema(), null, 2)}\n`;
}

export function renderFleetSchema(): string {
  return `${JSON.stringify(fleetJsonSchema(), null, 2)}\n`;
}

if (import.meta.main) {
  writeFileSync(SCHEMA_PATH, renderSchema());
  writeFileSync(FLEET_SCHEMA_PATH, renderFleetSchema());
  console.log(`wrote ${SCHEMA_PATH} and ${FLEET_SCHEMA_PATH}`);
}
