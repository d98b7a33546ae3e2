/** Symbols waiting on disk between extraction and pack. */
import { readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SymbolStore } from "../src/extract/symbolStore";
import type { ExtractedSymbol } from "../src/types";
import { removeDir, tempDir } from "./fixtures/gitRepo";
import { extracted } from "./fixtures/v2";

const root = tempDir();
afterAll(() => removeDir(root));

const symbol = (file: string, name: string, line: number, doc?: string): ExtractedSymbol => extracted({
  id: `${file}#${name}`,
  name,
  kind: "function",
  language: "typescript",
  file,
  start_line: line,
  end_line: line + 2,
  signature: `function ${name}()`,
  exported: line % 2 === 0,
  ...(doc ? { doc_comment: doc } : {}),
});

/** Several files' symbols: non-ASCII names, paths and doc comments, and a file with none. */
const FILES: ExtractedSymbol[][] = [
  [symbol("src/a.ts", "größe", 1, "/** Größe in Bytes — 日本語 🚀 */"), symbol("src/a.ts", "b", 4, "/** \"quoted\"\n * two lines */")],
  [],
  [symbol("src/ü/c.ts", "числа", 10)],
  Array.from({ length: 200 }, (_, i) => symbol("src/many.ts", `f${i}`, i + 1, i % 3 ? undefined : `/** f${i} ✓ */`)),
  [symbol("src/z.ts", "z", 7, "/** last */")],
];

describe("SymbolStore", () => {
  it("gives back each file's symbols, in any order and repeatedly", () => {
    const store = new SymbolStore(path.join(root, "roundtrip.bin"));
    try {
      const refs = FILES.map((symbols) => store.write(JSON.stringify(symbols)));
      for (const i of [4, 0, 2, 1, 3, 0, 4, 4, 1]) expect(store.read(refs[i]), `file ${i}`).toEqual(FILES[i]);
      for (const [i, ref] of [...refs.entries()].reverse()) expect(store.read(ref)).toEqual(FILES[i]);
    } finally {
      store.close();
    }
  });

  it("stores each file in its own byte range, back to back, lengths in UTF-8 bytes", () => {
    const file = path.join(root, "ranges.bin");
    const store = new SymbolStore(file);
    const jsons = FILES.map((symbols) => JSON.stringify(symbols));
    const refs = jsons.map((json) => store.write(json));
    store.close();
    const bytes = readFileSync(file);
    expect(bytes.length).toBe(jsons.reduce((sum, json) => sum + Buffer.byteLength(json, "utf8"), 0));
    const sorted = [...refs].sort((a, b) => a.offset - b.offset);
    for (let i = 1; i < sorted.length; i++) expect(sorted[i].offset).toBeGreaterThanOrEqual(sorted[i - 1].offset + sorted[i - 1].length);
    refs.forEach((ref, i) => {
      expect(ref.length).toBe(Buffer.byteLength(jsons[i], "utf8"));
      expect(bytes.subarray(ref.offset, ref.offset + ref.length).toString("utf8")).toBe(jsons[i]);
    });
  });

  it("is private to the builder (mode 0600) and starts empty", () => {
    const fresh = path.join(root, "private.bin");
    new SymbolStore(fresh).close();
    expect((statSync(fresh).mode & 0o777).toString(8)).toBe("600");

    const reused = path.join(root, "reused.bin");
    writeFileSync(reused, "stale content from an earlier build");
    const store = new SymbolStore(reused);
    const ref = store.write("[]");
    store.close();
    expect(ref).toEqual({ offset: 0, length: 2 });
    expect(readFileSync(reused, "utf8")).toBe("[]");
  });

  it("refuses to read after close or past the end", () => {
    const store = new SymbolStore(path.join(root, "closed.bin"));
    const ref = store.write(JSON.stringify(FILES[0]));
    expect(() => store.read({ offset: ref.length - 2, length: 10 })).toThrow(/truncated/);
    expect(store.read(ref)).toEqual(FILES[0]);
    store.close();
    store.close(); // a second close is harmless
    expect(() => store.read(ref)).toThrow(/closed/);
  });
});
