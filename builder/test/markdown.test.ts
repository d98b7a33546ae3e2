import { describe, expect, it } from "vitest";
import { escapeText, filePageLink } from "../src/document/markdown";
import { embeddedMarkdown } from "../src/document/modelMarkdown";
import { headings, linkTargets, pathOfFilePageLink, rawHtml, renderedHtml, renderedText } from "./markdownStructure";

/** Text that is Markdown (or HTML) syntax where it stands: each must come out as itself. */
const HOSTILE_TEXT = [
  "~~~",
  "```",
  "````js",
  "<img src=x onerror=alert(1)>",
  "<script>alert(1)</script>",
  "<!-- open comment",
  "# heading",
  "###### deep",
  "---",
  "- - -",
  "***",
  "___",
  "===",
  "1. x",
  "1) x",
  "- item",
  "+ item",
  "* item",
  "> quote",
  "| a | b |",
  "a | b",
  "*emphasis* and __strong__",
  "~~struck~~ and ~one~",
  "[link](javascript:alert(1)) and ![image](x.png)",
  "[ref]: http://example.com",
  "`code` and ``more``",
  "ends with a backslash \\",
  "a &amp; b & c &lt;",
  "    indented four",
  "Foo\n===",
  "first line\n# second line\n~~~",
];

describe("escapeText", () => {
  it.each(HOSTILE_TEXT)("renders %j as the text itself, in one paragraph", (text) => {
    const escaped = escapeText(text);
    expect(escaped).not.toContain("\n");
    expect(renderedText(escaped)).toBe(text.replace(/\s*\n\s*/g, " ").trim());
    expect(rawHtml(escaped)).toEqual([]);
    expect(renderedHtml(escaped)).toMatch(/^<p>[^]*<\/p>\n$/);
    expect(renderedHtml(escaped).match(/<p>/g)).toHaveLength(1);
  });

  it("cannot end a page section, whatever the text", () => {
    for (const text of HOSTILE_TEXT) {
      const page = `## A\n\n${escapeText(text)}\n\n## B\n\n| x |\n|---|\n| ${escapeText(text)} |\n\n# ${escapeText(text)}`;
      expect(headings(page).slice(0, 2)).toEqual(["## A", "## B"]);
      expect(headings(page)).toHaveLength(3);
      expect(renderedHtml(page).match(/<td>/g)).toHaveLength(1);
    }
  });

  it("leaves ordinary prose readable", () => {
    expect(escapeText("Adds two numbers - returns the sum (or 0).")).toBe("Adds two numbers - returns the sum (or 0).");
    expect(escapeText("Parses 3.14 and -1 into a value.")).toBe("Parses 3.14 and -1 into a value.");
    expect(escapeText("--verbose turns on logging")).toBe("--verbose turns on logging");
  });

  it("keeps words, digits, commas, colons and hyphens as written, and they render as themselves", () => {
    const alphabet = "aZ09 ,:-";
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let i = 0; i < 500; i++) {
      let text = "lines";
      for (let n = next() % 12; n > 0; n--) text += alphabet[next() % alphabet.length];
      text += "1";
      expect(escapeText(text)).toBe(text);
      expect(renderedText(text)).toBe(text);
      expect(renderedHtml(text).match(/<p>/g)).toHaveLength(1);
    }
  });
});

/** The model's Markdown in the page's Overview section, followed by the page's own headings. */
function overviewPage(summary: string): string {
  return `# \`src/a.ts\`\n\n## Overview\n\n${embeddedMarkdown(summary)}\n\n## Symbols\n\n### \`first\`\n\nDoes things.\n`;
}
const PAGE_HEADINGS = ["# `src/a.ts`", "## Overview", "## Symbols", "### `first`"];

const HOSTILE_SUMMARIES = [
  "Helpers.\n\n<img src=x onerror=alert(document.domain)>\n\n```\n",
  "Unclosed tilde fence:\n\n~~~\n",
  "A long fence:\n\n`````md\n```\n",
  "Indented fence in a list:\n\n- a\n   ```\n<img src=x onerror=alert(1)>\n",
  "# A heading of its own\n\nText.",
  "> # Quoted heading\n\n- ## Listed heading\n\n1. ### Numbered heading",
  "Setext heading\n===\n\nAnother\n---\n\n- item\n  ---",
  "<script>alert(1)</script>",
  "<!-- a comment that never ends\n\n## Symbols",
  "<div>\n\n## hidden",
  "Inline <b onmouseover=alert(1)>bold</b> and <http://example.com>.",
  "Escaped \\<img src=x onerror=alert(1)> and \\`<img src=x onerror=alert(1)>`",
  "A span across lines `a\n`<img src=x onerror=alert(1)>`",
  "[a](x '`') <img src=x onerror=alert(1)> `",
  "www.example.com/`<img src=x onerror=alert(1)>`",
  "Carriage returns\r# heading\r~~~",
  "| a | b |\n|---|---|\n| <img src=x onerror=alert(1)> | `c` |",
];

