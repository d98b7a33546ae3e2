/** The extractor starts loading the plan's grammars before the first file arrives. */
import { describe, expect, it } from "vitest";
import { createExtractor } from "../src/stages/extract";
import { grammarRequested } from "../src/extract/treeSitter";

describe("grammar preloading", () => {
  it("begins loading each planned language that has a grammar, and gives the same symbols", async () => {
    expect(grammarRequested("rust")).toBe(false);
    const extractor = createExtractor({ files: 1, bytes: 40, languages: ["rust", "markdown", "no-such-language"] }, { workers: 0 });
    expect(grammarRequested("rust")).toBe(true);
    expect(grammarRequested("no-such-language")).toBe(false);
    const content = "/// Adds.\npub fn add(a: i32, b: i32) -> i32 { a + b }\n";
    await extractor.add({ path: "src/lib.rs", language: "rust", bytes: content.length, lines: 2, sha256: "0".repeat(64), role: "source", content });
    const [file] = await extractor.finish();
    expect(file!.symbols.map((s) => [s.name, s.signature])).toEqual([["add", "pub fn add(a: i32, b: i32) -> i32"]]);
  });
});
