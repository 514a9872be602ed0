import { describe, expect, it } from "vitest";
import {
  compareErrors,
  type DesiredStateError,
  formatError,
  suggest,
} from "../../../lib/desired-state/errors.ts";

const error = (file: string, line: number, column: number, pointer = "/a"): DesiredStateError => ({
  file,
  line,
  column,
  pointer,
  message: "m",
});

describe("formatError", () => {
  it("writes file:line:col pointer message, as editors and CI annotations read it", () => {
    expect(
      formatError({ file: "desired-state/a.yaml", line: 3, column: 7, pointer: "/apiId", message: "bad" }),
    ).toBe("desired-state/a.yaml:3:7 /apiId bad");
  });

  it("writes / for an error about the whole file", () => {
    expect(formatError({ file: "a.yaml", line: 1, column: 1, pointer: "", message: "file is empty" })).toBe(
      "a.yaml:1:1 / file is empty",
    );
  });
});

describe("compareErrors", () => {
  it("orders by file, then line, column and pointer", () => {
    const errors = [
      error("b.yaml", 1, 1),
      error("a.yaml", 2, 1),
      error("a.yaml", 1, 5, "/b"),
      error("a.yaml", 1, 5, "/a"),
      error("a.yaml", 1, 2),
    ];

    expect(errors.sort(compareErrors).map((e) => `${e.file}:${e.line}:${e.column}${e.pointer}`)).toEqual([
      "a.yaml:1:2/a",
      "a.yaml:1:5/a",
      "a.yaml:1:5/b",
      "a.yaml:2:1/a",
      "b.yaml:1:1/a",
    ]);
  });

  it("treats errors at the same place as equal", () => {
    expect(compareErrors(error("a.yaml", 1, 1), error("a.yaml", 1, 1))).toBe(0);
  });
});

describe("suggest", () => {
  const fields = ["integrationUri", "integrationType", "timeoutInMillis", "description", "tlsConfig"];

  it("names a candidate that differs only in case", () => {
    expect(suggest("integrationURI", fields)).toBe("integrationUri");
  });

  it("names the closest candidate within a few edits", () => {
    expect(suggest("descripton", fields)).toBe("description");
    expect(suggest("integrationTyp", fields)).toBe("integrationType");
  });

  it("names the one candidate a word abbreviates", () => {
    expect(suggest("timeout", fields)).toBe("timeoutInMillis");
    expect(suggest("tls", fields)).toBeUndefined();
  });

  it("names nothing when the abbreviation is ambiguous or nothing is close", () => {
    expect(suggest("integration", fields)).toBeUndefined();
    expect(suggest("backendAddress", fields)).toBeUndefined();
  });
});
