import {
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  type Pair,
  parseAllDocuments,
  type Scalar,
  type YAMLMap,
} from "yaml";
import { childPointer } from "../diff/pointer.ts";

/** A 1-based position in a file. */
export interface Position {
  line: number;
  column: number;
}

/** Where a JSON Pointer's key and value stand in the source. */
export interface Located {
  key?: Position;
  value: Position;
}

export interface ParseProblem {
  pointer: string;
  position: Position;
  message: string;
}

export interface ParsedYaml {
  /** The document as plain data (null-free of prototypes: `__proto__` keys are refused, not stored). */
  value: unknown;
  positions: Map<string, Located>;
  problems: ParseProblem[];
}

export interface YamlLimits {
  /** Largest file accepted, in bytes. */
  maxBytes: number;
  /** Most nodes a document may expand to, aliases included: the guard against alias bombs. */
  maxNodes: number;
  /** Deepest nesting accepted. */
  maxDepth: number;
}

export const DEFAULT_YAML_LIMITS: YamlLimits = { maxBytes: 1024 * 1024, maxNodes: 100_000, maxDepth: 32 };

const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);

class TooLarge extends Error {}

/**
 * Parses one desired-state file into plain data plus the position of every value, without trusting it:
 * invalid UTF-8, oversized files, several documents, alias bombs, deep nesting, duplicate keys and
 * prototype-polluting keys all become problems with a position, never exceptions or hangs.
 */
