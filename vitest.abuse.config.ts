import { defineConfig } from "vitest/config";
import base from "./vitest.config";

/**
 * `npm run test:abuse`: the fault and abuse suite alone (local/test/abuse, plus the focused tests of
 * each hardening fix). Every test prints the figure it held ("[abuse] 12 parallel creates → 3 accepted").
 * The same files also run in `npm test`.
 */
// Not mergeConfig: it would concatenate `include` with the whole suite's.
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: [
      "local/test/abuse/**/*.test.ts",
      "local/test/storageAuth.test.ts",
      "local/test/securityHeaders.test.ts",
      "functions/test/jobLimit.test.ts",
      "functions/test/cursors.test.ts",
      "functions/test/orphans.test.ts",
      "functions/test/rateLimits.test.ts",
    ],
  },
});
