/**
 * Docpack quality benchmark (prints figures; not a test):
 *   node --import tsx bench/docpack/run.ts <repo-path> [--find NameA,NameB] [--keep out.zip]
 * Builds a placeholder-mode docpack of a local git repository (in this process) and prints:
 * - the share of exported functions/methods with a complete signature (brackets balanced, not cut
 *   with "…", not ending in an open bracket or comma), with a few incomplete ones;
 * - prose files kept: tracked Markdown/MDX/rst/AsciiDoc files outside vendored trees, against the
 *   docpack's prose pages;
 * - packages found: package manifests that name a package (package.json with a name, pyproject.toml
 *   or setup.cfg with one, go.mod, Cargo.toml with [package]), against manifest.packages;
 * - filler sentences in every page (the old placeholder phrases);
 * - for each --find name, the rank a reader's exact-name search gives its first package-source
 *   definition in search.json (1 = first);
 * - the docpack's size against the accepted source text, and the build time.
 * Goals (issue 16): 100 % complete signatures, 100 % prose kept, every package found, 0 filler,
 * rank 1, docpack ≤ 3× the accepted source text.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, copyFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { strFromU8, unzipSync } from "fflate";
import { SearchIndex, type FileEntry, type Manifest, type SymbolEntry } from "@doctown/core/docpackFormat";
import { buildDocpack } from "../../builder/src/build";
import { pathVerdict } from "../../builder/src/scan/rules";

const FUNCTION_KINDS = new Set(["function", "method", "constructor"]);
const FILLER = /placeholder: no doc comment|No symbols were found in this file|\((placeholder)\)/g;
const PROSE = /\.(md|markdown|mdx|rst|adoc|asciidoc)$/i;

/** Brackets balanced outside strings, nothing cut, no dangling opener or comma. */
export function signatureComplete(signature: string): boolean {
  if (!signature || signature.endsWith("…") || /[(<,[{]\s*$/.test(signature)) return false;
  const stack: string[] = [];
  const pairs: Record<string, string> = { ")": "(", "]": "[", "}": "{" };
  for (let i = 0; i < signature.length; i++) {
    const char = signature[i]!;
    if (char === '"' || char === "'" || char === "`") {
      const close = signature.indexOf(char, i + 1);
      if (close === -1) return false;
      i = close;
    } else if (char === "(" || char === "[" || char === "{") stack.push(char);
    else if (char in pairs) {
      if (stack.pop() !== pairs[char]) return false;
    }
  }
  return stack.length === 0;
}

function trackedFiles(repo: string): string[] {
  return execFileSync("git", ["-C", repo, "ls-tree", "-r", "-z", "--name-only", "HEAD"], { maxBuffer: 256 * 1024 * 1024, timeout: 60_000 }).toString("utf8").split("\0").filter(Boolean);
}

function declaresPackage(repo: string, path: string): boolean {
  const base = path.slice(path.lastIndexOf("/") + 1);
  if (!["package.json", "pyproject.toml", "setup.cfg", "go.mod", "Cargo.toml"].includes(base)) return false;
  if (pathVerdict(path)) return false;
  let text: string;
  try {
    text = readFileSync(join(repo, path), "utf8");
  } catch {
    return false;
  }
  if (base === "package.json") {
    try {
      return typeof (JSON.parse(text) as { name?: unknown }).name === "string";
    } catch {
      return false;
    }
  }
  if (base === "pyproject.toml") return /^\[(project|tool\.poetry)\][^[]*^name\s*=/ms.test(text);
  if (base === "setup.cfg") return /^\[metadata\][^[]*^name\s*=/ms.test(text);
  if (base === "go.mod") return /^\s*module\s+\S+/m.test(text);
  return /^\[package\][^[]*^name\s*=/ms.test(text);
}

async function main() {
  const args = process.argv.slice(2);
  const repo = args[0] && !args[0].startsWith("--") ? resolve(args[0]) : undefined;
  if (!repo) {
    console.error("usage: node --import tsx bench/docpack/run.ts <repo-path> [--find NameA,NameB] [--keep out.zip]");
    process.exit(2);
  }
  const find = args.includes("--find") ? args[args.indexOf("--find") + 1]!.split(",").filter(Boolean) : [];
  const keep = args.includes("--keep") ? args[args.indexOf("--keep") + 1] : undefined;
  const work = mkdtempSync(join(tmpdir(), "doctown-bench-docpack-"));
  try {
    const outFile = join(work, "docpack.zip");
    const started = performance.now();
    await buildDocpack({ source: repo, outFile, allowLocal: true, llm: false, env: {} });
    const buildMs = performance.now() - started;
    if (keep) copyFileSync(outFile, keep);
    const entries = unzipSync(new Uint8Array(readFileSync(outFile)));
    const json = <T>(name: string) => JSON.parse(strFromU8(entries[name]!)) as T;
    const manifest = json<Manifest>("manifest.json");
    const files = json<FileEntry[]>("files.json");
    const symbols = json<SymbolEntry[]>("symbols.json");
    const search = SearchIndex.parse(json("search.json"));

    const exportedFunctions = symbols.filter((s) => s.exported && FUNCTION_KINDS.has(s.kind) && s.role === "source");
    const incomplete = exportedFunctions.filter((s) => !signatureComplete(s.signature));
    const tracked = trackedFiles(repo);
    const prose = tracked.filter((p) => PROSE.test(p) && !pathVerdict(p) && statSync(join(repo, p), { throwIfNoEntry: false })?.isFile());
    const kept = new Set(files.filter((f) => f.kind === "prose").map((f) => f.path));
    const lostProse = prose.filter((p) => !kept.has(p));
    const manifests = tracked.filter((p) => declaresPackage(repo, p));
    const found = new Set(manifest.packages.map((p) => p.manifest));
    const missedPackages = manifests.filter((p) => !found.has(p));
    let filler = 0;
    for (const [name, bytes] of Object.entries(entries)) if (name.endsWith(".md")) filler += (strFromU8(bytes).match(FILLER) ?? []).length;
    const bytes = statSync(outFile).size;
    const pct = (part: number, whole: number) => (whole === 0 ? "n/a" : `${((100 * part) / whole).toFixed(1)} %`);

    console.log(`repository            ${repo}`);
    console.log(`files / symbols       ${manifest.stats.files} accepted (${manifest.stats.bytes.toLocaleString("en-US")} bytes of text), ${symbols.length} symbols, ${Object.entries(manifest.languages).map(([l, n]) => `${l} ${n}`).join(", ")}`);
    console.log(`complete signatures   ${pct(exportedFunctions.length - incomplete.length, exportedFunctions.length)} of ${exportedFunctions.length} exported functions/methods in source files`);
    for (const s of incomplete.slice(0, 5)) console.log(`  incomplete: ${s.id}: ${s.signature.slice(0, 160)}`);
    console.log(`prose kept            ${pct(prose.length - lostProse.length, prose.length)} (${prose.length - lostProse.length} of ${prose.length} tracked prose files)`);
    for (const p of lostProse.slice(0, 5)) console.log(`  not kept: ${p}`);
    console.log(`packages found        ${manifests.length - missedPackages.length} of ${manifests.length} manifests naming a package (${manifest.packages.length} packages)`);
    for (const p of missedPackages.slice(0, 5)) console.log(`  missed: ${p}`);
    console.log(`filler sentences      ${filler}`);
    for (const name of find) {
      const matches = search.entries.filter((e) => e[0] === name);
      const rank = matches.findIndex((e) => e[3] === "source" && e[1] !== "heading" && e[1] !== "page") + 1;
      console.log(`search "${name}"`.padEnd(22) + `rank ${rank || "not found"} of ${matches.length} exact matches${rank ? ` -> ${matches[rank - 1]![2]}` : ""}`);
    }
    console.log(`docpack size          ${bytes.toLocaleString("en-US")} bytes = ${(bytes / manifest.stats.bytes).toFixed(2)}x the accepted source text`);
    console.log(`build time            ${(buildMs / 1000).toFixed(2)} s (placeholder mode, in-process)`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
