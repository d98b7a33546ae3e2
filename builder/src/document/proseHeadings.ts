/** Headings of prose pages, with the GitHub-style anchors the viewer gives them (github-slugger). */
import { decodeHTML } from "entities";
import GithubSlugger from "github-slugger";
import { Lexer, Parser } from "marked";
import type { Heading } from "@doctown/core/docpackFormat";
import type { MarkdownHeading } from "./cleanMarkdown";

/** ATX headings of Markdown we wrote (outside code fences), with their anchors in page order. */
export function headingsOf(markdown: string): Heading[] {
  return withAnchors(atxHeadings(markdown));
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

/** ATX headings of Markdown we wrote (outside code fences). */
export function atxHeadings(markdown: string): MarkdownHeading[] {
  const out: MarkdownHeading[] = [];
  let fence: string | undefined;
  for (const line of markdown.split("\n")) {
    const opener = /^ {0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (opener && (!fence || (opener[0] === fence[0] && opener.length >= fence.length))) {
      fence = fence ? undefined : opener;
      continue;
    }
    if (fence) continue;
    const match = /^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (match) out.push({ depth: match[1]!.length, markdown: match[2]! });
  }
  return out;
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
