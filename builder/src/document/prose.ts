/**
 * The repository's own prose as pages: Markdown/MDX through the same sanitising as model text
 * (parsed and written back; raw HTML becomes text; only http(s), mailto and relative links stay;
 * images keep their alt text), but with its headings kept, each with a GitHub-style anchor for the
 * search index. Only the top-level blocks that need it are sanitised: the others (usually all but
 * an `<img>` or an HTML block, often all) are kept byte for byte, see cleanMarkdown.ts; a sanitised
 * block is set apart from its neighbours by blank lines and keeps its references to the file's
 * other definitions; the page put together is checked once more as the viewer reads it.
 * reStructuredText, AsciiDoc and plain text are kept as text: headings recognised, paragraphs as
 * escaped text, indented or delimited blocks as code.
 */
import GithubSlugger from "github-slugger";
import type { Heading } from "@doctown/core/docpackFormat";
import type { ProsePage } from "../types";
import { markdownBlocks, viewerSafe, type MarkdownBlock, type MarkdownHeading } from "./cleanMarkdown";
import { codeBlock, escapeText } from "./markdown";
import { embeddedMarkdown, embeddedTableRows, htmlAsText } from "./modelMarkdown";

export function prosePage(path: string, language: string, content: string): ProsePage {
  const { markdown, headings } = language === "markdown" ? markdownPage(stripFrontMatter(content)) : textPage(content, language);
  const name = path.slice(path.lastIndexOf("/") + 1);
  const title = frontMatterTitle(content) ?? headings.find((heading) => heading.depth === 1)?.text ?? headings[0]?.text ?? name;
  return { markdown: `${markdown.trimEnd()}\n`, title, headings };
}

/**
 * Markdown kept as written where nothing needs sanitising; each top-level block that does is parsed
 * and written back on its own (the rest of the file costs only marked's lexing). Headings come from
 * marked's tokens for kept blocks and from what rewritten ones became, anchored over the whole page.
 */
function markdownPage(source: string): { markdown: string; headings: Heading[] } {
  const markdown = source.replace(/\r\n?/g, "\n");
  const parsed = markdownBlocks(markdown);
  if (!parsed) return sanitisedPage(markdown);
  let out = "";
  const headings: MarkdownHeading[] = [];
  let separate = false;
  // A blank line before and after a sanitised block: what it became cannot continue (lazily, as a
  // setext underline, as list or quote content) what stands before it, nor be continued by what
  // follows; the neighbours' own text stays as it was.
  const blankLine = () => {
    if (out && !out.endsWith("\n\n")) out += out.endsWith("\n") ? "\n" : "\n\n";
  };
  const definable = new Set(parsed.labels);
  for (const run of blockRuns(parsed.blocks)) {
    if (run.headings) {
      if (separate && run.raw.trim()) blankLine();
      out += run.raw;
      headings.push(...run.headings);
      separate &&= !run.raw.trim();
      continue;
    }
    const sanitised = sanitisedBlock(run, parsed.labels, definable);
    blankLine();
    out += sanitised;
    headings.push(...atxHeadings(sanitised));
    separate = true;
  }
  if (out !== markdown && !viewerSafe(out)) return sanitisedPage(markdown);
  return { markdown: out, headings: withAnchors(headings) };
}

/** The whole file parsed and written back at once. */
function sanitisedPage(markdown: string): { markdown: string; headings: Heading[] } {
  const sanitised = embeddedMarkdown(markdown, { keepHeadings: true });
  return { markdown: sanitised, headings: withAnchors(atxHeadings(sanitised)) };
}

/**
 * A block (or run) to sanitise, written back: an HTML block as its text, of a table only the rows
 * that need it, anything else parsed and written back.
 */
function sanitisedBlock(block: MarkdownBlock, fileLabels: readonly string[], definable: ReadonlySet<string>): string {
  if (block.type === "html") return htmlAsText(block.raw.replace(/\n+$/, ""));
  // Only the labels the block may use (matched as marked matches them: case and runs of
  // whitespace aside): each one given costs a definition to parse.
  const text = block.raw.toLowerCase().replace(/\s+/g, " ");
  const labels = fileLabels.filter((label) => text.includes(label));
  if (block.dirtyRows) {
    const lines = block.raw.replace(/\n+$/, "").split("\n");
    const rows = embeddedTableRows(lines[0]!, lines[1]!, block.dirtyRows.map((row) => lines[row + 2]!), labels);
    if (rows) {
      block.dirtyRows.forEach((row, i) => (lines[row + 2] = rows[i]!));
      return lines.join("\n");
    }
  }
  return embeddedMarkdown(block.raw, { keepHeadings: true, labels, definable });
}

/**
 * The blocks as runs to keep or sanitise: a block to sanitise takes along the blocks after it that
 * begin indented (with blank lines between), which it may have held as its own content (a list's
 * paragraph); written back on their own, the indentation could mean something else.
 */
