/**
 * Type names in a signature, resolved to the repository's own definitions by name: the same links
 * symbols.json holds (`type_links`, made by pack) and a page shows under each signature. Names the
 * repository defines nowhere (Promise, a type imported from a dependency) get no link.
 */
import type { DocumentSymbol } from "./types";
import { DOCPACK_PATHS } from "@doctown/core/docpackFormat";

export type NameContext = {
  /** repository file path → package name */
  packageOf: ReadonlyMap<string, string>;
  /** name → ids of its exported top-level definitions (package APIs first) */
  nameIds: ReadonlyMap<string, string[]>;
};

/** Where each definition in `nameIds` is: its file and its heading's anchor on that file's page. */
export type Definitions = ReadonlyMap<string, { file: string; anchor: string }>;

export type TypeLink = { name: string; id: string };

/** A capitalised identifier, from its start (not the tail of `fooBar`, `$Foo` or `_Foo`). */
const TYPE_NAME = /(?<![\w$])[A-Z][\w$]*/g;
const MAX_TYPE_LINKS = 16;

/**
 * Resolves a name as seen from `symbol`: a definition in its own file first, then in its package,
 * then the first one (package APIs first).
 */
export function nameResolver(symbol: DocumentSymbol, context: NameContext): (name: string) => string | undefined {
  const pkg = context.packageOf.get(symbol.file);
  const own = `${symbol.file}#`;
  return (name) => {
    const ids = context.nameIds.get(name);
    // Most names have one definition: it is the answer whichever rule finds it.
    if (!ids || ids.length <= 1) return ids?.[0];
    return ids.find((id) => id.startsWith(own)) ?? ids.find((id) => pkg !== undefined && context.packageOf.get(id.slice(0, id.indexOf("#"))) === pkg) ?? ids[0];
  };
}

/**
 * Capitalised names after the symbol's own name (parameters, generics, return type), each once, in
 * order. Runs for every symbol twice (its page, symbols.json), so: one pass of one shared regex
 * (synchronous: nothing else uses it meanwhile).
 */
export function typeLinks(symbol: DocumentSymbol, resolve: (name: string) => string | undefined): TypeLink[] {
  const links: TypeLink[] = [];
  const signature = symbol.signature;
  const at = signature.indexOf(symbol.name);
  const pattern = TYPE_NAME;
  pattern.lastIndex = at < 0 ? 0 : at + symbol.name.length;
  let seen: Set<string> | undefined;
  for (let match; links.length < MAX_TYPE_LINKS && (match = pattern.exec(signature)); ) {
    const name = match[0];
    if (name === symbol.name || seen?.has(name)) continue;
    (seen ??= new Set()).add(name);
    const id = resolve(name);
    if (id && id !== symbol.id) links.push({ name, id });
  }
  return links;
}

/**
 * "Types: [`Widget`](../types.ts.md#widget), ..." for a page under docs/files/ (or any page
 * `fromPage`), or nothing when no name resolves. Relative links: they work inside the ZIP and the
 * viewer routes them to the file's page.
 */
export function typesLine(symbol: DocumentSymbol, context: NameContext & { definitions: Definitions }, fromPage = DOCPACK_PATHS.filePage(symbol.file)): string | undefined {
  let line: string | undefined;
  for (const link of typeLinks(symbol, nameResolver(symbol, context))) {
    const target = context.definitions.get(link.id);
    if (!target) continue;
    // A name is [A-Z][\w$]* (TYPE_NAME): a code span as it is.
    const markdown = `[\`${link.name}\`](${linkFrom(fromPage, target.file)}#${target.anchor})`;
    line = line === undefined ? `Types: ${markdown}` : `${line}, ${markdown}`;
  }
  return line;
}

/**
 * relativeLink from a page to a file's page, remembered while pages ask from the same page (a page
 * is written symbol by symbol, and its symbols name the same few files).
 */
let memoFrom = "";
let memo = new Map<string, string>();
function linkFrom(fromPage: string, file: string): string {
  if (fromPage !== memoFrom) {
    memoFrom = fromPage;
    memo = new Map();
  }
  let link = memo.get(file);
  if (link === undefined) memo.set(file, (link = relativeLink(fromPage, DOCPACK_PATHS.filePage(file))));
  return link;
}

/** Link from one docpack entry to another, relative, each path segment encoded. */
export function relativeLink(from: string, to: string): string {
  const fromDirs = from.split("/").slice(0, -1);
  const toParts = to.split("/");
  let common = 0;
  while (common < fromDirs.length && common < toParts.length - 1 && fromDirs[common] === toParts[common]) common++;
  const up = "../".repeat(fromDirs.length - common);
  const rest = toParts.slice(common).join("/");
  return up + (PLAIN_PATH.test(rest) ? rest : toParts.slice(common).map(encodeSegment).join("/"));
}

/** Paths that need no encoding in a link (most do not). */
const PLAIN_PATH = /^[\w.\-/]*$/;

/** encodeURIComponent, and ( ) ! * ' too: either paren can end a Markdown link destination. */
function encodeSegment(segment: string): string {
  return encodeURIComponent(segment).replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
}
