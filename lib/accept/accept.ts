import { isDeepStrictEqual } from "node:util";
import type { DesiredDocument } from "../desired-state/schema.ts";
import { parseYaml } from "../desired-state/yaml.ts";
import { EditRefused, editYaml, type YamlEdit, type YamlValue } from "../desired-state/yaml-edit.ts";
import { type Diff, diffIntegration } from "../diff/diff.ts";
import { parsePointer } from "../diff/pointer.ts";
import { type Redactor, redactValue } from "../diff/redact.ts";
import type { LiveIntegration } from "../model/live.ts";
import { diffOptionsFor } from "../plan/plan.ts";

/**
 * `accept`, the "accept into git" remedy (PRODUCT §10): the live values of an API's drifted, declared
 * fields written into its desired-state file, so that a plan right after is in sync for them. Pure: the
 * caller reads the file and the live integrations, and writes the result.
 *
 * Each diff becomes one edit at the path it names, made in place by yaml-edit.ts so the rest of the file is
 * untouched:
 * - `changed`, and `added` (live has a value, or a map key, the file lacks): the live value is written;
 * - `removed` (the file declares it, live has none) of a map key or structure member: the key is deleted
 *   from the file; a map left with no key becomes `{}` (still owned, must stay empty), a status code of
 *   responseParameters left with none is deleted;
 * - `removed` of a whole field: `null`, "must be absent". Deleting the key would stop owning the field; a
 *   field with a server default never reads as removed (the default fills it in), so `null` is what live
 *   shows, and keeps saying so.
 * A value the report would redact (lib/diff/redact.ts) is never written: the field is left as it is and
 * named, as is a value the file shares through an anchor, alias or merge key.
 */

/** One field written: values as the report shows them (redacted where the report would redact). */
export interface Accepted {
  integrationId: string;
  path: string;
  /** The file's value before, undefined when it had none. */
  from: unknown;
  /** The value written, undefined when the key was removed. */
  to: unknown;
}

/** A drifted field not written, with why (a sentence that follows "left <path> of <id>: "). */
export interface Left {
  integrationId: string;
  path: string;
  reason: string;
}

export interface AcceptInput {
  /** The file's text as read. */
  text: string;
  /** Its validated document (the state's). */
  doc: DesiredDocument;
  /** The drifted integrations of this API and their live state, as the plan read it. */
  drifted: readonly { integrationId: string; live: LiveIntegration }[];
  /** The run's clock, for ignore entries with `until`. */
  now: number;
  redact: Redactor;
}

export interface AcceptOutcome {
  /** The new text; the same text when nothing was written. */
  text: string;
  accepted: Accepted[];
  left: Left[];
}

/** A result that would not do what accept promises: the file is not written. */
export class AcceptError extends Error {
  override name = "AcceptError";
}

export const SECRET_REASON = "its value is a secret; change it by hand";

/** One edit of the file, and the diffs it takes care of. */
interface Step {
  integrationId: string;
  tokens: string[];
  edit: { op: "set"; value: YamlValue } | { op: "delete" };
  diffs: Diff[];
}

/** Writes the live values of `input.drifted`'s drift into the file's text; see the module comment. */
export function acceptDrift(input: AcceptInput): AcceptOutcome {
  const { doc, now, redact } = input;
  const accepted: Accepted[] = [];
  const left: Left[] = [];
  let text = input.text;
  const before = readPlain(text);
  let expected = before;

  for (const { integrationId, live } of input.drifted) {
    const declaration = doc.integrations[integrationId];
    if (!declaration) continue;
    const options = diffOptionsFor(doc, integrationId, now);
    const diffs = diffIntegration(declaration, live, options);
    const steps: Step[] = [];
    for (const d of diffs) {
      const tokens = parsePointer(d.path);
      if (d.kind === "removed") {
        const edit = tokens.length === 1 ? { op: "set" as const, value: null } : { op: "delete" as const };
        steps.push({ integrationId, tokens, edit, diffs: [d] });
      } else if (isSecret(d.path, d.actual, redact)) {
        left.push({ integrationId, path: d.path, reason: SECRET_REASON });
      } else {
        steps.push({ integrationId, tokens, edit: { op: "set", value: d.actual as YamlValue }, diffs: [d] });
      }
    }
    for (const step of collapseEmptied(declaration, steps)) {
      const path = ["integrations", integrationId, ...step.tokens];
      const edit: YamlEdit =
        step.edit.op === "set" ? { op: "set", path, value: step.edit.value } : { op: "delete", path };
      try {
        text = editYaml(text, edit);
      } catch (error) {
        if (!(error instanceof EditRefused)) throw error;
        for (const d of step.diffs)
          left.push({ integrationId, path: d.path, reason: `${error.message}; change it by hand` });
        continue;
      }
      expected = applyPlain(expected, edit);
      for (const d of step.diffs) {
        const tokens = parsePointer(d.path);
        // A removed field is declared null; a removed key is gone.
        const to = d.kind === "removed" ? (tokens.length === 1 ? null : undefined) : d.actual;
        accepted.push({
          integrationId,
          path: d.path,
          from: shown(d.path, valueAt(declaration, tokens), redact),
          to: shown(d.path, to, redact),
        });
      }
    }
  }

  accepted.sort(byIntegrationAndPath);
  left.sort(byIntegrationAndPath);
  if (accepted.length === 0) return { text: input.text, accepted, left };
  // The edits touched only what they meant to: the file now reads as the old one with exactly these changes.
  const after = readPlain(text);
  if (!isDeepStrictEqual(after, expected)) {
    throw new AcceptError(
      "editing the file in place would change more than the drifted fields (a YAML construct accept does not handle); change it by hand",
    );
  }
  checkConverges(after, input, left);
  return { text, accepted, left };
}

