import {
  type Document,
  isAlias,
  isCollection,
  isMap,
  isScalar,
  type Node,
  type Pair,
  parseDocument,
  Scalar,
  visit,
  type YAMLMap,
} from "yaml";
import { renderBlockPair, renderFlow, renderKey, renderScalar } from "./yaml-render.ts";

/**
 * Edits a YAML file in place, one value at a time, and leaves every other byte as it was: comments, blank
 * lines, key order, indentation, quoting and flow or block style. The `yaml` package's Document model finds
 * the nodes (parseDocument, their source ranges), and each edit splices only the text of the node it
 * changes. Serialising the edited Document instead (`doc.toString()`) would re-indent nested maps, fold
 * long strings, collapse runs of blank lines and re-space comments and flow maps all over the file.
 *
 * What cannot be changed at one place is refused, never guessed: a value reached through an alias
 * (`*name`), a value or map whose anchor an alias elsewhere uses (changing it would change that one too),
 * and a key that comes from a merge key (`<<: *defaults`) when the edit would delete it or reach below it.
 */

export type YamlValue = string | number | boolean | null | { [key: string]: YamlValue };

/** One change, at a path of keys from the document's root. */
export type YamlEdit =
  | { op: "set"; path: readonly string[]; value: YamlValue }
  | { op: "delete"; path: readonly string[] };

/** An edit that cannot be made in place, with why, in words for the person who must make it by hand. */
export class EditRefused extends Error {
  override name = "EditRefused";
}

interface Parsed {
  text: string;
  doc: Document.Parsed;
  /** Anchors some alias refers to. */
  used: Set<string>;
  newline: string;
}

/** Where a walk down `path` ended. */
interface Found {
  map: YAMLMap;
  /** The pair holding `map`, and the column of its key; undefined for the root. */
  holder?: { pair: Pair; column: number };
  /** The pair of the last key walked to, when the map has it explicitly. */
  pair?: Pair;
  /** How far the walk got: `path[depth]` is the key looked up in `map`. */
  depth: number;
}

/** `text` with `edit` made, or the same text when there is nothing to change (deleting an absent key). */
export function editYaml(text: string, edit: YamlEdit): string {
  const parsed = parse(text);
  return edit.op === "set" ? setAt(parsed, edit.path, edit.value) : deleteAt(parsed, edit.path);
}

function parse(text: string): Parsed {
  const doc = parseDocument(text, { uniqueKeys: false });
  if (doc.errors.length > 0)
    throw new EditRefused(`the file does not read as YAML: ${doc.errors[0]!.message}`);
  const used = new Set<string>();
  visit(doc, {
    Alias: (_key, node) => {
      used.add(node.source);
    },
  });
  return { text, doc, used, newline: text.includes("\r\n") ? "\r\n" : "\n" };
}

function setAt(p: Parsed, path: readonly string[], value: YamlValue): string {
  const found = walk(p, path, "set");
  const key = path[found.depth]!;
  const rest = nest(path.slice(found.depth + 1), value);
  if (!found.pair) return insertPair(p, found, key, rest);
  const node = found.pair.value as Node | null;
  guard(p, node, found.depth === path.length - 1);
  if (found.depth < path.length - 1) {
    // Below a key whose value is not a map: only "nothing" (null, empty) can become one.
    if (!isNothing(node))
      throw new EditRefused(`the file holds a ${kind(node)} at ${show(path, found.depth)}, not a map`);
    return replaceValue(p, found.pair, rest);
  }
  if (isScalar(node) && !isObject(value)) return setScalar(p, found.pair, node, value);
  return replaceValue(p, found.pair, rest);
}

function deleteAt(p: Parsed, path: readonly string[]): string {
  const found = walk(p, path, "delete");
  if (found.depth < path.length - 1) return p.text;
  if (!found.pair) {
    if (hasMerge(found.map)) throw new EditRefused(MERGED);
    return p.text;
  }
  const value = found.pair.value as Node | null;
  if (value && "anchor" in value && value.anchor && p.used.has(value.anchor)) {
    throw new EditRefused(`its value carries the anchor &${value.anchor}, ${SHARED}`);
  }
  const explicit = found.map.items.filter((i) => !isMergeKey(i.key)).length;
  if (explicit === 1 && !hasMerge(found.map) && found.holder) {
    // The last key of a map: `{}`, not a key with nothing after it (which would read as null).
    return replaceValue(p, found.holder.pair, {});
  }
  return found.map.flow ? deleteFlowPair(p, found.map, found.pair) : deleteBlockPair(p, found.pair);
}

