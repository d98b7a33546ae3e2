/**
 * The RunPod-compatible server as a process (entry: serveMain.ts, or dist/runpod-serve.mjs).
 * Environment: RUNPOD_API_KEY (required), PORT (default 8790), HOST (default 127.0.0.1),
 * DOCTOWN_BUILD_CONCURRENCY (default 1), RUNPOD_ENDPOINT_ID (optional: only that id is served),
 * DOCTOWN_ALLOW_LOCAL_SOURCES=1 (let jobs build local paths; off: only remote https repositories);
 * the build itself reads OPENAI_API_KEY, OPENAI_BASE_URL, DOCTOWN_MODEL, DOCTOWN_CACHE_DIR, ….
 */
import { startRunpodServer, type RunpodServer } from "./server";

export interface ServeDefaults {
  host: string;
  port: number;
}

export async function serveFromEnv(
  env: Record<string, string | undefined>,
  defaults: ServeDefaults = { host: "127.0.0.1", port: 8790 },
): Promise<RunpodServer> {
  const apiKey = env.RUNPOD_API_KEY?.trim();
  if (!apiKey) throw new Error("RUNPOD_API_KEY must be set: every request must carry it as a Bearer token.");
  const port = parsePort(env.PORT, defaults.port);
  const concurrency = Number.parseInt(env.DOCTOWN_BUILD_CONCURRENCY ?? "1", 10);
  const server = await startRunpodServer({
    apiKey,
    port,
    host: env.HOST?.trim() || defaults.host,
    concurrency: Number.isSafeInteger(concurrency) && concurrency > 0 ? concurrency : 1,
    endpointId: env.RUNPOD_ENDPOINT_ID?.trim() || undefined,
    env,
    handlerDeps: { allowLocalSources: env.DOCTOWN_ALLOW_LOCAL_SOURCES === "1" },
  });
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, () => {
      console.error(`received ${signal}: cancelling running builds and stopping`);
      void server.close().then(() => process.exit(0));
    });
  }
  return server;
}

function parsePort(value: string | undefined, fallback: number): number {
  if (value === undefined || value === "") return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`PORT is not a port number: ${value}`);
  return port;
}
