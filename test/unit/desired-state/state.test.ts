import { describe, expect, it } from "vitest";
import { loadDesiredFiles } from "../../../lib/desired-state/load.ts";
import type { DesiredDocument } from "../../../lib/desired-state/schema.ts";
import {
  documents,
  stateFromEntries,
  stateFromTexts,
  validatedText,
} from "../../../lib/desired-state/state.ts";

const doc: DesiredDocument = {
  apiId: "a1b2c3d4e5",
  protocol: "HTTP",
  integrations: { bbb2222: { timeoutInMillis: 3000 }, aaa1111: { description: "é ✓ 日本" } },
};

describe("a desired state's texts", () => {
  it("read the same from text, from UTF-8 bytes and from the loader's entries, a fresh document each time", () => {
    const loaded = validatedText("desired-state/a.yaml", doc);
    for (const state of [
      stateFromTexts([{ file: "desired-state/a.yaml", json: JSON.stringify(doc) }]),
      stateFromTexts([{ file: "desired-state/a.yaml", json: loaded.json }]),
      stateFromEntries([loaded]),
    ]) {
      expect(state.apis).toEqual([
        {
          file: "desired-state/a.yaml",
          apiId: "a1b2c3d4e5",
          protocol: "HTTP",
          prune: false,
          mode: "enforce",
          integrationIds: ["aaa1111", "bbb2222"],
          datedIgnores: [],
        },
      ]);
      const first = state.document("a1b2c3d4e5");
      expect(first).toEqual(doc);
      first.integrations.aaa1111!.description = "changed by a caller";
      expect(state.document("a1b2c3d4e5")).toEqual(doc);
    }
    expect(loaded.json).toBeInstanceOf(Uint8Array);
    expect(new TextDecoder().decode(loaded.json as Uint8Array)).toBe(JSON.stringify(doc));
  });

  it("read back, from the loader, as the documents it validated", () => {
    const yaml = "apiId: a1b2c3d4e5\nprotocol: HTTP\nintegrations:\n  aaa1111:\n    description: é\n";
    const state = loadDesiredFiles([{ path: "desired-state/a.yaml", bytes: Buffer.from(yaml) }]);
    expect(state.errors).toEqual([]);
    expect(documents(state)).toEqual([
      {
        file: "desired-state/a.yaml",
        doc: { apiId: "a1b2c3d4e5", protocol: "HTTP", integrations: { aaa1111: { description: "é" } } },
      },
    ]);
  });
});
