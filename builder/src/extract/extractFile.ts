/**
 * One file's symbols, in the docpack's shape: tree-sitter where a grammar ships, the regex fallback
 * otherwise; ids are `<file>#<qualified name>`, made unique in order of appearance (`~2`, `~3`, ...).
 * Ids are for machines: what people read is `title` (the qualified name) and, for overloads, the
 * `overload` number. Svelte and Vue components are parsed through their script blocks.
 */
import type { ExtractedSymbol } from "../types";
import { structuredDoc } from "./docTags";
import { symbolDataBudget } from "./limits";
import { extractWithRegex, hasRegexRules } from "./regexFallback";
import { extractWithTreeSitter, hasGrammar, type RawSymbol } from "./treeSitter";

export type ExtractJob = { path: string; language: string; content: string };

const COMPONENT_LANGUAGES = new Set(["svelte", "vue"]);

export function canExtract(language: string): boolean {
  return hasGrammar(language) || hasRegexRules(language) || COMPONENT_LANGUAGES.has(language);
}

export async function extractFile(job: ExtractJob): Promise<ExtractedSymbol[]> {
  let raw: RawSymbol[];
  if (COMPONENT_LANGUAGES.has(job.language)) {
    const script = componentScript(job.content);
    raw = script ? await extractWithTreeSitter(script.language, script.text) : [];
  } else if (hasGrammar(job.language)) raw = await extractWithTreeSitter(job.language, job.content);
  else if (hasRegexRules(job.language)) raw = extractWithRegex(job.language, job.content);
  else return [];
  const ids = new UniqueIds();
  const qualifiedOf = (symbol: RawSymbol) => (symbol.parent ? `${symbol.parent}.${symbol.name}` : symbol.name);
  const definitions = new Map<string, number>();
  for (const symbol of raw) definitions.set(qualifiedOf(symbol), (definitions.get(qualifiedOf(symbol)) ?? 0) + 1);
  const seen = new Map<string, number>();
  return raw.map((symbol) => {
    const qualified = qualifiedOf(symbol);
    const endLine = Math.max(symbol.end_line, symbol.start_line);
    const entry: ExtractedSymbol = {
      id: ids.claim(`${job.path}#${qualified}`),
      name: symbol.name,
      kind: symbol.kind,
      language: job.language,
      file: job.path,
      start_line: symbol.start_line,
      end_line: endLine,
      signature: symbol.signature,
      exported: symbol.exported,
    };
    if (symbol.parent) entry.parent = symbol.parent;
    if ((definitions.get(qualified) ?? 0) > 1) {
      const n = (seen.get(qualified) ?? 0) + 1;
      seen.set(qualified, n);
      entry.overload = n;
    }
    if (symbol.doc_comment) {
      entry.doc_comment = symbol.doc_comment;
      // Only when taken apart it says more than the comment itself (tags, links).
      const doc = structuredDoc(symbol.doc_comment);
      if (doc && Object.keys(doc).length > 1) entry.doc = doc;
    }
    return entry;
  });
}

/**
 * The script blocks of a Svelte or Vue component as one TypeScript/JavaScript text, everything
 * else blanked out (newlines kept), so line numbers stay those of the component.
 */
export function componentScript(content: string): { language: string; text: string } | undefined {
  const blank = (text: string) => text.replace(/[^\n]/g, " ");
  const block = /(<script\b([^>]*)>)([\s\S]*?)<\/script\s*>/gi;
  let text = "";
  let last = 0;
  let typescript = false;
  let found = false;
  for (let match = block.exec(content); match; match = block.exec(content)) {
    const start = match.index + match[1]!.length;
    text += blank(content.slice(last, start)) + match[3]!;
    last = start + match[3]!.length;
    found = true;
    if (/\blang\s*=\s*["']?(ts|typescript|tsx)\b/i.test(match[2]!)) typescript = true;
  }
  if (!found) return undefined;
  text += blank(content.slice(last));
  return { language: typescript ? "typescript" : "javascript", text };
}

/**
 * Ids in order of appearance: the first `base` is itself, later ones `base~2`, `base~3`, ... (overloads,
 * or names made alike by shortening, see limits), skipping any a symbol already has.
 */
class UniqueIds {
  private readonly taken = new Set<string>();
  private readonly lastSuffix = new Map<string, number>();

  claim(base: string): string {
    let suffix = this.lastSuffix.get(base) ?? 1;
    let id = base;
    while (this.taken.has(id)) id = `${base}~${++suffix}`;
    this.lastSuffix.set(base, suffix);
    this.taken.add(id);
    return id;
  }
}

/** One file's symbols as lanes hand them back: JSON text (cheap to pass between threads and to store). */
export type ExtractResult = {
  json: string;
  count: number;
  /** top-level exported symbols: the overview page lists them without reading every file back */
  exportedTopLevel: number;
};

const NO_SYMBOLS: ExtractResult = { json: "[]", count: 0, exportedTopLevel: 0 };

/** Never fails: whatever goes wrong with one file (its parse, its JSON, ...) costs that file its symbols, not the build. */
export async function extractFileToJson(job: ExtractJob): Promise<ExtractResult> {
  try {
    return toResult(await extractFile(job), symbolDataBudget(job.content.length));
  } catch {
    return NO_SYMBOLS;
  }
}

/** The symbols as one JSON array, up to `budget` characters: the symbols after that are dropped. */
function toResult(symbols: ExtractedSymbol[], budget: number): ExtractResult {
  const parts: string[] = [];
  let length = 2; // the brackets
  let exportedTopLevel = 0;
  for (const symbol of symbols) {
    const json = JSON.stringify(symbol);
    length += json.length + 1; // and a comma
    if (length > budget) break;
    parts.push(json);
    if (symbol.exported && !symbol.parent) exportedTopLevel++;
  }
  return { json: `[${parts.join(",")}]`, count: parts.length, exportedTopLevel };
}
