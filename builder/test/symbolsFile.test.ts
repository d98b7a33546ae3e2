/** symbols.json written on a worker thread from the symbol store, and packed from there. */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { crc32, inflateRawSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import type { Manifest } from "@doctown/core/docpackFormat";
import { finishSymbol, type SymbolContext } from "../src/pack/finishSymbol";
import { SymbolStore } from "../src/extract/symbolStore";
import { symbolsJsonChunks } from "../src/pack/jsonLines";
import { symbolSource } from "../src/pack/symbolSource";
import { writeSymbolsFile, writeSymbolsFileInWorker, type SymbolsFileTask } from "../src/pack/symbolsFile";
import { documentStage } from "../src/stages/document";
import { extractStage } from "../src/stages/extract";
import { packStage } from "../src/stages/pack";
import { DEFLATE_LEVEL } from "../src/pack/zipWriter";
import type { DocumentOutput } from "../src/types";
import type { ExtractedSymbol } from "../src/types";
import { openDocpack } from "./fixtures/docpack";
import { caseDirs, removeDir, tempDir } from "./fixtures/gitRepo";
import { extracted, fileEntry, v2Manifest } from "./fixtures/v2";

const root = tempDir();
afterAll(() => removeDir(root));
const freshDir = caseDirs(root);

const symbol = (file: string, name: string, line: number, extra: Partial<ExtractedSymbol> = {}): ExtractedSymbol => extracted({
  id: `${file}#${name}`, name, kind: "function" as const, language: "typescript", file, start_line: line, end_line: line + 1,
  signature: `function ${name}()`, exported: line % 2 === 0, ...extra,
});
/** Three files' symbols: doc comments (summaries come from them), a method, non-ASCII text. */
const FILES: ExtractedSymbol[][] = [
  [symbol("src/a.ts", "größe", 1, { doc_comment: "/** Größe in Bytes — 日本語. More. */" }), symbol("src/a.ts", "Box", 3, { kind: "class" })],
  [symbol("src/b.ts", "run", 5, { kind: "method", parent: "Box" })],
  Array.from({ length: 300 }, (_, i) => symbol("src/many.ts", `f${i}`, i + 1, i % 3 ? {} : { doc_comment: `/** f${i} ✓ */` })),
];
const context = (summaries = new Map<string, string>()): SymbolContext => ({ summaries, packageOf: new Map(), nameIds: new Map() });
const ALL = FILES.flat().map((s) => finishSymbol(s, context()));

/** A store holding `files` (in a directory of its own) and the task that reads it. */
function storeWith(files: ExtractedSymbol[][], outFile: string, summaries = new Map<string, string>()): SymbolsFileTask {
  const store = new SymbolStore(path.join(freshDir(), "symbols.jsonl"));
  const parts = files.map((symbols) => store.write(JSON.stringify(symbols)));
  store.close();
  return { storeFile: store.file, parts, context: context(summaries), outFile, level: DEFLATE_LEVEL };
}

describe("symbols.json from the symbol store", () => {
  it("is written deflated with summaries from doc comments (none invented), its size and CRC: the same bytes in this thread and in a worker", async () => {
    const dir = freshDir();
    const expected = Buffer.from([...symbolsJsonChunks(ALL)].join(""), "utf8");
    const here = await writeSymbolsFile(storeWith(FILES, path.join(dir, "here.deflate")));
    const job = writeSymbolsFileInWorker(storeWith(FILES, path.join(dir, "worker.deflate")));
    const there = await job.result;
    for (const written of [here, there]) {
      expect(inflateRawSync(readFileSync(written.file)).equals(expected)).toBe(true);
      expect(written.size).toBe(expected.length);
      expect(written.crc).toBe(crc32(expected));
    }
    expect(readFileSync(there.file).equals(readFileSync(here.file))).toBe(true);
    expect(JSON.parse(expected.toString("utf8"))[0].summary).toBe("Größe in Bytes — 日本語.");
  });

  it("spans several deflated pieces as one stream when the symbols run to megabytes", async () => {
    const many = Array.from({ length: 40 }, (_, f) =>
      Array.from({ length: 250 }, (_, i) => symbol(`src/big${f}.ts`, `g${i}`, i + 1, { doc_comment: `/** Number ${f}.${i}: ${"words and more words ".repeat(8)} */` })),
    );
    const expected = Buffer.from([...symbolsJsonChunks(many.flat().map((s) => finishSymbol(s, context())))].join(""), "utf8");
    expect(expected.length).toBeGreaterThan(3 * 1024 * 1024);
    const written = await writeSymbolsFile(storeWith(many, path.join(freshDir(), "big.deflate")));
    expect(inflateRawSync(readFileSync(written.file)).equals(expected)).toBe(true);
    expect(written).toMatchObject({ size: expected.length, crc: crc32(expected) });
  });

  it("fails when its file cannot be written, and leaves no file open", async () => {
    const openFiles = () => readdirSync("/proc/self/fd").length;
    const before = openFiles();
    const task = storeWith(FILES, path.join(freshDir(), "no-such-dir", "out.deflate"));
    await expect(writeSymbolsFile(task)).rejects.toThrow(/ENOENT/);
    expect(openFiles()).toBe(before);
  });

  it("carries the model's summaries where it wrote them, placeholders elsewhere, also in a worker", async () => {
    const dir = freshDir();
    const written = new Map([["src/a.ts#Box", "Holds things."], ["src/many.ts#f7", "Seventh — ✓."]]);
    const expected = FILES.flat().map((s) => finishSymbol(s, context(written)));
    expect(expected.filter((s) => s.summary === undefined).length).toBeGreaterThan(0);
    const here = await writeSymbolsFile(storeWith(FILES, path.join(dir, "here.deflate"), written));
    const there = await writeSymbolsFileInWorker(storeWith(FILES, path.join(dir, "worker.deflate"), written)).result;
    for (const file of [here, there]) expect(JSON.parse(inflateRawSync(readFileSync(file.file)).toString("utf8"))).toEqual(expected);
    expect(expected.filter((s, i) => s.summary !== ALL[i]!.summary).map((s) => s.id)).toEqual(["src/a.ts#Box", "src/many.ts#f7"]);
  });

  it("a symbol the schema refuses fails the worker's job with invalid_docpack, naming it", async () => {
    const bad = [[symbol("src/a.ts", "ok", 1)], [symbol("src/b.ts", "broken", 1, { start_line: 0 })]];
    const job = writeSymbolsFileInWorker(storeWith(bad, path.join(freshDir(), "bad.deflate")));
    const error = await job.result.catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "BuildError", code: "invalid_docpack" });
    expect((error as Error).message).toContain("symbols.json[1]");
    expect((error as Error).message).toContain('"start_line"');
  });
});

