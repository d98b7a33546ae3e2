/**
 * Builder benchmark (prints figures; not a test):
 *   node --import tsx bench/builder/run.ts [repo-path] [--files N]
 * With a path: builds a docpack of that local git repository. Without: generates a repository of
 * N (default 20,000) TypeScript/Python/Go files and builds that. The build runs in a child process
 * (wall time, peak RSS); universal-ctags and `repomix --compress`, where installed, run over the
 * same source files in the same run, and ctags' functions/classes/methods give the symbol recall.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { unzipSync, strFromU8 } from "fflate";
import type { FileEntry, SymbolEntry } from "@doctown/core/docpackFormat";
import { generateRepository } from "./generate";
import { ctagsAvailable, repomixCommand, runCtags, runRepomix, symbolRecall } from "./tools";

const here = fileURLToPath(new URL(".", import.meta.url));

interface ChildResult {
  durationMs: number;
  files: number;
  symbols: number;
  skipped: Record<string, number>;
  bytes: number;
  maxRssKb: number;
}

function buildInChild(source: string, outFile: string): Promise<ChildResult & { wallMs: number }> {
  return new Promise((resolvePromise, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ["--import", "tsx", join(here, "child.ts"), source, outFile], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      const wallMs = performance.now() - started;
      if (code !== 0) return reject(new Error(`build failed (exit ${code})`));
      const last = stdout.trim().split("\n").pop() ?? "{}";
      resolvePromise({ ...(JSON.parse(last) as ChildResult), wallMs });
    });
  });
}

const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const rate = (n: number, ms: number) => `${Math.round(n / (ms / 1000)).toLocaleString("en-US")}/s`;

async function main() {
  const args = process.argv.slice(2);
  const filesFlag = args.indexOf("--files");
  const count = filesFlag >= 0 ? Number(args[filesFlag + 1]) : 20_000;
  const repoArg = args.find((arg, i) => !arg.startsWith("--") && args[i - 1] !== "--files");
  const workDir = mkdtempSync(join(tmpdir(), "doctown-bench-"));
  try {
    let repo: string;
    if (repoArg) {
      repo = resolve(repoArg);
      if (!existsSync(join(repo, ".git"))) throw new Error(`${repo} is not a git working tree`);
      console.log(`repository: ${repo}`);
    } else {
      repo = join(workDir, "repo");
      const started = performance.now();
      generateRepository(repo, count);
      console.log(`repository: generated, ${count.toLocaleString("en-US")} source files (${fmt(performance.now() - started)} to generate + commit)`);
    }

    const outFile = join(workDir, "docpack.zip");
    const build = await buildInChild(repo, outFile);
    const zip = unzipSync(readFileSync(outFile), { filter: (file) => file.name === "files.json" || file.name === "symbols.json" });
    const files = JSON.parse(strFromU8(zip["files.json"])) as FileEntry[];
    const symbols = JSON.parse(strFromU8(zip["symbols.json"])) as SymbolEntry[];

    console.log("\ndoctown builder (placeholder docs, no LLM)");
    console.log(`  files ${build.files.toLocaleString("en-US")}, symbols ${build.symbols.toLocaleString("en-US")}, docpack ${(build.bytes / 1024 / 1024).toFixed(1)} MB`);
    console.log(`  skipped ${JSON.stringify(build.skipped)}`);
    console.log(`  wall ${fmt(build.wallMs)} (process incl. Node/tsx start), build ${fmt(build.durationMs)}`);
    console.log(`  ${rate(build.files, build.wallMs)} files, ${rate(build.symbols, build.wallMs)} symbols (by process wall time)`);
    console.log(`  peak RSS ${(build.maxRssKb / 1024).toFixed(0)} MB`);

    // The same source files for everyone: what the builder accepted, minus docs (Markdown).
    const sources = files.filter((file) => file.language !== "markdown").map((file) => file.path);

    if (ctagsAvailable()) {
      const ctags = await runCtags(repo, sources, workDir);
      console.log(`\nuniversal-ctags over the same ${sources.length.toLocaleString("en-US")} files`);
      if (!ctags.ok) console.log(`  failed: ${ctags.detail}`);
      else {
        console.log(`  wall ${fmt(ctags.wallMs)}, ${ctags.tags.length.toLocaleString("en-US")} tags`);
        console.log(`  builder / ctags wall time: ${(build.wallMs / ctags.wallMs).toFixed(2)}×  (goal ≤ 3×)`);
        const recall = symbolRecall(ctags.tags, symbols);
        const total = recall.reduce((sum, r) => ({ ctags: sum.ctags + r.ctags, found: sum.found + r.found }), { ctags: 0, found: 0 });
        console.log(`  symbol recall vs ctags (functions, classes, methods): ${pct(total.found, total.ctags)} of ${total.ctags.toLocaleString("en-US")}  (goal ≥ 95 %)`);
        for (const r of recall) {
          console.log(`    ${r.language.padEnd(12)} ${pct(r.found, r.ctags).padStart(7)} of ${r.ctags.toLocaleString("en-US")}`);
          for (const tag of r.missed) console.log(`      missed: ${tag.kind} ${tag.name} at ${tag.path}:${tag.line}`);
        }
      }
    } else console.log("\nuniversal-ctags: not installed (skipped)");

    const repomix = repomixCommand();
    if (repomix) {
      const timed = await runRepomix(repomix, repo, sources, workDir);
      console.log(`\nrepomix --compress over the same ${sources.length.toLocaleString("en-US")} files`);
      if (!timed.ok) console.log(`  failed: ${timed.detail}`);
      else {
        console.log(`  wall ${fmt(timed.wallMs)}`);
        console.log(`  builder / repomix wall time: ${(build.wallMs / timed.wallMs).toFixed(2)}×  (goal ≤ 0.5×)`);
      }
    } else console.log("\nrepomix: not installed (skipped; `npm install -g repomix` to compare)");
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

function pct(found: number, total: number): string {
  return total === 0 ? "n/a" : `${((100 * found) / total).toFixed(1)} %`;
}

main().catch((error: Error) => {
  console.error(`bench/builder: ${error.message}`);
  process.exit(1);
});
