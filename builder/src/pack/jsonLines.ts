/**
 * The docpack's JSON documents, checked against the format's schemas before they are written;
 * symbols.json as text: one symbol per line (readable, diffable, far smaller than pretty-printed),
 * each checked as it is written, produced in chunks so the whole document never exists as one
 * string. Used by pack in this thread and by the symbols worker.
 */
import { DOCPACK_PATHS, SymbolEntry as SymbolEntrySchema, type SymbolEntry } from "@doctown/core/docpackFormat";
import { BuildError } from "../errors";

type Schema<T> = {
  safeParse(value: unknown): { success: true; data: T } | { success: false; error: { issues: Array<{ path: PropertyKey[]; message: string }> } };
};

export function validated<T>(schema: Schema<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue ? issue.path.map(String).join(".") : "";
  throw new BuildError("invalid_docpack", `${what} does not match the docpack schema at "${where}": ${issue?.message}`);
}

/**
 * Symbols are checked one by one as they are written (not as a parsed copy): on a large repository
 * there are hundreds of thousands. A bad one stops the writing with `invalid_docpack`.
 */
export function* validatedSymbols(symbols: Iterable<SymbolEntry>): Generator<SymbolEntry> {
  let i = 0;
  for (const symbol of symbols) {
    validated(SymbolEntrySchema, symbol, `${DOCPACK_PATHS.symbols}[${i++}]`);
    yield symbol;
  }
}

export function* jsonArrayLines(items: Iterable<unknown>): Generator<string> {
  // Small chunks die young: with 500 lines they outlived scavenges in the symbols worker's small
  // young generation (pack of 20,000 files ~1 s slower).
  const CHUNK = 100;
  let lines: string[] = [];
  let first = true;
  for (const item of items) {
    lines.push(JSON.stringify(item));
    if (lines.length === CHUNK) {
      yield `${first ? "[\n" : ",\n"}${lines.join(",\n")}`;
      first = false;
      lines = [];
    }
  }
  if (lines.length > 0) yield `${first ? "[\n" : ",\n"}${lines.join(",\n")}`;
  else if (first) return void (yield "[]\n");
  yield "\n]\n";
}

/** symbols.json's text, in chunks, from the symbols (checked on the way). */
export function symbolsJsonChunks(symbols: Iterable<SymbolEntry>): Generator<string> {
  return jsonArrayLines(validatedSymbols(symbols));
}
