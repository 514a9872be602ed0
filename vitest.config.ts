import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    setupFiles: ["test/setup/loopback-sts.ts", "test/setup/loopback-events.ts"],
    testTimeout: 20_000,
    coverage: {
      provider: "v8",
      include: ["lib/**/*.ts"],
      // The CLI entry only wires process streams to main(); main() itself is tested.
      exclude: ["lib/cli/bin.ts"],
      reporter: ["text-summary"],
      thresholds: { lines: 90 },
    },
  },
});
