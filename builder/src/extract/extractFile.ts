/**
 * One file's symbols, in the docpack's shape: tree-sitter where a grammar ships, the regex fallback
 * otherwise; ids are `<file>#<qualified name>`, made unique in order of appearance (`~2`, `~3`, ...).
 */
import type { ExtractedSymbol } from "../types";
import { symbolDataBudget } from "./limits";
import { extractWithRegex, hasRegexRules } from "./regexFallback";
import { extractWithTreeSitter, hasGrammar, type RawSymbol } from "./treeSitter";

export type ExtractJob = { path: string; language: string; content: string };

export function canExtract(language: string): boolean {
  return hasGrammar(language) || hasRegexRules(language);
}

export async function extractFile(job: ExtractJob): Promise<ExtractedSymbol[]> {
  let raw: RawSymbol[];
  if (hasGrammar(job.language)) raw = await extractWithTreeSitter(job.language, job.content);
  else if (hasRegexRules(job.language)) raw = extractWithRegex(job.language, job.content);
  else return [];
  const ids = new UniqueIds();
  return raw.map((symbol) => {
    const qualified = symbol.parent ? `${symbol.parent}.${symbol.name}` : symbol.name;
    const entry: ExtractedSymbol = {
      id: ids.claim(`${job.path}#${qualified}`),
      name: symbol.name,
      kind: symbol.kind,
      language: job.language,
      file: job.path,
      start_line: symbol.start_line,
      end_line: Math.max(symbol.end_line, symbol.start_line),
      signature: symbol.signature,
      exported: symbol.exported,
    };
    if (symbol.parent) entry.parent = symbol.parent;
    if (symbol.doc_comment) entry.doc_comment = symbol.doc_comment;
    return entry;
  });
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
