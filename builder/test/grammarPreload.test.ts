/** The extractor starts loading the plan's grammars, in this thread and in its workers, before the first file arrives. */
import { describe, expect, it } from "vitest";
import { createExtractor, startExtractPool } from "../src/stages/extract";
import { grammarRequested } from "../src/extract/treeSitter";

describe("grammar preloading", () => {
  it("asks this thread and the workers to load the planned languages' grammars, and gives the same symbols", async () => {
    const started = startExtractPool({ workers: 2 })!;
    const preloaded: string[][] = [];
    const pool = { ...started, get queuedBytes() { return started.queuedBytes; }, preload: (languages: readonly string[]) => (preloaded.push([...languages]), started.preload(languages)) };
    const languages = ["rust", "markdown", "no-such-language"];
    const extractor = createExtractor({ files: 1, bytes: 40, languages }, { workers: 2, inlineBelowBytes: 0, pool });
    // (Test files share modules here: this thread may have loaded rust before; the workers are new.)
    expect(grammarRequested("rust")).toBe(true);
    expect(grammarRequested("no-such-language")).toBe(false);
    expect(preloaded).toEqual([languages]);
    const content = "/// Adds.\npub fn add(a: i32, b: i32) -> i32 { a + b }\n";
    await extractor.add({ path: "src/lib.rs", language: "rust", bytes: content.length, lines: 2, sha256: "0".repeat(64), role: "source", content });
    const [file] = await extractor.finish();
    expect(file!.symbols.map((s) => [s.name, s.signature])).toEqual([["add", "pub fn add(a: i32, b: i32) -> i32"]]);
  });
});
