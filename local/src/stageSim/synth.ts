/**
 * One synthesis shared by everything that reads the synthesized stage (the stage simulation's test
 * and CLI, the stack tests): `scripts/synth.ts` runs in a child process into a fixed outdir, under
 * a lock (vitest runs test files in parallel processes), and is skipped when the outdir was
 * synthesized from the same inputs (a fingerprint of the files synthesis reads).
 */
import { execFileSync, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { takeDirLock } from "@doctown/testing/dirLock";

export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));
/** The shared test synthesis: stage name and outdir. */
export const TEST_SYNTH = { stage: "pr-42", outdir: join(REPO_ROOT, ".sst/dist/test-sim") } as const;

const INPUTS = ["sst.config.ts", "stacks", "functions", "core/src", "core/schema", "core/package.json", "web", "package.json", "package-lock.json", "tsconfig.json"];
const LOCK_STALE_MS = 10 * 60_000;

/** A hash of every file synthesis reads (tracked or not, minus ignored build output). */
export function synthFingerprint(stage: string): string {
  const files = execFileSync("git", ["ls-files", "-co", "--exclude-standard", "--", ...INPUTS], { cwd: REPO_ROOT, encoding: "utf8" })
    .split("\n")
    .filter((file) => file && !file.includes("/test/") && !file.endsWith(".test.ts") && existsSync(join(REPO_ROOT, file)))
    .sort();
  // SST loads the stage's settings from these (git-ignored) files before running the stacks.
  for (const env of [".env", `.env.${stage}`, `.env.${stage}.local`]) if (existsSync(join(REPO_ROOT, env))) files.push(env);
  const hash = createHash("sha256").update(`stage=${stage}\n`);
  // …and stage settings from the environment of the synthesis (stacks/stageSettings.ts, the region).
  for (const name of Object.keys(process.env).filter((n) => /^(DOCTOWN_|RUNPOD_|AWS_REGION$)/.test(n)).sort()) hash.update(`${name}=${process.env[name]}\n`);
  for (const file of files) hash.update(`${file}\n`).update(readFileSync(join(REPO_ROOT, file)));
  return hash.digest("hex");
}

/** Synthesizes `stage` into `outdir` unless it already holds this fingerprint's synthesis. */
export async function ensureSynth(options: { stage: string; outdir: string; log?: (line: string) => void } = TEST_SYNTH): Promise<{ outdir: string; reused: boolean; ms: number }> {
  const outdir = resolve(options.outdir);
  const lock = `${outdir}.lock`;
  const started = Date.now();
  mkdirSync(join(outdir, ".."), { recursive: true });
  await acquire(lock);
  try {
    const fingerprint = synthFingerprint(options.stage);
    const stamp = join(outdir, "synth-fingerprint");
    if (existsSync(stamp) && readFileSync(stamp, "utf8") === fingerprint) return { outdir, reused: true, ms: Date.now() - started };
    options.log?.(`synthesizing stage ${options.stage} into ${outdir} (offline, bundles every handler; ~1-2 min)`);
    rmSync(outdir, { recursive: true, force: true });
    await run(process.execPath, ["--import", "tsx", join(REPO_ROOT, "scripts/synth.ts"), options.stage, outdir]);
    writeFileSync(stamp, fingerprint);
    return { outdir, reused: false, ms: Date.now() - started };
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

async function acquire(lock: string) {
  // Another process synthesizes meanwhile; a lock left by a killed run goes stale.
  while (!takeDirLock(lock, LOCK_STALE_MS)) await new Promise((r) => setTimeout(r, 500));
}

function run(command: string, args: string[]) {
  return new Promise<void>((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd: REPO_ROOT, env: { ...process.env, NODE_ENV: "test" }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("error", reject);
    child.once("exit", (code) => (code === 0 ? resolvePromise() : reject(new Error(`synthesis failed (exit ${code}):\n${output.slice(-4000)}`))));
  });
}
