/**
 * Pages are kept to Latin-1 characters (no en dashes, no ellipses) so V8 stores them one byte per
 * character: on a 20,000-file repository that halves the pages' memory.
 *
 * Deterministic placeholder documentation, built only from what extraction found (symbols,
 * signatures, doc comments). Used without an LLM key, and for files an LLM could not document.
 * Same input → byte-identical output.
 */
import { withSymbols, type DocumentFile, type DocumentSymbol } from "./types";
import { cleanDocComment, codeBlock, escapeText, firstSentence, inlineCode } from "./markdown";

/** Why a file got placeholder docs; the reason is written into its page. */
export type PlaceholderReason = "no-llm" | "budget" | "llm-error";

const REASON_TEXT: Record<PlaceholderReason, string> = {
  "no-llm":
    "generated without a language model, from the symbols and doc comments found in the code.",
  budget:
    "this job's LLM token budget was used up before this file, so it was generated from the symbols and doc comments found in the code.",
  "llm-error":
    "the language model gave no usable answer for this file, so it was generated from the symbols and doc comments found in the code.",
};

export const PLACEHOLDER_MARK = "**Placeholder documentation**";

/** One-line summary of a symbol: the first sentence of its doc comment, else a description. */
export function placeholderSummary(symbol: DocumentSymbol): string {
  const doc = symbol.doc_comment ? firstSentence(cleanDocComment(symbol.doc_comment)) : "";
  if (doc) return doc;
  const owner = symbol.parent ? ` of ${symbol.parent}` : "";
  const visibility = symbol.exported ? "Exported " : "";
  const kind = visibility ? symbol.kind : capitalize(symbol.kind);
  return `${visibility}${kind} ${symbol.name}${owner} (placeholder: no doc comment).`;
}

/** A symbol's summary in the docpack: the model's, where it wrote one, else the placeholder. */
export function symbolSummary(written: ReadonlyMap<string, string>, symbol: DocumentSymbol): string {
  return written.get(symbol.id) ?? placeholderSummary(symbol);
}

export function placeholderSummaries(file: DocumentFile): Map<string, string> {
  return new Map(file.symbols.map((symbol) => [symbol.id, placeholderSummary(symbol)]));
}

export function placeholderPage(input: DocumentFile, reason: PlaceholderReason): string {
  const file = withSymbols(input);
  const lines = [
    `# ${inlineCode(file.path)}`,
    "",
    `> ${PLACEHOLDER_MARK}: ${REASON_TEXT[reason]}`,
    "",
    fileFacts(file),
    "",
    ...symbolSections(file, placeholderSummaries(file)),
  ];
  return `${lines.join("\n").trimEnd()}\n`;
}

/** "TypeScript · 120 lines · 4 symbols" */
export function fileFacts(file: DocumentFile): string {
  const symbolCount = `${file.symbolCount} symbol${file.symbolCount === 1 ? "" : "s"}`;
  return `Language: ${escapeText(file.language)} · ${file.lines} lines · ${file.bytes} bytes · ${symbolCount}`;
}

/** The symbols of a file as Markdown sections, in source order, nested under their parents. */
export function symbolSections(file: DocumentFile, summaries: Map<string, string>): string[] {
  if (file.symbols.length === 0) return ["No symbols were found in this file."];
  const out = ["## Symbols", ""];
  for (const symbol of sortSymbols(file.symbols)) {
    const qualified = qualifiedName(symbol);
    const depth = Math.min(qualified.split(".").length - 1, 2);
    const heading = "#".repeat(3 + depth);
    const span =
      symbol.start_line === symbol.end_line
        ? `line ${symbol.start_line}`
        : `lines ${symbol.start_line}-${symbol.end_line}`;
    out.push(`${heading} ${inlineCode(qualified)}`, "");
    out.push(`*${symbol.kind}${symbol.exported ? ", exported" : ""}, ${span}*`, "");
    if (symbol.signature) out.push(codeBlock(symbol.signature, file.language), "");
    out.push(escapeText(summaries.get(symbol.id) ?? placeholderSummary(symbol)), "");
    const doc = symbol.doc_comment ? cleanDocComment(symbol.doc_comment) : "";
    if (doc && doc.includes("\n")) out.push(codeBlock(doc), "");
  }
  return out;
}

export function qualifiedName(symbol: DocumentSymbol): string {
  const prefix = `${symbol.file}#`;
  return symbol.id.startsWith(prefix) ? symbol.id.slice(prefix.length) : symbol.name;
}

export function sortSymbols(symbols: DocumentSymbol[]): DocumentSymbol[] {
  return [...symbols].sort(
    (a, b) => a.start_line - b.start_line || b.end_line - a.end_line || cmp(a.id, b.id),
  );
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