function blockRuns(blocks: readonly MarkdownBlock[]): MarkdownBlock[] {
  const runs: MarkdownBlock[] = [];
  for (let i = 0; i < blocks.length; i++) {
    if (blocks[i]!.headings) {
      runs.push(blocks[i]!);
      continue;
    }
    const first = blocks[i]!;
    let raw = first.raw;
    for (let j = i + 1; j < blocks.length; j++) {
      if (!blocks[j]!.raw.trim()) continue;
      if (!/^[ \t]/.test(blocks[j]!.raw)) break;
      raw += blocks.slice(i + 1, j + 1).map((block) => block.raw).join("");
      i = j;
    }
    runs.push(raw === first.raw ? first : { raw });
  }
  return runs;
}

function textPage(content: string, language: string): { markdown: string; headings: Heading[] } {
  const markdown = textToMarkdown(content, language);
  return { markdown, headings: headingsOf(markdown) };
}

/** ATX headings of Markdown we wrote (outside code fences), with their anchors in page order. */
export function headingsOf(markdown: string): Heading[] {
  return withAnchors(atxHeadings(markdown));
}

/** The page's headings with their GitHub-style anchors, in page order (repeats numbered). */
function withAnchors(headings: readonly MarkdownHeading[]): Heading[] {
  const slugger = new GithubSlugger();
  return headings.flatMap(({ depth, markdown }) => {
    const text = plainHeading(markdown);
    return text ? [{ depth, text, anchor: slugger.slug(text) }] : [];
  });
}

/** ATX headings of Markdown we wrote (outside code fences). */
function atxHeadings(markdown: string): MarkdownHeading[] {
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

function stripFrontMatter(content: string): string {
  return content.replace(/^---\r?\n[\s\S]*?\r?\n---\r?\n/, "");
}

function frontMatterTitle(content: string): string | undefined {
  const front = /^---\r?\n([\s\S]*?)\r?\n---\r?\n/.exec(content)?.[1];
  const title = front ? /^title:\s*["']?(.+?)["']?\s*$/m.exec(front)?.[1] : undefined;
  return title?.trim() || undefined;
}

const RST_UNDERLINE = /^([=\-`:'"~^_*+#<>])\1{2,}\s*$/;

/** reStructuredText, AsciiDoc or plain text → Markdown of its headings, paragraphs and literal blocks. */
function textToMarkdown(content: string, language: string): string {
  const lines = content.replace(/\r\n?/g, "\n").split("\n");
  const out: string[] = [];
  const rstLevels: string[] = [];
  let paragraph: string[] = [];
  let literal: string[] | undefined;
  let delimiter: string | undefined;
  const flush = () => {
    if (paragraph.length > 0) out.push(escapeText(paragraph.join(" ")), "");
    paragraph = [];
  };
  const flushLiteral = () => {
    if (literal && literal.some((line) => line.trim())) out.push(codeBlock(dedent(literal).join("\n")), "");
    literal = undefined;
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    // AsciiDoc listing/literal blocks (---- or ....) and rst "::" blocks.
    if (language === "asciidoc" && /^(-{4,}|\.{4,})\s*$/.test(line)) {
      if (delimiter === line.trim()) {
        flushLiteral();
        delimiter = undefined;
      } else if (!delimiter) {
        flush();
        delimiter = line.trim();
        literal = [];
      }
      continue;
    }
    if (delimiter) {
      literal!.push(line);
      continue;
    }
    if (literal && (line.trim() === "" || /^\s/.test(line))) {
      literal.push(line);
      continue;
    }
    flushLiteral();
    if (language === "asciidoc") {
      const heading = /^(={1,6})\s+(.+)$/.exec(line);
      if (heading) {
        flush();
        out.push(`${"#".repeat(heading[1]!.length)} ${escapeText(heading[2]!)}`, "");
        continue;
      }
    }
    if (language !== "asciidoc") {
      const next = lines[i + 1];
      const over = RST_UNDERLINE.test(line) && lines[i + 2] !== undefined && lines[i + 2] === line ? line : undefined;
      const title = over ? lines[i + 1]! : line;
      const under = over ? lines[i + 2] : next;
      if (title.trim() && !RST_UNDERLINE.test(title) && under && RST_UNDERLINE.test(under) && under.trim().length >= title.trim().length - 1) {
        flush();
        const key = `${over ? "o" : ""}${under.trim()[0]}`;
        if (!rstLevels.includes(key)) rstLevels.push(key);
        out.push(`${"#".repeat(Math.min(6, rstLevels.indexOf(key) + 1))} ${escapeText(title.trim())}`, "");
        i += over ? 2 : 1;
        continue;
      }
    }
    if (line.trim() === "") {
      flush();
      continue;
    }
    if (/^\s{2,}\S/.test(line) && paragraph.length === 0) {
      literal = [line];
      continue;
    }
    paragraph.push(line.trim());
    if (language === "restructuredtext" && /::\s*$/.test(line)) {
      flush();
      literal = [];
    }
  }
  flush();
  flushLiteral();
  return out.join("\n").trimEnd();
}

function dedent(lines: string[]): string[] {
  const indent = Math.min(...lines.filter((line) => line.trim()).map((line) => /^\s*/.exec(line)![0].length));
  return lines.map((line) => line.slice(Number.isFinite(indent) ? indent : 0)).filter((line, i, all) => line.trim() || (i > 0 && i < all.length - 1));
}
