import { Composer, type CST, type Document, LineCounter, Parser } from "yaml";
import type { ParseProblem, Position, YamlLimits } from "./yaml.ts";

/**
 * From one file's bytes to one composed YAML 1.2 document, with the checks the `yaml` package lacks: it
 * recurses once per nesting level (a file of `[[[[…` overflows the stack, at a position that depends on the
 * stack size), builds every document of a stream, reports a decoder error with no position and an unclosed
 * quote at the end of the file.
 */

export interface ComposedFile {
  /** The document, unless a problem stops the file from being read as one. */
  doc?: Document.Parsed;
  /** The position of a source offset. */
  at: (offset: number | undefined) => Position;
  /** Problems found so far: fatal when `doc` is absent, YAML warnings otherwise. */
  problems: ParseProblem[];
}

const EMPTY = "file is empty; write an API's desired state (apiId, protocol, integrations)";

/** The message for nesting deeper than `limits.maxDepth`, here and in the walk over aliases. */
export function deepMessage(limits: YamlLimits): string {
  return `nested deeper than ${limits.maxDepth} levels; a desired-state file is never that deep`;
}

/** Decodes, parses and composes one file, refusing it whole for size, encoding, depth, documents, version. */
export function composeFile(bytes: Uint8Array, limits: YamlLimits, size: number): ComposedFile {
  const lineCounter = new LineCounter();
  const at = (offset: number | undefined): Position => {
    const { line, col } = lineCounter.linePos(offset ?? 0);
    return { line, column: col };
  };
  const fail = (message: string, position: Position = { line: 1, column: 1 }): ComposedFile => ({
    at,
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
    const { line, column, byte } = invalidUtf8Position(bytes);
    return fail(`file is not valid UTF-8 (at byte ${byte}); save it as UTF-8`, { line, column });
  }

  const tokens = Array.from(new Parser(lineCounter.addNewLine).parse(text));
  const tooDeep = firstTooDeep(tokens, limits.maxDepth);
  if (tooDeep !== undefined) return fail(deepMessage(limits), at(tooDeep));
  const docs: Document.Parsed[] = [];
  // Composing stops at the second document: the rest of a many-document file is never built.
  for (const d of new Composer({ uniqueKeys: false, strict: true }).compose(tokens)) {
    if (docs.push(d) > 1) break;
  }
  const doc = docs[0];
  if (!doc) return fail(EMPTY);
  if (docs.length > 1) {
    return fail("file holds more than one YAML document; write one API per file", at(docs[1]!.range[0]));
  }
  const version = doc.directives.yaml.version;
  if (version !== "1.2") {
    const directive = tokens.find((t) => t.type === "directive" && t.source.startsWith("%YAML"));
    return fail(
      `%YAML ${version} is not supported: desired-state files are YAML 1.2 (where yes/no are strings); remove the directive`,
      at(directive?.offset),
    );
  }
  const problems: ParseProblem[] = [];
  for (const e of [...doc.errors, ...doc.warnings]) {
    // Unknown tags are reported by the walk, with the pointer of the value that carries them.
    if (e.code === "TAG_RESOLVE_FAILED" && e.message.startsWith("Unresolved tag")) continue;
    const quote = e.code === "MISSING_CHAR" ? unclosedQuoteStart(tokens, e.pos[0]) : undefined;
    problems.push(
      quote === undefined
        ? { pointer: "", position: at(e.pos[0]), message: `YAML: ${e.message.split("\n")[0]!.trim()}` }
        : {
            pointer: "",
            position: at(quote),
            message: `YAML: the quoted string that starts here is never closed; end it with ${text[quote]}`,
          },
    );
  }
  return doc.errors.length > 0 ? { at, problems } : { doc, at, problems };
}

/** Where in the bytes decoding as UTF-8 fails: 1-based line and column (in UTF-16 units, as editors count). */
export function invalidUtf8Position(bytes: Uint8Array): { line: number; column: number; byte: number } {
  // One streaming decoder, fed a byte at a time, throws at the first byte that cannot continue the text.
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let line = 1;
  let column = 1;
  // The decoder drops a byte order mark, and so do positions in the text.
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  for (let i = bom; i < bytes.length; i++) {
    try {
      decoder.decode(bytes.subarray(i, i + 1), { stream: true });
    } catch {
      return { line, column, byte: i + 1 };
    }
    const b = bytes[i]!;
    if (b === 0x0a) {
      line += 1;
      column = 1;
    } else if ((b & 0xc0) !== 0x80) {
      // A lead byte starts one character; four-byte characters take two UTF-16 units.
      column += b >= 0xf0 ? 2 : 1;
    }
  }
  // Every byte continued the text, so the last character is cut short.
  return { line, column, byte: bytes.length };
}

/**
 * The offset of the first node nested deeper than `maxDepth` (the document's top value is at depth 0).
 * Keys count at the depth of their values.
 */
export function firstTooDeep(tokens: readonly CST.Token[], maxDepth: number): number | undefined {
  return findToken(tokens, (_token, depth) => depth > maxDepth)?.offset;
}

/**
 * The offset of the opening quote of the quoted string that runs unclosed to `end`: the `yaml` package
 * reports a missing closing quote at the end of the file, far from where the string starts.
 */
export function unclosedQuoteStart(tokens: readonly CST.Token[], end: number): number | undefined {
  return findToken(
    tokens,
    (t) =>
      (t.type === "double-quoted-scalar" || t.type === "single-quoted-scalar") &&
      t.offset + t.source.length === end,
  )?.offset;
}

/** The first token, in document order, that `test` accepts; walked without recursion. */
function findToken(
  tokens: readonly CST.Token[],
  test: (token: CST.Token, depth: number) => boolean,
): CST.Token | undefined {
  const stack: { token: CST.Token; depth: number }[] = [];
  for (const token of tokens) {
    if (token.type === "document" && token.value) stack.push({ token: token.value, depth: 0 });
    while (stack.length > 0) {
      const { token: t, depth } = stack.pop()!;
      if (test(t, depth)) return t;
      if (t.type !== "block-map" && t.type !== "block-seq" && t.type !== "flow-collection") continue;
      // Pushed in reverse, so the first item in document order is looked at first.
      for (let i = t.items.length - 1; i >= 0; i--) {
        const item = t.items[i]!;
        if (item.value) stack.push({ token: item.value, depth: depth + 1 });
        if (item.key) stack.push({ token: item.key, depth: depth + 1 });
      }
    }
  }
  return undefined;
}