/**
 * Deletes that empty a map: a status code's mappings go with it; a field's map becomes `{}`. Steps below
 * an emptied map are replaced by the one edit of the map.
 */
function collapseEmptied(declaration: object, steps: Step[]): Step[] {
  let out = steps;
  let simulated = steps.reduce(
    (v, s) => applyStep(v, s),
    structuredClone(declaration) as Record<string, unknown>,
  );
  for (let again = true; again; ) {
    again = false;
    for (const step of out) {
      if (step.edit.op !== "delete" || step.tokens.length < 2) continue;
      const parent = step.tokens.slice(0, -1);
      const value = valueAt(simulated, parent);
      if (!isEmptyObject(value)) continue;
      const under = out.filter((s) => startsWith(s.tokens, parent));
      const merged: Step = {
        integrationId: step.integrationId,
        tokens: parent,
        edit: parent.length === 1 ? { op: "set", value: {} } : { op: "delete" },
        diffs: under.flatMap((s) => s.diffs),
      };
      out = [...out.filter((s) => !under.includes(s)), merged];
      simulated = applyStep(simulated, merged);
      again = parent.length > 1;
      break;
    }
  }
  return out;
}

/** Fails when the new file would still differ from live anywhere but where a field was left. */
function checkConverges(after: unknown, input: AcceptInput, left: readonly Left[]): void {
  const doc = after as DesiredDocument;
  for (const { integrationId, live } of input.drifted) {
    const declaration = doc.integrations?.[integrationId];
    if (!declaration) continue;
    const remaining = diffIntegration(declaration, live, diffOptionsFor(doc, integrationId, input.now))
      .map((d) => d.path)
      .filter((path) => !left.some((l) => l.integrationId === integrationId && l.path === path));
    if (remaining.length > 0) {
      throw new AcceptError(
        `after accepting, integration ${integrationId} would still differ from live at ${remaining.join(", ")}; change it by hand`,
      );
    }
  }
}

function byIntegrationAndPath(
  a: { integrationId: string; path: string },
  b: { integrationId: string; path: string },
): number {
  const x = `${a.integrationId}\u0000${a.path}`;
  const y = `${b.integrationId}\u0000${b.path}`;
  return x < y ? -1 : x > y ? 1 : 0;
}

function isSecret(path: string, value: unknown, redact: Redactor): boolean {
  return !isDeepStrictEqual(redactValue(path, value, redact), value);
}

function shown(path: string, value: unknown, redact: Redactor): unknown {
  return value === undefined ? undefined : redactValue(path, value, redact);
}

/** The file as plain data, merge keys expanded: what the loader validates. */
function readPlain(text: string): unknown {
  const parsed = parseYaml(new TextEncoder().encode(text));
  if (parsed.problems.length > 0) {
    throw new AcceptError(`the file does not read cleanly: ${parsed.problems[0]!.message}`);
  }
  return parsed.value;
}

function applyStep(value: Record<string, unknown>, step: Step): Record<string, unknown> {
  return applyPlain(
    value,
    step.edit.op === "set"
      ? { op: "set", path: step.tokens, value: step.edit.value }
      : { op: "delete", path: step.tokens },
  ) as Record<string, unknown>;
}

/** `value` (plain data) with `edit` made, as a copy. */
function applyPlain(value: unknown, edit: YamlEdit): unknown {
  const root = structuredClone(value) as Record<string, unknown>;
  let node = root;
  for (const key of edit.path.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== "object" || next === null) {
      if (edit.op === "delete") return root;
      node[key] = {};
    }
    node = node[key] as Record<string, unknown>;
  }
  const last = edit.path.at(-1)!;
  if (edit.op === "set") node[last] = structuredClone(edit.value);
  else delete node[last];
  return root;
}

function valueAt(value: unknown, tokens: readonly string[]): unknown {
  let node = value;
  for (const t of tokens) {
    if (typeof node !== "object" || node === null || !Object.hasOwn(node, t)) return undefined;
    node = (node as Record<string, unknown>)[t];
  }
  return node;
}

function isEmptyObject(value: unknown): boolean {
  return (
    typeof value === "object" && value !== null && !Array.isArray(value) && Object.keys(value).length === 0
  );
}

function startsWith(tokens: readonly string[], prefix: readonly string[]): boolean {
  return prefix.every((t, i) => tokens[i] === t);
}
