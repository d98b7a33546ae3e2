/** Headings of prose pages, with the GitHub-style anchors the viewer gives them (github-slugger). */
import GithubSlugger from "github-slugger";
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
export function withAnchors(headings: readonly MarkdownHeading[]): Heading[] {
  const slugger = new GithubSlugger();
  return headings.flatMap(({ depth, markdown, quoted }) => {
    const text = plainHeading(markdown);
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

/** Heading Markdown as the text a reader sees (escapes, emphasis, code and link syntax removed). */
function plainHeading(markdown: string): string {
  return markdown
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/\\([\\`*_{}[\]()#+\-.!|~<>&])/g, "$1")
    .replace(/`+/g, "")
    .replace(/(\*\*|__|\*|_)(\S(?:.*?\S)?)\1/g, "$2")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&")
    .trim();
}
