/**
 * The reference tools the builder benchmark compares against, run over the same source files:
 * universal-ctags (symbol recall + speed) and `repomix --compress` (speed).
 */
import { spawn, spawnSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { SymbolEntry } from "@doctown/core/docpackFormat";

export interface Timed {
  wallMs: number;
  ok: boolean;
  detail?: string;
}

/** Builder language → ctags language, where both parse it (ctags has no TSX parser). */
export const CTAGS_LANGUAGE: Record<string, string> = {
  typescript: "TypeScript",
  javascript: "JavaScript",
  python: "Python",
  go: "Go",
  rust: "Rust",
  java: "Java",
  csharp: "C#",
  c: "C",
  cpp: "C++",
  ruby: "Ruby",
  php: "PHP",
};

/** ctags kinds that are functions, classes or methods (Python methods are "member"). */
const CTAGS_KINDS = new Set(["function", "func", "class", "method", "member", "singletonMethod"]);

export function run(command: string, args: string[], options: { cwd: string; input?: string }): Promise<Timed> {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(command, args, { cwd: options.cwd, stdio: ["pipe", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()).length > 4000 && (stderr = stderr.slice(-2000)));
    child.on("error", (error) => resolve({ wallMs: performance.now() - started, ok: false, detail: error.message }));
    child.on("close", (code) => resolve({ wallMs: performance.now() - started, ok: code === 0, detail: code === 0 ? undefined : stderr.trim().slice(-500) }));
    child.stdin.end(options.input ?? "");
  });
}

export function ctagsAvailable(): boolean {
  const probe = spawnSync("ctags", ["--version"], { encoding: "utf8" });
  return probe.status === 0 && probe.stdout.includes("Universal Ctags");
}

/** `repomix` on PATH, else a locally installed one through `npx --no-install`; null when absent. */
export function repomixCommand(): string[] | null {
  if (spawnSync("repomix", ["--version"], { stdio: "ignore" }).status === 0) return ["repomix"];
  if (spawnSync("npx", ["--no-install", "repomix", "--version"], { stdio: "ignore" }).status === 0) return ["npx", "--no-install", "repomix"];
  return null;
}

export interface CtagsTag {
  name: string;
  path: string;
  line: number;
  kind: string;
  language: string;
  /** the tagged source line, as ctags quotes it (`/^  eslint: {$/`) */
  pattern: string;
}

export async function runCtags(repo: string, files: string[], workDir: string): Promise<Timed & { tags: CtagsTag[] }> {
  const list = join(workDir, "ctags-files.txt");
  const out = join(workDir, "tags.json");
  writeFileSync(list, files.join("\n") + "\n");
  rmSync(out, { force: true }); // ctags will not overwrite a file it did not write as a tag file
  const timed = await run("ctags", ["--output-format=json", "--fields=+nKlE", "-L", list, "-f", out], { cwd: repo });
  if (!timed.ok) return { ...timed, tags: [] };
  const tags: CtagsTag[] = [];
  for (const line of readFileSync(out, "utf8").split("\n")) {
    if (!line.startsWith("{")) continue;
    const tag = JSON.parse(line) as { _type: string; name: string; path: string; line: number; kind: string; language: string; pattern?: string; extras?: string };
    if (tag._type !== "tag" || tag.extras?.includes("anonymous")) continue;
    tags.push({ name: tag.name, path: tag.path, line: tag.line, kind: tag.kind, language: tag.language, pattern: tag.pattern ?? "" });
  }
  return { ...timed, tags };
}

export async function runRepomix(command: string[], repo: string, files: string[], workDir: string): Promise<Timed> {
  const [bin, ...prefix] = command;
  return run(bin, [...prefix, "--compress", "--stdin", "--quiet", "-o", join(workDir, "repomix-output.xml")], {
    cwd: repo,
    input: files.join("\n") + "\n",
  });
}

export interface Recall {
  language: string;
  ctags: number;
  found: number;
  /** ctags "classes" that are object literals (not counted in `ctags`) */
  objectLiterals: number;
  /** ctags' symbols inside a scope whose definitions the builder does not list by design (not counted) */
  local: number;
  /** A few of ctags' symbols the builder did not find, to look at. */
  missed: CtagsTag[];
  /** The files of all of them */
  missedPaths: Set<string>;
}

/**
 * ctags' JavaScript parser tags an object literal bound to a name (`const config = {`) and every
 * object-valued key inside it (`eslint: {`) as a "class". They are not classes, and the builder
 * does not document configuration keys as symbols, so recall leaves them out (and reports how
 * many there were): a JavaScript "class" counts when its source line has the `class` keyword.
 */
export function isObjectLiteralClass(tag: CtagsTag): boolean {
  return tag.language === "JavaScript" && tag.kind === "class" && !/\bclass\b/.test(tag.pattern);
}

/**
 * Of ctags' functions/classes/methods, how many the builder also found: same file, same name,
 * ctags' line inside the builder symbol's span (ctags points at the name, the builder at the
 * node, which may start at a decorator or `export`). Tags the builder did not find that `isLocal`
 * calls local (defined in a function, or a JavaScript callback: left out by design) are counted apart.
 */
export function symbolRecall(tags: CtagsTag[], symbols: SymbolEntry[], isLocal: (tag: CtagsTag) => boolean = () => false): Recall[] {
  const byKey = new Map<string, SymbolEntry[]>();
  for (const symbol of symbols) {
    const key = `${symbol.file}\0${symbol.name}`;
    byKey.set(key, [...(byKey.get(key) ?? []), symbol]);
  }
  const perLanguage = new Map<string, Recall>();
  for (const tag of tags) {
    if (!CTAGS_KINDS.has(tag.kind)) continue;
    if (tag.kind === "member" && tag.language !== "Python") continue;
    const entry = perLanguage.get(tag.language) ?? { language: tag.language, ctags: 0, found: 0, objectLiterals: 0, local: 0, missed: [], missedPaths: new Set<string>() };
    perLanguage.set(tag.language, entry);
    if (isObjectLiteralClass(tag)) {
      entry.objectLiterals += 1;
      continue;
    }
    const candidates = byKey.get(`${tag.path}\0${tag.name}`) ?? [];
    const found = candidates.some((s) => s.start_line - 1 <= tag.line && tag.line <= s.end_line);
    if (!found && isLocal(tag)) {
      entry.local += 1;
      continue;
    }
    entry.ctags += 1;
    if (found) entry.found += 1;
    else {
      entry.missedPaths.add(tag.path);
      if (entry.missed.length < 3) entry.missed.push(tag);
    }
  }
  return [...perLanguage.values()].sort((a, b) => b.ctags - a.ctags);
}
