/**
 * Pages are kept to Latin-1 characters where we write them (no en dashes, no ellipses) so V8 stores
 * them one byte per character: on a 20,000-file repository that halves the pages' memory.
 *
 * Deterministic documentation built only from what extraction found (symbols, signatures, doc
 * comments): used without an LLM key, and for files an LLM could not document. It never invents a
 * sentence: a symbol without a doc comment shows its signature, kind, role and where it is.
 * Same input → byte-identical output.
 */
import type { StructuredDoc } from "@doctown/core/docpackFormat";
import { withSymbols, type DocumentFile, type DocumentSymbol } from "./types";
import { cleanDocComment, codeBlock, escapeText, firstSentence, inlineCode, sourceLink } from "./markdown";
import { embeddedMarkdown } from "./modelMarkdown";
import { typesLine, type Definitions, type NameContext } from "./typeLinks";

/** Why a file got placeholder docs; the reason is written into its page. */
export type PlaceholderReason = "no-llm" | "budget" | "llm-error";

const REASON_TEXT: Record<PlaceholderReason, string> = {
  "no-llm": "generated without a language model, from the symbols and doc comments found in the code.",
  budget:
    "this job's LLM token budget was used up before this file, so it was generated from the symbols and doc comments found in the code.",
  "llm-error":
    "the language model gave no usable answer for this file, so it was generated from the symbols and doc comments found in the code.",
};

export const PLACEHOLDER_MARK = "**Placeholder documentation**";

/** One-line summary of a symbol: the first sentence of its doc comment, or nothing. */
export function placeholderSummary(symbol: DocumentSymbol): string | undefined {
  const text = symbol.doc?.markdown ?? (symbol.doc_comment ? cleanDocComment(symbol.doc_comment) : "");
  return text ? firstSentence(text) || undefined : undefined;
}

/** A symbol's summary in the docpack: the model's, where it wrote one, else its doc comment's first sentence. */
export function symbolSummary(written: ReadonlyMap<string, string>, symbol: DocumentSymbol): string | undefined {
  return written.get(symbol.id) ?? placeholderSummary(symbol);
}

export type PageLinks = {
  hostUrl?: string;
  /** resolves the type names in signatures to the pages and anchors of their definitions */
  types?: NameContext & { definitions: Definitions };
};

export function placeholderPage(input: DocumentFile, reason: PlaceholderReason, links: PageLinks = {}): string {
  const file = withSymbols(input);
  const lines = [
    `# ${inlineCode(file.path)}`,
    "",
    `> ${PLACEHOLDER_MARK}: ${REASON_TEXT[reason]}`,
    "",
    fileFacts(file, links),
    "",
    // No summaries: a symbol's placeholder summary is its doc comment's first sentence, which the
    // doc comment below it shows anyway.
    ...symbolSections(file, new Map(), links),
  ];
  return `${lines.join("\n").trimEnd()}\n`;
}

/** "Language: TypeScript · role source · 120 lines · 4 symbols · source" */
export function fileFacts(file: DocumentFile, links: PageLinks = {}): string {
  const symbolCount = `${file.symbolCount} symbol${file.symbolCount === 1 ? "" : "s"}`;
  const role = file.role ? ` · ${file.role}` : "";
  return `Language: ${escapeText(file.language)}${role} · ${file.lines} lines · ${file.bytes} bytes · ${symbolCount} · ${sourceLink(file.path, undefined, links.hostUrl)}`;
}

/** What a heading shows: the qualified name, and which overload (never an id). */
export function symbolHeading(symbol: DocumentSymbol): string {
  const title = displayName(symbol);
  return symbol.overload ? `${title} (overload ${symbol.overload})` : title;
}

/** The symbol's title, else `parent.name` (not the id's name, which ends in `~2` for an overload). */
function displayName(symbol: DocumentSymbol): string {
  return symbol.title ?? (symbol.parent ? `${symbol.parent}.${symbol.name}` : symbol.name);
}

