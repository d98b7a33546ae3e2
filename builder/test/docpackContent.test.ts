/**
 * What a format-2 docpack gives a reader and an agent (issue 16), on a real repository this test
 * creates: packages with their public API through `export … from` chains, the repository's prose as
 * pages with headings in the search index, roles (package source ranked first, tests and examples
 * apart), no invented sentences, doc comments rendered with their tags, source text with links,
 * type links, llms.txt, Svelte/Vue components and skipped extensions.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SearchIndex } from "@doctown/core/docpackFormat";
import { hostBlobUrl } from "../src/build";
import { finishSymbol } from "../src/pack/finishSymbol";
import { docpackOfFiles, openDocpack } from "./fixtures/docpack";
import { removeDir, tempDir } from "./fixtures/gitRepo";
import { rawHtml } from "./markdownStructure";

let root: string;
let pack: ReturnType<typeof openDocpack>;

const FILES: Record<string, string> = {
  "README.md": "# Widgets\n\nWidgets makes widgets for everyone who needs them.\n\n## Install\n\nRun `npm i @acme/widgets`.\n\n<script>alert(1)</script>\n",
  "package.json": JSON.stringify({ name: "widgets-monorepo", private: true, workspaces: ["packages/*"] }),
  "packages/widgets/package.json": JSON.stringify({
    name: "@acme/widgets",
    version: "1.2.0",
    description: "Widget toolkit.",
    exports: { ".": { types: "./dist/index.d.ts", import: "./dist/index.js" }, "./server": "./dist/server.js" },
  }),
  "packages/widgets/src/index.ts": 'export * from "./make";\nexport { Gear as Cog } from "./gear";\nexport type { WidgetOptions } from "./types";\n',
  "packages/widgets/src/make.ts": [
    'import type { WidgetOptions, Widget } from "./types";',
    "/**",
    " * Makes a widget from its options. See {@link Widget}.",
    " *",
    " * @param options - how the widget is made",
    " * @param size - its size",
    " * @returns the new widget",
    " * @throws {RangeError} when size is negative",
    " * @deprecated use makeGear",
    " * @example",
    " * makeWidget({ name: 'a' })",
    " */",
    "export function makeWidget(",
    "  options: WidgetOptions,",
    "  size = 1,",
    "): Widget {",
    "  return { name: options.name, size };",
    "}",
    "",
    "export function undocumented(a: number): number {",
    "  return a;",
    "}",
    "",
  ].join("\n"),
  "packages/widgets/src/types.ts": "export interface WidgetOptions {\n  name: string\n}\n\nexport interface Widget {\n  name: string\n  size: number\n}\n",
  "packages/widgets/src/gear.ts": "export class Gear {\n  teeth: number = 12\n}\n",
  "packages/widgets/src/server.ts": "export function serve(port: number): void {}\n",
  "packages/widgets/src/pick.ts": "export function pick(key: string): string;\nexport function pick(keys: string[]): string[];\nexport function pick(k: unknown): unknown { return k; }\n",
  "packages/widgets/src/internal.ts": "export function notPublic(): void {}\n",
  "packages/widgets/test/make.test.ts": "export function makeWidget(): void {}\n",
  "examples/basic/package.json": JSON.stringify({ name: "aaa-basic-example", private: true }),
  "examples/basic/app.ts": "export function makeWidget(): string { return 'example'; }\n",
  "packages/react/package.json": JSON.stringify({ name: "@acme/react", main: "src/index.ts" }),
  "packages/react/src/index.ts": 'export * from "@acme/widgets";\nexport function useWidget(): void {}\n',
  "packages/ui/Button.svelte": '<script lang="ts">\n  export let label: string = "OK";\n  export function press(times: number): void {}\n</script>\n\n<button>{label}</button>\n',
  "packages/ui/Card.vue": "<template><div/></template>\n<script>\nexport function cardTitle(card) { return card.title; }\n</script>\n",
  "python/pyproject.toml": '[project]\nname = "acme-tools"\nversion = "0.3.0"\ndescription = "Tools."\n',
  "python/src/acme_tools/__init__.py": "from .core import run\n",
  "python/src/acme_tools/core.py": 'def run(path: str, *, verbose: bool = False) -> int:\n    """Runs the tool.\n\n    Args:\n        path: where to run\n        verbose: say more\n\n    Returns:\n        the exit code\n    """\n    return 0\n',
  "go/go.mod": "module example.com/acme/gotool\n\ngo 1.22\n",
  "go/gotool.go": "package gotool\n\n// Start starts the tool.\nfunc Start(addr string) error { return nil }\n",
  "rust/Cargo.toml": '[package]\nname = "acme-rs"\nversion = "0.1.0"\ndescription = "Rust bits."\n',
  "rust/src/lib.rs": "/// Adds.\npub fn add(a: i32, b: i32) -> i32 { a + b }\n",
  "docs/guide.md": "---\ntitle: The Guide\n---\n# Getting started\n\nRead this first.\n\n## Configuring widgets\n\nText.\n",
  "docs/api.rst": "API\n===\n\nSome text.\n\nFunctions\n---------\n\n    code block\n",
  "docs/notes.txt": "Plain notes.\n",
  "assets/logo.png": "not really a png",
  "assets/data.bin": "x",
};

