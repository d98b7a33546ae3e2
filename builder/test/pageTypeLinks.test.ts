/**
 * Type links on the pages a person reads (issue 16 item 6): under a signature, the type names it
 * uses that the repository defines link to the definition's page and heading, relative, so they
 * work inside the ZIP (and the viewer routes them to the page). Names defined nowhere in the
 * repository get no link. Checked on a real repository this test creates (and on pages a model
 * wrote, with a local OpenAI-compatible server), by following each link
 * as a Markdown reader would: the target entry exists and has a heading with that anchor.
 */
import path from "node:path";
import GithubSlugger from "github-slugger";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { documentDepsFromEnv, documentStage } from "../src/stages/document";
import { relativeLink } from "../src/document/typeLinks";
import { sourceFile } from "./documentFixtures";
import { startOpenAiServer } from "./openaiServer";
import { docpackOfFiles, openDocpack } from "./fixtures/docpack";
import { removeDir, tempDir } from "./fixtures/gitRepo";
import { headings, linkTargets, renderedText } from "./markdownStructure";

let root: string;
let pack: ReturnType<typeof openDocpack>;

const FILES: Record<string, string> = {
  "package.json": JSON.stringify({ name: "shapes", version: "1.0.0", main: "src/index.ts" }),
  "src/index.ts": 'export * from "./make";\n',
  // `overview` before `Overview`: their headings slug alike, so the type's anchor is "overview-1".
  "src/model/types.ts": [
    "export function overview(): void {}",
    "",
    "/** A widget. */",
    "export interface Widget {",
    "  name: string;",
    "}",
    "",
    "export interface Overview {",
    "  widgets: Widget[];",
    "}",
    "",
  ].join("\n"),
  "src/make.ts": [
    'import type { Overview, Widget } from "./model/types";',
    'import type { ZodType } from "zod";',
    "",
    "export interface Options {",
    "  size: number;",
    "}",
    "",
    "export function makeWidget(",
    "  options: Options,",
    "  schema: ZodType,",
    "  done: Promise<Overview>,",
    "): Promise<Widget> {",
    "  return done.then((o) => o.widgets[0]!);",
    "}",
    "",
    "export function unlinked(value: ZodType): Promise<string> {",
    '  return Promise.resolve("");',
    "}",
    "",
  ].join("\n"),
};

beforeAll(async () => {
  root = tempDir();
  pack = await docpackOfFiles(root, FILES, "acme/shapes");
});
afterAll(() => removeDir(root));

