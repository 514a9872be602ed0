import { toPointer } from "../diff/pointer.ts";
import { PROTOCOLS, type Protocol } from "../model/service.ts";
import { compareErrors, type DesiredStateError } from "./errors.ts";
import { DECLINED, fastParse } from "./fast-yaml.ts";
import { datedIgnores } from "./ignore.ts";
import { describeIssue, type IssueMessage } from "./messages.ts";
import { checkRules } from "./rules.ts";
import { acceptsDocument, type DesiredDocument, documentSchema, type SchemaProtocol } from "./schema.ts";
import { type DesiredState, stateFromEntries, type ValidatedText, validatedText } from "./state.ts";
import { DEFAULT_YAML_LIMITS, type Located, type Position, parseYaml, type YamlLimits } from "./yaml.ts";

export interface DesiredFile {
  /** The name errors are reported under. */
  path: string;
  bytes: Uint8Array;
  /** The file's size when `bytes` were not read because it is over the limit. */
  size?: number;
}

/**
 * Validates a set of desired-state files and reports every error, not the first. Pure: the caller reads
 * the files. A state with any error must not be applied, even in part. The state keeps each valid file as
 * its validated JSON text (state.ts), not as the parser's objects.
 */
export function loadDesiredFiles(
  files: readonly DesiredFile[],
  limits: YamlLimits = DEFAULT_YAML_LIMITS,
): DesiredState {
  const apis: ValidatedText[] = [];
  const errors: DesiredStateError[] = [];
  const owners = new Map<string, { file: string; position: () => Position }>();

  for (const file of files) {
    const fast = fastLoad(file, limits, owners);
    if (fast) {
      apis.push(fast);
      continue;
    }
    const parsed = parseYaml(file.bytes, limits, file.size);
    const fileErrors: DesiredStateError[] = parsed.problems.map((p) => ({
      file: file.path,
      line: p.position.line,
      column: p.position.column,
      pointer: p.pointer,
      message: p.message,
    }));
    // A value the parser refused (an alias to nothing, a loop, a tag) is already reported where it stands;
    // the schema would only add "missing" or "wrong type" for the hole it leaves.
    const report = (m: IssueMessage) => {
      if (!parsed.refused.has(toPointer(m.path))) fileErrors.push(locate(m));
    };
    const locate = (m: IssueMessage): DesiredStateError => {
      const pointer = toPointer(m.path);
      const at = nearest(parsed.positions, m.path);
      const position = (m.atKey ? at?.key : undefined) ?? at?.value ?? { line: 1, column: 1 };
      return { file: file.path, line: position.line, column: position.column, pointer, message: m.message };
    };

    if (parsed.value !== undefined || parsed.problems.length === 0) {
      const value = parsed.value;
      if (value === null || typeof value !== "object" || Array.isArray(value)) {
        fileErrors.push({
          file: file.path,
          ...(parsed.positions.get("")?.value ?? { line: 1, column: 1 }),
          pointer: "",
          message: "a desired-state file is a map with apiId, protocol and integrations",
        });
      } else {
        const declared = (value as Record<string, unknown>).protocol;
        const protocol: SchemaProtocol = (PROTOCOLS as readonly unknown[]).includes(declared)
          ? (declared as Protocol)
          : "ANY";
        const result = documentSchema(protocol).safeParse(value);
        if (!result.success) {
          for (const issue of result.error.issues) {
            for (const m of describeIssue(issue, value, protocol)) report(m);
          }
        }
        for (const m of checkRules(value, protocol)) report(m);

        const apiId = (value as Record<string, unknown>).apiId;
        if (typeof apiId === "string") {
          const position = parsed.positions.get("/apiId")?.value ?? { line: 1, column: 1 };
          const owner = owners.get(apiId);
          if (owner) {
            fileErrors.push({
              file: file.path,
              ...position,
              pointer: "/apiId",
              message: `apiId ${apiId} is already declared in ${owner.file}:${owner.position().line}:${owner.position().column}; one API has one file: merge them`,
            });
          } else owners.set(apiId, { file: file.path, position: () => position });
        }
        if (result.success && fileErrors.length === 0) {
          const doc = result.data as DesiredDocument;
          // Dated ignore entries are warned about when they expire, at their `until`'s line.
          const positions: Record<string, Position> = {};
          for (const { pointer } of datedIgnores(doc)) {
            const at = parsed.positions.get(pointer)?.value;
            if (at) positions[pointer] = at;
          }
          apis.push(validatedText(file.path, doc, positions));
        }
      }
    }
    errors.push(...dedupe(fileErrors));
  }
  return stateFromEntries(apis, errors.sort(compareErrors));
}

/**
 * A file that reads and validates cleanly on the fast path (fast-yaml.ts), or undefined when it must take
 * the precise one: declined by the fast parser, refused by the schema or the rules, or claiming an apiId
 * another file claims, or holding ignore entries with `until` (their warnings need their lines). A valid
 * file's other positions are only needed for a later file's duplicate apiId error, so the first owner's
 * position is found then, by reading that file the precise way.
 */
function fastLoad(
  file: DesiredFile,
  limits: YamlLimits,
  owners: Map<string, { file: string; position: () => Position }>,
): ValidatedText | undefined {
  if (file.size !== undefined && file.size > limits.maxBytes) return undefined;
  if (file.bytes.byteLength > limits.maxBytes) return undefined;
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(file.bytes);
  } catch {
    return undefined;
  }
  const value = fastParse(text, limits);
  if (value === DECLINED || value === null || typeof value !== "object" || Array.isArray(value))
    return undefined;
  const declared = (value as Record<string, unknown>).protocol;
  if (!(PROTOCOLS as readonly unknown[]).includes(declared)) return undefined;
  // The schema's answer, checked by hand (schema.ts acceptsDocument): zod would copy every document to say
  // so, a third of the loader's allocation. A refused file takes the precise path and gets zod's messages.
  if (!acceptsDocument(value, declared as Protocol)) return undefined;
  if (checkRules(value, declared as Protocol).length > 0) return undefined;
  const doc = value as DesiredDocument;
  if (owners.has(doc.apiId) || datedIgnores(doc).length > 0) return undefined;
  owners.set(doc.apiId, { file: file.path, position: apiIdPosition(file, limits) });
  return validatedText(file.path, doc);
}

/** Where a file's apiId stands, found when asked: only a duplicate apiId error ever shows it. */
function apiIdPosition(file: DesiredFile, limits: YamlLimits): () => Position {
  let found: Position | undefined;
  return () => {
    found ??= parseYaml(file.bytes, limits, file.size).positions.get("/apiId")?.value ?? {
      line: 1,
      column: 1,
    };
    return found;
  };
}

/** The position of `path`, or of its nearest ancestor that has one (a missing key points at its parent). */
function nearest(positions: Map<string, Located>, path: readonly string[]): Located | undefined {
  for (let n = path.length; n >= 0; n--) {
    const found = positions.get(toPointer(path.slice(0, n)));
    if (found) return n === path.length ? found : { value: found.key ?? found.value };
  }
  return undefined;
}

function dedupe(errors: DesiredStateError[]): DesiredStateError[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    const key = `${e.line}:${e.column}:${e.pointer}:${e.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
