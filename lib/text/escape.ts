/**
 * Escaping of untrusted text (YAML keys, live parameter keys and values, ids and error messages from the
 * service, file names) before it reaches a terminal, a CI log or a pull-request comment. Every human and
 * markdown surface builds its lines from trusted words and values passed through one of these.
 *
 * A terminal or log line must not be forgeable by a value:
 * - control characters (C0, DEL, C1) and ESC sequences would move the cursor, clear the screen, set the
 *   window title or print hyperlinks (ESC ] 8 ;;); a newline would start a line of the value's choosing;
 * - Unicode bidi controls reorder what is shown (U+202E makes `txt.yaml` read `lmay.txt`), and U+2028 /
 *   U+2029 break lines in some viewers;
 * - the GitHub Actions runner reads workflow commands from every line of a step's output: `::name::` when
 *   the line starts with it after leading white space (ActionCommand.TryParseV2, which TrimStart()s), and
 *   the legacy `##[name]` anywhere in a line (ActionCommand.TryParse, tried next) — an `::error::`,
 *   `::add-mask::` or `::stop-commands::` forged by a file name would be obeyed.
 * All of them are shown visibly instead (`\n`, `\x1b`, `\u202e`, `\x3a`, `\x23`), so what was there can be
 * read off the output. Backslashes are not doubled: the escapes are for reading, and the JSON outputs
 * carry the exact text.
 */

/** C0 and C1 controls, DEL, line and paragraph separators, and the bidi marks, embeddings and isolates. */
const UNSAFE = /[\p{Cc}\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu;
/** What JSON.stringify leaves raw (it escapes C0 itself; the raw newlines in its output are its indentation). */
const UNSAFE_IN_JSON = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu;
const NAMED: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

function visible(c: string): string {
  const code = c.codePointAt(0)!;
  return NAMED[c] ?? (code <= 0xff ? `\\x${hex(code, 2)}` : `\\u${hex(code, 4)}`);
}

function hex(code: number, width: number): string {
  return code.toString(16).padStart(width, "0");
}

/**
 * One value as it may stand anywhere on a terminal or log line, the start included: controls, bidi and
 * separators escaped, a leading `:` (after white space) shown as `\x3a`, and `##[` as `#\x23[`.
 *
 * @example terminal("a\n::error::b") === "a\\n::error::b"; terminal("::error::x") === "\\x3a:error::x"
 */
export function terminal(text: string): string {
  return text
    .replace(UNSAFE, visible)
    .replace(/^(\s*):/u, "$1\\x3a")
    .replaceAll("##[", "#\\x23[");
}

/** A block whose line breaks are its own (a usage message): each line escaped as by {@link terminal}. */
export function terminalLines(text: string): string {
  return text.split("\n").map(terminal).join("\n");
}

/**
 * JSON for stdout: JSON.stringify, which escapes C0 controls but leaves DEL, C1 controls, bidi controls and
 * U+2028/U+2029 raw, with those written as `\uXXXX` too, and `##[` as `#\u0023[`. The value parsed back
 * is exactly the same; the text has nothing a terminal or the Actions runner would act on (every line
 * starts with white space and a JSON token, never with `::`).
 */
export function jsonText(value: unknown, indent = 2): string {
  return (JSON.stringify(value, null, indent) ?? "null")
    .replace(UNSAFE_IN_JSON, (c) => `\\u${hex(c.codePointAt(0)!, 4)}`)
    .replaceAll("##[", "#\\u0023[");
}

/**
 * jsonText(value) in pieces, for a report too large to hold twice over (the text of 50,000 integrations is
 * tens of MB, and a replace copies it): an object's members one at a time, an array member element by
 * element. Joined, the pieces are exactly jsonText(value) (a property test holds them equal). Every
 * piece ends between JSON tokens, so no escape or `##[` spans two of them.
 */
export function* jsonTextChunks(value: unknown, indent = 2): Generator<string> {
  const plain =
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    typeof (value as { toJSON?: unknown }).toJSON !== "function";
  if (!plain) {
    yield jsonText(value, indent);
    return;
  }
  const pad = " ".repeat(indent);
  // As JSON.stringify: members that are undefined, functions or symbols are left out of an object.
  const members = Object.entries(value).filter(([, v]) => !omitted(v));
  if (members.length === 0 || indent === 0) {
    yield jsonText(value, indent);
    return;
  }
  yield "{";
  for (const [i, [key, member]] of members.entries()) {
    yield `\n${pad}${jsonText(key)}: `;
    if (Array.isArray(member) && member.length > 0) {
      yield "[";
      for (const [k, element] of member.entries()) {
        // ... and null in an array.
        const text = jsonText(omitted(element) ? null : element, indent);
        yield `\n${pad}${pad}${reindent(text, pad + pad)}${k < member.length - 1 ? "," : ""}`;
      }
      yield `\n${pad}]`;
    } else {
      yield reindent(jsonText(member, indent), pad);
    }
    if (i < members.length - 1) yield ",";
  }
  yield "\n}";
}

function omitted(v: unknown): boolean {
  return v === undefined || typeof v === "function" || typeof v === "symbol";
}

/** A nested value's lines, indented under its parent (a JSON string holds no raw newline). */
function reindent(text: string, pad: string): string {
  return text.replaceAll("\n", `\n${pad}`);
}

/**
 * Text in a markdown paragraph or table cell, shown as written and never as markup: escaped as for a
 * terminal (the comment is also printed to the CI log), then HTML's `& < >` as entities (a `</details>` or
 * `<!--` in an error would swallow the rest of the comment), markdown's `\ ` * [ ] ~ |` and a `_` at a
 * word's edge with a backslash (no links, emphasis or broken cells), and a zero-width space after `@` and `#` before a word: GitHub
 * turns `@name` into a mention that notifies that user or team (a backslash does not stop it:
 * github/markup#1168) and `#12` into a cross-reference on issue 12.
 */
export function markdownText(text: string): string {
  return (
    terminal(text)
      .replaceAll("&", "&amp;")
      .replaceAll("<", "&lt;")
      .replaceAll(">", "&gt;")
      .replace(/[\\`*[\]~|]/g, "\\$&")
      // `_` emphasises only at a word's edge (GFM): AWS_REGION stays as it is.
      .replace(/(?<![\p{L}\p{N}])_|_(?![\p{L}\p{N}])/gu, "\\_")
      .replace(/([@#])(?=\w)/g, "$1&#8203;")
  );
}

/**
 * An inline code span for an id, a path or a value: escaped as for a terminal, delimited by more backticks
 * than the longest run inside it (CommonMark), padded with a space when it starts or ends with a backtick
 * or a space. Nothing in a code span is markup, HTML or a mention. In a table cell (`table`), `|` is
 * written `\|`, which GFM reads as a pipe inside the cell even in code.
 */
export function markdownCode(text: string, options: { table?: boolean } = {}): string {
  let body = terminal(text);
  if (options.table) body = body.replaceAll("|", "\\|");
  const longest = Math.max(0, ...(body.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longest + 1);
  if (body === "") return "` `";
  const pad = /^[` ]|[` ]$/.test(body) && body.trim() !== "" ? " " : "";
  return `${fence}${pad}${body}${pad}${fence}`;
}

/** Text inside an HTML element of a comment (a `<summary>`): escaped as for a terminal, then as HTML. */
export function htmlText(text: string): string {
  return terminal(text)
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;");
}
