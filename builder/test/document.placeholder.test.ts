import { describe, expect, it } from "vitest";
import { documentDepsFromEnv, documentStage } from "../src/stages/document";
import { sampleInput, sourceFile, summariesOf } from "./documentFixtures";
import { placeholderPage, placeholderSummary, symbolSummary } from "../src/document/placeholder";
import { filePageLink, inlineCode } from "../src/document/markdown";
import type { DocumentInput } from "../src/types";
import { headings, linkTargets, pathOfFilePageLink, rawHtml, renderedHtml, renderedText } from "./markdownStructure";

describe("document stage without an LLM", () => {
  it("is placeholder mode when no key is set, or when llm is false", () => {
    expect(documentDepsFromEnv({}).llm).toBeUndefined();
    expect(documentDepsFromEnv({ OPENAI_API_KEY: "sk-x" }, { llm: false }).llm).toBeUndefined();
    expect(documentDepsFromEnv({ OPENAI_API_KEY: "sk-x" }).llm?.model).toBe("gpt-4o-mini");
    expect(documentDepsFromEnv({ OPENAI_API_KEY: "sk-x", DOCTOWN_MODEL: "m1" }).llm?.model).toBe("m1");
  });

  it("builds deterministic, clearly marked placeholder docs from symbols and doc comments", async () => {
    const progress: number[] = [];
    const input = sampleInput();
    const first = await documentStage(input, { onProgress: (done) => progress.push(done) });
    const second = await documentStage(sampleInput(), {});
    const summaries = summariesOf(first, input);

    expect(first.docs).toEqual({ mode: "placeholder" });
    expect([...first.filePages]).toEqual([...second.filePages]);
    expect([...summaries]).toEqual([...summariesOf(second, input)]);
    expect(first.index).toBe(second.index);
    expect(progress).toEqual([1, 2, 3]);

    // Summaries: first sentence of the doc comment, else none (nothing is invented).
    expect(summaries.get("src/math.ts#add")).toBe("Adds two numbers.");
    expect(summaries.has("src/shapes.ts#Circle.area")).toBe(false);
    expect(summaries.size).toBe(2);

    const page = first.filePages.get("src/shapes.ts")!;
    expect(page).toContain("**Placeholder documentation**");
    expect(page).toContain("generated without a language model");
    expect(page).toContain("### `Circle`");
    expect(page).toContain("#### `Circle.area`");
    expect(page.indexOf("`Circle`")).toBeLessThan(page.indexOf("`helper`"));
    // A symbol without a doc comment: its signature, kind and lines, and no sentence about it.
    const area = page.slice(page.indexOf("#### `Circle.area`"), page.indexOf("### `helper`"));
    expect(area).toContain("*method*");
    expect(area).toContain("```typescript\narea()\n```");
    expect(area).toContain("[line 2](../../../source/src/shapes.ts#L2)");
    expect(page).not.toMatch(/placeholder: no doc comment|No symbols were found/);
  });

  it("writes an index with languages, counts and links to every file page", async () => {
    const { index, filePages } = await documentStage(sampleInput(), {});
    expect(index).toContain("# acme/widgets");
    expect(index).toContain("**Placeholder documentation**");
    expect(index).toContain("3 files · 5 symbols");
    expect(index).toMatch(/\| typescript \| 2 \| 4 \|/);
    expect(index).toMatch(/\| python \| 1 \| 1 \|/);
    expect(index).toContain("](files/src/math.ts.md)");
    expect(index).toContain("](files/tools/weird%20%60name%60.py.md)");
    // Exported top-level symbols only, linked to their headings.
    expect(index).toContain("- [`add`](files/src/math.ts.md#add) (function) in `src/math.ts`");
    expect(index).not.toContain("[`helper`]");
    expect([...filePages.keys()]).toEqual(["src/math.ts", "src/shapes.ts", "tools/weird `name`.py"]);
  });

  it("never lets repository text open HTML or break a code span", async () => {
    const { filePages, index } = await documentStage(sampleInput(), {});
    const page = filePages.get("tools/weird `name`.py")!;
    expect(page).toContain("# ``weird `name`.py``".replace("weird", "tools/weird"));
    expect(rawHtml(page)).toEqual([]);
    expect(renderedHtml(page)).not.toContain("<b>");
    expect(renderedHtml(page)).toContain("&lt;b&gt;");
    expect(index).not.toContain("<b>");
  });
});

