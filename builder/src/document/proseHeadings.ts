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
  return headings.flatMap(({ depth, markdown, quoted }) => {
    const text = renderedHeading(markdown, labels);
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

/** Only these can make a heading's text differ from how it is written. */
const INLINE_MARKUP = /[\\`*_~<>&![\]]/;

/**
 * A heading's text as the viewer reads it (the text of marked's rendering, which its id is made
 * from): emphasis, code and links rendered (a reference link when `labels`, the page's
 * definitions, hold its label), entities decoded.
 */
function renderedHeading(markdown: string, labels: readonly string[]): string {
  if (!INLINE_MARKUP.test(markdown)) return markdown.trim();
  const lexer = new Lexer({ gfm: true });
  for (const label of labels) lexer.tokens.links[label] = { href: "#", title: "" };
  const html = Parser.parseInline(lexer.inlineTokens(markdown), { gfm: true });
  // marked escapes the text it writes, so every < in its output opens one of its own tags.
  return decodeHTML(html.replace(/<[^>]*>/g, "")).trim();
}
