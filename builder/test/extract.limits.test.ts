/**
 * What one file may produce (extract/limits): hostile or machine-made files yield a bounded amount of
 * symbol data, the shallow part of them still right, and one such file never fails the build.
 */
import { describe, expect, it } from "vitest";
import { canExtract, extractFileToJson, type ExtractJob } from "../src/extract/extractFile";
import { MAX_NAME_LENGTH, MAX_PARENT_LENGTH, MAX_SYMBOL_DEPTH, symbolDataBudget } from "../src/extract/limits";
import { extractStage } from "../src/stages/extract";
import { ExtractTimeout, extractWithTreeSitter } from "../src/extract/treeSitter";
import type { ExtractedSymbol, SourceFile } from "../src/types";

/** What the build keeps of a file: its symbols' JSON, and the symbols read back from it. */
async function extracted(job: ExtractJob) {
  const result = await extractFileToJson(job);
  const symbols = JSON.parse(result.json) as ExtractedSymbol[];
  expect(symbols).toHaveLength(result.count);
  expect(new Set(symbols.map((symbol) => symbol.id)).size).toBe(symbols.length);
  return { json: result.json, symbols };
}

/** `depth` functions, each inside the previous one: `f0` on line 1, its closing brace on the last line. */
function nestedFunctions(depth: number): string {
  const opening = Array.from({ length: depth }, (_, i) => `function f${i}() {\n`).join("");
  return `${opening}${"}\n".repeat(depth)}`;
}

const qualifiedPath = (depth: number, name: (level: number) => string) =>
  Array.from({ length: depth }, (_, level) => name(level)).join(".");

const sourceFile = (path: string, language: string, content: string): SourceFile => ({
  path, language, content, bytes: content.length, lines: content.split("\n").length, sha256: "0".repeat(64), role: "source",
});

