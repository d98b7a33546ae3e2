/**
 * The real dashboard (web/) built for the browser tests — once per content, not once per test file:
 * the first caller builds into a cache named by a hash of everything the build reads (web/'s
 * sources and config, the lock file), every other caller (other test files, later runs) waits for
 * it and copies the result. The build works in its own copy of web/ (sources copied, node_modules
 * linked), because Astro keeps intermediate files under the project root (.astro/).
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { takeDirLock } from "@doctown/testing/dirLock";

const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
const WEB = join(ROOT, "web");
const INPUTS = ["src", "public", "scripts", "astro.config.mjs", "package.json", "tsconfig.json"];
/** Modules of other workspaces the site bundles (the viewer's docpack reader): part of the hash. */
const BUNDLED = ["core/src/docpackFormat.ts", "core/src/patterns.ts"];
const CACHE = join(tmpdir(), "doctown-site-cache");
/** A build that takes longer than this (or a builder that died) no longer holds the lock. */
const BUILD_TIMEOUT_MS = 180_000;

/** Builds web/ into `outDir` (which the local stack may already serve: it reads files per request). */
export async function buildSite(outDir: string): Promise<void> {
  const built = await cachedBuild();
  mkdirSync(outDir, { recursive: true });
  cpSync(built, outDir, { recursive: true });
}

/** The directory of the built site for the current sources, building it if no one has. */
async function cachedBuild(): Promise<string> {
  const site = join(CACHE, sourceHash());
  const lock = `${site}.lock`;
  mkdirSync(CACHE, { recursive: true });
  const deadline = Date.now() + BUILD_TIMEOUT_MS;
  for (;;) {
    if (existsSync(site)) return site;
    if (takeDirLock(lock, BUILD_TIMEOUT_MS)) break;
    if (Date.now() > deadline) throw new Error(`the site build under ${lock} did not finish in ${BUILD_TIMEOUT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200)); // another test file is building it
  }
  try {
    if (existsSync(site)) return site;
    const staging = mkdtempSync(`${site}.build-`);
    try {
      await build(join(staging, "dist"));
      try {
        renameSync(join(staging, "dist"), site); // appears whole or not at all
      } catch (error) {
        if (!existsSync(site)) throw error; // else a builder that took the lock over finished first
      }
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
    return site;
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}


/** sha256 over the build's inputs: web/'s files (names and bytes) and the resolved dependencies. */
function sourceHash(): string {
  const hash = createHash("sha256");
  const add = (path: string) => {
    const stat = statSync(path, { throwIfNoEntry: false });
    if (!stat) return;
    if (stat.isDirectory()) for (const name of readdirSync(path).sort()) add(join(path, name));
    else hash.update(`${path.slice(ROOT.length)}\0`).update(readFileSync(path)).update("\0");
  };
  for (const input of INPUTS) add(join(WEB, input));
  for (const input of BUNDLED) add(join(ROOT, input));
  add(join(ROOT, "package-lock.json"));
  return hash.digest("hex").slice(0, 24);
}

async function build(outDir: string): Promise<void> {
  const project = mkdtempSync(join(tmpdir(), "doctown-web-src-"));
  try {
    for (const entry of INPUTS) if (existsSync(join(WEB, entry))) cpSync(join(WEB, entry), join(project, entry), { recursive: true });
    symlinkSync(join(ROOT, "node_modules"), join(project, "node_modules"));
    await promisify(execFile)(process.execPath, [join(ROOT, "node_modules/astro/astro.js"), "build", "--root", project, "--outDir", outDir], {
      cwd: project,
      env: { ...process.env, ASTRO_TELEMETRY_DISABLED: "1" },
      timeout: 120_000,
    });
  } finally {
    rmSync(project, { recursive: true, force: true });
  }
}
