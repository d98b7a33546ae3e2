/** The viewer's docpack reading and symbol search (pure parts; the browser test covers the page). */
import { strToU8, unzipSync, zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { DocpackError, LIMITS, openDocpack } from "../src/lib/viewer/docpack";
import { fileTree, searchSymbols, sortedChildren, symbolsByFile } from "../src/lib/viewer/search";
import { docpackZip, manifest, SYMBOLS } from "./support/docpackZip";

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
    const files = [{ path: "a.ts", language: "ts", bytes: 1, lines: 1, symbols: 0 }, { path: "" }, null];
    const docpack = openDocpack(docpackZip({ symbols, files }), unzipSync);
    expect(docpack.symbols).toHaveLength(2);
    expect(docpack.files.map((file) => file.path)).toEqual(["a.ts"]);
    expect(docpack.dropped).toEqual({ files: 2, symbols: 4 });
  });

  it("refuses what is not a docpack, with a reason", () => {
    const open = (zip: Uint8Array) => () => openDocpack(zip, unzipSync);
    expect(open(strToU8("not a zip at all"))).toThrow(DocpackError);
    expect(open(docpackZip({ manifest: manifest({ format: "other" }) }))).toThrow("does not describe a docpack");
    expect(open(docpackZip({ manifest: manifest({ format_version: 2 }) }))).toThrow("format 2");
    expect(open(docpackZip({ manifest: manifest({ repo: { url: "x", git_ref: "main", commit: "not-a-sha" } }) }))).toThrow("no valid repository");
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

describe("symbol search and tree", () => {
  const symbols = [
    ...SYMBOLS,
    { ...SYMBOLS[0], id: "b.ts#adder", name: "adder", file: "b.ts" },
    { ...SYMBOLS[0], id: "b.ts#readd", name: "readd", file: "b.ts" },
  ];

  it("ranks exact names, then prefixes, then other matches, case-insensitively", () => {
    expect(searchSymbols(symbols, "ADD").results.map((s) => s.name)).toEqual(["add", "adder", "readd"]);
    expect(searchSymbols(symbols, "calc").results.map((s) => s.name)).toEqual(["Calculator"]);
    expect(searchSymbols(symbols, "  ")).toEqual({ results: [], total: 0 });
    expect(searchSymbols(symbols, "d", 2)).toMatchObject({ total: 3 });
    expect(searchSymbols(symbols, "d", 2).results).toHaveLength(2);
  });

  it("groups symbols by file in line order and builds a directory tree", () => {
    const byFile = symbolsByFile([SYMBOLS[1], SYMBOLS[0]]);
    expect(byFile.get("src/math.ts")!.map((s) => s.start_line)).toEqual([2, 6]);
    const tree = fileTree(["src/b.ts", "README.md", "src/a/c.ts", "src"]);
    expect(sortedChildren(tree).map((node) => `${node.file ? "f" : "d"}:${node.path}`)).toEqual(["d:src", "f:README.md", "f:src"]);
    const src = sortedChildren(tree)[0];
    expect(sortedChildren(src).map((node) => node.path)).toEqual(["src/a", "src/b.ts"]);
  });
});
