import { isMap, isScalar, type Node, type Pair, parseDocument, Scalar } from "yaml";
import type { YamlValue } from "./yaml-edit.ts";

/**
 * How yaml-edit.ts writes a new value: a scalar in the style the old one had where that style can hold it
 * (checked by reading it back), keys and values plain only where they read back as themselves, new maps
 * inline (`{ a: b }`) where a value was, or as block lines where a key is added to a block map.
 */

export interface ScalarContext {
  inFlow: boolean;
  /** The indentation of a block scalar's lines. */
  indent: number;
  newline: string;
}

/** A scalar in the style it had where that style can hold the new value, else double-quoted. */
export function renderScalar(
  value: Exclude<YamlValue, object>,
  style: Scalar["type"],
  context: ScalarContext,
): string {
  if (value === null) return "null";
  if (typeof value !== "string") return String(value);
  if ((style === Scalar.PLAIN || style === undefined) && plainReads(value, context.inFlow, false))
    return value;
  if (style === Scalar.QUOTE_SINGLE && /^[^\n\r]*$/.test(value) && printable(value)) {
    return `'${value.replaceAll("'", "''")}'`;
  }
  if ((style === Scalar.BLOCK_LITERAL || style === Scalar.BLOCK_FOLDED) && !context.inFlow) {
    const block = literalBlock(value, context.indent, context.newline);
    if (block !== undefined) return block;
  }
  return doubleQuoted(value);
}

export function renderKey(key: string, inFlow: boolean): string {
  return plainReads(key, inFlow, true) ? key : doubleQuoted(key);
}

export function renderFlow(value: YamlValue): string {
  if (!isObject(value)) return renderScalar(value, Scalar.PLAIN, { inFlow: true, indent: 0, newline: "\n" });
  const entries = Object.entries(value);
  if (entries.length === 0) return "{}";
  return `{ ${entries.map(([k, v]) => `${renderKey(k, true)}: ${renderFlow(v)}`).join(", ")} }`;
}

export function renderBlockPair(
  key: string,
  value: YamlValue,
  indent: number,
  step: number,
  newline: string,
): string {
  const pad = " ".repeat(indent);
  if (!isObject(value) || Object.keys(value).length === 0) {
    const scalar = isObject(value)
      ? "{}"
      : renderScalar(value, Scalar.PLAIN, { inFlow: false, indent: indent + step, newline });
    return `${pad}${renderKey(key, false)}: ${scalar}`;
  }
  const below = Object.entries(value).map(([k, v]) => renderBlockPair(k, v, indent + step, step, newline));
  return `${pad}${renderKey(key, false)}:${newline}${below.join(newline)}`;
}

/** `"…"`: JSON's escapes are YAML's; characters a YAML stream may not hold raw are escaped too. */
function doubleQuoted(value: string): string {
  return JSON.stringify(value).replace(
    /[\u007f-\u009f\u2028\u2029\ufeff]|\p{Cs}/gu,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/** A `|` block of `value` at `indent`, when a literal block reads back as exactly `value`. */
function literalBlock(value: string, indent: number, newline: string): string | undefined {
  if (!value.includes("\n") || !printable(value.replaceAll("\n", "")) || /^[ \t]/.test(value))
    return undefined;
  const trailing = /\n*$/.exec(value)![0].length;
  const chomp = trailing === 0 ? "-" : trailing === 1 ? "" : "+";
  const body = trailing === 0 ? value : value.slice(0, -1);
  const pad = " ".repeat(indent);
  const lines = body.split("\n").map((l) => (l === "" ? "" : `${pad}${l}`));
  const block = `|${chomp}${newline}${lines.join(newline)}${newline}`;
  return readsAs(`k: ${block}`, value) ? block : undefined;
}

/** True when `text` can stand unquoted (as a value, or a key) and reads back as that very string. */
function plainReads(text: string, inFlow: boolean, asKey: boolean): boolean {
  if (text === "" || text.trim() !== text || /[\n\r\t]/.test(text) || !printable(text)) return false;
  const source = asKey ? `${text}: x` : `k: ${text}`;
  const doc = parseDocument(inFlow ? `{ ${source} }` : source, { uniqueKeys: false });
  if (doc.errors.length > 0 || doc.warnings.length > 0 || !isMap(doc.contents)) return false;
  const pair = doc.contents.items[0] as Pair | undefined;
  const node = (asKey ? pair?.key : pair?.value) as Node | undefined;
  return (
    doc.contents.items.length === 1 &&
    isScalar(node) &&
    node.type === Scalar.PLAIN &&
    node.value === text &&
    !node.comment &&
    !doc.comment
  );
}

function readsAs(source: string, value: string): boolean {
  const doc = parseDocument(source);
  return doc.errors.length === 0 && isMap(doc.contents) && (doc.contents.get("k") as unknown) === value;
}

function printable(text: string): boolean {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the characters refused
  return !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u2028\u2029\ufeff]|\p{Cs}/u.test(text);
}

function isObject(value: YamlValue): value is { [key: string]: YamlValue } {
  return typeof value === "object" && value !== null;
}
