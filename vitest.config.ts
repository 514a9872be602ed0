import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    setupFiles: ["test/setup/loopback-sts.ts", "test/setup/loopback-events.ts"],
    testTimeout: 20_000,
    // Vitest's default is one worker fewer than there are cores: one worker on a 2-core CI machine. Most
    // of the suite waits on loopback servers (the emulator, moto, dynalite), so one more worker than cores
    // keeps both busy: measured 235 s → about 120 s for the whole suite on 2 cores.
    maxWorkers: availableParallelism() + 1,
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
