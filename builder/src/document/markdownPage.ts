/**
 * A Markdown file as a prose page, sanitised one top-level block at a time: blocks marked's lexer
 * finds nothing to change in are kept byte for byte (cleanMarkdown.ts), an HTML block becomes its
 * text, a table has only its dirty rows rewritten, any other dirty block is parsed and written back
 * (modelMarkdown.ts). A file that is mostly clean then costs about what a clean one does.
 */
import type { Heading } from "@doctown/core/docpackFormat";
import { markdownBlocks, markdownHeadings, viewerSafe, type MarkdownBlock, type MarkdownHeading } from "./cleanMarkdown";
import { htmlBlockAsText, rewrittenBlock } from "./blockRewrite";
import { embeddedMarkdown, embeddedTableRows } from "./modelMarkdown";
import { headingsOf, withAnchors } from "./proseHeadings";

/**
 * Markdown kept as written where nothing needs sanitising; each top-level block that does is
 * rewritten on its own (the rest of the file costs only marked's lexing). Headings come from
 * marked's tokens for kept blocks and from what rewritten ones became, anchored over the whole page.
 * The page is then read once more as the viewer reads it: should anything in it be unsafe after
 * all, the whole file is sanitised at once instead, and read once more again. `undefined` when even
 * that is unsafe (micromark and marked can read the same text apart: an escape next to a GFM
 * autolink literal turned into a `javascript:` link): the caller shows the file as text.
 */
export function markdownPage(source: string): { markdown: string; headings: Heading[] } | undefined {
  const markdown = source.replace(/\r\n?/g, "\n");
  const page = blockwisePage(markdown);
  if (page && (page.markdown === markdown || viewerSafe(page.markdown))) return page;
  const sanitised = sanitisedPage(markdown);
  return viewerSafe(sanitised.markdown) ? sanitised : undefined;
}

/**
 * The page put together from kept and rewritten blocks, before the last check (exported for the
 * tests, which hold it to that check without the whole-file fallback); `undefined` when marked's
 * tokens do not account for the whole text.
 */
export function blockwisePage(markdown: string): { markdown: string; headings: Heading[] } | undefined {
  const parsed = markdownBlocks(markdown);
  if (!parsed) return undefined;
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
    // A block that became nothing still keeps its neighbours apart (two lists would merge).
    out += sanitised.markdown.trim() ? sanitised.markdown : `${MARKDOWN_COMMENT}\n`;
    headings.push(...sanitised.headings);
    separate = true;
  }
  return { markdown: out, headings: withAnchors(headings, parsed.labels) };
}

/** The whole file parsed and written back at once. */
function sanitisedPage(markdown: string): { markdown: string; headings: Heading[] } {
  const sanitised = embeddedMarkdown(markdown, { keepHeadings: true });
  return { markdown: sanitised, headings: headingsOf(sanitised) };
}

/**
 * Markdown's comment idiom: a link definition nothing uses, which renders as nothing but is a block
 * of its own.
 */
const MARKDOWN_COMMENT = "[//]: #";
/** An HTML block of comments only: invisible where the file is rendered (GitHub), so dropped. */
const HTML_COMMENTS_ONLY = /^\s*(?:<!--(?:(?!--!?>)[\s\S])*--!?>\s*)+$/;

/**
 * A block (or run) to sanitise, with its headings: an HTML block as its text; else, where it can be
 * (blockRewrite.ts), only its dirty tokens rewritten in place; else of a table only the rows that
 * need it, anything else parsed and written back.
 */
function sanitisedBlock(block: MarkdownBlock, fileLabels: readonly string[], definable: ReadonlySet<string>): { markdown: string; headings: MarkdownHeading[] } {
  if (block.type === "html") return { markdown: HTML_COMMENTS_ONLY.test(block.raw) ? "" : htmlBlockAsText(block.raw), headings: [] };
  const rewritten = block.token && rewrittenBlock(block.raw, block.token);
  if (rewritten) return rewritten;
  const markdown = parsedAndWrittenBack(block, fileLabels, definable);
  return { markdown, headings: markdownHeadings(markdown).headings };
}

function parsedAndWrittenBack(block: MarkdownBlock, fileLabels: readonly string[], definable: ReadonlySet<string>): string {
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
