import { marked, type Token, type Tokens } from "marked";
import { describe, expect, it } from "vitest";
import { embeddedMarkdown, embeddedTableRows } from "../src/document/modelMarkdown";
import { viewerSafe } from "../src/document/cleanMarkdown";
import { blockwisePage } from "../src/document/markdownPage";
import { prosePage } from "../src/document/prose";
import { headingsOf } from "../src/document/proseHeadings";
import { headings as allHeadings, linkTargets, rawHtml, renderedHtml, renderedText, viewerAnchors } from "./markdownStructure";

/** Clean Markdown around the hostile block: it must come out byte for byte. */
const BEFORE = [
  "# Guide",
  "",
  "Install with `npm i <pkg>` and read [the docs](https://example.com/a?b=1).",
  "",
  "```tsx",
  "const App = () => <Provider client={client}><Todos /></Provider>;",
  "```",
  "",
  "",
].join("\n");
const AFTER = ["## Next", "", "- read [the API][api]", "- `Array<string>` & more", "", "[api]: ./api.md", ""].join("\n");

function page(markdown: string): string {
  return prosePage("docs/guide.md", "markdown", markdown).markdown;
}

function allTokens(markdown: string): Token[] {
  const all: Token[] = [];
  marked.walkTokens(marked.lexer(markdown, { gfm: true }), (token) => void all.push(token));
  return all;
}