const manifest = (symbols: number) => v2Manifest({ languages: { typescript: 3 }, files: 3, symbols, bytes: 300, repo: { url: "file:///demo" } });
const packInput = (symbols: Parameters<typeof packStage>[0]["symbols"]) => ({
  manifest: manifest(ALL.length),
  files: ["src/a.ts", "src/b.ts", "src/many.ts"].map((p, i) => fileEntry({ path: p, language: "typescript", bytes: 100, lines: 10, sha256: String(i).repeat(64), symbols: FILES[i].length })),
  symbols,
  index: "# demo\n",
  filePages: new Map([["src/a.ts", "# a\n"], ["src/b.ts", "# b\n"], ["src/many.ts", "# many\n"]]),
});

describe("pack with symbols.json from a worker", () => {
  it("gives the same docpack as packing the symbols themselves", async () => {
    const dir = freshDir();
    await packStage(packInput(ALL), path.join(dir, "direct.zip"));
    await packStage(packInput(writeSymbolsFileInWorker(storeWith(FILES, path.join(freshDir(), "s.deflate")))), path.join(dir, "worker.zip"));
    const direct = openDocpack(path.join(dir, "direct.zip"));
    const viaWorker = openDocpack(path.join(dir, "worker.zip"));
    expect(viaWorker.names).toEqual(direct.names);
    for (const name of direct.names) expect(viaWorker.text(name), name).toBe(direct.text(name));
    expect(readFileSync(path.join(dir, "worker.zip")).equals(readFileSync(path.join(dir, "direct.zip")))).toBe(true);
    expect(viaWorker.symbols).toHaveLength(ALL.length);
  });

  it("a docpack refused before writing starts (bad manifest) stops the worker too", async () => {
    const dir = freshDir();
    const job = writeSymbolsFileInWorker(storeWith(FILES, path.join(freshDir(), "early.deflate")));
    const input = { ...packInput(job), manifest: { ...manifest(ALL.length), format_version: 3 } as unknown as Manifest };
    await expect(packStage(input, path.join(dir, "refused.zip"))).rejects.toMatchObject({ code: "invalid_docpack" });
    await expect(job.result).rejects.toThrow(/exited/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it("a pack that fails stops the worker and leaves no docpack behind", async () => {
    const dir = freshDir();
    const many = Array.from({ length: 40 }, (_, f) => Array.from({ length: 500 }, (_, i) => symbol(`src/f${f}.ts`, `s${i}`, i + 1)));
    const job = writeSymbolsFileInWorker(storeWith(many, path.join(freshDir(), "big.deflate")));
    const cancelled = new AbortController();
    cancelled.abort();
    await expect(packStage(packInput(job), path.join(dir, "cancelled.zip"), cancelled.signal)).rejects.toMatchObject({ code: "aborted" });
    await expect(job.result).rejects.toThrow(/exited/); // stopped before it could finish
    expect(existsSync(path.join(dir, "cancelled.zip"))).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe("where pack gets symbols.json from", () => {
  /** Two extracted files with symbols kept in a store, and their placeholder docs. */
  async function extracted() {
    const dir = freshDir();
    const store = new SymbolStore(path.join(dir, "symbols.jsonl"));
    const sources = [
      { path: "src/a.ts", content: "/** Adds. */\nexport function add() {}\nexport class Box { open() {} }\n" },
      { path: "src/b.ts", content: "function helper() {}\n" },
    ].map((file) => ({ ...file, language: "typescript", bytes: file.content.length, lines: 3, sha256: "0".repeat(64), role: "source" as const }));
    const files = await extractStage(sources, { workers: 0, store });
    const placeholders = await documentStage({ repoName: "demo", files }, {});
    return { dir, store, files, placeholders };
  }
  const entriesOf = (source: ReturnType<typeof symbolSource>) => {
    expect(source).not.toHaveProperty("result");
    return [...(source as Iterable<{ id: string; summary: string }>)];
  };

  it("is a worker from the threshold on; below it, the entries themselves", async () => {
    const { dir, store, files, placeholders } = await extracted();
    try {
      const total = files.reduce((sum, file) => sum + file.symbolCount, 0);
      expect(total).toBe(4);
      const below = entriesOf(symbolSource(files, placeholders, { store, workDir: dir, level: DEFLATE_LEVEL, workerFrom: total + 1 }));
      expect(below.map((entry) => entry.summary)).toContain("Adds.");
      const job = symbolSource(files, placeholders, { store, workDir: dir, level: DEFLATE_LEVEL, workerFrom: total });
      expect(job).toHaveProperty("result");
      const deflated = await (job as ReturnType<typeof writeSymbolsFileInWorker>).result;
      expect(JSON.parse(inflateRawSync(readFileSync(deflated.file)).toString("utf8"))).toEqual(below);
    } finally {
      store.close();
    }
  });

  it("gives the worker the model's summaries: the same entries as in this thread", async () => {
    const { dir, store, files } = await extracted();
    try {
      const summaries = new Map([["src/a.ts#add", "LLM: add"], ["src/a.ts#Box.open", "LLM: open"]]);
      const placeholders = await documentStage({ repoName: "demo", files }, {});
      const llm: DocumentOutput = { ...placeholders, docs: { mode: "llm", model: "m" }, summaries };
      const here = entriesOf(symbolSource(files, llm, { store, workDir: dir, level: DEFLATE_LEVEL, workerFrom: 5 }));
      expect(here.map((entry) => entry.summary)).toEqual(["LLM: add", undefined, "LLM: open", undefined]);
      const job = symbolSource(files, llm, { store, workDir: dir, level: DEFLATE_LEVEL, workerFrom: 0 }) as ReturnType<typeof writeSymbolsFileInWorker>;
      expect(job).toHaveProperty("result");
      expect(JSON.parse(inflateRawSync(readFileSync((await job.result).file)).toString("utf8"))).toEqual(here);
    } finally {
      store.close();
    }
  });
});