describe("embeddedMarkdown", () => {
  it.each(HOSTILE_SUMMARIES)("keeps %j inside its section, without HTML", (summary) => {
    const page = overviewPage(summary);
    expect(headings(page)).toEqual(PAGE_HEADINGS);
    expect(rawHtml(page)).toEqual([]);
    expect(renderedHtml(page)).not.toMatch(/<(img|script|div|b)[\s>]/);
  });

  it("keeps ordinary Markdown as it was written", () => {
    const summary = [
      "Parses **config** files with `loadConfig()` and _merges_ them (see [docs](https://example.com)).",
      "",
      "- one: `a < b`",
      "- two",
      "",
      "1. first",
      "",
      "> A note.",
      "",
      "```ts",
      "const ok = 1 < 2 && <T>(x: T) => x;",
      "```",
      "",
      "Issue #12, C# and `#include <stdio.h>`... done.",
    ].join("\n");
    expect(embeddedMarkdown(summary)).toBe(summary);
  });

  it("keeps clean Markdown byte for byte even where writing it back would spell it differently", () => {
    // Parsed and written back, this would read _stars_, "- a star bullet", "2. two" ...: the viewer
    // reads both the same, and the text stays the author's.
    const summary = "Uses *stars*, __strong__ and a [ref link][docs].\n\n* a star bullet\n+ a plus bullet\n\n1) one\n2) two\n\n***\n\n[docs]: https://example.com/x";
    expect(embeddedMarkdown(summary)).toBe(summary);
    expect(linkTargets(embeddedMarkdown(summary))).toEqual(["https://example.com/x"]);
  });

  it("gives text the viewer would read as a link to another scheme, once written back, as plain text", () => {
    // micromark reads the escape and the GFM autolink literal apart from marked: written back, the
    // text became a javascript: link for the viewer.
    const summary = "See \\www.a.com\\[c](&#106;avascript:1) <b>x</b>.\n\nSecond paragraph.";
    const markdown = embeddedMarkdown(summary);
    expect(renderedHtml(markdown)).not.toMatch(/href="(?!https?:)/);
    expect(rawHtml(markdown)).toEqual([]);
    expect(markdown).toContain("www.a.com");
    expect(markdown.split("\n\n")).toHaveLength(2);
  });

  it("keeps code spans as code, generics and all", () => {
    const markdown = embeddedMarkdown("Returns `Array<string>` or `Promise<void>`.");
    expect(renderedHtml(markdown)).toBe("<p>Returns <code>Array&lt;string&gt;</code> or <code>Promise&lt;void&gt;</code>.</p>\n");
  });

  it("closes a fence left open and keeps only the language of its info string", () => {
    expect(embeddedMarkdown("```ts title=<x>\nconst a = 1;")).toBe("```ts\nconst a = 1;\n```");
    expect(embeddedMarkdown("  ~~~~\n~~~\nstill code")).toBe("```\n~~~\nstill code\n```");
  });

  it("keeps links to http(s), mailto and relative addresses; of others, and of images, only the text", () => {
    const markdown = embeddedMarkdown("[x](javascript:alert(1)) ![a chart](https://t.example/p.png) [ok](https://e.com) [rel](./a.md) [mail](mailto:a@b.c)\n\n[ref]: data:text/html,hi");
    expect(linkTargets(markdown)).toEqual(["https://e.com", "./a.md", "mailto:a@b.c"]);
    expect(renderedText(markdown.split("\n")[0])).toBe("x a chart ok rel mail");
    expect(markdown).not.toMatch(/javascript:|data:|t\.example/);
  });
});

describe("filePageLink", () => {
  const PATHS = [
    "src/a).ts",
    "src/(a).ts",
    "src/a(b)c/d.ts",
    "src/[x] y.ts",
    "docs/my file.md",
    "src/ümlaut/日本語.ts",
    "src/100%.ts",
    "src/it's!*.ts",
    "src/<a>&\"b\".ts",
    "src/a#b?.ts",
    "weird `name`.py",
  ];

  it.each(PATHS)("links %j to files/<encoded path>.md, which decodes back to the path", (path) => {
    const target = filePageLink(path);
    expect(linkTargets(`- [x](${target}) (1 symbol)`)).toEqual([target]);
    expect(pathOfFilePageLink(target)).toBe(path);
  });
});
