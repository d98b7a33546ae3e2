/**
 * Prose page benchmark (prints figures; not a test):
 *   node --import tsx bench/prose/run.ts [dir]
 * Times the builder's Markdown pages (`prosePage`) over every .md file under `dir` (e.g. a checkout
 * of TanStack/query), or, without one, over generated files: clean guides, some with one hostile
 * construct (raw HTML, an image, a javascript: link) in them. "dirty" files are those with
 * something to sanitise; for them the whole-file sanitiser (`embeddedMarkdown`) is timed too,
 * which is what a dirty file cost before blocks were sanitised one by one.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { markdownBlocks } from "../../builder/src/document/cleanMarkdown";
import { embeddedMarkdown } from "../../builder/src/document/modelMarkdown";
import { prosePage } from "../../builder/src/document/prose";

const ROUNDS = 5;

function markdownFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((path) => path.endsWith(".md") && !path.split("/").includes("node_modules"))
    .sort()
    .map((path) => readFileSync(join(dir, path), "utf8"));
}

/** ~200 guides of 2-40 KB; every fifth has one hostile construct somewhere in the middle. */
function generatedFiles(): string[] {
  const hostile = ['<div align="center"><img src="x.png"></div>\n', "![shot](https://cdn.example/s.png)\n", "[run](javascript:alert(1))\n"];
  return Array.from({ length: 200 }, (_, i) => {
    const sections = Array.from({ length: 2 + (i % 40) }, (_, s) =>
      [`## Section ${s}`, "", `Call \`useThing<T>()\` as in [the guide](./guide.md#s${s}) or [the API][api].`, "", "```ts", `const x${s} = useThing({ key: ["k", ${s}] });`, "```", "", "- one\n- two", ""].join("\n"),
    );
    if (i % 5 === 0) sections.splice(sections.length >> 1, 0, hostile[i % 3]!);
    return `# Guide ${i}\n\n${sections.join("\n")}\n[api]: https://example.com/api\n`;
  });
}

/** Milliseconds for `run` over all `files`: the median of ROUNDS rounds after a warm-up. */
function time(files: string[], run: (content: string) => unknown): number {
  const rounds: number[] = [];
  for (let round = 0; round <= ROUNDS; round++) {
    const start = performance.now();
    for (const content of files) run(content);
    if (round > 0) rounds.push(performance.now() - start);
  }
  return rounds.sort((a, b) => a - b)[ROUNDS >> 1]!;
}

const dir = process.argv[2];
const files = dir ? markdownFiles(dir) : generatedFiles();
const dirty = files.filter((content) => markdownBlocks(content)?.blocks.some((block) => !block.headings) ?? true);
const kb = (texts: string[]) => Math.round(texts.reduce((sum, text) => sum + text.length, 0) / 1024);
console.log(`prose: ${files.length} files (${kb(files)} KB) from ${dir ?? "generated guides"}, ${dirty.length} with something to sanitise (${kb(dirty)} KB)`);
console.log(`  prosePage, all files:            ${time(files, (content) => prosePage("a.md", "markdown", content)).toFixed(1)} ms`);
console.log(`  prosePage, dirty files:          ${time(dirty, (content) => prosePage("a.md", "markdown", content)).toFixed(1)} ms`);
console.log(`  whole-file sanitiser, dirty files: ${time(dirty, (content) => embeddedMarkdown(content, { keepHeadings: true })).toFixed(1)} ms`);
