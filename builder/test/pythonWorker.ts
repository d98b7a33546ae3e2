/**
 * Test support for the Python RunPod worker (builder/runpod/handler.py): the virtual environment
 * with the pinned SDK (made on first use, like .ci/run does), the builder's bundle for the current
 * sources, and the handler under the SDK's own local API server (`--rp_serve_api`) in its own
 * process group. The environment and the bundle are each made by one test file while the others
 * wait (a lock directory), under a temporary name renamed when whole, and kept for later runs.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { bundleBuilder } from "../scripts/bundle";
import { takeDirLock } from "@doctown/testing/dirLock";

const builderRoot = fileURLToPath(new URL("..", import.meta.url));
export const repoRoot = path.dirname(builderRoot);
export const HANDLER = path.join(builderRoot, "runpod", "handler.py");
const REQUIREMENTS = path.join(builderRoot, "runpod", "requirements.txt");
const VENV = path.join(repoRoot, ".venv-runpod");

/**
 * `.venv-runpod/` with builder/runpod/requirements.txt installed; (re)made when missing or when the
 * requirements changed (parallel files used to install the SDK twice at once). Returns its python.
 */
export async function ensureVenv(): Promise<string> {
  const python = path.join(VENV, "bin", "python");
  const wanted = readFileSync(REQUIREMENTS, "utf8");
  const marker = path.join(VENV, "requirements.txt");
  const ready = () => existsSync(python) && existsSync(marker) && readFileSync(marker, "utf8") === wanted;
  await madeOnce(`${VENV}.lock`, ready, async () => {
    const staging = mkdtempSync(path.join(repoRoot, ".venv-runpod-staging-"));
    try {
      await run("python3", ["-m", "venv", staging]);
      await run(path.join(staging, "bin", "pip"), ["install", "--quiet", "--disable-pip-version-check", "-r", REQUIREMENTS]);
      writeFileSync(path.join(staging, "requirements.txt"), wanted);
      rmSync(VENV, { recursive: true, force: true });
      renameSync(staging, VENV);
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
  });
  return python;
}

/** What the bundle is made from: the builder's and core's sources, the bundling script, the dependencies. */
const BUNDLE_INPUTS = ["builder/src", "builder/scripts/bundle.ts", "builder/package.json", "core/src", "core/package.json", "package-lock.json"];
const BUNDLE_PREFIX = ".bundle-shared-";

/**
 * The builder bundled (scripts/bundle.ts) for the current sources, in builder/.bundle-shared-<hash>/
 * (inside the workspace: the bundles load npm packages from there); made once per content, not once
 * per test file, and the bundles of older sources removed then. Read-only for its users.
 */
export async function sharedBundle(): Promise<{ dir: string; jobScript: string }> {
  const dir = path.join(builderRoot, `${BUNDLE_PREFIX}${bundleInputsHash()}`);
  await madeOnce(path.join(builderRoot, ".bundle-shared.lock"), () => existsSync(dir), async () => {
    const staging = mkdtempSync(path.join(builderRoot, ".bundle-staging-"));
    try {
      await bundleBuilder(staging);
      for (const old of readdirSync(builderRoot).filter((name) => name.startsWith(BUNDLE_PREFIX))) rmSync(path.join(builderRoot, old), { recursive: true, force: true });
      renameSync(staging, dir);
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
  });
  return { dir, jobScript: path.join(dir, "runpod-job.mjs") };
}

function bundleInputsHash(): string {
  const hash = createHash("sha256");
  const add = (file: string) => {
    const stat = statSync(file, { throwIfNoEntry: false });
    if (!stat) return;
    if (stat.isDirectory()) for (const name of readdirSync(file).sort()) add(path.join(file, name));
    else hash.update(`${path.relative(repoRoot, file)}\0`).update(readFileSync(file)).update("\0");
  };
  for (const input of BUNDLE_INPUTS) add(path.join(repoRoot, input));
  return hash.digest("hex").slice(0, 16);
}

/** Making a venv or a bundle takes well under this; an older lock was left by a killed run. */
const LOCK_STALE_MS = 10 * 60_000;

/** Runs `make` unless `ready()`: one process at a time (a lock directory), the others wait for it. */
async function madeOnce(lock: string, ready: () => boolean, make: () => Promise<void>): Promise<void> {
  if (ready()) return;
  while (!takeDirLock(lock, LOCK_STALE_MS)) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    if (ready()) return;
  }
  try {
    if (!ready()) await make();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}


function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "inherit", "inherit"] });
    child.once("error", reject);
    child.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(" ")} exited with ${code}`))));
  });
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface SdkServer {
  url: string;
  /** Everything the worker printed on stderr so far. */
  stderr(): string;
  /** The builder child pids the handler logged ("builder pid N"). */
  builderPids(): number[];
  /** Kills the worker's own process group (not its builders', which have their own) at once. */
  crash(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The handler under the SDK's local API server on 127.0.0.1; resolves once it answers HTTP.
 * `at` runs another copy of the handler (the image's layout) from its directory.
 */
export async function startSdkServer(python: string, env: Record<string, string>, at?: { handler: string; cwd: string }): Promise<SdkServer> {
  const port = await freePort();
  const child: ChildProcess = spawn(python, [at?.handler ?? HANDLER, "--rp_serve_api", "--rp_api_host", "127.0.0.1", "--rp_api_port", String(port)], {
    cwd: at?.cwd ?? repoRoot,
    env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? "/tmp", UVICORN_LOG_LEVEL: "warning", ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true, // its own process group: close() stops the server and anything it started
  });
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const close = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(-child.pid!, "SIGTERM");
    } catch {
      return;
    }
    const killer = setTimeout(() => {
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        // gone
      }
    }, 5_000);
    await exited;
    clearTimeout(killer);
  };
  for (let attempt = 0; ; attempt++) {
    if (child.exitCode !== null) throw new Error(`the worker exited (${child.exitCode}): ${stderr}`);
    try {
      if ((await fetch(`${url}/docs`, { redirect: "manual" })).status < 500) break;
    } catch {
      // not listening yet
    }
    if (attempt > 600) {
      await close();
      throw new Error(`the worker did not start: ${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url,
    stderr: () => stderr,
    builderPids: () => [...stderr.matchAll(/builder pid (\d+)/g)].map((match) => Number(match[1])),
    async crash() {
      process.kill(-child.pid!, "SIGKILL");
      await exited;
    },
    close,
  };
}

/** Whether any process of this process group is still alive. */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

export interface WorkerLoop {
  stderr(): string;
  builderPids(): number[];
  close(): Promise<void>;
}

/** The handler as RunPod runs it: the SDK's worker loop, taking jobs from RUNPOD_WEBHOOK_GET_JOB. */
export function startWorkerLoop(python: string, env: Record<string, string>): WorkerLoop {
  const child = spawn(python, [HANDLER], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? "/tmp", ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    stderr: () => stderr,
    builderPids: () => [...stderr.matchAll(/builder pid (\d+)/g)].map((match) => Number(match[1])),
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      for (const signal of ["SIGTERM", "SIGKILL"] as const) {
        try {
          process.kill(-child.pid!, signal);
        } catch {
          return;
        }
        const stopped = await Promise.race([exited.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 5_000))]);
        if (stopped) return;
      }
    },
  };
}
