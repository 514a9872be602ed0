/**
 * RFC 6901 JSON Pointers: `/requestTemplates/application~1json` names the `application/json` key.
 */

/** Escapes one reference token: `~` becomes `~0`, `/` becomes `~1` (RFC 6901 §3). */
export function escapeToken(token: string): string {
  return token.replaceAll("~", "~0").replaceAll("/", "~1");
}

/** Undoes {@link escapeToken}; `~1` is decoded before `~0` as RFC 6901 §4 requires. */
export function unescapeToken(token: string): string {
  return token.replaceAll("~1", "/").replaceAll("~0", "~");
}

/** The pointer to `token` under `parent`. */
export function childPointer(parent: string, token: string): string {
  return `${parent}/${escapeToken(token)}`;
}

/** Builds a pointer from unescaped tokens. */
export function toPointer(tokens: readonly (string | number)[]): string {
  return tokens.map((t) => `/${escapeToken(String(t))}`).join("");
}

const POINTER = /^(\/([^~/]|~[01])*)*$/;

/** True when `text` is a syntactically valid RFC 6901 pointer (the empty string included). */
export function isPointer(text: string): boolean {
  return POINTER.test(text);
}

/** The unescaped tokens of a valid pointer. */
export function parsePointer(pointer: string): string[] {
  if (!isPointer(pointer)) throw new Error(`not a JSON Pointer: ${JSON.stringify(pointer)}`);
  return pointer === "" ? [] : pointer.slice(1).split("/").map(unescapeToken);
}

/**
 * True when `pointer` is `prefix` or lies below it. Compares whole tokens, so `/request` does not cover
 * `/requestParameters`.
 */
export function covers(prefix: string, pointer: string): boolean {
  return pointer === prefix || pointer.startsWith(`${prefix}/`);
}
