import { terminal } from "../text/escape.ts";

/** A problem with the desired state, located in its file. */
export interface DesiredStateError {
  /** The file, as given to the loader (relative to the working directory when read from a folder). */
  file: string;
  line: number;
  column: number;
  /** RFC 6901 pointer into the file's document; "" for the whole file. */
  pointer: string;
  message: string;
}

/**
 * `file:line:col pointer message`, the form editors and CI annotations understand, as one line for a
 * terminal or log: the file name, pointer and message (which quote keys and values) are escaped, so a key
 * or file name holding a newline or an escape sequence cannot forge a line (lib/text/escape.ts).
 */
export function formatError(e: DesiredStateError): string {
  return terminal(`${e.file}:${e.line}:${e.column} ${e.pointer || "/"} ${e.message}`);
}

/** Orders errors by file, then position, so output is stable. */
export function compareErrors(a: DesiredStateError, b: DesiredStateError): number {
  return a.file < b.file
    ? -1
    : a.file > b.file
      ? 1
      : a.line - b.line ||
        a.column - b.column ||
        (a.pointer < b.pointer ? -1 : a.pointer > b.pointer ? 1 : 0);
}

/**
 * The closest of `candidates` to `word`, if close enough to be a likely typo, else the one candidate that
 * `word` abbreviates (`timeout` for timeoutInMillis).
 */
export function suggest(word: string, candidates: readonly string[]): string | undefined {
  const lower = word.toLowerCase();
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(word.length / 4)) + 1;
  for (const c of candidates) {
    const d = c.toLowerCase() === lower ? 0 : editDistance(lower, c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  if (best !== undefined || lower.length < 4) return best;
  const abbreviated = candidates.filter((c) => c.toLowerCase().startsWith(lower));
  return abbreviated.length === 1 ? abbreviated[0] : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length]!;
}
