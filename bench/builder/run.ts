/**
 * Builder benchmark (prints figures; not a test):
 *   node --import tsx bench/builder/run.ts [repo-path] [--files N] [--llm] [--runs N]
 * With a path: builds a docpack of that local git repository. Without: generates a repository of
 * N (default 20,000) TypeScript/Python/Go files and builds that. Placeholder docs by default; with
 * --llm, LLM docs from a local OpenAI-compatible stand-in on 127.0.0.1 that answers at once (so
 * what is measured is the builder's own cost of the LLM path, up to the default token budget). The build is the shipped CLI
 * (`builder/dist/cli.mjs`, bundled afresh by this run, as the Docker image runs it), in its own
 * process: wall time includes Node's start-up; the CLI reports its peak RSS. universal-ctags and
 * `repomix --compress`, where installed, run over the same source files in the same run, and
 * ctags' functions/classes/methods give the symbol recall. With --runs N each tool runs N times,
 * in turn (builder, ctags, repomix, builder, ...: a shared VM's pace drifts within minutes and
 * moves them differently), and the wall times are medians (with their range).
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
import { localLineSpans } from "../../builder/src/extract/treeSitter";
import { ctagsAvailable, repomixCommand, runCtags, runRepomix, symbolRecall, type CtagsTag, type Timed } from "./tools";

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
  const runsFlag = args.indexOf("--runs");
  const runs = runsFlag >= 0 ? Math.max(1, Math.floor(Number(args[runsFlag + 1]) || 1)) : 1;
  const repoArg = args.find((arg, i) => !arg.startsWith("--") && args[i - 1] !== "--files" && args[i - 1] !== "--runs");
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
    // Every run in turn: the builder, ctags and repomix (the same files, then the sources alone).
    const ctagsOn = ctagsAvailable();
    const repomix = repomixCommand();
    const builds: Array<CliSummary & { wallMs: number }> = [];
    const ctagsRuns: Array<Awaited<ReturnType<typeof runCtags>>> = [];
    const repomixRuns: { same: Timed[]; sources: Timed[] } = { same: [], sources: [] };
    let files: FileEntry[] = [];
    let symbols: SymbolEntry[] = [];
    let sources: string[] = [];
    let sourceText: (path: string) => Uint8Array | undefined = () => undefined;
    for (let run = 0; run < runs; run++) {
      builds.push(await buildInChild(cli, repo, outFile, llmEnv));
      if (run === 0) {
        const zip = unzipSync(readFileSync(outFile), {
          filter: (file) => file.name === "files.json" || file.name === "symbols.json" || file.name.startsWith("source/"),
        });
        files = JSON.parse(strFromU8(zip["files.json"])) as FileEntry[];
        symbols = JSON.parse(strFromU8(zip["symbols.json"])) as SymbolEntry[];
        sourceText = (path) => zip[`source/${path}`];
        // The same source files for everyone: what the builder accepted, minus docs (Markdown).
        sources = files.filter((file) => file.language !== "markdown").map((file) => file.path);
      }
      if (ctagsOn) ctagsRuns.push(await runCtags(repo, sources, workDir));
      if (repomix) {
        // The goal compares like with like: repomix reads and packs every file the builder accepted
        // (since format 2 the docpack carries the Markdown as pages and every file's text). The
        // figure over source files alone (what format 1 read) is printed beside it.
        repomixRuns.same.push(await runRepomix(repomix, repo, files.map((file) => file.path), workDir));
        repomixRuns.sources.push(await runRepomix(repomix, repo, sources, workDir));
      }
    }
    const build = builds[0]!;
    const buildWall = median(builds.map((b) => b.wallMs));
    const spread = (walls: number[]) => (walls.length > 1 ? ` (median of ${walls.length}: ${fmt(Math.min(...walls))}–${fmt(Math.max(...walls))})` : "");

    if (model) {
      const { input_tokens = 0, output_tokens = 0, placeholder_files = 0 } = build.docs;
      console.log("\ndoctown builder (LLM docs from a local stand-in answering at once)");
      console.log(`  ${model.requests.length.toLocaleString("en-US")} requests, ${(input_tokens + output_tokens).toLocaleString("en-US")} tokens, ${placeholder_files.toLocaleString("en-US")} files beyond the budget`);
    } else console.log("\ndoctown builder (placeholder docs, no LLM)");
    console.log(`  files ${build.files.toLocaleString("en-US")}, symbols ${build.symbols.toLocaleString("en-US")}, docpack ${(build.bytes / 1024 / 1024).toFixed(1)} MB`);
    console.log(`  skipped ${JSON.stringify(build.skipped)}`);
    console.log(`  wall ${fmt(buildWall)}${spread(builds.map((b) => b.wallMs))} (whole process, Node start-up included), build ${fmt(median(builds.map((b) => b.duration_ms)))}`);
    console.log(`  stages ${Object.keys(build.stage_ms).map((stage) => `${stage} ${fmt(median(builds.map((b) => b.stage_ms[stage] ?? 0)))}`).join(", ")}`);
    console.log(`  ${rate(build.files, buildWall)} files, ${rate(build.symbols, buildWall)} symbols (by process wall time)`);
    console.log(`  peak RSS ${(Math.max(...builds.map((b) => b.peak_rss_bytes)) / 1024 / 1024).toFixed(0)} MB${builds.length > 1 ? ` (the highest of ${builds.length})` : ""}`);

    if (ctagsOn) {
      const ctags = ctagsRuns[0]!;
      console.log(`\nuniversal-ctags over the same ${sources.length.toLocaleString("en-US")} files`);
      if (!ctagsRuns.every((timed) => timed.ok)) console.log(`  failed: ${ctagsRuns.find((timed) => !timed.ok)!.detail}`);
      else {
        const ctagsWall = median(ctagsRuns.map((timed) => timed.wallMs));
        console.log(`  wall ${fmt(ctagsWall)}${spread(ctagsRuns.map((timed) => timed.wallMs))}, ${ctags.tags.length.toLocaleString("en-US")} tags`);
        console.log(`  builder / ctags wall time: ${(buildWall / ctagsWall).toFixed(2)}×  (goal ≤ 3×)`);
        // Only the files of symbols not found are parsed again, to tell which of those are local.
        const missedPaths = new Set(symbolRecall(ctags.tags, symbols).flatMap((r) => [...r.missedPaths]));
        const isLocal = await localTags(files.filter((file) => missedPaths.has(file.path)), sourceText);
        const recall = symbolRecall(ctags.tags, symbols, isLocal);
        const total = recall.reduce((sum, r) => ({ ctags: sum.ctags + r.ctags, found: sum.found + r.found, local: sum.local + r.local }), { ctags: 0, found: 0, local: 0 });
        console.log(`  symbol recall vs ctags (functions, classes, methods): ${pct(total.found, total.ctags)} of ${total.ctags.toLocaleString("en-US")}  (goal ≥ 95 %)`);
        if (total.local > 0)
          console.log(`    not counted: ${total.local.toLocaleString("en-US")} inside functions or callbacks, local by design (${pct(total.found, total.ctags + total.local)} of all ${(total.ctags + total.local).toLocaleString("en-US")})`);
        for (const r of recall) {
          const apart = [
            r.objectLiterals > 0 ? `${r.objectLiterals.toLocaleString("en-US")} object literals ctags calls classes` : "",
            r.local > 0 ? `${r.local.toLocaleString("en-US")} local` : "",
          ].filter(Boolean);
          const literals = apart.length > 0 ? `  (not counted: ${apart.join(", ")})` : "";
          console.log(`    ${r.language.padEnd(12)} ${pct(r.found, r.ctags).padStart(7)} of ${r.ctags.toLocaleString("en-US")}${literals}`);
          for (const tag of r.missed) console.log(`      missed: ${tag.kind} ${tag.name} at ${tag.path}:${tag.line}`);
        }
      }
    } else console.log("\nuniversal-ctags: not installed (skipped)");

    if (repomix) {
      for (const [label, timedRuns, count, goal] of [
        ["the same", repomixRuns.same, files.length, "  (goal ≤ 0.5×)"],
        ["the source files only (no Markdown) of those", repomixRuns.sources, sources.length, ""],
      ] as const) {
        console.log(`\nrepomix --compress over ${label} ${count.toLocaleString("en-US")} files`);
        const failed = timedRuns.find((timed) => !timed.ok);
        if (failed) console.log(`  failed: ${failed.detail}`);
        else {
          const walls = timedRuns.map((timed) => timed.wallMs);
          console.log(`  wall ${fmt(median(walls))}${spread(walls)}`);
          console.log(`  builder / repomix wall time: ${(buildWall / median(walls)).toFixed(2)}×${goal}`);
          if (runs > 1) console.log(`  run by run: ${builds.map((b, i) => `${(b.wallMs / walls[i]!).toFixed(2)}×`).join(", ")}`);
        }
      }
    } else console.log("\nrepomix: not installed (skipped; `npm install -g repomix` to compare)");
  } finally {
    await model?.close();
    rmSync(workDir, { recursive: true, force: true });
  }
}

/**
 * Which ctags tags lie in a scope whose definitions the builder leaves out by design (what a
 * function or a JavaScript callback defines), read from the docpack's own copy of each file.
 */
async function localTags(files: FileEntry[], text: (path: string) => Uint8Array | undefined): Promise<(tag: CtagsTag) => boolean> {
  const spans = new Map<string, Array<[number, number]>>();
  for (const file of files) {
    const bytes = text(file.path);
    if (!bytes) continue;
    const local = await localLineSpans(file.language, strFromU8(bytes));
    if (local.length > 0) spans.set(file.path, local);
  }
  return (tag) => (spans.get(tag.path) ?? []).some(([first, last]) => first <= tag.line && tag.line <= last);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function pct(found: number, total: number): string {
  return total === 0 ? "n/a" : `${((100 * found) / total).toFixed(1)} %`;
}

main().catch((error: Error) => {
  console.error(`bench/builder: ${error.message}`);
  process.exit(1);
});
