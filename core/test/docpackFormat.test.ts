/**
 * The docpack format's shape, by example: a small format-2 docpack's JSON documents written out by
 * hand (what the viewer reads), checked against the schemas; and a format-1 manifest, which readers
 * still accept.
 */
import { describe, expect, it } from "vitest";
import {
  DOCPACK_PATHS,
  docpackSchemas,
  packageSlug,
  parseManifest,
  SEARCH_FIELDS,
  type FileEntry,
  type Manifest,
  type SearchIndex,
  type SymbolEntry,
} from "../src/docpackFormat";

const COMMIT = "0123456789abcdef0123456789abcdef01234567";
const HOST = `https://github.com/acme/widgets/blob/${COMMIT}/`;

export const EXAMPLE_MANIFEST: Manifest = {
  format: "docpack",
  format_version: 2,
  name: "acme/widgets",
  repo: { full_name: "acme/widgets", url: "https://github.com/acme/widgets", git_ref: "main", commit: COMMIT, host_url: HOST },
  generated_at: "2026-12-01T00:00:00.000Z",
  generator: { name: "doctown-builder", version: "0.2.0" },
  languages: { markdown: 1, typescript: 2 },
  stats: {
    files: 3,
    symbols: 2,
    bytes: 900,
    skipped: { unsupported: 1 },
    skipped_extensions: { ".png": 1 },
    roles: { source: 1, test: 1, docs: 1 },
    pages: 1,
    search_index: { entries: 3, omitted: 0, max_entries: 60000 },
  },
  docs: { mode: "placeholder" },
  packages: [
    {
      name: "@acme/widgets",
      version: "1.2.0",
      path: "packages/widgets",
      manifest: "packages/widgets/package.json",
      ecosystem: "npm",
      description: "Widgets.",
      entry_points: [{ name: ".", file: "packages/widgets/src/index.ts", target: "./src/index.ts" }],
      page: DOCPACK_PATHS.packagePage(packageSlug("@acme/widgets")),
      public_api: ["packages/widgets/src/index.ts#makeWidget"],
    },
  ],
  paths: { llms: "llms.txt", search: "search.json", source_prefix: "source/" },
};

export const EXAMPLE_FILES: FileEntry[] = [
  {
    path: "README.md",
    language: "markdown",
    bytes: 300,
    lines: 10,
    sha256: "a".repeat(64),
    symbols: 0,
    role: "docs",
    kind: "prose",
    source: "source/README.md",
    page: "docs/pages/README.md.md",
    title: "Widgets",
    headings: [{ depth: 1, text: "Widgets", anchor: "widgets" }, { depth: 2, text: "Install", anchor: "install" }],
  },
  {
    path: "packages/widgets/src/index.ts",
    language: "typescript",
    bytes: 500,
    lines: 30,
    sha256: "b".repeat(64),
    symbols: 2,
    role: "source",
    kind: "code",
    source: "source/packages/widgets/src/index.ts",
    page: "docs/files/packages/widgets/src/index.ts.md",
    package: "@acme/widgets",
  },
  {
    path: "packages/widgets/test/index.test.ts",
    language: "typescript",
    bytes: 100,
    lines: 5,
    sha256: "c".repeat(64),
    symbols: 0,
    role: "test",
    kind: "code",
    source: "source/packages/widgets/test/index.test.ts",
    page: "docs/files/packages/widgets/test/index.test.ts.md",
    package: "@acme/widgets",
  },
];

const FILE = "packages/widgets/src/index.ts";
export const EXAMPLE_SYMBOLS: SymbolEntry[] = [
  {
    id: `${FILE}#makeWidget`,
    name: "makeWidget",
    title: "makeWidget",
    kind: "function",
    language: "typescript",
    file: FILE,
    start_line: 10,
    end_line: 14,
    signature: "export function makeWidget(options: WidgetOptions, size: number = 1): Widget",
    exported: true,
    role: "source",
    package: "@acme/widgets",
    overload: 1,
    doc_comment: "Makes a widget.\n@param options how\n@returns the widget",
    doc: {
      markdown: "Makes a widget.",
      params: [{ name: "options", description: "how" }],
      returns: "the widget",
    },
    summary: "Makes a widget.",
    source: { path: DOCPACK_PATHS.source(FILE), start_line: 10, end_line: 14, url: `${HOST}${FILE}#L10-L14` },
    type_links: [{ name: "Widget", id: `${FILE}#Widget` }],
  },
  {
    id: `${FILE}#Widget`,
    name: "Widget",
    title: "Widget",
    kind: "interface",
    language: "typescript",
    file: FILE,
    start_line: 2,
    end_line: 5,
    signature: "export interface Widget",
    exported: true,
    role: "source",
    source: { path: DOCPACK_PATHS.source(FILE), start_line: 2, end_line: 5 },
  },
];

export const EXAMPLE_SEARCH: SearchIndex = {
  format: "docpack-search",
  version: 1,
  fields: [...SEARCH_FIELDS],
  entries: [
    ["@acme/widgets", "package", "docs/packages/acme-widgets.md", "source", "Widgets."],
    ["makeWidget", "function", `docs/files/${FILE}.md#makewidget`, "source", "export function makeWidget(options: WidgetOptions, size: number = 1): Widget"],
    ["Install", "heading", "docs/pages/README.md.md#install", "docs", "Widgets"],
  ],
};

describe("docpack format 2, by example", () => {
  it("accepts the example documents and says which version a manifest is", () => {
    const schemas = docpackSchemas(2);
    expect(parseManifest(EXAMPLE_MANIFEST).format_version).toBe(2);
    expect(schemas.manifest.parse(EXAMPLE_MANIFEST)).toEqual(EXAMPLE_MANIFEST);
    expect(schemas.files.parse(EXAMPLE_FILES)).toEqual(EXAMPLE_FILES);
    expect(schemas.symbols.parse(EXAMPLE_SYMBOLS)).toEqual(EXAMPLE_SYMBOLS);
    expect(schemas.search.parse(EXAMPLE_SEARCH)).toEqual(EXAMPLE_SEARCH);
  });

  it("rejects what does not fit: unknown role, missing source link, a non-URL host, a bad search tuple", () => {
    const schemas = docpackSchemas(2);
    expect(schemas.files.safeParse([{ ...EXAMPLE_FILES[1], role: "misc" }]).success).toBe(false);
    const { source: _source, ...noSource } = EXAMPLE_SYMBOLS[0]!;
    expect(schemas.symbols.safeParse([noSource]).success).toBe(false);
    expect(schemas.manifest.safeParse({ ...EXAMPLE_MANIFEST, repo: { ...EXAMPLE_MANIFEST.repo, host_url: "not a url" } }).success).toBe(false);
    expect(schemas.search.safeParse({ ...EXAMPLE_SEARCH, entries: [["x", "function"]] }).success).toBe(false);
  });

  it("still reads a format-1 manifest, and refuses other versions", () => {
    const { packages: _p, paths: _q, ...rest } = EXAMPLE_MANIFEST;
    const v1 = { ...rest, format_version: 1, repo: { url: rest.repo.url, git_ref: "main", commit: COMMIT }, stats: { files: 3, symbols: 2, bytes: 900, skipped: {} } };
    expect(parseManifest(v1).format_version).toBe(1);
    expect(() => parseManifest({ ...v1, format_version: 3 })).toThrow();
  });

  it("names package pages by slug", () => {
    expect(packageSlug("@tanstack/react-query")).toBe("tanstack-react-query");
    expect(packageSlug("../../x")).toBe("x");
  });
});