export function parseYaml(
  bytes: Uint8Array,
  limits: YamlLimits = DEFAULT_YAML_LIMITS,
  size: number = bytes.byteLength,
): ParsedYaml {
  const positions = new Map<string, Located>();
  const problems: ParseProblem[] = [];
  const start: Position = { line: 1, column: 1 };
  const fail = (message: string, position = start): ParsedYaml => ({
    value: undefined,
    positions,
    problems: [{ pointer: "", position, message }],
  });

  if (size > limits.maxBytes) {
    return fail(
      `file is ${size} bytes, over the ${limits.maxBytes}-byte limit for a desired-state file (one API has at most a few hundred integrations); check that this is the right file`,
    );
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return fail(`file is not valid UTF-8 (${invalidUtf8Position(bytes)}); save it as UTF-8`);
  }

  const lineCounter = new LineCounter();
  const at = (offset: number | undefined): Position => {
    const { line, col } = lineCounter.linePos(offset ?? 0);
    return { line, column: col };
  };
  const docs = parseAllDocuments(text, { lineCounter, uniqueKeys: false, prettyErrors: false, strict: true });
  if (!Array.isArray(docs))
    return fail("file is empty; write an API's desired state (apiId, protocol, integrations)");
  if (docs.length === 0)
    return fail("file is empty; write an API's desired state (apiId, protocol, integrations)");
  const doc = docs[0]!;
  if (docs.length > 1) {
    const second = docs[1]!;
    return fail(
      "file holds more than one YAML document; write one API per file",
      at(second.range?.[0] ?? second.contents?.range?.[0]),
    );
  }
  for (const e of [...doc.errors, ...doc.warnings]) {
    problems.push({ pointer: "", position: at(e.pos[0]), message: `YAML: ${firstLine(e.message)}` });
  }
  if (doc.errors.length > 0) return { value: undefined, positions, problems };

  let nodes = 0;
  const visit = (
    node: Node | null | undefined,
    pointer: string,
    depth: number,
    keyPos?: Position,
  ): unknown => {
    nodes += 1;
    if (nodes > limits.maxNodes) throw new TooLarge();
    if (depth > limits.maxDepth) {
      problems.push({
        pointer,
        position: at(node?.range?.[0]),
        message: `nested deeper than ${limits.maxDepth} levels; desired state is never that deep`,
      });
      return undefined;
    }
    if (node == null) {
      positions.set(pointer, { key: keyPos, value: keyPos ?? start });
      return null;
    }
    const position = at(node.range?.[0]);
    positions.set(pointer, { key: keyPos, value: position });
    if (isAlias(node)) {
      const target = node.resolve(doc);
      if (!target) {
        problems.push({ pointer, position, message: `alias *${node.source} names no anchor` });
        return undefined;
      }
      const value = visit(target, pointer, depth + 1, keyPos);
      positions.set(pointer, { key: keyPos, value: position });
      return value;
    }
    if (isScalar(node)) return node.value;
    if (isSeq(node))
      return node.items.map((item, i) => visit(item as Node, childPointer(pointer, String(i)), depth + 1));
    if (isMap(node)) return visitMap(node, pointer, depth);
    problems.push({ pointer, position, message: "unsupported YAML node" });
    return undefined;
  };

  const visitMap = (map: YAMLMap, pointer: string, depth: number): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    const seen = new Map<string, Position>();
    const merged: Pair[] = [];
    for (const pair of map.items as Pair<Node, Node>[]) {
      if (isMergeKey(pair.key)) {
        merged.push(...mergeSources(pair.value, pointer));
        continue;
      }
      const keyPosition = at(pair.key?.range?.[0] ?? map.range?.[0]);
      const key = keyString(pair.key);
      if (key === undefined) {
        problems.push({ pointer, position: keyPosition, message: "map keys must be plain strings" });
        continue;
      }
      const child = childPointer(pointer, key);
      if (FORBIDDEN_KEYS.has(key)) {
        problems.push({ pointer: child, position: keyPosition, message: `key "${key}" is not allowed` });
        continue;
      }
      const earlier = seen.get(key);
      if (earlier) {
        problems.push({
          pointer: child,
          position: keyPosition,
          message: `duplicate key "${key}" (first at line ${earlier.line}, column ${earlier.column}); keep one`,
        });
        continue;
      }
      seen.set(key, keyPosition);
      out[key] = visit(pair.value, child, depth + 1, keyPosition);
    }
    // YAML merge keys (`<<: *defaults`): explicit keys win, earlier sources win over later ones.
    for (const pair of merged) {
      const key = keyString(pair.key as Node);
      if (key === undefined || FORBIDDEN_KEYS.has(key) || Object.hasOwn(out, key)) continue;
      const keyPosition = at((pair.key as Node | null)?.range?.[0]);
      out[key] = visit(pair.value as Node, childPointer(pointer, key), depth + 1, keyPosition);
    }
    return out;
  };

  const mergeSources = (value: Node | null, pointer: string): Pair[] => {
    const sources = isSeq(value) ? (value.items as Node[]) : [value];
    const pairs: Pair[] = [];
    for (const source of sources) {
      const target = isAlias(source) ? source.resolve(doc) : source;
      nodes += 1;
      if (isMap(target)) pairs.push(...(target.items as Pair[]));
      else
        problems.push({
          pointer,
          position: at(source?.range?.[0]),
          message: "a merge key (<<) takes a map or an alias to a map",
        });
    }
    return pairs;
  };

  try {
    const value = visit(doc.contents as Node | null, "", 0);
    return { value, positions, problems };
  } catch (e) {
    if (e instanceof TooLarge) {
      return fail(
        `document expands to more than ${limits.maxNodes} nodes (an alias bomb?); write the values out instead of nesting aliases`,
      );
    }
    throw e;
  }
}

function isMergeKey(key: unknown): boolean {
  return isScalar(key) && key.value === "<<" && (key as Scalar).type === "PLAIN";
}

function keyString(key: Node | null | undefined): string | undefined {
  if (!isScalar(key)) return undefined;
  const v = key.value;
  if (typeof v === "string") return v;
  // Unquoted numeric keys such as response status codes (200:) are read as their source text.
  if (typeof v === "number" || typeof v === "boolean") return key.source ?? String(v);
  return undefined;
}

function firstLine(message: string): string {
  return message.split("\n")[0]!.trim();
}

function invalidUtf8Position(bytes: Uint8Array): string {
  // One streaming decoder, fed a byte at a time, throws at the first byte that cannot continue the text.
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let line = 1;
  let column = 1;
  for (let i = 0; i < bytes.length; i++) {
    try {
      decoder.decode(bytes.subarray(i, i + 1), { stream: true });
    } catch {
      return `byte ${i + 1}, line ${line}, column ${column}`;
    }
    if (bytes[i] === 0x0a) {
      line += 1;
      column = 1;
    } else if ((bytes[i]! & 0xc0) !== 0x80) column += 1;
  }
  return "a character cut short at the end of the file";
}
