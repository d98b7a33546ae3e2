// Which entry the doctown-build bin starts: the bundle (dist/cli.mjs: ~0.2 s of CPU to start) when
// it is newer than every source it was built from, else the TypeScript sources through tsx (~0.5 s
// more), so an edit made after the last build is never silently ignored. Plain JavaScript: this runs
// before anything can compile TypeScript.
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";

/** The newest modification time of the files under `dir` (0 when it does not exist). */
function newestModification(dir) {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const name of readdirSync(dir, { recursive: true })) {
    const { mtimeMs } = statSync(path.join(dir, name));
    if (mtimeMs > newest) newest = mtimeMs;
  }
  return newest;
}

/** `{ bundle: true, file }` for a fresh bundle, else `{ bundle: false, file }` for src/main.ts. */
export function pickEntry(builderRoot) {
  const bundle = path.join(builderRoot, "dist", "cli.mjs");
  const sources = { bundle: false, file: path.join(builderRoot, "src", "main.ts") };
  if (!existsSync(bundle)) return sources;
  const built = statSync(bundle).mtimeMs;
  // The bundle inlines the builder's sources and @doctown/core's (a sibling workspace).
  const inputs = [path.join(builderRoot, "src"), path.join(builderRoot, "..", "core", "src")];
  return inputs.every((dir) => newestModification(dir) <= built) ? { bundle: true, file: bundle } : sources;
}
