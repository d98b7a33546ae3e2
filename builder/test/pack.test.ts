/** pack: writes the given documents as a valid docpack; a bad symbol found mid-stream leaves no file behind. */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { FileEntry, SymbolEntry } from "@doctown/core/docpackFormat";
import { crc32, inflateRawSync } from "node:zlib";
import { deflatedSearch, packStage, type PackInput } from "../src/stages/pack";
import type { SearchIndex } from "@doctown/core/docpackFormat";
import { openDocpack } from "./fixtures/docpack";
import { caseDirs, removeDir, tempDir } from "./fixtures/gitRepo";
import { extracted, fileEntry, v2Manifest } from "./fixtures/v2";

const root = tempDir();
afterAll(() => removeDir(root));
const freshDir = caseDirs(root);

const symbol = (file: string, name: string, line: number, extra: Partial<SymbolEntry> = {}): SymbolEntry => extracted({
  id: `${file}#${name}`, name, kind: "function" as const, language: file.endsWith(".py") ? "python" : "typescript", file,
  start_line: line, end_line: line + 1, signature: `function ${name}()`, exported: true, summary: `Does ${name}.`, ...extra,
});
const SYMBOLS: SymbolEntry[] = [
  symbol("src/a.ts", "one", 1, { doc_comment: "/** Größe — 日本語 */" }),
  symbol("src/a.ts", "Two", 3, { kind: "class" }),
  symbol("src/a.ts", "run", 4, { kind: "method", parent: "Two", exported: false }),
  symbol("src/ü/b.py", "helper", 1, { signature: "def helper(x)" }),
];
const FILES: FileEntry[] = [
  fileEntry({ path: "src/a.ts", language: "typescript", bytes: 120, lines: 6, sha256: "a".repeat(64), symbols: 3 }),
  fileEntry({ path: "src/ü/b.py", language: "python", bytes: 30, lines: 2, sha256: "b".repeat(64), symbols: 1 }),
];
const manifest = (symbols: number) =>
  v2Manifest({ languages: { python: 1, typescript: 1 }, files: 2, symbols, bytes: 150, repo: { full_name: "acme/demo", url: "https://github.com/acme/demo.git", commit: "0123456789abcdef0123456789abcdef01234567" } });
const PAGES = new Map([["src/ü/b.py", "# b.py\n"], ["src/a.ts", "# a.ts\nÄpfel\n"]]);
const input = (symbols: Iterable<SymbolEntry>, count: number): PackInput => ({
  manifest: manifest(count), files: FILES, symbols, index: "# demo\n", filePages: PAGES,
});

/** Lets the failed pack's pending file-system work finish, then lists what is left in `dir`. */
async function leftovers(dir: string): Promise<string[]> {
  await new Promise((resolve) => setTimeout(resolve, 200));
  return readdirSync(dir);
}

