/**
 * `npm run bench`: runs every bench/<name>/run.ts in turn (each prints its own figures).
 * Arguments after `--` are passed to each benchmark.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const benchDir = fileURLToPath(new URL(".", import.meta.url));
const benches = readdirSync(benchDir, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(benchDir, entry.name, "run.ts")))
  .map((entry) => entry.name)
  .sort();

let failed = 0;
for (const name of benches) {
  console.log(`\n=== bench/${name} ===`);
  const result = spawnSync(process.execPath, ["--import", "tsx", join(benchDir, name, "run.ts"), ...process.argv.slice(2)], {
    stdio: "inherit",
  });
  if (result.status !== 0) {
    failed += 1;
    console.log(`bench/${name} exited with ${result.status ?? result.signal}`);
  }
}
process.exit(failed > 0 ? 1 : 0);
