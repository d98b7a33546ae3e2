/**
 * One file's symbols, in the docpack's shape: tree-sitter where a grammar ships, the regex fallback
 * otherwise; ids are `<file>#<qualified name>`, made unique in order of appearance (`~2`, `~3`, ...).
 */
import type { ExtractedSymbol } from "../types";
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
  const seen = new Map<string, number>();
  return raw.map((symbol) => {
    const qualified = symbol.parent ? `${symbol.parent}.${symbol.name}` : symbol.name;
    const base = `${job.path}#${qualified}`;
    const count = (seen.get(base) ?? 0) + 1;
    seen.set(base, count);
    const entry: ExtractedSymbol = {
      id: count === 1 ? base : `${base}~${count}`,
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

/** Like extractFile, but a file the parser chokes on yields no symbols instead of failing the build. */
export async function extractFileSafely(job: ExtractJob): Promise<ExtractedSymbol[]> {
  try {
    return await extractFile(job);
  } catch {
    return [];
  }
}

/** One file's symbols as lanes hand them back: JSON text (cheap to pass between threads and to store). */
export type ExtractResult = {
  json: string;
  count: number;
  /** top-level exported symbols: the overview page lists them without reading every file back */
  exportedTopLevel: number;
};

export async function extractFileToJson(job: ExtractJob): Promise<ExtractResult> {
  const symbols = await extractFileSafely(job);
  const exportedTopLevel = symbols.filter((symbol) => symbol.exported && !symbol.parent).length;
  return { json: JSON.stringify(symbols), count: symbols.length, exportedTopLevel };
}
