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
    // Files share their worker process instead of a fresh one each: loading the module graph (AWS
    // SDK, CDK, our code) once per worker rather than once per file halves the suite's CPU time.
    // vitest.setup.ts undoes what a file changes in the process (environment, services, timers).
    isolate: false,
    setupFiles: ["./vitest.setup.ts"],
  },
});