/** The symbols of a file as Markdown sections, in source order, nested under their parents. */
export function symbolSections(file: DocumentFile, summaries: Map<string, string>, links: PageLinks = {}): string[] {
  if (file.symbols.length === 0) return [];
  const out = ["## Symbols", ""];
  for (const symbol of sortSymbols(file.symbols)) {
    const qualified = displayName(symbol);
    const depth = Math.min(qualified.split(".").length - 1, 2);
    const heading = "#".repeat(3 + depth);
    const span = symbol.start_line === symbol.end_line ? `line ${symbol.start_line}` : `lines ${symbol.start_line}-${symbol.end_line}`;
    out.push(`${heading} ${inlineCode(symbolHeading(symbol))}`, "");
    const role = symbol.role ?? file.role;
    const facts = [symbol.kind, ...(symbol.exported ? ["exported"] : []), ...(role && role !== "source" ? [role] : [])];
    out.push(`*${facts.join(", ")}* · ${sourceLink(symbol.file, [symbol.start_line, symbol.end_line], links.hostUrl, span)}`, "");
    if (symbol.signature) out.push(codeBlock(symbol.signature, codeLanguage(file.language)), "");
    const types = symbol.signature && links.types ? typesLine(symbol, links.types) : undefined;
    if (types) out.push(types, "");
    const written = summaries.get(symbol.id);
    const doc = symbol.doc ?? (symbol.doc_comment ? { markdown: cleanDocComment(symbol.doc_comment) } : undefined);
    // The model's summary is shown when it is not simply the doc comment's first line again.
    if (written && (!doc?.markdown || !doc.markdown.startsWith(written.replace(/\.\.\.$/, "")))) out.push(escapeText(written), "");
    if (doc) out.push(...docSections(doc));
  }
  return out;
}

/** A structured doc comment as Markdown: its body (sanitised), then its tags as lists and blocks. */
export function docSections(doc: StructuredDoc): string[] {
  const out: string[] = [];
  if (doc.deprecated !== undefined) out.push(`**Deprecated.**${doc.deprecated ? ` ${escapeText(doc.deprecated)}` : ""}`, "");
  if (doc.markdown) out.push(embeddedMarkdown(doc.markdown), "");
  if (doc.params?.length) {
    out.push("**Parameters**", "");
    for (const param of doc.params)
      out.push(`- ${inlineCode(param.name)}${param.type ? ` (${inlineCode(param.type)})` : ""}${param.description ? `: ${escapeText(param.description)}` : ""}`);
    out.push("");
  }
  if (doc.returns) out.push(`**Returns** ${escapeText(doc.returns)}`, "");
  if (doc.throws?.length) {
    out.push("**Throws**", "");
    for (const thrown of doc.throws) out.push(`- ${thrown.type ? `${inlineCode(thrown.type)} ` : ""}${escapeText(thrown.description)}`.trimEnd());
    out.push("");
  }
  for (const example of doc.examples ?? []) out.push("**Example**", "", codeBlock(example), "");
  if (doc.see?.length) out.push(`**See** ${doc.see.map((see) => escapeText(see)).join("; ")}`, "");
  return out;
}

const CODE_LANGUAGE: Record<string, string> = { svelte: "svelte", vue: "vue", gomod: "go" };
function codeLanguage(language: string): string {
  return CODE_LANGUAGE[language] ?? language;
}

/** The qualified name as the id spells it (`~2` for a second overload): what the model is asked about. */
export function qualifiedName(symbol: DocumentSymbol): string {
  const prefix = `${symbol.file}#`;
  return symbol.id.startsWith(prefix) ? symbol.id.slice(prefix.length) : symbol.name;
}

export function sortSymbols(symbols: DocumentSymbol[]): DocumentSymbol[] {
  return [...symbols].sort((a, b) => a.start_line - b.start_line || b.end_line - a.end_line || cmp(a.id, b.id));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
