import { describe, expect, it } from "vitest";
import type { Diff } from "../../../lib/diff/diff.ts";
import { fitDiffs, truncationMarker } from "../../../lib/history/fit.ts";
import { clip, itemBytes, utf8Bytes } from "../../../lib/history/size.ts";

describe(fitDiffs.name, () => {
  it("keeps diffs that fit as they are", () => {
    const diffs: Diff[] = [{ path: "/a", kind: "changed", expected: 1, actual: 2 }];
    expect(fitDiffs(diffs, 1000)).toEqual({ json: JSON.stringify(diffs) });
  });

  it("replaces the largest values first, only as many as needed", () => {
    const diffs: Diff[] = [
      { path: "/big", kind: "changed", expected: "b".repeat(5000), actual: "a".repeat(3000) },
      { path: "/small", kind: "removed", expected: "s".repeat(100) },
    ];
    const { json, note } = fitDiffs(diffs, 4000);
    expect(utf8Bytes(json)).toBeLessThanOrEqual(4000);
    expect(JSON.parse(json)).toEqual([
      { path: "/big", kind: "changed", expected: truncationMarker(5002), actual: "a".repeat(3000) },
      diffs[1],
    ]);
    expect(note).toBe(
      "diffs cut to fit DynamoDB's 400 KB item limit: 1 value replaced by a marker; the run's report and logs have them whole",
    );
    expect(diffs[0]?.expected).toHaveLength(5000); // the report's diffs are left alone
  });

  it("drops diffs from the end when markers are not enough", () => {
    const diffs: Diff[] = Array.from({ length: 500 }, (_, i) => ({
      path: `/requestParameters/p${i}`,
      kind: "added",
      actual: "v",
    }));
    const { json, note } = fitDiffs(diffs, 2000);
    const kept = JSON.parse(json) as Diff[];
    expect(utf8Bytes(json)).toBeLessThanOrEqual(2000);
    expect(kept).toEqual(diffs.slice(0, kept.length));
    expect(note).toContain(`${500 - kept.length} of 500 diffs dropped`);
  });

  it("ends with an empty list when not even one diff fits", () => {
    const { json, note } = fitDiffs([{ path: `/${"p".repeat(100)}`, kind: "added" }], 10);
    expect(json).toBe("[]");
    expect(note).toContain("1 of 1 diffs dropped");
  });
});

describe(clip.name, () => {
  it("leaves short text alone and cuts long text on a character boundary", () => {
    expect(clip("short", 10)).toBe("short");
    const cut = clip("😀".repeat(100), 60);
    expect(utf8Bytes(cut)).toBeLessThanOrEqual(60);
    expect(cut).toMatch(/^(😀)+ … \[cut by apigw-drift: 400 bytes\]$/);
  });
});

describe(itemBytes.name, () => {
  it("counts names and values as DynamoDB does, numbers at their largest", () => {
    expect(itemBytes({ ab: { S: "é" }, n: { N: "1" }, b: { BOOL: true }, z: { NULL: true } })).toBe(
      2 + 2 + 1 + 21 + 2 + 2,
    );
    expect(itemBytes({ m: { M: { k: { S: "v" } } }, l: { L: [{ S: "x" }] } })).toBe(
      1 + 3 + 2 + 1 + 1 + 3 + 1 + 1,
    );
    expect(itemBytes({ b: { B: new Uint8Array(1) } })).toBeGreaterThan(400_000);
  });
});
