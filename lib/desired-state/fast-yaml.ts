import {
  CORE_SCHEMA,
  constructFromEvents,
  EVENT_ID,
  type Event,
  mergeTag,
  parseEvents,
  SCALAR_STYLE,
} from "js-yaml";
import type { YamlLimits } from "./yaml.ts";

/**
 * The fast path of the loader: most desired-state files are valid, and a valid file needs no positions.
 * js-yaml builds plain data about fifteen times faster than the `yaml` package's document model (50,000
 * integrations: 0.3 s against 4.8 s), so the loader reads every file here first, and goes the precise way
 * (yaml.ts: every problem with its line and column) only for a file this path declines or the validator
 * refuses. To never read a file differently from the precise path, this one declines anything where the
 * two could differ, rather than guess:
 * - directives (`%YAML 1.1`), tags, several documents, YAML errors of any kind;
 * - keys that are not plain text (null, aliases, lists, maps) or whose text the precise path keeps as written
 *   while js-yaml would read a number or boolean (`0200:`, `1e3:`, `True:`): only canonical integers such as
 *   status codes (`404:`) and `true`/`false` read the same in both;
 * - loops, documents past half the node limit (the precise path counts merge sources too), nesting past the
 *   depth limit, and the keys the precise path refuses (`__proto__`, `constructor`, `prototype`).
 * A property test holds the two paths to the same value on every document this path accepts.
 */
export const DECLINED = Symbol("declined");

const SCHEMA = CORE_SCHEMA.withTags(mergeTag);
const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);
/** YAML 1.2 core schema scalars that resolve to something other than a string (null, bool, int, float). */
const NON_STRING =
  /^(~|null|Null|NULL|true|True|TRUE|false|False|FALSE|[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+|[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN))$/;
/** Plain keys both paths read as the same text. */
const SAME_TEXT = /^(0|[1-9][0-9]*|true|false)$/;

/** The document as plain data, or DECLINED when the precise path must read it. */
export function fastParse(text: string, limits: YamlLimits): unknown {
  let events: Event[];
  try {
    events = parseEvents(text, { maxDepth: limits.maxDepth });
  } catch {
    return DECLINED;
  }
  if (!plainKeys(events, text)) return DECLINED;
  let documents: unknown[];
  try {
    documents = constructFromEvents(events, { source: text, schema: SCHEMA });
  } catch {
    return DECLINED;
  }
  if (documents.length !== 1) return DECLINED;
  const value = documents[0];
  return safe(value, limits) ? value : DECLINED;
}

/** True when every mapping key is plain text both paths read alike, and nothing carries a tag or directive. */
function plainKeys(events: readonly Event[], source: string): boolean {
  // One frame per open collection: whether it is a mapping, how many nodes it has closed so far, and its
  // anchor (an alias to an open collection is a loop, even through a merge key, which js-yaml would take).
  const frames: { mapping: boolean; nodes: number; anchor?: string }[] = [];
  let documents = 0;
  for (const event of events) {
    if (event.type === EVENT_ID.DOCUMENT) {
      if (++documents > 1 || event.directives.length > 0) return false;
      frames.push({ mapping: false, nodes: 0 });
      continue;
    }
    if (event.type === EVENT_ID.POP) {
      frames.pop();
      const parent = frames.at(-1);
      if (parent) parent.nodes += 1;
      continue;
    }
    const top = frames.at(-1);
    const atKey = top?.mapping === true && top.nodes % 2 === 0;
    if (event.type === EVENT_ID.ALIAS) {
      const name = source.slice(event.anchorStart, event.anchorEnd);
      if (atKey || frames.some((f) => f.anchor === name)) return false;
      if (top) top.nodes += 1;
      continue;
    }
    if (event.tagStart >= 0) return false;
    if (event.type === EVENT_ID.SCALAR) {
      if (atKey && event.style === SCALAR_STYLE.PLAIN) {
        const key = source.slice(event.valueStart, event.valueEnd);
        if (key !== "<<" && (key === "" || (NON_STRING.test(key) && !SAME_TEXT.test(key)))) return false;
      }
      if (top) top.nodes += 1;
      continue;
    }
    // A mapping or a sequence: never a key.
    if (atKey) return false;
    const anchor = event.anchorStart >= 0 ? source.slice(event.anchorStart, event.anchorEnd) : undefined;
    frames.push({ mapping: event.type === EVENT_ID.MAPPING, nodes: 0, ...(anchor ? { anchor } : {}) });
  }
  return documents === 1;
}

/**
 * Plain data within the limits, with no loop and no reserved key. Walks without allocating (no key arrays,
 * no callbacks): it runs over every node of every file.
 */
function safe(value: unknown, limits: YamlLimits): boolean {
  let nodes = 0;
  const open = new Set<object>();
  const walk = (v: unknown, depth: number): boolean => {
    if (++nodes > limits.maxNodes / 2 || depth > limits.maxDepth) return false;
    if (v === null || typeof v === "string" || typeof v === "number" || typeof v === "boolean") return true;
    if (typeof v !== "object") return false;
    if (open.has(v)) return false;
    open.add(v);
    try {
      if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) if (!walk(v[i], depth + 1)) return false;
        return true;
      }
      if (Object.getPrototypeOf(v) !== Object.prototype) return false;
      // for...in also sees inherited enumerable keys; a plain object's prototype has none.
      for (const key in v) {
        if (FORBIDDEN_KEYS.has(key)) return false;
        if (!walk((v as Record<string, unknown>)[key], depth + 1)) return false;
      }
      return true;
    } finally {
      open.delete(v);
    }
  };
  return walk(value, 0);
}
