/**
 * A dirty top-level block of a prose page made safe in its own text: only the tokens that made it
 * dirty are rewritten (raw HTML shown as text, an image as its alt text, a link to another scheme as
 * its text, a fence's info string as its first word), each found where marked read it by walking the
 * block's tokens in order; every other byte stays as written. A repository's dirty blocks are mostly a paragraph of badges or a `<br>`,
 * or a quote, list or table with an `<img>`: this costs lexing the block once more, where parsing
 * and writing it back with micromark cost ~0.25 s of CPU on a 2,400-file repository (mostly
 * micromark's warm-up). What comes out is lexed again and used only if every block of it is clean;
 * otherwise, and where a token is not found as written (a multi-line one inside a quote or list,
 * whose text marked gives without the markers) or a definition or an open fence needs fixing, the caller
 * parses and writes back the block as before.
 */
import type { Token, Tokens } from "marked";
import { childTokens, cleanCode, dirtyItself, markdownBlocks, type MarkdownHeading } from "./cleanMarkdown";
import { escapeText } from "./markdown";

type Edit = { at: number; length: number; text: string };

/** The block with its dirty tokens rewritten, and its headings; `undefined` when that cannot be done. */
export function rewrittenBlock(raw: string, token: Token): { markdown: string; headings: MarkdownHeading[] } | undefined {
  const edits: Edit[] = [];
  // Where the next token can begin at the earliest. A token is looked for from here: the first
  // match is never past the token itself, so the cursor never passes a token not yet visited. A
  // match before the token (its text also in an earlier token the walk could not place) puts an
  // edit in the wrong place and leaves the dirty token as it was: the check at the end refuses that.
  let cursor = 0;

  const find = (text: string): number => (text ? raw.indexOf(text, cursor) : -1);

  const replace = (original: string, text: string): boolean => {
    const at = find(original);
    if (at < 0) return false;
    edits.push({ at, length: original.length, text });
    cursor = at + original.length;
    return true;
  };

  /** A link to an address the viewer may not link to: its text stays, its brackets and address go. */
  const unwrap = (link: Tokens.Link | Tokens.Generic): boolean => {
    const at = find(link.raw);
    if (at < 0) return false;
    const text = typeof link.text === "string" ? link.text : "";
    if (!link.raw.startsWith(`[${text}]`) || !Array.isArray(link.tokens)) {
      // an autolink (`<scheme:…>`, a literal ftp:// address): its text, never a link again
      return replace(link.raw, inertText(text));
    }
    edits.push({ at, length: 1, text: "" });
    cursor = at + 1;
    if (!visitAll(link.tokens)) return false;
    const close = at + 1 + text.length;
    if (cursor > close) return false;
    edits.push({ at: close, length: link.raw.length - text.length - 1, text: "" });
    cursor = at + link.raw.length;
    return true;
  };

  /**
   * A closed fence whose info string says more than a language (`{note} text`, `js title=x`): its
   * opening line keeps the fence and the first word. An open fence is left to the full sanitiser.
   */
  const fenceWithLanguageOnly = (code: Tokens.Code): boolean => {
    const opener = /^( {0,3})(`{3,}|~{3,})([^\n]*)/.exec(code.raw);
    if (!opener) return false;
    const line = `${opener[1]}${opener[2]}${opener[3]!.trim().split(/\s+/)[0]}`;
    if (!cleanCode({ ...code, raw: line + code.raw.slice(opener[0].length), lang: "" })) return false;
    const at = find(code.raw);
    if (at < 0) return false;
    edits.push({ at, length: opener[0].length, text: line });
    cursor = at + code.raw.length;
    return true;
  };

  /** A container placed where its text is (when found as written), its children visited inside it. */
  const within = (container: Token, children: readonly Token[]): boolean => {
    const at = find(container.raw);
    if (at >= 0) cursor = at;
    if (!visitAll(children)) return false;
    if (at >= 0) cursor = Math.max(cursor, at + container.raw.length);
    return true;
  };

  const visitAll = (tokens: readonly Token[]): boolean => tokens.every(visit);

  /** A dirty token rewritten where it stands; false when it cannot be. */
  const rewrite = (token: Token): boolean => {
    switch (token.type) {
      case "html":
        return replace(token.raw.trimEnd(), inertText(token.raw));
      case "image":
        return replace(token.raw, inertText((token as Tokens.Image).text));
      case "link":
        return unwrap(token as Tokens.Link);
      case "code":
        return fenceWithLanguageOnly(token as Tokens.Code);
      default:
        return false; // a definition to another scheme: left to the full sanitiser
    }
  };

  function visit(token: Token): boolean {
    if (dirtyItself(token)) return rewrite(token);
    const children = childTokens(token);
    if (children.length > 0) return within(token, children);
    const at = find(token.raw);
    if (at >= 0) cursor = at + token.raw.length;
    return true;
  }

  if (!visit(token)) return undefined;
  let markdown = "";
  let from = 0;
  for (const edit of edits) {
    markdown += raw.slice(from, edit.at) + edit.text;
    from = edit.at + edit.length;
  }
  markdown += raw.slice(from);
  const again = markdownBlocks(markdown);
  if (!again || !again.blocks.every((block) => block.headings)) return undefined;
  return { markdown, headings: again.blocks.flatMap((block) => block.headings!) };
}

/** An HTML block as one paragraph of its text, without parsing it. */
export function htmlBlockAsText(html: string): string {
  return inertText(html);
}

/**
 * Text shown as written, on one line (a line break inside could start a block): Markdown's inline
 * markup escaped, and every `scheme://` (not only ftp's, see escapeText) kept from becoming a link:
 * HTML's addresses are shown, not linked.
 */
function inertText(text: string): string {
  return escapeText(text).replace(/(?<!\\):\/\//g, "\\://");
}
