/** The viewer's docpack reading and symbol search (pure parts; the browser test covers the page). */
import { strToU8, unzipSync, zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { DocpackError, LIMITS, openDocpack } from "../src/lib/viewer/docpack";
import { buildIndex, fileTree, markdownHeadings, packagesOf, search, sortedChildren, symbolsByFile } from "../src/lib/viewer/search";
import { linkAnchor, pageAnchors, parseRoute, withAnchor } from "../src/lib/viewer/anchors";
import { docLinkTarget, routeHref, splitMarkdown } from "../src/lib/viewer/view";
import { docpackZip, docpackZipV2, FILES, manifest, manifestV2, SYMBOLS } from "./support/docpackZip";

describe("openDocpack", () => {
  it("reads manifest, files, symbols and pages of a valid docpack", () => {
    const docpack = openDocpack(docpackZip(), unzipSync);
    expect(docpack.manifest).toMatchObject({ name: "sample", repo: { full_name: "alice/sample", git_ref: "main" }, docs: { mode: "placeholder" } });
    expect(docpack.files.map((file) => file.path)).toEqual(["src/math.ts"]);
    expect(docpack.symbols.map((symbol) => symbol.name)).toEqual(["add", "Calculator"]);
    expect(docpack.dropped).toEqual({ files: 0, symbols: 0 });
    expect(docpack.readPage(null)).toContain("Overview.");
    expect(docpack.readPage("src/math.ts")).toContain("Math.");
    expect(docpack.readPage("src/missing.ts")).toBeNull();
  });

  it("drops entries that do not fit the format and counts them", () => {
    const symbols = [...SYMBOLS, { name: "noId", kind: "function" }, "text", { ...SYMBOLS[0], start_line: -1 }, { ...SYMBOLS[0], name: { toString: 1 } }];
    const files = [{ path: "a.ts", language: "ts", bytes: 1, lines: 1, sha256: "b".repeat(64), symbols: 0 }, { ...FILES[0], sha256: "not-hex" }, { path: "" }, null];
    const docpack = openDocpack(docpackZip({ symbols, files }), unzipSync);
    expect(docpack.symbols).toHaveLength(2);
    expect(docpack.files.map((file) => file.path)).toEqual(["a.ts"]);
    expect(docpack.dropped).toMatchObject({ files: 3, symbols: 4 });
    // the first reason, where it is (core's schema: files.json entries carry a sha256)
    expect(docpack.dropped.reason).toMatch(/^files\.json\[1\]\.sha256: /);
    expect(openDocpack(docpackZip({ symbols }), unzipSync).dropped.reason).toMatch(/^symbols\.json\[2\]\.id: /);
  });

  it("refuses what is not a docpack, with a reason", () => {
    const open = (zip: Uint8Array) => () => openDocpack(zip, unzipSync);
    expect(open(strToU8("not a zip at all"))).toThrow(DocpackError);
    expect(open(docpackZip({ manifest: manifest({ format: "other" }) }))).toThrow("does not describe a docpack");
    expect(open(docpackZip({ manifest: manifest({ format_version: 3 }) }))).toThrow("formats 1 and 2; this one is format 3");
    expect(open(docpackZip({ manifest: manifest({ repo: { url: "x", git_ref: "main", commit: "not-a-sha" } }) }))).toThrow(/^manifest\.json does not fit docpack format 1: manifest\.repo\.commit: /);
    expect(open(docpackZip({ manifest: manifest({ generator: undefined }) }))).toThrow("manifest.json does not fit docpack format 1: manifest.generator: ");
    expect(open(docpackZip({ manifest: manifest({ stats: { files: -1, symbols: 2, bytes: 120, skipped: {} } }) }))).toThrow("manifest.stats.files: ");
    expect(open(docpackZip({ symbols: { not: "a list" } }))).toThrow("symbols.json is not a list");
    expect(open(zipSync({ "manifest.json": strToU8("{") }))).toThrow("manifest.json is not valid JSON");
    expect(open(zipSync({ "manifest.json": strToU8(JSON.stringify(manifest())) }))).toThrow("has no files.json");
  });

  it("does not inflate an entry whose declared size is over the cap", () => {
    const zip = docpackZip({ pages: { "docs/index.md": "x".repeat(LIMITS.pageBytes + 1) } });
    const docpack = openDocpack(zip, unzipSync);
    expect(docpack.readPage(null)).toBeNull();
    const huge = zipSync({ "manifest.json": new Uint8Array(LIMITS.jsonBytes + 1) });
    expect(() => openDocpack(huge, unzipSync)).toThrow("larger than this viewer opens");
  });
});

describe("format 2", () => {
  it("reads packages, roles, prose headings, structured docs and source text", () => {
    const docpack = openDocpack(docpackZipV2(), unzipSync);
    expect(docpack.manifest).toMatchObject({ format_version: 2, repo: { host_url: expect.stringMatching(/^https:\/\/github\.com\//) } });
    expect(docpack.manifest.packages.map((pkg) => [pkg.name, pkg.public_api.length])).toEqual([["@alice/math", 2]]);
    expect(docpack.files.map((file) => [file.path, file.role, file.kind])).toEqual([
      ["packages/math/src/math.ts", "source", "code"],
      ["docs/guide.md", "docs", "prose"],
    ]);
    expect(docpack.files[1].headings.map((heading) => heading.text)).toEqual(["Guide", "Rounding rules"]);
    expect(docpack.symbols[0].doc).toMatchObject({ markdown: "Adds two numbers.", params: [{ name: "a", type: "number" }], returns: "their sum" });
    expect(docpack.readSource("packages/math/src/math.ts")).toContain("export function add");
    expect(docpack.readEntry("docs/packages/alice-math.md")).toContain("Arithmetic for everyone.");
    expect(docpack.readEntry("../manifest.json")).toBeNull();
  });

  it("refuses a format-2 manifest that does not fit core's schema, naming the field", () => {
    const open = (value: unknown) => () => openDocpack(docpackZip({ manifest: value }), unzipSync);
    const good: Record<string, unknown> = manifestV2();
    expect(open(good)).not.toThrow();
    const badPackage = { ...good, packages: [{ ...(good.packages as object[])[0], ecosystem: "maven" }] };
    expect(open(badPackage)).toThrow(/^manifest\.json does not fit docpack format 2: manifest\.packages\[0\]\.ecosystem: /);
    const { paths: _paths, ...noPaths } = good;
    expect(open(noPaths)).toThrow("manifest.json does not fit docpack format 2: manifest.paths: ");
    // a format-1 manifest is not a format-2 one: format 2 needs its packages and paths
    expect(open({ ...manifest(), format_version: 2 })).toThrow("does not fit docpack format 2");
  });

  it("links only to https, whatever URL the docpack names", () => {
    const good: Record<string, unknown> = manifestV2();
    const docpack = openDocpack(docpackZip({ manifest: { ...good, repo: { ...(good.repo as object), host_url: "javascript:alert(1)//" } } }), unzipSync);
    expect(docpack.manifest.repo.host_url).toBeUndefined();
  });
});

describe("search ranking", () => {
  const sym = (file: string, name: string, kind: string, exported: boolean, parent?: string) => ({
    ...SYMBOLS[0],
    id: `${file}#${parent ? `${parent}.` : ""}${name}`,
    name,
    kind,
    file,
    exported,
    parent,
  });
  const symbols = [
    sym("examples/basic/app.ts", "queryClient", "constant", true),
    sym("src/core/queryClient.test.ts", "queryClient", "constant", false),
    sym("src/core/queryClient.ts", "fetchQuery", "method", true, "QueryClient"),
    sym("src/core/queryClient.ts", "QueryClient", "class", true),
    sym("src/core/internal.ts", "QueryClientState", "type", false),
    sym("src/core/queryClient.ts", "createQueryClient", "function", true),
  ];
  const files = ["src/core/queryClient.ts", "src/core/queryClient.test.ts", "examples/basic/app.ts", "src/core/internal.ts"].map((path) => ({ path, language: "typescript", bytes: 1, lines: 1, sha256: "b".repeat(64), symbols: 1 }));
  const docpack = openDocpack(docpackZip({ symbols, files }), unzipSync);
  const index = buildIndex(docpack, ["Getting started"]);
  const labels = (query: string) => search(index, query).results.map((entry) => `${entry.label} ${entry.kind}`);

  it("puts the exact name first, then exported package source, then the rest, tests and examples last", () => {
    expect(labels("QueryClient")).toEqual([
      "QueryClient class",
      "QueryClient.fetchQuery method", // its qualified name starts with the query
      "createQueryClient function",
      "QueryClientState type",
      "src/core/queryClient.ts file",
      "queryClient constant", // the example's
      "queryClient constant", // the test's
      "src/core/queryClient.test.ts file",
    ]);
    expect(search(index, "QueryClient").results.slice(-3).map((entry) => entry.role)).toEqual(["example", "test", "test"]);
  });

  it("finds qualified names, file names and headings", () => {
    expect(labels("QueryClient.fetchQuery")[0]).toBe("QueryClient.fetchQuery method");
    expect(labels("fetchquery")[0]).toBe("QueryClient.fetchQuery method");
    expect(labels("queryClient.ts")[0]).toBe("src/core/queryClient.ts file");
    expect(search(index, "getting")).toMatchObject({ total: 1, results: [{ kind: "heading", route: "overview", heading: "Getting started" }] });
    expect(search(index, "  ")).toEqual({ results: [], total: 0 });
    expect(search(index, "query", 2)).toMatchObject({ total: 8 });
  });

  it("guesses v1 packages from a monorepo layout", () => {
    const mono = { manifest: { ...docpack.manifest, packages: [] }, files: [{ path: "packages/core/src/a.ts" }, { path: "packages/react/b.ts" }, { path: "README.md" }] } as never;
    expect(packagesOf(mono).map((pkg: { name: string; path: string }) => `${pkg.name}@${pkg.path}`)).toEqual(["core@packages/core", "react@packages/react"]);
  });
});

describe("long pages", () => {
  it("cuts Markdown only where nothing changes: not inside a fence, table or list item", () => {
    const list = Array.from({ length: 200 }, (_, i) => `- item ${i}`).join("\n");
    const [head, tail] = splitMarkdown(`# Title\n\n${list}\n`, 80);
    expect(head.split("\n")).toHaveLength(80);
    expect(tail.startsWith("- item 78")).toBe(true);
    const fenced = ["```", ...Array.from({ length: 200 }, (_, i) => `line ${i}`), "```", "", "after"].join("\n");
    const [fencedHead, fencedTail] = splitMarkdown(fenced, 80);
    expect(fencedHead.endsWith("```")).toBe(true);
    expect(fencedTail.trim()).toBe("after");
    expect(splitMarkdown("short\n", 80)).toEqual(["short\n", ""]);
    expect(markdownHeadings("# A\n```\n# not\n```\n## B ##\n")).toEqual(["A", "B"]);
  });
});

describe("tree", () => {
  it("groups symbols by file in line order and builds a directory tree", () => {
    const byFile = symbolsByFile([SYMBOLS[1], SYMBOLS[0]] as never);
    expect(byFile.get("src/math.ts")!.map((s) => s.start_line)).toEqual([2, 6]);
    const tree = fileTree(["src/b.ts", "README.md", "src/a/c.ts", "src"]);
    expect(sortedChildren(tree).map((node) => `${node.file ? "f" : "d"}:${node.path}`)).toEqual(["d:src", "f:README.md", "f:src"]);
    const src = sortedChildren(tree)[0];
    expect(sortedChildren(src).map((node) => node.path)).toEqual(["src/a", "src/b.ts"]);
  });
});

describe("docLinkTarget", () => {
  it("resolves a page's relative links to docpack entries, their encoded segments decoded", () => {
    // as the builder writes them: type links under signatures, links from package pages
    expect(docLinkTarget("docs/files/src/make.ts.md", "model/types.ts.md#overview-1")).toBe("docs/files/src/model/types.ts.md");
    expect(docLinkTarget("docs/files/src/make.ts.md", "make.ts.md#options")).toBe("docs/files/src/make.ts.md");
    expect(docLinkTarget("docs/packages/shapes.md", "../files/src/my%20dir/a%28b%29%C3%A9.ts.md#w")).toBe("docs/files/src/my dir/a(b)é.ts.md");
    expect(docLinkTarget("docs/index.md", "files/src/a.ts.md")).toBe("docs/files/src/a.ts.md");
    // an encoded ".." is a name, not a step up; what does not decode leads nowhere
    expect(docLinkTarget("docs/files/a.md", "%2E%2E/b.md")).toBe("docs/files/../b.md");
    expect(docLinkTarget("docs/files/a.md", "b%E0%A4.md")).toBeNull();
  });
});

describe("anchors", () => {
  const known = { file: (path: string) => ["src/a.ts", "docs/guide.md", "odd#name.ts"].includes(path), package: (name: string) => name === "@alice/math" };
  /** A route through the address bar and back, as the viewer reads it. */
  const roundTrip = (route: string) => parseRoute(decodeURIComponent(routeHref(route).slice(1)), known);

  it("keeps a link's fragment, decoded", () => {
    expect(linkAnchor("../model/types.ts.md#widget")).toBe("widget");
    expect(linkAnchor("files/src/a.ts.md#caf%C3%A9-options")).toBe("café-options");
    expect(linkAnchor("files/src/a.ts.md")).toBeUndefined();
    expect(linkAnchor("files/src/a.ts.md#")).toBeUndefined();
    expect(linkAnchor("a.md#100%")).toBe("100%"); // does not decode: kept as written
    expect(withAnchor("file/src/a.ts", "widget")).toBe("file/src/a.ts#widget");
    expect(withAnchor("file/src/a.ts")).toBe("file/src/a.ts");
  });

  it("reads a page's route with its anchor, through the address bar and back", () => {
    expect(routeHref("file/src/a.ts#widget")).toBe("#file/src/a.ts%23widget");
    expect(roundTrip("file/src/a.ts#widget")).toEqual({ kind: "file", path: "src/a.ts", anchor: "widget" });
    expect(roundTrip("file/docs/guide.md#rounding-rules-1")).toEqual({ kind: "file", path: "docs/guide.md", anchor: "rounding-rules-1" });
    expect(roundTrip("file/src/a.ts#café")).toEqual({ kind: "file", path: "src/a.ts", anchor: "café" });
    expect(roundTrip("package/@alice/math#usage")).toEqual({ kind: "package", name: "@alice/math", anchor: "usage" });
    expect(roundTrip("overview#getting-started")).toEqual({ kind: "overview", anchor: "getting-started" });
    // without an anchor, as before
    expect(roundTrip("file/src/a.ts")).toEqual({ kind: "file", path: "src/a.ts", anchor: undefined });
    expect(roundTrip("file/src/a.ts:L12")).toEqual({ kind: "file", path: "src/a.ts", line: 12 });
    expect(roundTrip("overview")).toEqual({ kind: "overview", anchor: undefined });
    expect(roundTrip("")).toEqual({ kind: "overview", anchor: undefined });
    // a symbol's id holds # itself: never an anchor
    expect(roundTrip("symbol/src/a.ts#Widget")).toEqual({ kind: "symbol", id: "src/a.ts#Widget" });
    // a path with # in it is a path; an unknown one stays whole (the viewer says it is not there)
    expect(roundTrip("file/odd#name.ts")).toEqual({ kind: "file", path: "odd#name.ts", anchor: undefined });
    expect(roundTrip("file/odd#name.ts#intro")).toEqual({ kind: "file", path: "odd#name.ts", anchor: "intro" });
    expect(roundTrip("file/missing.ts#intro")).toEqual({ kind: "file", path: "missing.ts#intro", anchor: undefined });
  });

  it("opens a prose heading from search at its anchor", () => {
    const index = buildIndex(openDocpack(docpackZipV2(), unzipSync));
    expect(search(index, "rounding rules").results[0]).toMatchObject({ kind: "heading", route: "file/docs/guide.md#rounding-rules", heading: "Rounding rules" });
  });

  it("names headings as the builder links to them: GitHub slugs in page order, repeats numbered", () => {
    // A file page's headings as the builder writes them (builder/src/document/structure.ts symbolAnchors).
    const page = pageAnchors();
    const anchors = ["src/widget.ts", "Symbols", "makeWidget", "Widget", "Widget.render (overload 2)", "Widget", "Configuring widgets!", "Symbols"].map((text) => page.slug(text));
    // A new page starts again.
    expect(pageAnchors().slug("Widget")).toBe("widget");
    expect(anchors).toEqual(["srcwidgetts", "symbols", "makewidget", "widget", "widgetrender-overload-2", "widget-1", "configuring-widgets", "symbols-1"]);
  });
});