beforeAll(async () => {
  root = tempDir();
  pack = await docpackOfFiles(root, FILES, "acme/widgets");
});
afterAll(() => removeDir(root));

describe("docpack content (format 2)", () => {
  it("finds every package with version, description and entry points mapped to sources", () => {
    const byName = Object.fromEntries(pack.manifest.packages.map((p) => [p.name, p]));
    expect(Object.keys(byName).sort()).toEqual(["@acme/react", "@acme/widgets", "aaa-basic-example", "acme-rs", "acme-tools", "example.com/acme/gotool", "widgets-monorepo"]);
    const widgets = byName["@acme/widgets"]!;
    expect(widgets).toMatchObject({ version: "1.2.0", description: "Widget toolkit.", path: "packages/widgets", ecosystem: "npm", page: "docs/packages/acme-widgets.md" });
    expect(widgets.entry_points).toEqual(
      expect.arrayContaining([
        { name: ".", file: "packages/widgets/src/index.ts", target: "./dist/index.js" },
        { name: "./server", file: "packages/widgets/src/server.ts", target: "./dist/server.js" },
      ]),
    );
    // the public API follows export-from chains and stops at what is exported
    expect(widgets.public_api).toEqual(
      expect.arrayContaining(["packages/widgets/src/make.ts#makeWidget", "packages/widgets/src/gear.ts#Gear", "packages/widgets/src/types.ts#WidgetOptions", "packages/widgets/src/server.ts#serve"]),
    );
    expect(widgets.public_api).not.toContain("packages/widgets/src/internal.ts#notPublic");
    // and into the repository's other packages
    expect(byName["@acme/react"]!.public_api).toEqual(expect.arrayContaining(["packages/react/src/index.ts#useWidget", "packages/widgets/src/make.ts#makeWidget"]));
    expect(byName["acme-tools"]!.public_api).toEqual(["python/src/acme_tools/core.py#run"]);
    expect(byName["example.com/acme/gotool"]!.public_api).toEqual(["go/gotool.go#Start"]);
    expect(byName["acme-rs"]!.public_api).toEqual(["rust/src/lib.rs#add"]);
    const page = pack.text("docs/packages/acme-widgets.md");
    expect(page).toContain("## Public API");
    expect(page).toContain("export function makeWidget(options: WidgetOptions, size = 1): Widget");
    expect(page).not.toContain("notPublic");
  });

  it("keeps every prose file as a sanitised page, the README as the overview's introduction", () => {
    const prose = pack.files.filter((f) => f.kind === "prose").map((f) => f.path);
    expect(prose).toEqual(["README.md", "docs/api.rst", "docs/guide.md", "docs/notes.txt"]);
    expect(pack.manifest.stats.pages).toBe(4);
    const guide = pack.files.find((f) => f.path === "docs/guide.md")!;
    expect(guide).toMatchObject({ title: "The Guide", page: "docs/pages/docs/guide.md.md" });
    expect(guide.headings).toEqual([
      { depth: 1, text: "Getting started", anchor: "getting-started" },
      { depth: 2, text: "Configuring widgets", anchor: "configuring-widgets" },
    ]);
    expect(pack.text("docs/pages/docs/api.rst.md")).toMatch(/^# API$/m);
    expect(pack.text("docs/pages/docs/api.rst.md")).toContain("```\ncode block\n```");
    const readme = pack.text("docs/pages/README.md.md");
    expect(rawHtml(readme)).toEqual([]);
    expect(readme).toContain("## Install");
    const index = pack.text("docs/index.md");
    expect(index).toContain("Widgets makes widgets for everyone who needs them.");
    expect(index).toContain("## Packages");
    expect(index.indexOf("@acme/widgets")).toBeGreaterThan(0);
  });

  it("ranks package source first in the search index; tests and examples stay, apart", () => {
    const search = SearchIndex.parse(JSON.parse(pack.text("search.json")));
    const exact = (name: string) => search.entries.filter((entry) => entry[0] === name);
    const makeWidget = exact("makeWidget");
    expect(makeWidget.map((e) => e[3])).toEqual(["source", "example", "test"]);
    expect(makeWidget[0]![2]).toBe("docs/files/packages/widgets/src/make.ts.md#makewidget");
    expect(exact("Configuring widgets")[0]).toEqual(["Configuring widgets", "heading", "docs/pages/docs/guide.md.md#configuring-widgets", "docs", "The Guide"]);
    expect(exact("@acme/widgets")[0]![1]).toBe("package");
    // an example's package is kept, after the packages the repository ships
    expect(exact("aaa-basic-example")[0]![3]).toBe("example");
    expect(pack.manifest.packages.at(-1)!.name).toBe("aaa-basic-example");
    expect(pack.text("llms.txt").indexOf("aaa-basic-example")).toBeGreaterThan(pack.text("llms.txt").indexOf("@acme/widgets"));
    const roles = Object.fromEntries(pack.files.map((f) => [f.path, f.role]));
    expect(roles).toMatchObject({ "packages/widgets/src/make.ts": "source", "packages/widgets/test/make.test.ts": "test", "examples/basic/app.ts": "example", "docs/guide.md": "docs", "package.json": "config" });
    expect(pack.symbols.find((s) => s.id === "examples/basic/app.ts#makeWidget")?.role).toBe("example");
  });

  it("invents nothing; renders doc comments with their tags; headings show names", () => {
    const everything = pack.allText();
    expect(everything).not.toMatch(/placeholder: no doc comment|No symbols were found/);
    const undocumented = pack.symbols.find((s) => s.name === "undocumented")!;
    expect(undocumented.summary).toBeUndefined();
    const make = pack.symbols.find((s) => s.id === "packages/widgets/src/make.ts#makeWidget")!;
    expect(make.summary).toBe("Makes a widget from its options.");
    expect(make.doc).toMatchObject({
      params: [{ name: "options", description: "how the widget is made" }, { name: "size", description: "its size" }],
      returns: "the new widget",
      throws: [{ type: "RangeError", description: "when size is negative" }],
      deprecated: "use makeGear",
      examples: ["makeWidget({ name: 'a' })"],
      links: [{ text: "Widget", id: "packages/widgets/src/types.ts#Widget" }],
    });
    const page = pack.text("docs/files/packages/widgets/src/make.ts.md");
    expect(page).toContain("**Parameters**");
    expect(page).toContain("**Deprecated.** use makeGear");
    expect(page).not.toContain("@param");
    expect(page.match(/Makes a widget from its options/g)).toHaveLength(1);
    const undocumentedSection = page.slice(page.indexOf("### `undocumented`"));
    expect(undocumentedSection).toContain("export function undocumented(a: number): number");
    expect(undocumentedSection).toContain("*function, exported*");
    // Overloads: headings (and the search index's anchors to them) say which one, never the id's `~2`.
    const overloads = pack.text("docs/files/packages/widgets/src/pick.ts.md").match(/^###+ .*pick.*$/gm);
    expect(overloads).toEqual(["### `pick (overload 1)`", "### `pick (overload 2)`", "### `pick (overload 3)`"]);
    const search = SearchIndex.parse(JSON.parse(pack.text("search.json")));
    const picks = search.entries.filter((entry) => entry[0] === "pick");
    expect(picks.map((entry) => entry[2].split("#")[1])).toEqual(["pick-overload-1", "pick-overload-2", "pick-overload-3"]);
    const py = pack.symbols.find((s) => s.id === "python/src/acme_tools/core.py#run")!;
    expect(py.doc).toMatchObject({ params: [{ name: "path", description: "where to run" }, { name: "verbose", description: "say more" }], returns: "the exit code" });
  });

  it("holds each file's text and links symbols to their lines and type definitions", () => {
    expect(pack.text("source/packages/widgets/src/make.ts")).toBe(FILES["packages/widgets/src/make.ts"]);
    const make = pack.symbols.find((s) => s.id === "packages/widgets/src/make.ts#makeWidget")!;
    expect(make.source).toEqual({ path: "source/packages/widgets/src/make.ts", start_line: 13, end_line: 18 });
    expect(make.type_links).toEqual([
      { name: "WidgetOptions", id: "packages/widgets/src/types.ts#WidgetOptions" },
      { name: "Widget", id: "packages/widgets/src/types.ts#Widget" },
    ]);
    expect(make.package).toBe("@acme/widgets");
    // at the host, when the repository lives on GitHub
    const host = hostBlobUrl("https://github.com/acme/widgets.git", "a".repeat(40));
    expect(host).toBe(`https://github.com/acme/widgets/blob/${"a".repeat(40)}/`);
    expect(hostBlobUrl("file:///tmp/x", "a".repeat(40))).toBeUndefined();
    const linked = finishSymbol(make, { hostUrl: host, summaries: new Map(), packageOf: new Map(), nameIds: new Map() });
    expect(linked.source.url).toBe(`${host}packages/widgets/src/make.ts#L13-L18`);
  });

  it("reads Svelte and Vue script blocks, counts skipped extensions, writes llms.txt", () => {
    const ids = pack.symbols.map((s) => s.id);
    expect(ids).toEqual(expect.arrayContaining(["packages/ui/Button.svelte#label", "packages/ui/Button.svelte#press", "packages/ui/Card.vue#cardTitle"]));
    expect(pack.symbols.find((s) => s.id === "packages/ui/Button.svelte#press")).toMatchObject({ start_line: 3, signature: "export function press(times: number): void" });
    expect(pack.manifest.stats.skipped_extensions).toEqual({ ".bin": 1, ".png": 1 });
    const llms = pack.text("llms.txt");
    expect(llms).toMatch(/^# acme\/widgets\n\n> Widgets makes widgets for everyone who needs them\./);
    expect(llms).toContain("- [@acme/widgets](docs/packages/acme-widgets.md): Widget toolkit.");
    expect(llms).toContain("## API");
    expect(llms).toContain("[makeWidget](docs/files/packages/widgets/src/make.ts.md#makewidget)");
  });
});
