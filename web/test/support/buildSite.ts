/**
 * Builds the real dashboard (web/) for a browser test. Each build works in its own copy of web/
 * (sources copied, node_modules linked), because Astro keeps intermediate files under the project
 * root (.astro/) and two test files building web/ at once would overwrite each other's.
 */
import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
const WEB = join(ROOT, "web");

/** Builds web/ into `outDir` (which the local stack may already serve: it reads files per request). */
export async function buildSite(outDir: string): Promise<void> {
  const project = mkdtempSync(join(tmpdir(), "doctown-web-src-"));
  try {
    for (const entry of ["src", "public", "scripts", "astro.config.mjs", "package.json"]) cpSync(join(WEB, entry), join(project, entry), { recursive: true });
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
