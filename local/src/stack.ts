/**
 * All of Doctown on one machine: dynalite + s3rver (data under dataDir), the builder's
 * RunPod-compatible server, the pipeline on aws-local-stepfunctions, and the gateway serving the
 * API and the dashboard. The same handlers and the same state-machine definition as the cloud run
 * here; only the services behind them are local. One stack per process (config is process.env).
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { deploymentMode } from "@doctown/core/config";
import { startRunpodServer } from "@doctown/builder/runpod/server";
import { sweepOrphanedDocpacks } from "@doctown/core/docpackSweep";
import { bestEffort } from "@doctown/core/jobSubmit";
import { provideServices, resetServices } from "@doctown/core/services";
import { startGateway } from "./gateway";
import { TABLE_KEYS } from "@doctown/core/table";
import { startLocalServices } from "@doctown/testing/storage";
import { LocalWorkflow } from "./workflow";
import { failJobsInFlight, failStaleJobs, INTERRUPTED_AT_START, INTERRUPTED_AT_STOP, SWEEP_EVERY_MINUTES } from "@doctown/core/jobSweep";

export type LocalStackOptions = {
  /** Gateway port; 0 picks a free one. Default 3000. */
  port?: number;
  /** Gateway address. Default 127.0.0.1. */
  host?: string;
  /** Where users, jobs and docpacks live; undefined keeps everything in memory/temp (tests). */
  dataDir?: string;
  /** The builder: the embedded RunPod-compatible server (default), or any RunPod API (`url` like https://api.runpod.ai/v2). */
  runpod?: "embedded" | { url: string; apiKey: string; endpointId?: string };
  /** Overrides of the Dispatch task's HeartbeatSeconds / TimeoutSeconds (the definition stays as is). */
  heartbeatSeconds?: number;
  taskTimeoutSeconds?: number;
  /** Pause between the state machine's retries, in ms (default: the definition's backoff). */
  retryIntervalMs?: number;
  /** Builds running at once on the embedded builder. Default 2. */
  builderConcurrency?: number;
  /** Extra environment for Doctown's config (e.g. GITHUB_CLIENT_ID, OPENAI_API_KEY). */
  env?: Record<string, string>;
  /** The built dashboard. Default web/dist of this checkout. */
  webRoot?: string;
};

export type LocalStack = {
  url: string;
  dataDir: string | undefined;
  /** The running pipeline (tests inspect executions; the definition is core's object). */
  workflow: LocalWorkflow;
  /** The RunPod API base the stack dispatches to. */
  runpodUrl: string;
  stop(): Promise<void>;
};

export const DEFAULT_WEB_ROOT = fileURLToPath(new URL("../../web/dist", import.meta.url));
const LOCAL_ENDPOINT_ID = "local";