/** The section of a symbol on a page: from its heading to the next heading. */
function section(page: string, heading: string): string {
  const start = page.indexOf(`\n${heading}\n`);
  expect(start, `no heading ${heading}`).toBeGreaterThan(0);
  const next = page.slice(start + heading.length + 2).search(/\n#{1,6} /);
  return next < 0 ? page.slice(start) : page.slice(start, start + heading.length + 2 + next);
}

/** The "Types:" line of a section, if any. */
function typesLine(text: string): string | undefined {
  return text.split("\n").find((line) => line.startsWith("Types: "));
}

/** Where a link on `fromPage` leads: the ZIP entry and the fragment, as a Markdown reader resolves it. */
function follow(fromPage: string, href: string): { entry: string; anchor: string } {
  const [target, anchor = ""] = href.split("#");
  const entry = path.posix.normalize(path.posix.join(path.posix.dirname(fromPage), target!.split("/").map(decodeURIComponent).join("/")));
  return { entry, anchor };
}

/** Heading anchors of a page as GitHub renders them: the heading's text, slugged in page order. */
function anchors(page: string): Map<string, string> {
  const slugger = new GithubSlugger();
  return new Map(headings(page).map((heading) => {
    const text = renderedText(heading.replace(/^#+ /, ""));
    return [slugger.slug(text), text];
  }));
}

/** Each link of a Types line: its text, and the heading it lands on (checked to exist). */
function landings(fromPage: string, line: string): Array<{ name: string; entry: string; heading: string | undefined }> {
  const names = [...line.matchAll(/\[`([^`]+)`\]/g)].map((match) => match[1]!);
  return linkTargets(line).map((href, i) => {
    const { entry, anchor } = follow(fromPage, href);
    expect(pack.names, `${href} from ${fromPage}`).toContain(entry);
    return { name: names[i]!, entry, heading: anchors(pack.text(entry)).get(anchor) };
  });
}

describe("type links on pages", () => {
  it("links each type a signature uses to its definition's page and heading, in order, once", () => {
    const from = "docs/files/src/make.ts.md";
    const line = typesLine(section(pack.text(from), "### `makeWidget`"));
    expect(line).toBeDefined();
    expect(landings(from, line!)).toEqual([
      { name: "Options", entry: "docs/files/src/make.ts.md", heading: "Options" },
      { name: "Overview", entry: "docs/files/src/model/types.ts.md", heading: "Overview" },
      { name: "Widget", entry: "docs/files/src/model/types.ts.md", heading: "Widget" },
    ]);
    // the same links symbols.json holds
    const make = pack.symbols.find((s) => s.id === "src/make.ts#makeWidget")!;
    expect(make.type_links?.map((link) => link.name)).toEqual(["Options", "Overview", "Widget"]);
  });

  it("gives no link to names the repository does not define", () => {
    const page = pack.text("docs/files/src/make.ts.md");
    expect(typesLine(section(page, "### `unlinked`"))).toBeUndefined();
    expect(page).not.toMatch(/\[`(ZodType|Promise|string)`\]/);
    // a definition's own heading is not a link to itself
    expect(typesLine(section(pack.text("docs/files/src/model/types.ts.md"), "### `Widget`"))).toBeUndefined();
  });

  it("links from a package's page too", () => {
    const from = "docs/packages/shapes.md";
    const line = typesLine(section(pack.text(from), "### `makeWidget`"));
    expect(line).toBeDefined();
    expect(landings(from, line!).map(({ entry, heading }) => [entry, heading])).toEqual([
      ["docs/files/src/make.ts.md", "Options"],
      ["docs/files/src/model/types.ts.md", "Overview"],
      ["docs/files/src/model/types.ts.md", "Widget"],
    ]);
  });

  it("agrees with the search index on where a definition's heading is", () => {
    const search = JSON.parse(pack.text("search.json")) as { entries: string[][] };
    const overview = search.entries.find((entry) => entry[0] === "Overview" && entry[1] === "interface")!;
    const { entry, anchor } = follow("index.md", overview[2]!);
    expect(anchors(pack.text(entry)).get(anchor)).toBe("Overview");
  });

  it("links each key symbol in llms.txt and the overview to its own heading, where two headings slug alike", () => {
    for (const [from, pattern] of [
      ["llms.txt", /^- \[([^\]]+)\]\((docs\/files\/[^)#]+#[^)]+)\)/gm],
      ["docs/index.md", /^- \[`([^`]+)`\]\((files\/[^)#]+#[^)]+)\)/gm],
    ] as const) {
      const landed = [...pack.text(from).matchAll(pattern)].map(([, name, href]) => {
        const { entry, anchor } = follow(from, href!);
        return [name, anchors(pack.text(entry)).get(anchor)];
      });
      expect(landed, from).toEqual(expect.arrayContaining([["overview", "overview"], ["Overview", "Overview"]]));
      for (const [name, heading] of landed) expect(heading, `${from}: ${name}`).toBe(name);
    }
  });

  it("links types on pages a model wrote too, to the same anchors", async () => {
    const server = await startOpenAiServer();
    try {
      const env = { OPENAI_API_KEY: "sk-test-key", OPENAI_BASE_URL: server.baseURL, DOCTOWN_MODEL: "test-model", DOCTOWN_CACHE_DIR: path.join(root, "llm-cache") };
      const files = [
        sourceFile("src/make.ts", "export function make(): Promise<Widget> {}\n", [{ name: "make", signature: "export function make(): Promise<Widget>" }]),
        sourceFile("src/types.ts", "export function widget() {}\nexport interface Widget {}\n", [{ name: "widget" }, { name: "Widget", kind: "interface", signature: "export interface Widget" }]),
      ];
      const out = await documentStage({ repoName: "acme/llm", files }, documentDepsFromEnv(env));
      const from = "docs/files/src/make.ts.md";
      const page = out.filePages.get("src/make.ts")!;
      expect(page).toContain("test-model");
      const line = typesLine(section(page, "### `make`"))!;
      expect(linkTargets(line)).toEqual(["types.ts.md#widget-1"]);
      const { anchor } = follow(from, linkTargets(line)[0]!);
      expect(anchors(out.filePages.get("src/types.ts")!).get(anchor)).toBe("Widget");
    } finally {
      await server.close();
    }
  });

  it("writes links relative to the page, path segments encoded where they need it", () => {
    expect(relativeLink("docs/files/src/a.ts.md", "docs/files/src/b.ts.md")).toBe("b.ts.md");
    expect(relativeLink("docs/files/src/deep/a.ts.md", "docs/files/lib/b.ts.md")).toBe("../../lib/b.ts.md");
    expect(relativeLink("docs/packages/x.md", "docs/files/a.ts.md")).toBe("../files/a.ts.md");
    const odd = "docs/files/src/my dir/a(b)\u00e9#1.ts.md";
    const href = relativeLink("docs/files/src/a.ts.md", odd);
    expect(href).toBe("my%20dir/a%28b%29%C3%A9%231.ts.md");
    expect(follow("docs/files/src/a.ts.md", href).entry).toBe(odd);
  });
});
