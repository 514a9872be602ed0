/** Code-unit order, as ids and ISO-8601 instants sort in history keys: the same on every machine. */
export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