export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const dataDir = options.dataDir === undefined ? undefined : resolve(options.dataDir);
  if (dataDir) mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const releaseDataDir = dataDir ? claimDataDir(dataDir) : () => {};
  // Shutdown steps, run last-registered first: a failed start undoes what it had started.
  const cleanups: (() => Promise<void>)[] = [];
  const cleanup = async () => {
    for (const step of cleanups.splice(0).reverse()) await step().catch((error) => console.error("doctown: shutdown step failed:", error));
  };

  cleanups.push(async () => releaseDataDir());

  try {
    const storage = await startLocalServices({ tableKeys: TABLE_KEYS, dataDir });
    cleanups.push(() => storage.stop());

    const runpod = await startRunpod(options);
    let runpodClosed = false;
    const closeRunpod = async () => {
      if (!runpodClosed) await runpod.close();
      runpodClosed = true;
    };
    cleanups.push(closeRunpod);

    const restoreEnv = applyEnv({
      ...storage.env,
      DOCTOWN_STAGE: "local",
      TOKEN_ENCRYPTION_KEY: tokenEncryptionKey(dataDir),
      RUNPOD_API_URL: runpod.url,
      RUNPOD_API_KEY: runpod.apiKey,
      RUNPOD_ENDPOINT_ID: runpod.endpointId,
      ...options.env,
    });
    cleanups.push(async () => {
      resetServices();
      restoreEnv();
    });

    deploymentMode(); // refuses an ambiguous stage or sign-in configuration before anything runs
    resetServices();
    const workflow = new LocalWorkflow({
      heartbeatSeconds: options.heartbeatSeconds,
      taskTimeoutSeconds: options.taskTimeoutSeconds,
      retryIntervalMs: options.retryIntervalMs,
    });
    provideServices({ workflow });
    // This process's workflow is new: whatever was in flight before belongs to a stopped process.
    await failJobsInFlight(INTERRUPTED_AT_START);
    await bestEffort("sweep orphaned docpack objects", async () => void (await sweepOrphanedDocpacks()));
    // The same stale-job sweep the cloud runs on a schedule (core/src/jobSweep.ts).
    const sweeper = setInterval(() => {
      failStaleJobs().catch((error) => console.error("doctown: stale-job sweep failed:", error));
    }, SWEEP_EVERY_MINUTES * 60_000);
    sweeper.unref();
    cleanups.push(async () => clearInterval(sweeper));

    const gateway = await startGateway({
      port: options.port ?? 3000,
      host: options.host,
      webRoot: options.webRoot ?? DEFAULT_WEB_ROOT,
      storageOrigins: [new URL(storage.s3Endpoint).origin],
    });
    cleanups.push(gateway.close);
    // The viewer reads presigned downloads from the storage proxy: only the site's own origin may.
    storage.allowBrowserOrigins(siteOrigins(gateway.url));
    // The site's origin (Origin check, callback URLs) follows Host only for the gateway's own names:
    // a forged Host or X-Forwarded-Host cannot send the builder's callbacks elsewhere.
    const restoreHosts = applyEnv({ DOCTOWN_SITE_HOSTS: siteOrigins(gateway.url).map((origin) => new URL(origin).host).join(",") });
    cleanups.push(async () => restoreHosts());
    // First on stop: jobs in flight fail as interrupted and the builder is stopped while the
    // gateway still answers, so its last reports meet a finished job instead of a closed port.
    cleanups.push(async () => {
      try {
        await workflow.drain();
        await failJobsInFlight(INTERRUPTED_AT_STOP);
      } finally {
        await workflow.close();
        await closeRunpod();
      }
    });

    let stopping: Promise<void> | undefined;
    return {
      url: gateway.url,
      dataDir,
      workflow,
      runpodUrl: runpod.url,
      stop: () => (stopping ??= cleanup()),
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

async function startRunpod(options: LocalStackOptions) {
  if (options.runpod && options.runpod !== "embedded") {
    const { url, apiKey, endpointId = LOCAL_ENDPOINT_ID } = options.runpod;
    return { url: url.replace(/\/+$/, ""), apiKey, endpointId, close: async () => {} };
  }
  const apiKey = randomBytes(24).toString("base64url");
  const server = await startRunpodServer({
    host: "127.0.0.1",
    apiKey,
    endpointId: LOCAL_ENDPOINT_ID,
    concurrency: options.builderConcurrency ?? 2,
    env: { ...process.env, ...options.env },
    // The local stage builds repositories on this machine (absolute paths, file:// URLs).
    handlerDeps: { allowLocalSources: true },
  });
  return { url: `${server.url}/v2`, apiKey, endpointId: LOCAL_ENDPOINT_ID, close: () => server.close() };
}

/** The gateway's origin and its localhost spelling (npm start announces localhost). */
function siteOrigins(url: string): string[] {
  const origin = new URL(url).origin;
  return [origin, origin.replace("://127.0.0.1:", "://localhost:")];
}
/**
 * One stack per data dir: LevelDB allows a single user, and two workflows would each take the
 * other's jobs for interrupted. A pid file marks the owner; a dead owner's file is taken over.
 */
function claimDataDir(dataDir: string): () => void {
  const file = join(dataDir, "doctown.pid");
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, `${process.pid}\n`, { flag: "wx" });
      return () => rmSync(file, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const owner = Number(readFileSync(file, "utf8").trim());
    if (Number.isInteger(owner) && owner > 0 && isAlive(owner))
      throw new Error(`Another Doctown (pid ${owner}) is using ${dataDir}; stop it first, or use another DOCTOWN_DATA_DIR.`);
    rmSync(file, { force: true }); // left by a process that crashed
  }
  throw new Error(`Could not claim ${dataDir}.`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The key that encrypts GitHub tokens: made once per data dir (kept beside the data), random in memory. */
function tokenEncryptionKey(dataDir: string | undefined): string {
  if (!dataDir) return randomBytes(32).toString("base64");
  const file = join(dataDir, "token-encryption.key");
  try {
    return readFileSync(file, "utf8").trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  const key = randomBytes(32).toString("base64");
  writeFileSync(file, `${key}\n`, { mode: 0o600, flag: "wx" });
  return key;
}

/** Sets variables for this process and returns how to put the previous values back. */
function applyEnv(values: Record<string, string>): () => void {
  const previous = new Map(Object.keys(values).map((name) => [name, process.env[name]]));
  Object.assign(process.env, values);
  return () => {
    for (const [name, value] of previous) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}