/** Down `path` through maps, refusing aliases and shared anchors, to the map that holds (or lacks) its key. */
function walk(p: Parsed, path: readonly string[], op: YamlEdit["op"]): Found {
  let node = p.doc.contents as Node | null;
  let holder: Found["holder"];
  for (let depth = 0; ; depth++) {
    guard(p, node);
    if (!isMap(node))
      throw new EditRefused(`the file holds a ${kind(node)} at ${show(path, depth - 1)}, not a map`);
    const pair = findPair(node, path[depth]!);
    if (depth === path.length - 1 || !pair) {
      if (!pair && depth < path.length - 1 && hasMerge(node) && op === "set") {
        throw new EditRefused(MERGED);
      }
      return { map: node, ...(holder ? { holder } : {}), ...(pair ? { pair } : {}), depth };
    }
    const child = pair.value as Node | null;
    if (!isMap(child) || (isNothing(child) && depth < path.length - 1)) {
      return { map: node, ...(holder ? { holder } : {}), pair, depth };
    }
    holder = { pair, column: column(p.text, (pair.key as Node).range![0]) };
    node = child;
  }
}

const MERGED = "the file may take it from a merge key (<<), which other maps may share";
const SHARED = "which an alias elsewhere uses (changing it here would change that too)";

/** Refuses a node reached through an alias, or one whose anchor an alias uses: the node itself or a map above it. */
function guard(p: Parsed, node: Node | null, self = false): void {
  if (isAlias(node)) {
    throw new EditRefused(
      self
        ? `the file gives its value through an alias (*${node.source}), whose value may be used elsewhere`
        : `it is in a map the file gives through an alias (*${node.source}), whose value may be used elsewhere`,
    );
  }
  if (node && "anchor" in node && node.anchor && p.used.has(node.anchor)) {
    throw new EditRefused(
      self
        ? `its value carries the anchor &${node.anchor}, ${SHARED}`
        : `it is in a map with the anchor &${node.anchor}, ${SHARED}`,
    );
  }
}

function kind(node: Node | null): string {
  if (isScalar(node)) return "value";
  return isCollection(node) ? "list" : "value";
}

// --- the edits ----------------------------------------------------------------------------------------

function setScalar(p: Parsed, pair: Pair, node: Scalar, value: Exclude<YamlValue, object>): string {
  const [start, end] = node.range!;
  const inFlow = isFlowValue(p, pair);
  const keyColumn = column(p.text, (pair.key as Node).range![0]);
  let rendered = renderScalar(value, node.type, { inFlow, indent: keyColumn + 2, newline: p.newline });
  const old = p.text.slice(start, end);
  // An empty value (`key:`) has no text of its own: it starts right after the colon.
  if (old === "" && !rendered.startsWith(" ")) rendered = ` ${rendered}`;
  // A block scalar owns the line break after its last line.
  if (old.endsWith("\n") && !rendered.endsWith("\n")) rendered += p.newline;
  return splice(p.text, start, end, rendered);
}

/** Replaces a pair's whole value (a map, or nothing) with `value` written inline after the colon. */
function replaceValue(p: Parsed, pair: Pair, value: YamlValue): string {
  const key = pair.key as Node;
  const node = pair.value as Node | null;
  const colon = p.text.indexOf(":", key.range![1]);
  const end = node?.range ? Math.max(node.range[1], colon + 1) : colon + 1;
  let stop = end;
  // A block collection's range may end after its last line break; that break stays.
  while (stop > colon + 1 && (p.text[stop - 1] === "\n" || p.text[stop - 1] === "\r")) stop--;
  const inline = ` ${renderFlow(value)}`;
  if (node?.range && p.text.slice(colon + 1, node.range[0]).includes("\n")) {
    // A block collection below the key: the key's own line (and its comment) stays, the lines below go.
    const keyLineEnd = lineEnd(p.text, colon + 1);
    return p.text.slice(0, colon + 1) + inline + p.text.slice(colon + 1, keyLineEnd) + p.text.slice(stop);
  }
  return splice(p.text, colon + 1, stop, inline);
}

