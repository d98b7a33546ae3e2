import { describe, expect, it } from "vitest";
import { embeddedMarkdown } from "../src/document/modelMarkdown";
import { prosePage } from "../src/document/prose";
import { headingsOf } from "../src/document/proseHeadings";
import { linkTargets, rawHtml, renderedHtml } from "./markdownStructure";

/** Markdown a sanitiser has nothing to change in: code full of `<`, safe links, setext headings. */
const CLEAN_GUIDE = [
  "# Guide",
  "",
  "Install with `npm i <pkg>` and read [the docs](https://example.com/a?b=1) or [the API](./api.md#use).",
  "",
  "Setext section",
  "--------------",
  "",
  "- a list item with a [reference link][ref]",
  "- `Array<string>` & more",
  "",
  "```tsx",
  "const App = () => <QueryClientProvider client={client}><Todos /></QueryClientProvider>;",
  "```",
  "",
  "> # Quoted heading",
  "",
  "| a | b |",
  "|---|---|",
  "| `<T>` | www.example.com |",
  "",
  "    indented <code>",
  "",
  "## Using `useQuery` _and_ friends",
  "",
  "[ref]: https://example.com/ref",
  "",
].join("\n");

describe("prosePage (Markdown)", () => {
  it("keeps a file with nothing to sanitise byte for byte, headings (setext too) with anchors", () => {
    const page = prosePage("docs/guide.md", "markdown", `---\ntitle: The Guide\n---\n${CLEAN_GUIDE}`);
    expect(page.markdown).toBe(CLEAN_GUIDE);
    expect(page.title).toBe("The Guide");
    expect(page.headings).toEqual([
      { depth: 1, text: "Guide", anchor: "guide" },
      { depth: 2, text: "Setext section", anchor: "setext-section" },
      { depth: 2, text: "Using useQuery and friends", anchor: "using-usequery-and-friends" },
    ]);
  });

  it("gives a kept file the headings the full sanitiser would give it", () => {
    const atxOnly = CLEAN_GUIDE.replace("Setext section\n--------------", "## Setext section").replace("> # Quoted heading\n\n", "");
    expect(prosePage("g.md", "markdown", atxOnly).headings).toEqual(headingsOf(embeddedMarkdown(atxOnly, { keepHeadings: true })));
  });

  it.each([
    ["raw HTML", '<div align="center"><img src="logo.png"></div>\n\n# Title\n\nText <b onclick="x()">bold</b>.\n'],
    ["an image", "# Title\n\n![logo](https://cdn.example/logo.png)\n"],
    ["a javascript: link", "# Title\n\n[click](javascript:alert(1))\n"],
    ["a scheme hidden by a character reference", "# Title\n\n[click](&#106;avascript:alert(1))\n"],
    ["a scheme hidden by an escape", "# Title\n\n[click](javascript\\:alert(1))\n"],
    ["a data: definition", "# Title\n\n[click][x]\n\n[x]: data:text/html,hi\n"],
    ["an autolink to another scheme", "# Title\n\n<javascript:alert(1)>\n"],
    ["an image by reference", "# Title\n\n![logo][l]\n\n[l]: https://cdn.example/logo.png\n"],
    ["a character reference kept by an escape", "# Title\n\n[click](\\&#106;avascript:alert(1))\n"],
    ["a named character reference for the colon", "# Title\n\n[click](javascript\\&colon;alert(1))\n"],
    ["an ftp:// address written as text (GFM makes it a link)", "# Title\n\nMirror at ftp://files.example/pub for old releases.\n"],
    ["inline HTML in a list item", "# Title\n\n- plain\n- with <img src=x onerror=alert(1)> inside\n"],
    ["an image in a table cell", "# Title\n\n| a | b |\n|---|---|\n| ![x](https://cdn.example/x.png) | y |\n"],
  ])("sanitises a file with %s", (_, markdown) => {
    const page = prosePage("README.md", "markdown", markdown);
    expect(page.markdown).not.toBe(markdown);
    expect(rawHtml(page.markdown)).toEqual([]);
    const html = renderedHtml(page.markdown);
    expect(html).not.toMatch(/<(img|div|b)[\s>]/);
    expect(linkTargets(page.markdown).filter((href) => !/^(https?:|mailto:|\.|#)/.test(href))).toEqual([]);
    expect(html).not.toMatch(/cdn\.example|href="(javascript|data|&#)/);
    expect(page.headings.map((h) => h.text)).toEqual(["Title"]);
  });

  it("closes a fence left open and drops fence info beyond the language", () => {
    expect(prosePage("a.md", "markdown", "# A\n\n```ts title=<x>\nconst a = 1;\n```\n").markdown).toBe("# A\n\n```ts\nconst a = 1;\n```\n");
    const open = prosePage("b.md", "markdown", "# B\n\n- item\n\n  ```js\n  let x;\n").markdown;
    expect(open.trimEnd().endsWith("```")).toBe(true);
    expect(`${open}\n<script>alert(1)</script>\n`.split("```").length % 2).toBe(1);
  });
});
