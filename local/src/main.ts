/**
 * `npm start`: all of Doctown on this machine (see stack.ts). Settings from the environment:
 *   PORT (3000), HOST (127.0.0.1), DOCTOWN_DATA_DIR (.doctown/)
 *   GITHUB_CLIENT_ID + GITHUB_CLIENT_SECRET   sign-in through a GitHub App (with GITHUB_APP_ID, GITHUB_APP_SLUG,
 *                                            GITHUB_APP_PRIVATE_KEY, GITHUB_WEBHOOK_SECRET; README "GitHub"); without them, the dev sign-in
 *   OPENAI_API_KEY (+ OPENAI_BASE_URL)        generated docs; without them, placeholder docs
 *   DOCTOWN_SKIP_WEB_BUILD=1                  serve web/dist as it is (no rebuild when stale)
 *   DOCTOWN_RUNPOD_URL + DOCTOWN_RUNPOD_API_KEY (+ DOCTOWN_RUNPOD_ENDPOINT_ID)   a builder running
 *                                             elsewhere instead of the embedded one
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { deploymentMode } from "@doctown/core/config";
import { DEFAULT_WEB_ROOT, startLocalStack, type LocalStackOptions } from "./stack";

// The SDK's notice about Node 20 is noise here; Lambda runs Node 22.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));
const WEB_DIR = join(REPO_ROOT, "web");

async function main() {
  const port = parsePort(process.env.PORT ?? "3000");
  const dataDir = resolve(process.env.DOCTOWN_DATA_DIR || ".doctown");
  const host = process.env.HOST || "127.0.0.1";
  // The same decision the handlers make (core/src/config.ts), for the stage this process will be;
  // an ambiguous configuration stops here, before anything starts.
  const mode = deploymentMode({ ...process.env, DOCTOWN_STAGE: "local" });
  if (mode.signIn !== "github" && !isLoopback(host))
    console.warn(`Warning: HOST=${host} exposes the dev sign-in (anyone who reaches it can sign in as anyone); set GITHUB_CLIENT_ID/SECRET.`);
  if (process.env.DOCTOWN_SKIP_WEB_BUILD !== "1") buildDashboardIfStale();

  const stack = await startLocalStack({ port, host, dataDir, runpod: runpodFromEnv() }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "EADDRINUSE") throw new Error(`Port ${port} on ${host} is in use: stop what runs there or set PORT (PORT=0 picks a free one).`);
    throw error;
  });
  // The banner reports what the handlers now see (the stack has set DOCTOWN_STAGE=local).
  const signIn = deploymentMode().signIn === "github" ? "GitHub App" : "dev sign-in (no GITHUB_CLIENT_ID set)";
  const url = stack.url.replace("://127.0.0.1:", "://localhost:");
  console.log(`\nDoctown is running at ${url}\n  data:    ${dataDir}\n  sign-in: ${signIn}\n  docs:    ${process.env.OPENAI_API_KEY ? "LLM" : "placeholder (no OPENAI_API_KEY)"}\nPress Ctrl-C to stop.\n`);

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping Doctown…`);
    // A second Ctrl-C while stopping must still end the process.
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    stack.stop().then(
      () => process.exit(0),
      (error) => {
        console.error("doctown: shutdown failed:", error);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", () => shutdown("SIGINT"));
  process.on("SIGTERM", () => shutdown("SIGTERM"));
}

function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || host.startsWith("127.");
}

function parsePort(raw: string): number {
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, got ${JSON.stringify(raw)}.`);
  return port;
}

function runpodFromEnv(): LocalStackOptions["runpod"] {
  const url = process.env.DOCTOWN_RUNPOD_URL;
  const apiKey = process.env.DOCTOWN_RUNPOD_API_KEY;
  if (!url && !apiKey) return "embedded";
  if (!url || !apiKey) throw new Error("Set both DOCTOWN_RUNPOD_URL and DOCTOWN_RUNPOD_API_KEY to use an external builder.");
  return { url, apiKey, endpointId: process.env.DOCTOWN_RUNPOD_ENDPOINT_ID || undefined };
}

/** Builds web/ when web/dist is missing or older than its sources. */
function buildDashboardIfStale() {
  const builtAt = mtimeOf(join(DEFAULT_WEB_ROOT, "index.html"));
  const sources = [join(WEB_DIR, "src"), join(WEB_DIR, "public"), join(WEB_DIR, "astro.config.mjs")];
  const changedAt = Math.max(...sources.map(newestMtime));
  if (builtAt !== 0 && builtAt >= changedAt) return;
  console.log(`Building the dashboard (${relative(process.cwd(), WEB_DIR) || "web"}/dist is ${builtAt ? "older than its sources" : "missing"})…`);
  const result = spawnSync("npm", ["run", "build", "-w", "web"], { cwd: REPO_ROOT, stdio: "inherit", env: { ...process.env, ASTRO_TELEMETRY_DISABLED: "1" } });
  if (result.status !== 0) throw new Error("The dashboard build failed (npm run build -w web); see the output above.");
}

function mtimeOf(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stats = statSync(path);
  if (!stats.isDirectory()) return stats.mtimeMs;
  let newest = stats.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

main().catch((error) => {
  console.error(`doctown: ${(error as Error).message}`);
  process.exit(1);
});
