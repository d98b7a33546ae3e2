/**
 * The repository's own prose as pages: Markdown/MDX through the same sanitising as model text
 * (parsed and written back; raw HTML becomes text; only http(s), mailto and relative links stay;
 * images keep their alt text), but with its headings kept, each with a GitHub-style anchor for the
 * search index. Only the top-level blocks that need it are sanitised: the others (usually all but
 * an `<img>` or an HTML block, often all) are kept byte for byte, see cleanMarkdown.ts; a sanitised
 * block is set apart from its neighbours by blank lines and keeps its references to the file's
 * other definitions; the page put together is checked once more as the viewer reads it (a file that
 * no rewriting makes safe is shown as text).
 * reStructuredText, AsciiDoc and plain text are kept as text: headings recognised, paragraphs as
 * escaped text, indented or delimited blocks as code.
 */
import type { Heading } from "@doctown/core/docpackFormat";
import type { ProsePage } from "../types";
import { codeBlock, escapeText } from "./markdown";
import { markdownPage } from "./markdownPage";
import { headingsOf } from "./proseHeadings";

export function prosePage(path: string, language: string, content: string): ProsePage {
  const { markdown, headings } = (language === "markdown" && markdownPage(stripFrontMatter(content))) || textPage(content, language === "markdown" ? "text" : language);
  const name = path.slice(path.lastIndexOf("/") + 1);
  const title = frontMatterTitle(content) ?? headings.find((heading) => heading.depth === 1)?.text ?? headings[0]?.text ?? name;
  return { markdown: `${markdown.trimEnd()}\n`, title, headings };
}

function textPage(content: string, language: string): { markdown: string; headings: Heading[] } {
  const markdown = textToMarkdown(content, language);
  return { markdown, headings: headingsOf(markdown) };
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
