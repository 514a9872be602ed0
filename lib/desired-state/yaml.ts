import {
  isAlias,
  isMap,
  isScalar,
  isSeq,
  type Node,
  type Pair,
  type Scalar,
  visit as visitYaml,
  type YAMLMap,
} from "yaml";
import { childPointer } from "../diff/pointer.ts";
import { composeFile, deepMessage } from "./yaml-document.ts";

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
  /** Pointers of values refused with a problem (left out of `value`), so nothing else reports the hole. */
  refused: Set<string>;
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
/** YAML 1.2 core schema tags: anything else (!!binary, !!set, !!timestamp, custom tags) is not plain data. */
const CORE_TAGS = new Set(
  ["str", "int", "float", "bool", "null", "map", "seq"].map((t) => `tag:yaml.org,2002:${t}`).concat("!"),
);

class TooLarge extends Error {}

/**
 * Parses one desired-state file into plain data plus the position of every value, without trusting it:
 * invalid UTF-8, oversized files, several documents, alias bombs and loops, deep nesting, duplicate keys,
 * tags and prototype-polluting keys all become problems with a position, never exceptions or hangs.
 */
export function parseYaml(
  bytes: Uint8Array,
  limits: YamlLimits = DEFAULT_YAML_LIMITS,
  size: number = bytes.byteLength,
): ParsedYaml {
  const positions = new Map<string, Located>();
  const problems: ParseProblem[] = [];
  const refused = new Set<string>();
  const start: Position = { line: 1, column: 1 };

  const composed = composeFile(bytes, limits, size);
  const { doc, at } = composed;
  problems.push(...composed.problems);
  if (!doc) return { value: undefined, positions, problems, refused };

  // Each alias names the last anchor of its name before it: resolved in one pass over the document, where
  // the `yaml` package's own Alias.resolve() walks the whole document again for every alias.
  const anchors = new Map<string, Node>();
  const targets = new Map<Node, Node | undefined>();
  visitYaml(doc, {
    Node: (_key, node) => {
      if (isAlias(node)) targets.set(node, anchors.get(node.source));
      else if (node.anchor) anchors.set(node.anchor, node);
    },
  });
  const resolve = (node: Node | null): Node | null | undefined => (isAlias(node) ? targets.get(node) : node);

  let nodes = 0;
  // Collections being walked: an alias to one of them is a loop.
  const open = new Set<Node>();
  const visit = (node: Node | null, pointer: string, depth: number, keyPos?: Position): unknown => {
    nodes += 1;
    if (nodes > limits.maxNodes) throw new TooLarge();
    if (depth > limits.maxDepth) {
      problems.push({ pointer, position: at(node?.range?.[0]), message: deepMessage(limits) });
      refused.add(pointer);
      return undefined;
    }
    if (node == null) {
      positions.set(pointer, { key: keyPos, value: keyPos ?? start });
      return null;
    }
    const position = at(node.range?.[0]);
    positions.set(pointer, { key: keyPos, value: position });
    const refuse = (message: string) => {
      problems.push({ pointer, position, message });
      refused.add(pointer);
      return undefined;
    };
    if (isAlias(node)) {
      const target = targets.get(node);
      if (!target) return refuse(`alias *${node.source} names no anchor; define &${node.source} before it`);
      if (open.has(target)) {
        return refuse(
          `alias *${node.source} refers to a map or list that contains it, a loop; write the value out`,
        );
      }
      const value = visit(target, pointer, depth, keyPos);
      positions.set(pointer, { key: keyPos, value: position });
      return value;
    }
    if (node.tag && !CORE_TAGS.has(node.tag)) {
      return refuse(
        `YAML tag ${shortTag(node.tag)} is not supported; write a plain string, number, true/false, null, map or list`,
      );
    }
    if (isScalar(node)) return node.value;
    open.add(node);
    try {
      if (isSeq(node))
        return node.items.map((item, i) => visit(item as Node, childPointer(pointer, String(i)), depth + 1));
      if (isMap(node)) return visitMap(node, pointer, depth);
      return refuse("unsupported YAML node; write a plain string, number, true/false, null, map or list");
    } finally {
      open.delete(node);
    }
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
        problems.push({
          pointer,
          position: keyPosition,
          message: "map keys must be plain text; a list, map, null or tagged value cannot be a key",
        });
        continue;
      }
      const child = childPointer(pointer, key);
      if (FORBIDDEN_KEYS.has(key)) {
        problems.push({
          pointer: child,
          position: keyPosition,
          message: `key "${key}" is reserved (it could alter object prototypes) and names nothing in desired state; remove it`,
        });
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

  /** The pairs `<<: value` merges in, a source's own merge keys expanded (its explicit keys first). */
  const mergeSources = (value: Node | null, pointer: string): Pair[] => {
    const sources = isSeq(value) ? (value.items as Node[]) : [value];
    const pairs: Pair[] = [];
    for (const source of sources) {
      const target = resolve(source);
      nodes += 1;
      if (nodes > limits.maxNodes) throw new TooLarge();
      if (!isMap(target)) {
        problems.push({
          pointer,
          position: at(source?.range?.[0]),
          message: "a merge key (<<) takes a map or an alias to a map, e.g. <<: *defaults",
        });
      } else if (open.has(target)) {
        problems.push({
          pointer,
          position: at(source?.range?.[0]),
          message: "a merge key (<<) merges a map that contains it, a loop; write the keys out",
        });
      } else {
        open.add(target);
        try {
          const own = target.items as Pair[];
          pairs.push(...own.filter((p) => !isMergeKey(p.key)));
          for (const p of own) if (isMergeKey(p.key)) pairs.push(...mergeSources(p.value as Node, pointer));
        } finally {
          open.delete(target);
        }
      }
    }
    return pairs;
  };

  try {
    const value = visit(doc.contents as Node | null, "", 0);
    return { value, positions, problems, refused };
  } catch (e) {
    if (e instanceof TooLarge) {
      const message = `document expands to more than ${limits.maxNodes} nodes (an alias bomb?); write the values out instead of nesting aliases`;
      return { value: undefined, positions, problems: [{ pointer: "", position: start, message }], refused };
    }
    throw e;
  }
}

/** `!!binary` for `tag:yaml.org,2002:binary`, as the file wrote it. */
function shortTag(tag: string): string {
  return tag.replace(/^tag:yaml\.org,2002:/, "!!");
}

function isMergeKey(key: unknown): boolean {
  return isScalar(key) && key.value === "<<" && (key as Scalar).type === "PLAIN";
}

function keyString(key: Node | null | undefined): string | undefined {
  if (!isScalar(key) || (key.tag && !CORE_TAGS.has(key.tag))) return undefined;
  const v = key.value;
  if (typeof v === "string") return v;
  // Unquoted numeric keys such as response status codes (200:) are read as their source text.
  if (typeof v === "number" || typeof v === "boolean") return key.source ?? String(v);
  return undefined;
}
