/**
 * `node --import tsx builder/src/runpod/serveMain.ts` (or the bundle, `node builder/dist/runpod-serve.mjs`):
 * the RunPod-compatible server as a process; settings from the environment (see serve.ts).
 */
import { serveFromEnv } from "./serve";

serveFromEnv(process.env)
  .then((server) => console.error(`doctown RunPod-compatible server listening on ${server.url}`))
  .catch((error: Error) => {
    console.error(`doctown-runpod-server: ${error.message}`);
    process.exit(2);
  });
