/**
 * Markdown written by the model (a file summary), kept as Markdown but held inside its place in the
 * page. A repository can steer what the model writes, so the text is parsed (micromark, GFM, as the
 * viewer reads it) and written back from the syntax tree: every construct is closed where the text
 * ends (an open fence cannot swallow the page), raw HTML becomes text, headings become bold
 * paragraphs (the page's outline is ours), images (by reference too) keep only their alt text, and
 * links and definitions whose address is not http(s), mailto or relative keep only their text. The
 * repository's own prose pages go through it too, one block at a time (markdownPage.ts).
 */
import type { Nodes, Parents, PhrasingContent, Root, RootContent } from "mdast";
import { fromMarkdown } from "mdast-util-from-markdown";
import { gfmFromMarkdown, gfmToMarkdown } from "mdast-util-gfm";
import { toMarkdown, type Options as ToMarkdownOptions } from "mdast-util-to-markdown";
import { gfm } from "micromark-extension-gfm";
import { embeddableAsWritten } from "./cleanMarkdown";
import { escapeText } from "./markdown";
import { safeUrl } from "./safeUrl";

/**
 * `keepHeadings`: the repository's own prose pages keep their outline (the page is theirs); model
 * text and doc comments live inside our pages, where headings become bold paragraphs.
 * When the text is one block of a larger document: `labels`, those defined elsewhere in it, so that
 * `[text][label]` stays a reference (the document's definition decides where it leads) rather than
 * turning into literal text; `definable`, all labels the viewer's parser reads as defined in the
 * document (lower case, runs of whitespace as one space): a definition of another label is kept as
 * text. Read on its own, a block may hold a definition where the viewer read text (after a lazy
 * line); written back as one, it would turn references elsewhere, say `![x][label]` in a block kept
 * as written, into links and images.
 */
export function embeddedMarkdown(markdown: string, options: { keepHeadings?: boolean; labels?: readonly string[]; definable?: ReadonlySet<string> } = {}): string {
  // Most doc comments are plain sentences: nothing in them could open HTML, a link, an image, a
  // table, a fence or a heading (ATX or setext), so parsing them (~0.3 ms each) changes nothing.
  if (!options.keepHeadings && isPlainProse(markdown)) return markdown.trim();
  // Most of the rest (links, lists, code) holds nothing to change either, as the viewer's own
  // parser reads it (~20x cheaper than parsing and writing back: ~0.2 s of a 2,400-file build).
  if (!options.keepHeadings && !options.labels && embeddableAsWritten(markdown)) return markdown.trim();
  const out = written(parsed(markdown, options.labels), { keepHeadings: options.keepHeadings ?? false, definable: options.definable });
  // micromark and marked can read the same text apart (an escape beside a GFM autolink literal came
  // back as a javascript: link): what goes inside our pages must pass the viewer's own reading, else
  // it goes in as plain text. (A prose page, keepHeadings, is read again as a whole: markdownPage.)
  return options.keepHeadings || embeddableAsWritten(out) ? out : asText(markdown);
}

/** Paragraphs of plain text, every character shown as written. */
function asText(markdown: string): string {
  return markdown
    .split(/\n[ \t]*\n/)
    .map((paragraph) => escapeText(paragraph))
    .filter(Boolean)
    .join("\n\n");
}

/**
 * Rows of a GFM table (one line each), sanitised in the context of the table's header and delimiter
 * row, one line each again; `undefined` when micromark does not read the lines as one such table.
 * Rows cost in proportion to their length: a long table with a few dirty rows need not be rewritten.
 */
export function embeddedTableRows(header: string, delimiter: string, rows: readonly string[], labels?: readonly string[]): string[] | undefined {
  const tree = parsed([header, delimiter, ...rows].join("\n"), labels);
  const table = tree.children[0];
  if (tree.children.length !== 1 || table?.type !== "table" || table.children.length !== rows.length + 1) return undefined;
  // a table row holds no heading and no definition
  const lines = written(tree, { keepHeadings: false }).split("\n");
  return lines.length === rows.length + 2 ? lines.slice(2) : undefined;
}

/**
 * `labels` are defined ahead of the text (to a harmless address) and their definitions left out of
 * the tree again: the blank line after them ends them whatever the text begins with.
 */
function parsed(markdown: string, labels: readonly string[] = []): Root {
  const definitions = labels.length ? `${labels.map((label) => `[${label}]: #`).join("\n")}\n\n` : "";
  const tree = fromMarkdown(definitions + markdown, FROM_MARKDOWN);
  if (definitions) tree.children = tree.children.filter((node) => (node.position?.start.offset ?? 0) >= definitions.length);
  return tree;
}

/** How a tree is tamed: see embeddedMarkdown's options. */
type Taming = { keepHeadings: boolean; definable?: ReadonlySet<string> };

function written(tree: Root, taming: Taming): string {
  return toMarkdown({ type: "root", children: tamedChildren(tree, taming) as RootContent[] }, TO_MARKDOWN).trimEnd();
}

// Built once: making the GFM extensions anew for each text cost more than parsing a short one.
const FROM_MARKDOWN = { extensions: [gfm()], mdastExtensions: [gfmFromMarkdown()] };
const TO_MARKDOWN: ToMarkdownOptions = { extensions: [gfmToMarkdown()], bullet: "-", emphasis: "_", fence: "`", rule: "-" };

const MARKUP = /[<>[\]|\\&]|^\s*(`{3}|~{3}|#|=+\s*$|-+\s*$|\*{3,}\s*$|_{3,}\s*$)|^ {4}|^\t/m;
function isPlainProse(markdown: string): boolean {
  return !MARKUP.test(markdown);
}

/** The node as it may appear in a page: possibly another node, several, or none. */
function tamed(node: Nodes, inline: boolean, taming: Taming): Nodes[] {
  switch (node.type) {
    case "html":
      return inline ? [{ type: "text", value: node.value }] : [{ type: "paragraph", children: [{ type: "text", value: node.value }] }];
    case "heading":
      if (taming.keepHeadings) return [withTamedChildren(node, taming)];
      return [{ type: "paragraph", children: [{ type: "strong", children: tamedChildren(node, taming) as PhrasingContent[] }] }];
    case "link":
      return safeUrl(node.url) ? [withTamedChildren(node, taming)] : tamedChildren(node, taming);
    case "image":
    case "imageReference":
      // An image would be fetched by whoever opens the page: its address is the model's to choose.
      return node.alt ? [{ type: "text", value: node.alt }] : [];
    case "code":
      return [{ ...node, meta: null }]; // only the language stays in the fence's info string
    case "definition": {
      if (!safeUrl(node.url)) return [];
      const label = node.label ?? node.identifier;
      if (!taming.definable || taming.definable.has(label.toLowerCase().replace(/\s+/g, " "))) return [node];
      const text = `[${label}]: ${node.url}${node.title ? ` "${node.title}"` : ""}`;
      return [{ type: "paragraph", children: [{ type: "text", value: text }] }];
    }
    default:
      return "children" in node ? [withTamedChildren(node, taming)] : [node];
  }
}

function tamedChildren(node: Parents, taming: Taming): Nodes[] {
  const inline = PHRASING_PARENTS.has(node.type);
  return node.children.flatMap((child) => tamed(child, inline, taming));
}

/** Parents whose children are inline (phrasing) content; in any other, an HTML node is a block. */
const PHRASING_PARENTS = new Set(["paragraph", "heading", "tableCell", "emphasis", "strong", "delete", "link", "linkReference"]);

function withTamedChildren<T extends Parents>(node: T, taming: Taming): T {
  return { ...node, children: tamedChildren(node, taming) } as T;
}