describe("extract limits", () => {
  it(`lists nested JavaScript functions down to ${MAX_SYMBOL_DEPTH} levels, in less data than the source`, async () => {
    const depth = 4000; // 64 KiB of source; its symbols took 49 MB of JSON before the limits
    const content = nestedFunctions(depth);
    const { json, symbols } = await extracted({ path: "src/nest.js", language: "javascript", content });
    expect(json.length).toBeLessThan(content.length);
    expect(symbols).toHaveLength(MAX_SYMBOL_DEPTH);
    symbols.forEach((symbol, level) => {
      const parent = level === 0 ? undefined : qualifiedPath(level, (i) => `f${i}`);
      expect(symbol).toMatchObject({ name: `f${level}`, kind: "function", start_line: level + 1, end_line: 2 * depth - level });
      expect(symbol.parent).toBe(parent);
      expect(symbol.id).toBe(`src/nest.js#${parent ? `${parent}.` : ""}f${level}`);
    });
  });

  it(`lists nested Python classes down to ${MAX_SYMBOL_DEPTH} levels`, async () => {
    const depth = 400;
    const content = Array.from({ length: depth }, (_, i) => `${" ".repeat(i)}class C${i}:\n`).join("") + `${" ".repeat(depth)}pass\n`;
    const { json, symbols } = await extracted({ path: "deep.py", language: "python", content });
    expect(json.length).toBeLessThan(content.length);
    expect(symbols.map((symbol) => [symbol.name, symbol.parent, symbol.start_line])).toEqual(
      Array.from({ length: MAX_SYMBOL_DEPTH }, (_, level) => [`C${level}`, level === 0 ? undefined : qualifiedPath(level, (i) => `C${i}`), level + 1]),
    );
  });

  it(`lists nested Kotlin classes (regular-expression fallback) down to ${MAX_SYMBOL_DEPTH} levels`, async () => {
    const content = Array.from({ length: 400 }, (_, i) => `${" ".repeat(i)}class K${i} {\n`).join("");
    const { symbols } = await extracted({ path: "Deep.kt", language: "kotlin", content });
    expect(symbols).toHaveLength(MAX_SYMBOL_DEPTH);
    expect(symbols.at(-1)).toMatchObject({ name: `K${MAX_SYMBOL_DEPTH - 1}`, parent: qualifiedPath(MAX_SYMBOL_DEPTH - 1, (i) => `K${i}`) });
  });

  it("shortens very long names and parents, and keeps ids unique when shortening makes them alike", async () => {
    const long = (tag: string) => `${"n".repeat(2 * MAX_NAME_LENGTH)}${tag}`;
    // Six nested functions with long names (alike but for their end), then two more at the top level.
    const content = `${[0, 1, 2, 3, 4, 5].map((i) => `function ${long(`x${i}`)}() {\n`).join("")}${"}\n".repeat(6)}function ${long("a")}() {}\nfunction ${long("b")}() {}\n`;
    const { json, symbols } = await extracted({ path: "long.js", language: "javascript", content });
    expect(json.length).toBeLessThan(content.length * 4);
    expect(symbols).toHaveLength(8);
    for (const symbol of symbols) {
      expect(symbol.name).toHaveLength(MAX_NAME_LENGTH);
      expect(symbol.name.endsWith("…")).toBe(true);
      expect((symbol.parent ?? "").length).toBeLessThanOrEqual(MAX_PARENT_LENGTH);
    }
    expect(symbols[5].parent?.endsWith("…")).toBe(true);
    expect(symbols.map((symbol) => symbol.start_line)).toEqual([1, 2, 3, 4, 5, 6, 13, 14]);
    // f0 and the two at the top level share their first MAX_NAME_LENGTH - 1 characters.
    expect([symbols[6].id, symbols[7].id]).toEqual([`${symbols[0].id}~2`, `${symbols[0].id}~3`]);
  });

  it("bounds the parent a long C++ qualified name gives everything inside it", async () => {
    const content = `namespace ${"ns::".repeat(20_000)}run {\n${Array.from({ length: 200 }, (_, i) => `  struct S${i} { int x; };\n`).join("")}}\n`;
    const { json, symbols } = await extracted({ path: "q.cpp", language: "cpp", content });
    // Each symbol's data stays near its bounded parent and id (the parent was 80,000 characters).
    expect(json.length).toBeLessThan(symbols.length * 3 * MAX_PARENT_LENGTH);
    expect(symbols).toHaveLength(201);
    expect(symbols[0].name).toBe("run");
    expect(symbols.every((symbol) => (symbol.parent ?? "").length <= MAX_PARENT_LENGTH)).toBe(true);
    expect(symbols[200]).toMatchObject({ name: "S199", kind: "struct", start_line: 201 });
  });

  it("stops a file's symbols at its data budget, keeping the first ones whole", async () => {
    // One statement declaring 20,000 constants under one long comment: each would repeat the comment.
    const doc = `/** ${"Documented at length. ".repeat(90)}*/\n`;
    const content = `${doc}export const ${Array.from({ length: 20_000 }, (_, i) => `c${i} = ${i}`).join(", ")};\n`;
    const { json, symbols } = await extracted({ path: "consts.ts", language: "typescript", content });
    expect(json.length).toBeLessThanOrEqual(symbolDataBudget(content.length));
    expect(symbols.length).toBeGreaterThan(100);
    expect(symbols.length).toBeLessThan(20_000);
    expect(symbols.map((symbol) => symbol.name)).toEqual(Array.from({ length: symbols.length }, (_, i) => `c${i}`));
    expect(symbols[0]).toMatchObject({ kind: "constant", exported: true, start_line: 2 });
    expect(symbols.at(-1)?.doc_comment).toBe(symbols[0].doc_comment);
    expect(symbols[0].doc_comment?.startsWith("Documented at length.")).toBe(true);
  });

  it("reads the comment over a statement once for all its declarators", async () => {
    // Read once per declarator, this took over half a minute.
    const content = `${"// note\n".repeat(2000)}export const ${Array.from({ length: 2000 }, (_, i) => `c${i} = ${i}`).join(", ")};\n`;
    const { symbols } = await extracted({ path: "noted.js", language: "javascript", content });
    expect(symbols.length).toBeGreaterThan(500); // not all 2,000: each repeats the comment, see the budget
    expect(symbols.at(-1)?.doc_comment?.startsWith("note\nnote\n")).toBe(true);
  }, 10_000);

  it("costs only that file when one file is too deep to extract in full, in this thread and in workers", async () => {
    // 879 KiB (under the 1 MiB file limit) of nested functions: its symbols' JSON was once too long
    // for a string, and that failed the whole build.
    const files = () => [
      sourceFile("src/nest.js", "javascript", nestedFunctions(60_000)),
      sourceFile("src/ok.ts", "typescript", "export function ok() {}\n"),
    ];
    for (const deps of [{ workers: 0 }, { workers: 2, inlineBelowBytes: 0 }]) {
      const [nest, ok] = await extractStage(files(), deps);
      expect(nest.symbols.length).toBeLessThanOrEqual(MAX_SYMBOL_DEPTH);
      expect(ok.symbols.map((symbol) => symbol.id)).toEqual(["src/ok.ts#ok"]);
      expect(ok.exportedTopLevel).toBe(1);
    }
  }, 120_000);

  it("skips few callbacks where the file has thousands at its top level (each skipped one costs a pass over them)", async () => {
    const body = "  step();\n".repeat(40);
    const callbacks = (count: number) =>
      Array.from({ length: count }, (_, i) => `it("t${i}", () => {\n${body}  function Page${i}() {}\n});\nexport function keep${i}() {}\n`).join("");
    const few = { skippedBodies: 0 };
    expect(await extractWithTreeSitter("typescript", callbacks(20), { counts: few })).toHaveLength(20);
    expect(few.skippedBodies).toBe(20);
    const many = { skippedBodies: 0 };
    const symbols = await extractWithTreeSitter("typescript", callbacks(2000), { counts: many });
    expect(symbols.map((symbol) => symbol.name)).toEqual(Array.from({ length: 2000 }, (_, i) => `keep${i}`));
    expect(many.skippedBodies).toBe(1);
  }, 30_000);

  it("does not take Object.prototype's members for languages", async () => {
    for (const language of ["constructor", "toString", "__proto__"]) {
      expect(canExtract(language)).toBe(false);
      expect(await extractFileToJson({ path: "x", language, content: "x" })).toEqual({ json: "[]", count: 0, exportedTopLevel: 0 });
    }
  });
});

describe("extract time limit", () => {
  const normal = "/** Adds. */\nexport function add(a: number, b: number) { return a + b; }\nexport class Box { open() {} }\n";

  it("stops a parse that runs past its time, and the next file parses from scratch", async () => {
    await expect(extractWithTreeSitter("typescript", normal.repeat(400), { maxMs: 0 })).rejects.toThrow(/^parsing took over 0 ms$/);
    const symbols = await extractWithTreeSitter("typescript", normal);
    expect(symbols.map((symbol) => [symbol.name, symbol.start_line])).toEqual([["add", 2], ["Box", 3], ["open", 3]]);
  });

  it("stops a search for definitions that runs past its time (tree-sitter's slow shapes)", async () => {
    // 30,000 unclosed parentheses parse in a moment, but searching their tree takes seconds.
    const error = await extractWithTreeSitter("javascript", "(".repeat(30_000), { maxMs: 200 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExtractTimeout);
    expect((error as Error).message).toMatch(/^(parsing|searching for definitions) took over 200 ms$/);
    expect((await extractWithTreeSitter("javascript", "function ok() {}\n")).map((symbol) => symbol.name)).toEqual(["ok"]);
  });
});
