/**
 * Builder benchmark (prints figures; not a test):
 *   node --import tsx bench/builder/run.ts [repo-path] [--files N] [--llm]
 * With a path: builds a docpack of that local git repository. Without: generates a repository of
 * N (default 20,000) TypeScript/Python/Go files and builds that. Placeholder docs by default; with
 * --llm, LLM docs from a local OpenAI-compatible stand-in on 127.0.0.1 that answers at once (so
 * what is measured is the builder's own cost of the LLM path, up to the default token budget). The build is the shipped CLI
 * (`builder/dist/cli.mjs`, bundled afresh by this run, as the Docker image runs it), in its own
 * process: wall time includes Node's start-up; the CLI reports its peak RSS. universal-ctags and
 * `repomix --compress`, where installed, run over the same source files in the same run, and
 * ctags' functions/classes/methods give the symbol recall.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { unzipSync, strFromU8 } from "fflate";
import type { FileEntry, SymbolEntry } from "@doctown/core/docpackFormat";
import { bundleBuilder } from "../../builder/scripts/bundle";
import { startOpenAiServer } from "../../builder/test/openaiServer";
import { generateRepository } from "./generate";
import { ctagsAvailable, repomixCommand, runCtags, runRepomix, symbolRecall } from "./tools";

/** The CLI's `--json` summary (the fields used here). */
interface CliSummary {
  duration_ms: number;
  stage_ms: Record<string, number>;
  files: number;
  symbols: number;
  skipped: Record<string, number>;
  bytes: number;
  peak_rss_bytes: number;
  docs: { mode: string; input_tokens?: number; output_tokens?: number; placeholder_files?: number };
}

/** `llm`: the environment pointing the CLI at a model; without, placeholder docs. */
function buildInChild(cli: string, source: string, outFile: string, llm?: Record<string, string>): Promise<CliSummary & { wallMs: number }> {
  return new Promise((resolvePromise, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [cli, source, ...(llm ? [] : ["--no-llm"]), "--json", "--out", outFile], {
      stdio: ["ignore", "pipe", "inherit"],
      env: { ...process.env, OPENAI_API_KEY: "", ...llm },
    });
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      const wallMs = performance.now() - started;
      if (code !== 0) return reject(new Error(`build failed (exit ${code})`));
      resolvePromise({ ...(JSON.parse(stdout) as CliSummary), wallMs });
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
  const model = args.includes("--llm") ? await startOpenAiServer() : undefined;
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

    const { cli } = await bundleBuilder();
    const outFile = join(workDir, "docpack.zip");
    const llmEnv = model && { OPENAI_API_KEY: "sk-bench", OPENAI_BASE_URL: model.baseURL, DOCTOWN_CACHE_DIR: join(workDir, "llm-cache") };
    const build = await buildInChild(cli, repo, outFile, llmEnv);
    const zip = unzipSync(readFileSync(outFile), { filter: (file) => file.name === "files.json" || file.name === "symbols.json" });
    const files = JSON.parse(strFromU8(zip["files.json"])) as FileEntry[];
    const symbols = JSON.parse(strFromU8(zip["symbols.json"])) as SymbolEntry[];

    if (model) {
      const { input_tokens = 0, output_tokens = 0, placeholder_files = 0 } = build.docs;
      console.log("\ndoctown builder (LLM docs from a local stand-in answering at once)");
      console.log(`  ${model.requests.length.toLocaleString("en-US")} requests, ${(input_tokens + output_tokens).toLocaleString("en-US")} tokens, ${placeholder_files.toLocaleString("en-US")} files beyond the budget`);
    } else console.log("\ndoctown builder (placeholder docs, no LLM)");
    console.log(`  files ${build.files.toLocaleString("en-US")}, symbols ${build.symbols.toLocaleString("en-US")}, docpack ${(build.bytes / 1024 / 1024).toFixed(1)} MB`);
    console.log(`  skipped ${JSON.stringify(build.skipped)}`);
    console.log(`  wall ${fmt(build.wallMs)} (whole process, Node start-up included), build ${fmt(build.duration_ms)}`);
    console.log(`  stages ${Object.entries(build.stage_ms).map(([stage, ms]) => `${stage} ${fmt(ms)}`).join(", ")}`);
    console.log(`  ${rate(build.files, build.wallMs)} files, ${rate(build.symbols, build.wallMs)} symbols (by process wall time)`);
    console.log(`  peak RSS ${(build.peak_rss_bytes / 1024 / 1024).toFixed(0)} MB`);

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
          const literals = r.objectLiterals > 0 ? `  (not counted: ${r.objectLiterals.toLocaleString("en-US")} object literals ctags calls classes)` : "";
          console.log(`    ${r.language.padEnd(12)} ${pct(r.found, r.ctags).padStart(7)} of ${r.ctags.toLocaleString("en-US")}${literals}`);
          for (const tag of r.missed) console.log(`      missed: ${tag.kind} ${tag.name} at ${tag.path}:${tag.line}`);
        }
      }
    } else console.log("\nuniversal-ctags: not installed (skipped)");

    const repomix = repomixCommand();
    if (repomix) {
      // The goal compares like with like: repomix reads and packs every file the builder accepted
      // (since format 2 the docpack carries the Markdown as pages and every file's text). The
      // figure over source files alone (what format 1 read) is printed beside it.
      const accepted = files.map((file) => file.path);
      for (const [label, paths, goal] of [
        ["the same", accepted, "  (goal ≤ 0.5×)"],
        ["the source files only (no Markdown) of those", sources, ""],
      ] as const) {
        const timed = await runRepomix(repomix, repo, paths, workDir);
        console.log(`\nrepomix --compress over ${label} ${paths.length.toLocaleString("en-US")} files`);
        if (!timed.ok) console.log(`  failed: ${timed.detail}`);
        else {
          console.log(`  wall ${fmt(timed.wallMs)}`);
          console.log(`  builder / repomix wall time: ${(build.wallMs / timed.wallMs).toFixed(2)}×${goal}`);
        }
      }
    } else console.log("\nrepomix: not installed (skipped; `npm install -g repomix` to compare)");
  } finally {
    await model?.close();
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
