/**
 * Test support for the Python RunPod worker (builder/runpod/handler.py): the virtual environment
 * with the pinned SDK (made on first use, like .ci/run does), a fresh bundle of the job entry, and
 * the handler under the SDK's own local API server (`--rp_serve_api`) in its own process group.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { bundleBuilder } from "../scripts/bundle";

const builderRoot = fileURLToPath(new URL("..", import.meta.url));
export const repoRoot = path.dirname(builderRoot);
export const HANDLER = path.join(builderRoot, "runpod", "handler.py");
const REQUIREMENTS = path.join(builderRoot, "runpod", "requirements.txt");
const VENV = path.join(repoRoot, ".venv-runpod");

/**
 * `.venv-runpod/` with builder/runpod/requirements.txt installed; (re)made when missing or when the
 * requirements changed. One test file makes it while the others wait (a lock directory: parallel
 * files used to install the SDK twice at once); made under a temporary name and renamed, so no one
 * sees half an environment. Returns its python.
 */
export async function ensureVenv(): Promise<string> {
  const python = path.join(VENV, "bin", "python");
  const wanted = readFileSync(REQUIREMENTS, "utf8");
  const marker = path.join(VENV, "requirements.txt");
  const ready = () => existsSync(python) && existsSync(marker) && readFileSync(marker, "utf8") === wanted;
  if (ready()) return python;
  const lock = `${VENV}.lock`;
  while (!takeLock(lock)) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    if (ready()) return python;
  }
  try {
    if (ready()) return python;
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
    return python;
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** Installing the SDK takes well under this; an older lock was left by a killed run. */
const VENV_LOCK_STALE_MS = 10 * 60_000;

function takeLock(lock: string): boolean {
  try {
    mkdirSync(lock);
    return true;
  } catch {
    const age = Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
    if (age > VENV_LOCK_STALE_MS) rmSync(lock, { recursive: true, force: true });
    return false;
  }
}

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "inherit", "inherit"] });
    child.once("error", reject);
    child.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(" ")} exited with ${code}`))));
  });
}

/** Bundles the builder into a fresh directory inside the workspace (the bundles load npm packages from there). */
export async function freshBundle(): Promise<{ dir: string; jobScript: string }> {
  const dir = mkdtempSync(path.join(builderRoot, ".bundle-runpod-"));
  const bundles = await bundleBuilder(dir);
  return { dir, jobScript: bundles["runpod-job"] };
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