describe("pack stage", () => {
  it("writes a docpack that opens and validates; bytes and sha256 describe the file", async () => {
    const dir = freshDir();
    const outFile = path.join(dir, "demo.docpack.zip");
    const result = await packStage(input(SYMBOLS.values(), SYMBOLS.length), outFile);

    const pack = openDocpack(outFile);
    expect(pack.names).toEqual(["manifest.json", "files.json", "docs/index.md", "docs/files/src/a.ts.md", "docs/files/src/ü/b.py.md", "symbols.json"]);
    expect(pack.manifest).toEqual(manifest(SYMBOLS.length));
    expect(pack.files).toEqual(FILES);
    expect(pack.symbols).toEqual(SYMBOLS);
    expect(pack.text("symbols.json")).toBe(`[\n${SYMBOLS.map((s) => JSON.stringify(s)).join(",\n")}\n]\n`);
    expect(pack.text("docs/index.md")).toBe("# demo\n");
    expect(pack.text("docs/files/src/a.ts.md")).toBe("# a.ts\nÄpfel\n");

    const bytes = readFileSync(outFile);
    expect(result).toEqual({ outFile, bytes: statSync(outFile).size, sha256: createHash("sha256").update(bytes).digest("hex") });
    expect(result.bytes).toBe(bytes.length);
    expect(readdirSync(dir)).toEqual(["demo.docpack.zip"]);
  });

  it("streams many symbols (several chunks) in order", async () => {
    const many = Array.from({ length: 1234 }, (_, i) => symbol("src/a.ts", `f${i}`, i + 1));
    const outFile = path.join(freshDir(), "many.zip");
    await packStage(input((function* () { yield* many; })(), many.length), outFile);
    expect(openDocpack(outFile).symbols).toEqual(many);
  });

  it("writes symbols.json as [] when there are no symbols", async () => {
    const outFile = path.join(freshDir(), "empty.zip");
    await packStage(input([], 0), outFile);
    const pack = openDocpack(outFile);
    expect(pack.text("symbols.json")).toBe("[]\n");
    expect(pack.symbols).toEqual([]);
  });

  const broken: Array<[string, SymbolEntry, string]> = [
    ["start_line 0", { ...SYMBOLS[2], start_line: 0 }, "start_line"],
    ["no id", (({ id: _id, ...rest }) => rest as SymbolEntry)(SYMBOLS[2]), "id"],
    ["an unknown kind", { ...SYMBOLS[2], kind: "macro" as SymbolEntry["kind"] }, "kind"],
  ];
  for (const [what, bad, field] of broken) {
    it(`rejects a 3rd symbol with ${what} (invalid_docpack) and leaves no file behind`, async () => {
      const dir = freshDir();
      const outFile = path.join(dir, "bad.zip");
      let pulled = 0;
      function* symbols(): Generator<SymbolEntry> {
        for (const s of [SYMBOLS[0], SYMBOLS[1], bad, SYMBOLS[3]]) {
          pulled++;
          yield s;
        }
      }
      const error = await packStage(input(symbols(), 4), outFile).catch((e: unknown) => e);
      expect(error).toMatchObject({ name: "BuildError", code: "invalid_docpack" });
      expect((error as Error).message).toContain("symbols.json[2]");
      expect((error as Error).message).toContain(`"${field}"`);
      expect(pulled).toBe(3); // stopped at the bad one
      expect(existsSync(outFile)).toBe(false);
      expect(await leftovers(dir)).toEqual([]);
    });
  }

  it("leaves no partial file behind when it fails before the output file is even open", async () => {
    const dir = freshDir();
    const bad = { ...SYMBOLS[0], start_line: 0 };
    for (let i = 0; i < 100; i++) {
      await new Promise((resolve) => setTimeout(resolve, 1));
      await expect(packStage(input([bad], 1), path.join(dir, `early-${i}.zip`))).rejects.toMatchObject({ code: "invalid_docpack" });
    }
    expect(await leftovers(dir)).toEqual([]);
  }, 30_000);
});

describe("search.json", () => {
  const index = (count: number): SearchIndex => ({
    format: "docpack-search",
    version: 1,
    fields: ["name", "kind", "target", "role", "detail"],
    entries: Array.from({ length: count }, (_, i) => [`name${i} «${i % 7}»`, "function", `docs/files/src/f${i % 300}.ts.md#name${i}`, "source", `export function name${i}(a: number): string`]),
  });

  it("is the index's JSON text, deflated in pieces as one entry", () => {
    for (const count of [0, 1, 3_000, 20_000]) {
      const search = index(count);
      const deflated = deflatedSearch(search);
      const text = inflateRawSync(deflated.deflated);
      expect(text.toString("utf8")).toBe(`${JSON.stringify(search)}\n`);
      expect(deflated.size).toBe(text.length);
      expect(deflated.crc).toBe(crc32(text));
    }
  });

  it("stops at an entry the format does not allow, naming it", () => {
    const search = index(5_000);
    (search.entries[4321] as unknown[])[3] = "nonsense-role";
    expect(() => deflatedSearch(search)).toThrow(/search\.json entries\[4321\]/);
    expect(() => deflatedSearch({ ...index(1), version: 2 } as unknown as SearchIndex)).toThrow(/search\.json/);
  });
});
