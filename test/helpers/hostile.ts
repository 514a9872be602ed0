import { expect } from "vitest";

/**
 * Untrusted text that would forge output if printed raw: each string is what a YAML key, a live parameter,
 * a file name or a service error could hold.
 */
export const HOSTILE = {
  /** A newline, then a GitHub Actions workflow command on a line of its own. */
  newlineCommand: "x\n::error::forged",
  /** A workflow command at the start of the value (and so of a line, for a file name). */
  leadingCommand: "::warning::forged",
  /** The same after white space: the runner TrimStart()s the line first. */
  indentedCommand: "  ::error::forged",
  /** The legacy `##[command]` form, which the runner finds anywhere in a line. */
  legacyCommand: "a ##[error]forged",
  /** Clear the screen. */
  clear: "\u001b[2J",
  /** An OSC 8 hyperlink. */
  hyperlink: "\u001b]8;;https://evil.example/\u0007click\u001b]8;;\u0007",
  /** CSI as one C1 control. */
  c1: "\u009b2J",
  /** A right-to-left override: shows as "aexe.yaml". */
  bidi: "a\u202elmay.exe",
  nul: "a\u0000b",
  separator: "a\u2028b",
  /** What breaks a markdown table cell or code span, or makes markup and mentions. */
  markdown: "a|b`c <b>&</b> @team #12 [x](y)",
} as const;

export const HOSTILE_VALUES: readonly string[] = Object.values(HOSTILE);

/** Control characters and the like that must never reach an output raw (newlines between lines aside). */
const RAW = /[\p{Cc}\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;

/** Fails when `output` holds a raw control character, a line that is a workflow command, or `##[`. */
export function expectNothingForged(output: string): void {
  expect(output.replaceAll("\n", "")).not.toMatch(RAW);
  for (const line of output.split("\n")) {
    expect(line.trimStart().startsWith("::"), `a line starts with "::": ${JSON.stringify(line)}`).toBe(false);
    expect(line.includes("##["), `a line holds "##[": ${JSON.stringify(line)}`).toBe(false);
  }
}
