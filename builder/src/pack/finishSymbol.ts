/**
 * A symbol as symbols.json holds it: what extraction found, plus what only the whole repository
 * knows — its package, its summary (the model's, or its doc comment's first sentence; never
 * invented), its lines at the host, type names in its signature and {@link} targets resolved to
 * symbol ids. Used by pack in this thread and by the symbols worker.
 */
import { DOCPACK_PATHS, type FileRole, type SymbolEntry } from "@doctown/core/docpackFormat";
import { fileRole } from "../scan/roles";
import { hostLineUrl } from "../document/markdown";
import { symbolSummary } from "../document/placeholder";
import { nameResolver, typeLinks } from "../document/typeLinks";
import type { ExtractedSymbol } from "../types";

export type SymbolContext = {
  hostUrl?: string;
  /** the summaries the model wrote, by symbol id */
  summaries: ReadonlyMap<string, string>;
  packageOf: ReadonlyMap<string, string>;
  nameIds: ReadonlyMap<string, string[]>;
};

const roles = new Map<string, FileRole>();
function roleOf(file: string, language: string): FileRole {
  let role = roles.get(file);
  if (!role) {
    if (roles.size > 10_000) roles.clear();
    roles.set(file, (role = fileRole(file, language)));
  }
  return role;
}

export function finishSymbol(symbol: ExtractedSymbol, context: SymbolContext): SymbolEntry {
  const { summary: _stale, ...rest } = symbol as ExtractedSymbol & { summary?: string };
  const entry: SymbolEntry = {
    ...rest,
    role: symbol.role ?? roleOf(symbol.file, symbol.language),
    source: { path: DOCPACK_PATHS.source(symbol.file), start_line: symbol.start_line, end_line: symbol.end_line },
  };
  const pkg = context.packageOf.get(symbol.file);
  if (pkg) entry.package = pkg;
  const summary = symbolSummary(context.summaries, symbol);
  if (summary) entry.summary = summary;
  if (context.hostUrl) entry.source.url = hostLineUrl(context.hostUrl, symbol.file, symbol.start_line, symbol.end_line);
  const resolve = nameResolver(symbol, context);
  const links = typeLinks(symbol, resolve);
  if (links.length > 0) entry.type_links = links;
  if (symbol.doc?.links) {
    const resolved = symbol.doc.links.flatMap((link) => {
      const id = resolve(link.id.split(/[.#]/).pop() ?? link.id);
      return id ? [{ text: link.text, id }] : [];
    });
    const { links: _unresolved, ...doc } = symbol.doc;
    entry.doc = resolved.length > 0 ? { ...doc, links: resolved } : doc;
  }
  return entry;
}
