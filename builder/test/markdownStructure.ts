/**
 * What a Markdown page turns into when rendered with marked (GFM, as the web viewer renders it):
 * its headings, links and any raw HTML, read from marked's tokens rather than guessed from text.
 */
import { decodeHTML } from "entities";
import GithubSlugger from "github-slugger";
import { marked, type Token, type Tokens } from "marked";

function tokensOf(markdown: string): Token[] {
  const all: Token[] = [];
  marked.walkTokens(marked.lexer(markdown, { gfm: true }), (token) => void all.push(token));
  return all;
}

/** Every heading, nested ones (in lists, quotes) included, as "## text". */
export function headings(markdown: string): string[] {
  return tokensOf(markdown)
    .filter((token): token is Tokens.Heading => token.type === "heading")
    .map((heading) => `${"#".repeat(heading.depth)} ${heading.text}`);
}

/** Raw HTML that would reach the output (block or inline). */
export function rawHtml(markdown: string): string[] {
  return tokensOf(markdown)
    .filter((token) => token.type === "html")
    .map((token) => token.raw);
}

export function linkTargets(markdown: string): string[] {
  return tokensOf(markdown)
    .filter((token): token is Tokens.Link => token.type === "link")
    .map((link) => link.href);
}

/** A one-line text as the reader sees it: the rendered HTML without tags and entities. */
export function renderedText(markdown: string): string {
  const html = marked.parseInline(markdown, { gfm: true }) as string;
  return decodeEntities(html.replace(/<[^>]*>/g, ""));
}

/**
 * The ids the web viewer gives a page's headings: github-slugger over every rendered heading's
 * text (nested ones included), in page order.
 */
export function viewerAnchors(markdown: string): string[] {
  const slugger = new GithubSlugger();
  return [...renderedHtml(markdown).matchAll(/<h[1-6][^>]*>([\s\S]*?)<\/h[1-6]>/g)]
    .map((match) => decodeHTML(match[1]!.replace(/<[^>]*>/g, "")).trim())
    .filter(Boolean)
    .map((text) => slugger.slug(text));
}

/** The rendered HTML, for checks that no element from the input made it through. */
export function renderedHtml(markdown: string): string {
  return marked.parse(markdown, { gfm: true, async: false });
}

const ENTITIES: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', "#39": "'", "#96": "`" };

function decodeEntities(html: string): string {
  return html.replace(/&(lt|gt|amp|quot|#39|#96);/g, (_entity, name: string) => ENTITIES[name]);
}

/** The path a docs/index.md link leads to, read back from files/<encoded path>.md. */
export function pathOfFilePageLink(href: string): string | undefined {
  const match = /^files\/(.*)\.md$/.exec(href);
  return match?.[1].split("/").map(decodeURIComponent).join("/");
}
