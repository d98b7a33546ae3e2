import { describe, expect, it } from "vitest";
import { rewrittenBlock } from "../src/document/blockRewrite";
import { markdownBlocks, viewerSafe } from "../src/document/cleanMarkdown";
import { prosePage } from "../src/document/prose";
import { linkTargets, rawHtml, renderedHtml } from "./markdownStructure";

/** The file's one dirty block, rewritten in place (undefined: the caller parses it instead). */
function rewritten(markdown: string): string | undefined {
  const dirty = markdownBlocks(markdown)!.blocks.filter((block) => !block.headings);
  expect(dirty).toHaveLength(1);
  return rewrittenBlock(dirty[0]!.raw, dirty[0]!.token!)?.markdown;
}

function expectSafe(markdown: string): void {
  expect(rawHtml(markdown)).toEqual([]);
  expect(renderedHtml(markdown)).not.toMatch(/<(img|div|b|sup)[\s>]|href="(javascript|data|&#)/);
  expect(linkTargets(markdown).filter((href) => !/^(https?:|mailto:|\.|#)/.test(href))).toEqual([]);
}

describe("a dirty block rewritten in its own text", () => {
  it.each([
    [
      "badges: images inside links",
      "[![npm](https://img.shields.io/npm/v/x)](https://www.npmjs.com/package/x)\n[![size](https://img.shields.io/s)](https://bundlephobia.com/x)\n",
      "[npm](https://www.npmjs.com/package/x)\n[size](https://bundlephobia.com/x)\n",
    ],
    ["inline HTML in a paragraph", "Text with <b>bold</b> and `<code>` kept.\n", "Text with &lt;b&gt;bold&lt;/b&gt; and `<code>` kept.\n"],
    [
      "a quote holding a list of HTML links and images",
      '> Extensions:\n>\n> - <img alt="logo" src="https://cdn.example/l.svg" /> <a href="https://example.com/x">Chrome</a>\n> - plain `item`\n',
      '> Extensions:\n>\n> - &lt;img alt="logo" src="https\\://cdn.example/l.svg" /&gt; &lt;a href="https\\://example.com/x"&gt;Chrome&lt;/a&gt;\n> - plain `item`\n',
    ],
    ["a heading with HTML", '### <a href="https://example.com/docs">Read the docs</a>\n', '### &lt;a href="https\\://example.com/docs"&gt;Read the docs&lt;/a&gt;\n'],
    ["a link to another scheme, its text kept", "Run [**this** now](javascript:alert(1)) or [that](https://ok.example).\n", "Run **this** now or [that](https://ok.example).\n"],
    ["an autolink to another scheme", "See <javascript:alert(1)> here.\n", "See javascript:alert(1) here.\n"],
    ["a literal ftp:// address (GFM makes it a link)", "Mirror at ftp://files.example/pub today.\n", "Mirror at ftp\\://files.example/pub today.\n"],
    [
      "a table row with inline HTML and a javascript: link",
      "| a | b |\n|---|---|\n| ok | fine |\n| x<sup>1</sup> | [y](javascript:z) |\n",
      "| a | b |\n|---|---|\n| ok | fine |\n| x&lt;sup&gt;1&lt;/sup&gt; | y |\n",
    ],
    ["a fence whose info string says more than a language", "```{note} See [tqdm](https://tqdm.github.io/).\nbody <b>\n```\n", "```{note}\nbody <b>\n```\n"],
    ["a fence with attributes", "~~~~ts title=<x> {1,3}\nlet a = 1;\n~~~~\n", "~~~~ts\nlet a = 1;\n~~~~\n"],
  ])("%s: only the dirty tokens change", (_, markdown, expected) => {
    const out = rewritten(markdown);
    expect(out).toBe(expected);
    expectSafe(out!);
  });

  it("keeps a link whose query string holds `&` as written, but not a scheme spelled with `&` or `\\`", () => {
    const tracking = "Deploy on [Vercel](https://vercel.com/new?utm_medium=template&filter=next.js).\n";
    expect(markdownBlocks(tracking)!.blocks.every((block) => block.headings)).toBe(true);
    expect(prosePage("README.md", "markdown", tracking).markdown).toBe(tracking);
    for (const hostile of ["[x](&#106;avascript:alert(1))", "[x](javascript&colon;alert(1))", "[x](\\&#106;avascript:alert(1))", "[x](java\\script:alert(1)/a&b)"]) {
      const page = prosePage("README.md", "markdown", `${hostile}\n`).markdown;
      expectSafe(page);
      expect(renderedHtml(page)).not.toMatch(/href=/);
    }
  });

  it("gives the headings of the rewritten text", () => {
    const markdown = "Title <b>x</b>\n===\n";
    const dirty = markdownBlocks(markdown)!.blocks[0]!;
    expect(rewrittenBlock(dirty.raw, dirty.token!)?.headings).toEqual([{ depth: 1, markdown: "Title &lt;b&gt;x&lt;/b&gt;" }]);
    expect(prosePage("g.md", "markdown", markdown).headings.map((heading) => heading.text)).toEqual(["Title <b>x</b>"]);
  });

  it.each([
    ["inline HTML over two lines of a quote (marked gives it without the `>`)", '> See <a\n> href="https://example.com">this</a>.\n'],
    ["an unsafe definition inside a list item", "- item\n\n  [d]: javascript:alert(1)\n"],
    ["a fence left open in a list item", "- item\n\n  ```js title=<x>\n  let x;\n"],
  ])("leaves %s to the full sanitiser, and the page is safe", (_, markdown) => {
    expect(rewritten(markdown)).toBeUndefined();
    expectSafe(prosePage("g.md", "markdown", markdown).markdown);
  });

  it("shows a file as text when even the whole-file rewrite is read as unsafe", () => {
    // The first blocks need the whole file rewritten (blockwise, they are read as unsafe together);
    // micromark reads the quote's escape and GFM autolink literal apart from marked, and its rewrite
    // is read by the viewer as a javascript: link.
    const markdown = "[d]: javascript:alert(1)\n\n# <b>x</b><a href=x>\n\nftp://files.example/x\\<(\n\n> \\www.example.comwww.example.com\\[c](&#106;avascript:1)\n> \\\n";
    const page = prosePage("notes.md", "markdown", markdown);
    expectSafe(page.markdown);
    expect(renderedHtml(page.markdown)).not.toMatch(/href="javascript/i);
    expect(page.markdown).toContain("www.example.com");
    expect(page.title).toBe("notes.md");
  });

  it("refuses an edit the walk put in the wrong place (the same text earlier, in a token it could not place)", () => {
    // The code span spans two lines of the quote: marked gives its text without "> ", so the walk
    // cannot place it, and the `<b>` inside it is the first match for the HTML right after it.
    const markdown = "> `a\n> <b>`<b>x</b>.\n";
    expect(rewritten(markdown)).toBeUndefined();
    const page = prosePage("g.md", "markdown", markdown).markdown;
    expectSafe(page);
    expect(renderedHtml(page)).toContain("<code>a &lt;b&gt;</code>");
  });
});

describe("prose pages of random hostile Markdown", () => {
  /** Inline pieces that make a block dirty, or sit next to what does (escapes, brackets, literals). */
  const PIECES = ["<b>x</b>", "<img src=x onerror=alert(1)>", "![i](https://cdn.example/i.png)", "[a](javascript:alert(1))", "[b](https://ok.example/?a=1&b=2)", "<javascript:alert(1)>", "ftp://files.example/x", "`<code>`", "**bold**", "_em_", "[ref][d]", "![r][d]", "&#106;", "\\<", "text", "www.example.com", "[c](&#106;avascript:1)", "[d](java\\script:1)", "<!-- c -->", "<a\nhref=x>", "`a\n<b>`", "[x]", "]", "[", "(", ")", "\\", "*", "_", "|"];

  /** A deterministic generator (xorshift32), so a failure can be replayed. */
  function random(seed: number): () => number {
    let state = seed | 0;
    return () => {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      return (state >>> 0) / 4294967296;
    };
  }

  function hostileFile(next: () => number): string {
    const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]!;
    const inline = () => Array.from({ length: 1 + Math.floor(next() * 5) }, () => pick(PIECES)).join(next() < 0.5 ? " " : "");
    const line = () => inline().replace(/\n/g, " ");
    const blocks = [
      () => inline(),
      () => `> ${inline()}\n> ${inline()}`,
      () => `- ${inline()}\n- ${inline()}\n  ${inline()}`,
      () => `| a | b |\n|---|---|\n| ${line()} | ${line()} |`,
      () => `# ${line()}`,
      () => `\`\`\`js title=${line()}\ncode\n\`\`\``,
      () => `[d]: ${next() < 0.5 ? "javascript:alert(1)" : "https://img.example/x.png"}`,
      () => `<div>\n${inline()}\n</div>`,
      () => `${inline()}\n===`,
      () => `1. ${inline()}\n   > ${inline()}`,
    ];
    return `${Array.from({ length: 1 + Math.floor(next() * 4) }, () => pick(blocks)()).join(next() < 0.3 ? "\n" : "\n\n")}\n`;
  }

  it("are always safe as the viewer reads them (4,000 files, seeded)", () => {
    const next = random(0x9e3779b9);
    const unsafe: string[] = [];
    for (let i = 0; i < 4000; i++) {
      const markdown = hostileFile(next);
      if (!viewerSafe(prosePage("f.md", "markdown", markdown).markdown)) unsafe.push(markdown);
    }
    expect(unsafe).toEqual([]);
  }, 30_000);
});