function insertPair(p: Parsed, found: Found, key: string, value: YamlValue): string {
  const map = found.map;
  const items = map.items as Pair[];
  if (map.flow) {
    const pairText = `${renderKey(key, true)}: ${renderFlow(value)}`;
    const last = items.at(-1);
    if (!last) return splice(p.text, map.range![0], map.range![1], `{ ${pairText} }`);
    const end = ((last.value as Node | null) ?? (last.key as Node)).range![1];
    return splice(p.text, end, end, `, ${pairText}`);
  }
  const first = items[0];
  if (!first) throw new EditRefused(`${key}'s map has no keys to line it up with`);
  const indent = column(p.text, (first.key as Node).range![0]);
  const step = found.holder && indent > found.holder.column ? indent - found.holder.column : 2;
  const last = items.at(-1)!;
  let end = ((last.value as Node | null) ?? (last.key as Node)).range![1];
  if (p.text[end - 1] === "\n") end -= p.text[end - 2] === "\r" ? 2 : 1;
  const eol = lineEnd(p.text, end);
  const lines = renderBlockPair(key, value, indent, step, p.newline);
  return splice(p.text, eol, eol, `${p.newline}${lines}`);
}

function deleteBlockPair(p: Parsed, pair: Pair): string {
  const keyStart = (pair.key as Node).range![0];
  const lineStartAt = lineStart(p.text, keyStart);
  const start = /^[ \t]*$/.test(p.text.slice(lineStartAt, keyStart)) ? lineStartAt : keyStart;
  let end = ((pair.value as Node | null) ?? (pair.key as Node)).range![1];
  if (p.text[end - 1] !== "\n") {
    end = lineEnd(p.text, end);
    if (p.text[end] === "\n") end += 1;
    else if (p.text.startsWith("\r\n", end)) end += 2;
  }
  return splice(p.text, start, end, "");
}

function deleteFlowPair(p: Parsed, map: YAMLMap, pair: Pair): string {
  const items = map.items as Pair[];
  const index = items.indexOf(pair);
  const endOf = (i: Pair) => ((i.value as Node | null) ?? (i.key as Node)).range![1];
  const next = items[index + 1];
  if (next) return splice(p.text, (pair.key as Node).range![0], (next.key as Node).range![0], "");
  const previous = items[index - 1]!;
  return splice(p.text, endOf(previous), endOf(pair), "");
}

// --- helpers ------------------------------------------------------------------------------------------

function findPair(map: YAMLMap, key: string): Pair | undefined {
  return (map.items as Pair[]).find((pair) => !isMergeKey(pair.key) && keyText(pair.key) === key);
}

/** A key as the loader reads it (yaml.ts): its text; an unquoted number or boolean as written. */
function keyText(key: unknown): string | undefined {
  if (!isScalar(key)) return undefined;
  if (typeof key.value === "string") return key.value;
  if (typeof key.value === "number" || typeof key.value === "boolean") return key.source ?? String(key.value);
  return undefined;
}

function isMergeKey(key: unknown): boolean {
  return isScalar(key) && key.value === "<<" && key.type === Scalar.PLAIN;
}

function hasMerge(map: YAMLMap): boolean {
  return (map.items as Pair[]).some((pair) => isMergeKey(pair.key));
}

/** No value: `key:`, `null`, `~`, or an empty flow map `{}`. */
function isNothing(node: Node | null): boolean {
  if (node === null) return true;
  if (isScalar(node)) return node.value === null;
  return isMap(node) && node.items.length === 0;
}

/** True when the pair's value sits inside a flow collection (`{ a: 1 }`), where `,` `{` `}` end a scalar. */
function isFlowValue(p: Parsed, pair: Pair): boolean {
  let inFlow = false;
  visit(p.doc, {
    Pair: (_key, node, path) => {
      if (node !== pair) return undefined;
      inFlow = path.some((n) => isCollection(n) && n.flow === true);
      return visit.BREAK;
    },
  });
  return inFlow;
}

function isObject(value: YamlValue): value is { [key: string]: YamlValue } {
  return typeof value === "object" && value !== null;
}

function nest(path: readonly string[], value: YamlValue): YamlValue {
  return path.reduceRight<YamlValue>((inner, key) => ({ [key]: inner }), value);
}

function show(path: readonly string[], depth = path.length - 1): string {
  return path.slice(0, depth + 1).join(".");
}

function splice(text: string, start: number, end: number, insert: string): string {
  return text.slice(0, start) + insert + text.slice(end);
}

function lineStart(text: string, at: number): number {
  return text.lastIndexOf("\n", at - 1) + 1;
}

function lineEnd(text: string, at: number): number {
  const n = text.indexOf("\n", at);
  if (n < 0) return text.length;
  return text[n - 1] === "\r" ? n - 1 : n;
}

function column(text: string, at: number): number {
  return at - lineStart(text, at);
}
