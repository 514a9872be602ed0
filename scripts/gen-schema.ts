// Writes schema/desired-state.schema.json from the validator's own schema. `npm run schema`.
import { writeFileSync } from "node:fs";
import { desiredStateJsonSchema } from "../lib/desired-state/schema.ts";

export const SCHEMA_PATH = "schema/desired-state.schema.json";

export function renderSchema(): string {
  return `${JSON.stringify(desiredStateJsonSchema(), null, 2)}\n`;
}

if (import.meta.main) {
  writeFileSync(SCHEMA_PATH, renderSchema());
  console.log(`wrote ${SCHEMA_PATH}`);
}
