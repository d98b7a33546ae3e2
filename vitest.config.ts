import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["{stacks,testing,core,functions,builder,local,web,bench}/**/*.test.ts"],
    exclude: ["**/node_modules/**", "**/dist/**", ".sst/**"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores: keep file-level parallelism modest so slow suites don't starve each other.
    maxWorkers: 2,
    minWorkers: 1,
  },
});
