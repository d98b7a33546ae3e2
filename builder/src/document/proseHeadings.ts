/** Headings of prose pages, with the GitHub-style anchors the viewer gives them (github-slugger). */
import { decodeHTML } from "entities";
import GithubSlugger from "github-slugger";
import { Lexer, Parser } from "marked";
import type { Heading } from "@doctown/core/docpackFormat";
import { markdownHeadings, type MarkdownHeading } from "./cleanMarkdown";

/** The headings of Markdown we wrote, with their anchors in page order (see withAnchors). */
export function headingsOf(markdown: string): Heading[] {
  const { headings, labels } = markdownHeadings(markdown);
  return withAnchors(headings, labels);
}

/**
 * The page's headings with their GitHub-style anchors, in page order (repeats numbered). Quoted
 * ones take their anchors, as the viewer gives them ids, but are not listed.
 */
export function withAnchors(headings: readonly MarkdownHeading[], labels: readonly string[] = []): Heading[] {
  const slugger = new GithubSlugger();
  let lexer: Lexer | undefined;
  return headings.flatMap(({ depth, markdown, quoted }) => {
    // Most headings hold no markup, or only code spans (`useQuery`): marked renders the others.
    const text = MARKUP_BUT_CODE.test(markdown)
      ? renderedHeading(markdown, (lexer ??= pageLexer(labels)))
      : withCodeSpansRendered(markdown);
    if (!text) return [];
    const anchor = slugger.slug(text);
    return quoted ? [] : [{ depth, text, anchor }];
  });
}

/** Besides backticks, the only characters that can make a heading's text differ from how it is written. */
const MARKUP_BUT_CODE = /[\\*_~<>&![\]]/;

/** The text of a heading whose only markup is code spans, as CommonMark renders them. */
function withCodeSpansRendered(markdown: string): string {
  let text = "";
  let at = 0;
  while (at < markdown.length) {
    const open = markdown.indexOf("`", at);
    if (open < 0) break;
    const ticks = /^`+/.exec(markdown.slice(open))![0];
    // The span closes at the next run of exactly as many backticks; without one they are text.
    const closing = new RegExp(`(?<!\`)${ticks}(?!\`)`, "g");
    closing.lastIndex = open + ticks.length;
    const close = closing.exec(markdown)?.index;
    text += markdown.slice(at, open);
    if (close === undefined) {
      text += ticks;
      at = open + ticks.length;
      continue;
    }
    const code = markdown.slice(open + ticks.length, close).replace(/\n/g, " ");
    const padded = code.length > 1 && code.startsWith(" ") && code.endsWith(" ") && /[^ ]/.test(code);
    text += padded ? code.slice(1, -1) : code;
    at = close + ticks.length;
  }
  return (text + markdown.slice(at)).trim();
}

/** An inline lexer knowing the page's definitions (`labels`), which its reference links use. */
function pageLexer(labels: readonly string[]): Lexer {
  const lexer = new Lexer({ gfm: true });
  for (const label of labels) lexer.tokens.links[label] = { href: "#", title: "" };
  return lexer;
}

const parser = new Parser({ gfm: true });

/**
 * A heading's text as the viewer reads it (the text of marked's rendering, which its id is made
 * from): emphasis, code and links rendered, entities decoded.
 */
function renderedHeading(markdown: string, lexer: Lexer): string {
  const html = parser.parseInline(lexer.inlineTokens(markdown, []));
  // marked escapes the text it writes, so every < in its output opens one of its own tags.
  return decodeHTML(html.replace(/<[^>]*>/g, "")).trim();
}
