/**
 * Most of a repository's Markdown needs no sanitising at all: no raw HTML, no images, no link to a
 * scheme other than http(s) or mailto, no fence left open, no fence info beyond a language. Telling
 * so with the viewer's own parser (marked's lexer, ~0.1 ms per KB) lets such Markdown be kept byte
 * for byte, with its headings read from the same tokens. The verdict is per top-level block (and,
 * for a table, per row): a file is typically dirty because of one `<img>` or one HTML block, and only
 * those blocks need rewriting (in their own text, see blockRewrite.ts; else parsed and written
 * back); see markdownPage.ts. On TanStack/query 17 of 600 files have such blocks: 52 of them, 30
 * HTML blocks (written as text) and 22 rewritten in place.
 */
import { Lexer, marked, type Token, type Tokens, type TokensList } from "marked";
import { safeUrl } from "./safeUrl";

export interface MarkdownHeading {
  depth: number;
  /** the heading's inline Markdown, as written */
  markdown: string;
  /**
   * Inside a block quote: quoted text, not the page's outline, so not listed; but the viewer gives
   * it an id like any heading, so it takes its anchor (a later heading of the same text is `-1`).
   */
  quoted?: true;
}

/** A top-level block of a file: marked's token (with the blank lines after it) as written. */
export interface MarkdownBlock {
  raw: string;
  /** marked's token type */
  type?: string;
  /** The block's headings when nothing in it needs sanitising; `undefined` when something does. */
  headings?: MarkdownHeading[];
  /**
   * A table to sanitise whose header is clean: the indexes of the rows (0 the first after the
   * delimiter row, one line each) that need it; the other lines can stay as written.
   */
  dirtyRows?: number[];
  /** marked's token, when something in it needs sanitising */
  token?: Token;
}

export interface MarkdownBlocks {
  /** Together exactly the file's text, in order. */
  blocks: MarkdownBlock[];
  /** Labels of the file's link reference definitions (`[label]: …`), wherever they are. */
  labels: string[];
}

/**
 * The file's top-level blocks, each told clean or not; `undefined` when marked's tokens do not
 * account for the whole text (then only the whole file can be sanitised).
 */
export function markdownBlocks(markdown: string): MarkdownBlocks | undefined {
  const tokens = lexForVerdict(markdown);
  const blocks: MarkdownBlock[] = [];
  return splitBlocks(markdown, tokens, blocks, false) ? { blocks, labels: Object.keys(tokens.links) } : undefined;
}

/**
 * Only these let marked's inline lexer make a token a verdict looks at: raw HTML and autolinks
 * (`<`), images (`![`), inline links (`](`), and the one literal autolink scheme besides http(s)
 * and mailto (`ftp://`). Reference links take their address from a definition, which is a block of
 * its own and judged there.
 */