/** Doc comments whose first sentence is Markdown or HTML syntax, one per symbol. */
const HOSTILE_DOCS = ["~~~", "```", "<img src=x onerror=alert(1)>", "# heading", "---", "1. x", "> quote", "| a | b |", "- item", "~~struck~~"];
const HOSTILE_PATHS = ["src/a).ts", "src/(b) [c].ts", "docs/my file.ts", "src/ümlaut/日本語.ts", "src/100% <x>.ts"];

function hostileInput(): DocumentInput {
  const symbols = HOSTILE_DOCS.map((doc, i) => ({ name: `fn${i}`, doc_comment: `/** ${doc} */` }));
  return {
    repoName: "acme/<b>hostile</b>",
    files: [
      sourceFile("src/hostile.ts", "export {}\n", [
        ...symbols,
        { name: "<img src=x onerror=alert(1)>", signature: "```\n~~~", doc_comment: "/**\n * ```\n * <img src=x>\n */" },
      ]),
      ...HOSTILE_PATHS.map((path, i) => sourceFile(path, "export {}\n", [{ name: `top${i}` }])),
    ],
  };
}

describe("placeholder pages with hostile repository text", () => {
  it("keep every symbol a heading, and no HTML from doc comments, names or signatures", async () => {
    const input = hostileInput();
    const page = (await documentStage(input, {})).filePages.get("src/hostile.ts")!;
    const names = input.files[0].symbols.map((symbol) => symbol.name);
    expect(headings(page)).toEqual(["# `src/hostile.ts`", "## Symbols", ...names.map((name) => `### ${inlineCode(name)}`)]);
    expect(rawHtml(page)).toEqual([]);
    expect(renderedHtml(page)).not.toMatch(/<(img|b)[\s>]/);
    // Doc comments are Markdown, held in their section: "# heading" is no heading of the page,
    // an open fence is closed where the comment ends (the next symbol is still a heading).
    expect(renderedHtml(page)).toContain("<del>struck</del>");
  });

  it("link every file from the index to files/<encoded path>.md, whatever its path", async () => {
    const input = hostileInput();
    const { index } = await documentStage(input, {});
    expect(headings(index)).toEqual(["# acme/&lt;b&gt;hostile&lt;/b&gt;", "## Languages", "## Top-level exported symbols", "## Source files", "## Documentation files"]);
    expect(rawHtml(index)).toEqual([]);
    const targets = linkTargets(index).map((target) => target.split("#")[0]!);
    for (const path of HOSTILE_PATHS) expect(targets).toContain(filePageLink(path));
    expect(new Set(targets.map(pathOfFilePageLink))).toEqual(new Set(input.files.map((file) => file.path)));
  });
});

describe("placeholder pages", () => {
  it("show a doc comment's first sentence once, also when it spans lines", () => {
    const symbol = {
      id: "a.ts#total", name: "total", kind: "function", language: "typescript", file: "a.ts", start_line: 4, end_line: 6,
      signature: "export function total(items: number[]): number", exported: true,
      doc_comment: "/**\n * Computes the total\n * of the items. More text here.\n */",
    } as const;
    const page = placeholderPage({ path: "a.ts", language: "typescript", bytes: 120, lines: 6, sha256: "0".repeat(64), role: "source", content: "", symbols: [symbol], symbolCount: 1, exportedTopLevel: 1 }, "no-llm");
    expect(renderedText(page).match(/Computes the total/g)).toHaveLength(1);
    expect(renderedText(page)).toContain("Computes the total\nof the items. More text here.");
  });
});

describe("placeholder docs produced on demand", () => {
  it("give the same pages and summaries as building them all up front, in path order", async () => {
    const input = sampleInput();
    const out = await documentStage(input, {});
    const files = [...input.files].sort((a, b) => (a.path < b.path ? -1 : 1));

    const eagerPages = files.map((file) => [file.path, placeholderPage(file, "no-llm")]);
    expect([...out.filePages]).toEqual(eagerPages);
    expect([...out.filePages.keys()]).toEqual(eagerPages.map(([path]) => path));
    for (const [path, page] of eagerPages) expect(out.filePages.get(path!)).toBe(page);
    expect(out.filePages.get("no/such/file.ts")).toBeUndefined();
    expect(out.filePages.has("src/math.ts")).toBe(true);

    const eagerSummaries = new Map(files.flatMap((file) => file.symbols.flatMap((symbol) => {
      const summary = placeholderSummary(symbol);
      return summary ? [[symbol.id, summary] as const] : [];
    })));
    expect(summariesOf(out, input)).toEqual(eagerSummaries);
    for (const file of files)
      for (const symbol of file.symbols) expect(symbolSummary(out.summaries, symbol)).toBe(eagerSummaries.get(symbol.id));
    expect(out.summaries.size).toBe(0);
  });
});