/** What the viewer would render from it: no raw HTML, no image, no link but http(s), mailto or relative. */
function expectSafe(markdown: string): void {
  expect(rawHtml(markdown)).toEqual([]);
  expect(allTokens(markdown).filter((token) => token.type === "image")).toEqual([]);
  expect(linkTargets(markdown).filter((href) => !/^(https?:|mailto:|\.|#)/.test(href))).toEqual([]);
  expect(renderedHtml(markdown)).not.toMatch(/<(img|div|script|b|sup)[\s>]|href="(javascript|data|&#)|cdn\.example/);
}

describe("prosePage sanitises only the blocks that need it", () => {
  it.each([
    ["an HTML block between clean paragraphs", '<div align="center">\n<script>alert(1)</script>\n</div>\n\n'],
    ["an image inside a list item", "- one\n- two ![shot](https://cdn.example/s.png)\n- three\n\n"],
    ["a javascript: link in a table cell", "| a | b |\n|---|---|\n| [run](javascript:alert(1)) | <sup>1</sup> |\n\n"],
    ["a table whose header has inline HTML", "| <b>a</b> | b |\n|---|---|\n| ![c](https://cdn.example/c.png) | d |\n\n"],
    ["a quote with inline HTML", "> **<sup>1</sup> Note** – see <b>this</b>.\n\n"],
    ["a definition with an unsafe scheme used from a clean paragraph", "Read [this][x] first.\n\n[x]: javascript:alert(1)\n\n"],
  ])("%s: the rest byte for byte, the block made safe", (_, hostile) => {
    const markdown = `${BEFORE}${hostile}${AFTER}`;
    const out = page(markdown);
    expect(out).not.toBe(markdown);
    expect(out.startsWith(BEFORE)).toBe(true);
    expect(out.endsWith(AFTER)).toBe(true);
    expectSafe(out);
  });

  it("closes a fence left open at the end, after clean blocks kept as written", () => {
    const out = page(`${BEFORE}\`\`\`js title=<x>\nlet x;\n`);
    expect(out.startsWith(BEFORE)).toBe(true);
    expect(out.slice(BEFORE.length)).toBe("```js\nlet x;\n```\n");
    // Whatever another part of a page puts after it is outside the fence.
    expect(allTokens(`${out}\n# After\n`).filter((token) => token.type === "heading").map((token) => (token as Tokens.Heading).text)).toEqual(["Guide", "After"]);
  });

  it("keeps what follows a sanitised block apart from it (no lazy line, no setext underline)", () => {
    // After an HTML block (a comment, a <script>) a line may follow directly; written back as text,
    // the block is a paragraph that the next line would continue or underline into a heading.
    const markdown = `${BEFORE}<!-- note -->\nA line of its own.\n\n<script>x</script>\n===\n\n${AFTER}`;
    const out = page(markdown);
    expectSafe(out);
    const paragraphs = marked.lexer(out, { gfm: true }).filter((token): token is Tokens.Paragraph => token.type === "paragraph");
    expect(paragraphs.map((paragraph) => paragraph.text)).toContain("A line of its own.");
    expect(paragraphs.map((paragraph) => paragraph.text)).toContain("===");
    expect(out).toContain("\nA line of its own.\n");
    expect(prosePage("g.md", "markdown", markdown).headings.map((heading) => heading.text)).toEqual(["Guide", "Next"]);
  });

  it("resolves a sanitised block's reference links against the file's other definitions", () => {
    const out = page(`${BEFORE}See <b>the</b> [reference][ref] and [the API][api].\n\n${AFTER}[ref]: https://example.com/ref\n`);
    expectSafe(out);
    expect(linkTargets(out)).toEqual(expect.arrayContaining(["https://example.com/ref", "./api.md"]));
    expect(out).toContain("[reference][ref]");
    expect(out).not.toMatch(/\]: #$/m); // the labels given to the sanitiser stay out
  });

  it("keeps as text a definition that only the sanitiser, reading a block on its own, sees", () => {
    // marked reads "[d]: …" as the list item's lazy line (text), so "![i][d]" above is text and kept
    // as written; micromark, after the item's HTML block, reads a definition there.
    const markdown = `${BEFORE}Look: ![i][d] and [t][d].\n* a\n  <div>\n  b\n[d]: https://img.example/x.png\n\n${AFTER}`;
    const out = page(markdown);
    expectSafe(out);
    expect(out).toContain("Look: ![i][d] and [t][d].\n");
    expect(out).toContain("\\[d]: https\\://img.example/x.png"); // as text
  });

  it("checks a page put together from blocks as the viewer reads it", () => {
    expect(viewerSafe(`${BEFORE}${AFTER}[x](mailto:a@b.c) [y](#top) <https://example.com>\n`)).toBe(true);
    for (const hostile of ["<b>x</b>", "<div>\n", "![i](x.png)", "[x](javascript:alert(1))", "[x](\\&#106;avascript:1)", "[x][d]\n\n[d]: data:text/html,1"]) {
      expect(viewerSafe(`${BEFORE}${hostile}\n\n${AFTER}`)).toBe(false);
    }
  });

  it("gives the headings (anchors numbered across the page) the whole sanitised file would give", () => {
    const markdown = [
      "# Guide",
      "",
      "## Setup",
      "",
      "<div>html</div>",
      "",
      "## Setup",
      "",
      "- item ![i](x.png)",
      "",
      "## Setup ![logo](l.png)",
      "",
      "> ## Quoted <b>heading</b>",
      "",
      "> ## Quoted heading",
      "",
      "## Setup",
      "",
    ].join("\n");
    const { headings } = prosePage("g.md", "markdown", markdown);
    expect(headings).toEqual(headingsOf(embeddedMarkdown(markdown, { keepHeadings: true })));
    expect(headings.map((heading) => heading.anchor)).toEqual(["guide", "setup", "setup-1", "setup-logo", "setup-2"]);
  });

  it("anchors each listed heading as the viewer ids it, quoted headings (not listed) taking their number", () => {
    const cases = [
      // kept as written
      "# Setup\n\n> ## Setup\n> quoted\n\n## Setup\n\n- ## Setup in a list\n\n## Setup in a list\n",
      // a quote rewritten in place (its image), and one parsed and written back (its HTML)
      "## Setup\n\n> ## Setup\n> ![i](x.png)\n\n> ## Setup\n> <b>x</b>\n\n## Setup\n",
      // text the viewer renders before taking its id: intraword underscores, code, entities, links
      "## Setup get_user_name\n\n## Setup `snake_case_code`\n\n## Setup Caf&eacute; &#169; &amp;\n\n## Setup [guide][ref] and [x](https://x.y)\n\n## Setup a_b_c *em* __strong__ ~~gone~~\n\n[ref]: #guide\n",
    ];
    for (const markdown of cases) {
      const { markdown: written, headings } = prosePage("g.md", "markdown", markdown);
      const ids = viewerAnchors(written);
      expect(allHeadings(written).length, markdown).toBe(ids.length);
      expect(headings.filter((heading) => heading.text.startsWith("Setup")).length).toBeGreaterThan(1);
      // Listed in page order, each with the id the viewer gives it (a quoted one in between is skipped).
      let at = 0;
      for (const heading of headings) {
        at = ids.indexOf(heading.anchor, at);
        expect(at, `${heading.anchor} in ${ids.join(", ")}`).toBeGreaterThanOrEqual(0);
      }
    }
    expect(prosePage("g.md", "markdown", cases[0]!).headings.map((heading) => heading.anchor)).toEqual(["setup", "setup-2", "setup-in-a-list", "setup-in-a-list-1"]);
    expect(prosePage("g.md", "markdown", cases[1]!).headings.map((heading) => heading.anchor)).toEqual(["setup", "setup-3"]);
    expect(prosePage("g.md", "markdown", cases[2]!).headings.map((heading) => [heading.text, heading.anchor])).toEqual([
      ["Setup get_user_name", "setup-get_user_name"],
      ["Setup snake_case_code", "setup-snake_case_code"],
      ["Setup Café © &", "setup-café--"],
      ["Setup guide and x", "setup-guide-and-x"],
      ["Setup a_b_c em strong gone", "setup-a_b_c-em-strong-gone"],
    ]);
  });

  it("gives 3,000 random headings the anchors the viewer gives them (code spans, emphasis, escapes, entities, links)", () => {
    let seed = 7;
    const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
    const parts = ["a", "b", " ", "`", "``", "` a `", "`` ` ``", "`  `", "_", "*", "**", "~", "\\*", "&amp;", "&eacute;", "[x][ref]", "[y](https://y.example)", "<", "'", "-", "1"];
    const headings = Array.from({ length: 3000 }, () => `h${Array.from({ length: 1 + random(9) }, () => parts[random(parts.length)]).join("")}`);
    const markdown = `${headings.map((heading) => `## ${heading}\n`).join("\n")}\n[ref]: #top\n`;
    const { markdown: written, headings: listed } = prosePage("g.md", "markdown", markdown);
    expect(written).toBe(markdown); // nothing to sanitise: every heading kept as written
    expect(listed.map((heading) => heading.anchor)).toEqual(viewerAnchors(markdown));
  });

  it("drops HTML comments, as GitHub shows nothing of them, keeping the lists around them apart", () => {
    for (const comment of ["<!-- prettier-ignore -->", "<!-- ALL-CONTRIBUTORS-LIST:START -->\n<!-- markdownlint-disable -->"]) {
      const written = page(`- a\n- b\n\n${comment}\n\n- c\n- d\n`);
      expect(written).not.toContain("prettier");
      expect(written).not.toContain("CONTRIBUTORS");
      expect(renderedHtml(written).match(/<ul>/g)).toHaveLength(2);
      expect(renderedText(written.replace(/\n/g, " "))).not.toContain("<!--");
    }
    // Anything besides a comment in the block is shown as text, the comment with it.
    expect(page("<!-- note --> <b>x</b>\n")).toContain("&lt;b&gt;");
    // A block that sanitises to nothing (an image without alt text) keeps two lists apart too.
    expect(renderedHtml(page("- a\n\n![](x.png)\n\n- b\n")).match(/<ul>/g)).toHaveLength(2);
  });

  it("sanitises a list with the indented blocks after it that its rewriting would take in", () => {
    // "-   " gives the item a content indent of 4: "  para" (2) is a paragraph of its own; written
    // back with "- " (indent 2) alone, the list would take it in.
    const markdown = `${BEFORE}-   item ![i](x.png)\n\n  para\n\n${AFTER}`;
    const out = page(markdown);
    expectSafe(out);
    const types = (text: string) => marked.lexer(text, { gfm: true }).map((token) => token.type).filter((type) => type !== "space");
    expect(types(out)).toEqual(types(embeddedMarkdown(markdown, { keepHeadings: true })));
    expect(out.startsWith(BEFORE)).toBe(true);
    expect(out.endsWith(AFTER)).toBe(true);
  });

  it("keeps repeated definitions marked leaves out of its tokens as written, unless unsafe", () => {
    const comments = "[//]: # 'Example'\n[//]: # 'Example2'\n[//]: # 'Example2'\n\n";
    const clean = `${BEFORE}${comments}Text.\n\n${comments}${AFTER}`;
    expect(page(clean)).toBe(clean);
    const hostile = page(`${BEFORE}[a]: https://example.com\n[a]: javascript:alert(1)\n\n${AFTER}`);
    expect(hostile).not.toContain("javascript");
    expect(hostile.startsWith(BEFORE) && hostile.endsWith(AFTER)).toBe(true);
  });
});

describe("prosePage sanitises the cheap way where it can", () => {
  const TABLE = [
    "| Feature | Us | Them |",
    "| ------- | -- | ---- |",
    "| Caching | ✅ | ✅ |",
    "| Lagged data<sup>1</sup> | ✅ | 🛑 |",
    "| Stars | [![][stars]][repo] | [x](javascript:alert(1)) |",
    "| Size | `<T>` \\| small | big |",
    "",
  ];

  it("rewrites only a table's rows that need it, in the context of its header", () => {
    const markdown = `${BEFORE}${TABLE.join("\n")}\n${AFTER}[stars]: https://img.example/s.svg\n[repo]: https://example.com/repo\n`;
    const out = page(markdown);
    expectSafe(out);
    const lines = out.split("\n");
    for (const clean of [TABLE[0], TABLE[1], TABLE[2], TABLE[5]]) expect(lines).toContain(clean);
    expect(lines).not.toContain(TABLE[3]);
    const table = marked.lexer(out, { gfm: true }).find((token): token is Tokens.Table => token.type === "table")!;
    const cells = table.rows.map((row) => row.map((cell) => cell.text));
    expect(cells.map((row) => row.length)).toEqual([3, 3, 3, 3]);
    expect(cells.map((row) => renderedText(row[0]!))).toEqual(["Caching", "Lagged data<sup>1</sup>", "Stars", "Size"]);
    expect(cells[2]![2]).toBe("x");
    expect(linkTargets(out)).toContain("https://example.com/repo");
  });

  it("rewrites no row of lines micromark does not read as that table", () => {
    expect(embeddedTableRows("| a | b |", "| - | - |", ["| c | <b>d</b> |"])).toEqual(["| c | \\<b>d\\</b> |"]);
    expect(embeddedTableRows("| a | b |", "| - | - | - |", ["| c | <b>d</b> |"])).toBeUndefined();
    expect(embeddedTableRows("| a | b |", "| - | - |", ["```", "| c | <b>d</b> |"])).toBeUndefined();
  });

  it("writes an HTML block as one paragraph of its text, without parsing it", () => {
    const blocks = ['<div align="center">\n  <img src="logo.png">\n</div>', "<pre>\n# not a heading\n\n    indented\n- not a list\n===\n</pre>"];
    const out = page(`${BEFORE}${blocks.join("\n\n")}\n\n${AFTER}`);
    expectSafe(out);
    expect(out.startsWith(BEFORE) && out.endsWith(AFTER)).toBe(true);
    const written = out.slice(BEFORE.length, -AFTER.length).trim().split("\n\n");
    expect(written).toHaveLength(2);
    expect(written.map((paragraph) => renderedText(paragraph))).toEqual(blocks.map((html) => html.replace(/\s*\n\s*/g, " ")));
    expect(headingsOf(out).map((heading) => heading.text)).toEqual(["Guide", "Next"]);
  });
});

describe("a page put together from blocks, without the last check", () => {
  /** Clean and hostile blocks whose neighbourhood matters: lazy lines, underlines, lists, definitions. */
  const SNIPPETS = [
    "Plain paragraph with ![i][d] and [t][d].",
    "Setext\n===",
    "---",
    "- a\n- b",
    "> quote",
    "    indented",
    "| a |\n|---|\n| b |",
    "[d]: https://example.com/d",
    "<div>\nblock\n</div>",
    "<!-- c -->",
    "Text <b>b</b>.",
    "- a ![i](https://cdn.example/i.png)",
    "-   item <b>x</b>",
    "> q <b>x</b>\n> [d]: https://cdn.example/q.png",
    "* a\n  <div>\n  b\n[d]: https://cdn.example/lazy.png",
    "| a |\n|---|\n| <b>c</b> |\n| [x](javascript:y) |",
    "```js title=x\ncode",
    "[e]: javascript:alert(1)",
    "===",
    "2. two",
  ];

  it("is safe for every pair of blocks, with and without a blank line between", () => {
    const unsafe: string[] = [];
    for (const first of SNIPPETS) {
      for (const second of SNIPPETS) {
        for (const between of ["\n", "\n\n"]) {
          const markdown = `${first}${between}${second}\n`;
          const page = blockwisePage(markdown)!;
          if (!viewerSafe(page.markdown)) unsafe.push(markdown);
        }
      }
    }
    expect(unsafe).toEqual([]);
  });
});