const INLINE_VERDICT = /<|!\[|\]\(|ftp:\/\//i;

/**
 * marked's tokens as `Lexer.lex` gives them, except that inline text in which nothing above occurs
 * is left unlexed (its `tokens` stay empty: nothing in it could make a verdict): about half of
 * lexing a typical guide. Block tokens, headings' text and definitions are all there.
 */
function lexForVerdict(markdown: string): TokensList {
  const lexer = new Lexer({ gfm: true });
  const queued = lexer as unknown as { inlineQueue?: Array<{ src: string; tokens: Token[] }> };
  lexer.blockTokens(markdown.replace(/\r\n?/g, "\n"), lexer.tokens);
  // What `lex` would do with its queue (a private field: should marked ever drop it, lex in full).
  if (!Array.isArray(queued.inlineQueue)) return Lexer.lex(markdown, { gfm: true });
  for (const { src, tokens: inline } of queued.inlineQueue) if (INLINE_VERDICT.test(src)) lexer.inlineTokens(src, inline);
  queued.inlineQueue = [];
  return lexer.tokens;
}

/** Adds the text's blocks (`tokens`: its own); false when the tokens do not account for all of it. */
function splitBlocks(markdown: string, tokens: readonly Token[], blocks: MarkdownBlock[], definitionsOnly: boolean): boolean {
  if (definitionsOnly && tokens.length === 0) return false;
  let at = 0;
  const upTo = (next: number): boolean => {
    if (next < at) return false;
    if (next === at) return true;
    // marked leaves a definition of a label already defined out of its tokens (it is never used):
    // such text between two tokens (or at the end) is split on its own, definitions only.
    const gap = markdown.slice(at, next);
    at = next;
    return splitBlocks(gap, Lexer.lex(gap, { gfm: true }), blocks, true);
  };
  for (const token of tokens) {
    if (definitionsOnly && token.type !== "def" && token.type !== "space") return false;
    if (!upTo(markdown.indexOf(token.raw, at))) return false;
    const headings: MarkdownHeading[] = [];
    if (clean(token, headings, false)) blocks.push({ raw: token.raw, type: token.type, headings });
    else blocks.push({ raw: token.raw, type: token.type, dirtyRows: token.type === "table" ? dirtyRows(token as Tokens.Table) : undefined, token });
    at += token.raw.length;
  }
  return upTo(markdown.length);
}

/**
 * Whether the viewer meets no raw HTML, no image and no link but http(s), mailto or relative in the
 * text: the last check on a page put together from blocks kept and blocks rewritten, read as a
 * whole (~0.1 ms per KB), should anything in one give a meaning to another that neither had.
 */
export function viewerSafe(markdown: string): boolean {
  let safe = true;
  marked.walkTokens(Lexer.lex(markdown, { gfm: true }), (token) => {
    if (token.type === "html" || token.type === "image" || (token.type === "link" && !safeUrl((token as Tokens.Link).href))) safe = false;
  });
  return safe;
}

/**
 * Whether text to embed inside one of our pages (a doc comment, a model's summary) can go in as
 * written: as the viewer reads it, no raw HTML, image, heading (the page's outline is ours), unsafe
 * link or definition, and every fence closed by its own, so nothing in it reaches past its place.
 */
export function embeddableAsWritten(markdown: string): boolean {
  const tokens = lexForVerdict(markdown);
  let embeddable = true;
  marked.walkTokens(tokens, (token) => {
    if (!embeddable) return;
    if (token.type === "heading" || dirtyItself(token)) embeddable = false;
  });
  return embeddable && Object.values(tokens.links).every((definition) => safeHref(definition.href));
}

function dirtyRows(table: Tokens.Table): number[] | undefined {
  const lines = table.raw.replace(/\n+$/, "").split("\n");
  if (lines.length !== table.rows.length + 2 || !table.header.every((cell) => allClean(cell.tokens, [], false))) return undefined;
  return table.rows.flatMap((row, i) => (row.every((cell) => allClean(cell.tokens, [], false)) ? [] : [i]));
}

function allClean(tokens: readonly Token[], headings: MarkdownHeading[], quoted: boolean): boolean {
  for (const token of tokens) if (!clean(token, headings, quoted)) return false;
  return true;
}

function clean(token: Token, headings: MarkdownHeading[], quoted: boolean): boolean {
  if (dirtyItself(token)) return false;
  if (token.type === "heading") headings.push(headingOf(token as Tokens.Heading, quoted));
  return allClean(childTokens(token), headings, quoted || token.type === "blockquote");
}

function headingOf(token: Tokens.Heading, quoted: boolean): MarkdownHeading {
  return quoted ? { depth: token.depth, markdown: token.text, quoted } : { depth: token.depth, markdown: token.text };
}

/**
 * Every heading of Markdown we wrote, at any depth (in lists, in block quotes), in page order, and
 * the labels it defines (which its headings' reference links may use).
 */
export function markdownHeadings(markdown: string): { headings: MarkdownHeading[]; labels: string[] } {
  const headings: MarkdownHeading[] = [];
  const walk = (tokens: readonly Token[], quoted: boolean) => {
    for (const token of tokens) {
      if (token.type === "heading") headings.push(headingOf(token as Tokens.Heading, quoted));
      walk(childTokens(token), quoted || token.type === "blockquote");
    }
  };
  const tokens = Lexer.lex(markdown, { gfm: true });
  walk(tokens, false);
  return { headings, labels: Object.keys(tokens.links) };
}

/** Whether the token itself (its children aside) needs sanitising: raw HTML, an image, another scheme, a fence to fix. */
export function dirtyItself(token: Token): boolean {
  switch (token.type) {
    case "html":
    case "image":
      return true;
    case "link":
    case "def":
      return !safeHref((token as Tokens.Link | Tokens.Def).href);
    case "code":
      return !cleanCode(token as Tokens.Code);
    default:
      return false;
  }
}

/** The tokens inside a token, in text order: a table's cells' (header first), a list's items, else its own. */
export function childTokens(token: Token): readonly Token[] {
  if (token.type === "table") return [...(token as Tokens.Table).header, ...(token as Tokens.Table).rows.flat()].flatMap((cell) => cell.tokens);
  if (token.type === "list") return (token as Tokens.List).items;
  return "tokens" in token && Array.isArray(token.tokens) ? token.tokens : [];
}

/**
 * An address kept as written: one the viewer may link to (safeUrl) in which no control character,
 * and before its first `/`, `?` or `#` no character reference or escape, could spell a scheme a
 * pattern misses (the full sanitiser decodes them). After that the scheme is settled: query strings
 * full of `&` (tracking links, badges) stay as written.
 */
function safeHref(href: string): boolean {
  // safeUrl refuses a `&` in the head already.
  return !/[\u0000-\u001f]/.test(href) && !href.split(/[/?#]/, 1)[0]!.includes("\\") && safeUrl(href);
}

const FENCE_OPEN = /^ {0,3}(`{3,}|~{3,})/;

/** A fenced block with only a language in its info string, closed by its own fence. */
export function cleanCode(code: Tokens.Code): boolean {
  if (code.codeBlockStyle === "indented") return true;
  if (code.lang && /\s/.test(code.lang.trim())) return false;
  const opener = FENCE_OPEN.exec(code.raw)?.[1];
  if (!opener) return false;
  const lines = code.raw.trimEnd().split("\n");
  const closer = lines.length > 1 ? /^ {0,3}(`{3,}|~{3,})\s*$/.exec(lines.at(-1)!)?.[1] : undefined;
  return closer !== undefined && closer[0] === opener[0] && closer.length >= opener.length;
}
