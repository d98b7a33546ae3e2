/**
 * Runs around every test file. Test files share their worker process (vitest.config.ts
 * `isolate: false`: the module graph — AWS SDK, CDK, our own code — loads once per worker instead of
 * once per file), so whatever a file changes in the process is undone before the next one starts:
 * the environment (a file's own settings, and what SST's initProject sets), the service registry
 * and the loaded secrets (both built from that environment), fake timers.
 */
import { afterAll, vi } from "vitest";
import { forgetLoadedSecrets } from "@doctown/core/config";
import { resetServices } from "@doctown/core/services";

const env = { ...process.env };

afterAll(() => {
  vi.useRealTimers();
  for (const name of Object.keys(process.env)) if (!(name in env)) delete process.env[name];
  Object.assign(process.env, env);
  resetServices();
  forgetLoadedSecrets();
});
