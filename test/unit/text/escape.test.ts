import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  htmlText,
  jsonText,
  jsonTextChunks,
  markdownCode,
  markdownText,
  terminal,
  terminalLines,
} from "../../../lib/text/escape.ts";
import { expectNothingForged, HOSTILE, HOSTILE_VALUES } from "../../helpers/hostile.ts";

describe(terminal.name, () => {
  it.each([
    [HOSTILE.newlineCommand, "x\\n::error::forged"],
    [HOSTILE.leadingCommand, "\\x3a:warning::forged"],
    [HOSTILE.indentedCommand, "  \\x3a:error::forged"],
    [HOSTILE.legacyCommand, "a #\\x23[error]forged"],
    [HOSTILE.clear, "\\x1b[2J"],
    [HOSTILE.hyperlink, "\\x1b]8;;https://evil.example/\\x07click\\x1b]8;;\\x07"],
    [HOSTILE.c1, "\\x9b2J"],
    [HOSTILE.bidi, "a\\u202elmay.exe"],
    [HOSTILE.nul, "a\\x00b"],
    [HOSTILE.separator, "a\\u2028b"],
    ["tab\tcr\rdel\u007f", "tab\\tcr\\rdel\\x7f"],
    ["\u2066isolate\u2069 \u200fmark \u061c", "\\u2066isolate\\u2069 \\u200fmark \\u061c"],
    ["###[x]", "##\\x23[x]"],
  ])("shows %j as %j", (input, shown) => {
    expect(terminal(input)).toBe(shown);
  });

  it("leaves ordinary text alone, non-ASCII letters and mid-line colons included", () => {
    const text = 'integration lmb7k2q: timeoutInMillis 12345 → 10000, "überprüfen" 日本 a::b';
    expect(terminal(text)).toBe(text);
  });

  it("never lets a hostile value forge a line, wherever it stands on it", () => {
    for (const value of HOSTILE_VALUES) {
      expectNothingForged(terminal(value));
      expectNothingForged(`${terminal(value)}:1:1 / ${terminal(value)}`);
      expectNothingForged(`      ${terminal(value)}`);
    }
  });
});

describe(terminalLines.name, () => {
  it("keeps the block's own line breaks and escapes each line", () => {
    expect(terminalLines("error: unknown option '--x'\n::error::forged\n")).toBe(
      "error: unknown option '--x'\n\\x3a:error::forged\n",
    );
  });
});

describe(jsonText.name, () => {
  it("parses back to exactly the same value", () => {
    const value = { keys: Object.fromEntries(HOSTILE_VALUES.map((v) => [v, v])), list: HOSTILE_VALUES };
    expect(JSON.parse(jsonText(value))).toEqual(value);
  });

  it("escapes what JSON.stringify leaves raw: DEL, C1, bidi, separators, and the legacy command prefix", () => {
    const raw = JSON.stringify(["\u007f\u009b\u202e\u2028", "##[error]x", "\u001b"]);
    expect(raw).toBe('["\u007f\u009b\u202e\u2028","##[error]x","\\u001b"]');
    expect(jsonText(["\u007f\u009b\u202e\u2028", "##[error]x", "\u001b"], 0)).toBe(
      '["\\u007f\\u009b\\u202e\\u2028","#\\u0023[error]x","\\u001b"]',
    );
  });

  it("never lets a hostile value forge a line", () => {
    expectNothingForged(jsonText({ [HOSTILE.leadingCommand]: HOSTILE_VALUES }));
  });
});

describe(jsonTextChunks.name, () => {
  const text = fc.oneof(fc.string({ unit: "binary" }), fc.constantFrom(...HOSTILE_VALUES, "##[", "#", "["));
  const value = fc.letrec((tie) => ({
    any: fc.oneof(
      { depthSize: "small" },
      text,
      fc.double(),
      fc.boolean(),
      fc.constant(null),
      fc.constant(undefined),
      fc.array(tie("any"), { maxLength: 4 }),
      fc.dictionary(text, tie("any"), { maxKeys: 4 }),
    ),
  })).any;

  it("joins to exactly jsonText, for any value and any indent", () => {
    fc.assert(
      fc.property(fc.oneof(fc.dictionary(text, value, { maxKeys: 6 }), value), fc.nat(4), (v, indent) => {
        expect([...jsonTextChunks(v, indent)].join("")).toBe(jsonText(v, indent));
      }),
      { numRuns: 500 },
    );
  });

  it("writes a report's integrations one at a time", () => {
    const report = { runId: "r", integrations: [{ a: 1 }, { b: [2, 3] }, undefined], warnings: [] };
    const chunks = [...jsonTextChunks(report)];
    expect(chunks.join("")).toBe(jsonText(report));
    expect(chunks).toContain('\n    {\n      "a": 1\n    },');
    expect(chunks).toContain("\n    null");
  });
});

describe(markdownText.name, () => {
  it("shows markup, HTML, mentions and references as text", () => {
    expect(markdownText(HOSTILE.markdown)).toBe(
      "a\\|b\\`c &lt;b&gt;&amp;&lt;/b&gt; @&#8203;team #&#8203;12 \\[x\\](y)",
    );
    expect(markdownText("</details><!-- *bold* _it_ ~~x~~ \\")).toBe(
      "&lt;/details&gt;&lt;!-- \\*bold\\* \\_it\\_ \\~\\~x\\~\\~ \\\\",
    );
    expect(markdownText("AWS_REGION (_x_) snake_case_")).toBe("AWS_REGION (\\_x\\_) snake_case\\_");
  });

  it("escapes controls as for a terminal, keeping their backslash visible once rendered", () => {
    expect(markdownText(HOSTILE.newlineCommand)).toBe("x\\\\n::error::forged");
    expect(markdownText(HOSTILE.clear)).toBe("\\\\x1b\\[2J");
  });
});

describe(markdownCode.name, () => {
  it.each([
    ["/timeoutInMillis", {}, "`/timeoutInMillis`"],
    ["a`b", {}, "``a`b``"],
    ["``x", {}, "``` ``x ```"],
    ["x`", {}, "`` x` ``"],
    [" lead", {}, "`  lead `"],
    ["   ", {}, "`   `"],
    ["", {}, "` `"],
    ["a|b", {}, "`a|b`"],
    ["a|b", { table: true }, "`a\\|b`"],
    [HOSTILE.newlineCommand, { table: true }, "`x\\n::error::forged`"],
    [HOSTILE.hyperlink, {}, "`\\x1b]8;;https://evil.example/\\x07click\\x1b]8;;\\x07`"],
  ])("writes %j as %s", (input, options, written) => {
    expect(markdownCode(input, options)).toBe(written);
  });
});

describe(htmlText.name, () => {
  it("escapes HTML and controls", () => {
    expect(htmlText('a</code><img src="x">&\u001b[2J')).toBe(
      "a&lt;/code&gt;&lt;img src=&quot;x&quot;&gt;&amp;\\x1b[2J",
    );
  });
});
