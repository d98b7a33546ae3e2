/**
 * How much one source file may produce. A symbol's `parent` and id repeat the names of all its
 * enclosing symbols, so thousands of nested definitions (hostile or machine-made) grew the output
 * with the square of the depth: 59 KiB of nested JavaScript became 49 MB of symbols.json, and an
 * 879 KiB file made a string too long to build. These bounds sit far above real code (on ~15,000
 * files of node_modules: nesting 7 levels at most, names up to 90 characters, parents up to 103,
 * symbol data up to 14 times the source) and make what a file yields grow linearly with its size.
 */

/** Symbols nested deeper than this many levels are not listed (nor anything inside them). */
export const MAX_SYMBOL_DEPTH = 32;
/**
 * Definitions deeper than this in the syntax tree are not looked for. Real ones sit at most some 40
 * levels deep (JavaScript, TypeScript and Python measured); tens of thousands of levels made
 * tree-sitter's query take minutes.
 */
export const MAX_SYNTAX_DEPTH = 1000;
/**
 * Parsing and searching one file may take this long; past it the file gets no symbols. Real files
 * take milliseconds, but a few hostile shapes cost tree-sitter time that grows with the square of
 * their size (200 KB of `(`: 50 s; 1 MiB: ~20 minutes): one such file must not hold a build.
 * Only those files' symbols can depend on the machine's speed.
 */
export const MAX_TREE_SITTER_MS = 10_000;
/** Longer names are shortened (with `…`); only generated or hostile code has such identifiers. */
export const MAX_NAME_LENGTH = 256;
/** Longer parents (qualified names) are shortened, keeping the outermost names. */
export const MAX_PARENT_LENGTH = 512;
/** Symbol data (JSON characters) every file may have whatever its size: some 4,000 symbols. */
const SYMBOL_DATA_FLOOR = 1024 * 1024;
/** ... plus this many characters per character of source, about twice the densest real code's. */
const SYMBOL_DATA_PER_SOURCE_CHAR = 32;

/** Most JSON characters a file's symbols may take; symbols past it (in source order) are dropped. */
export function symbolDataBudget(sourceLength: number): number {
  return SYMBOL_DATA_FLOOR + SYMBOL_DATA_PER_SOURCE_CHAR * sourceLength;
}

/** `text`, or its first `max - 1` characters and `…` when it is longer. */
export function shorten(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export function boundedName(name: string): string {
  return shorten(name, MAX_NAME_LENGTH);
}

export function boundedParent(parent: string | undefined): string | undefined {
  return parent === undefined ? undefined : shorten(parent, MAX_PARENT_LENGTH);
}
