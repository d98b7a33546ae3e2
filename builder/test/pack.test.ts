/** pack: a symbol that breaks the schema mid-stream fails the pack and leaves no file behind. */
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SymbolEntry } from "@doctown/core/docpackFormat";
import { buildDocpack } from "../src/build";
import { packStage } from "../src/stages/pack";
import { openDocpack } from "./fixtures/docpack";
import { createRepo, removeDir, tempDir } from "./fixtures/gitRepo";

let root: string;
let built: ReturnType<typeof openDocpack>;

beforeAll(async () => {
  root = tempDir();
  const repo = path.join(root, "repo");
  createRepo(repo, { "src/a.ts": "export function one() {}\nexport function two() {}\nexport class Three {}\n" });
  const outFile = path.join(root, "valid.zip");
  await buildDocpack({ source: repo, outFile, allowLocal: true, llm: false, env: {} });
  built = openDocpack(outFile);
});
afterAll(() => removeDir(root));

describe("pack stage", () => {
  it("writes what it is given, and rejects a bad symbol found while streaming without leaving a file", async () => {
    expect(built.symbols.length).toBe(3);
    const input = (symbols: Iterable<SymbolEntry>) => ({
      manifest: built.manifest,
      files: built.files,
      symbols,
      index: "# index\n",
      filePages: new Map([["src/a.ts", "# a\n"]]),
    });
    const good = path.join(root, "out", "good.zip");
    mkdirSync(path.dirname(good), { recursive: true });
    const result = await packStage(input(built.symbols), good);
    expect(openDocpack(good).symbols).toEqual(built.symbols);
    expect(result.bytes).toBeGreaterThan(0);

    function* broken(): Generator<SymbolEntry> {
      yield built.symbols[0];
      yield built.symbols[1];
      yield { ...built.symbols[2], start_line: 0 };
    }
    const bad = path.join(root, "out", "bad.zip");
    await expect(packStage(input(broken()), bad)).rejects.toMatchObject({ code: "invalid_docpack" });
    expect(existsSync(bad)).toBe(false);
    expect(readdirSync(path.dirname(bad)).filter((name) => name.includes("partial"))).toEqual([]);
  });
});
