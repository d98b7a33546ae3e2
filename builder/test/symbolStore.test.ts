/** Symbols waiting on disk between extraction and pack. */
import { statSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SymbolStore } from "../src/extract/symbolStore";
import { removeDir, tempDir } from "./fixtures/gitRepo";

const root = tempDir();
afterAll(() => removeDir(root));

const symbol = (name: string, doc?: string) => ({ id: `a.ts#${name}`, name, kind: "function", language: "typescript", file: "a.ts", start_line: 1, end_line: 2, signature: `function ${name}()`, exported: true, ...(doc ? { doc_comment: doc } : {}) });

describe("SymbolStore", () => {
  it("gives back each file's symbols, in any order and repeatedly, from a private file", () => {
    const file = path.join(root, "symbols.jsonl");
    const store = new SymbolStore(file);
    const lists = [[symbol("ä"), symbol("b", "/** Grüße 日本 */")], [], [symbol("c")]];
    const refs = lists.map((list) => store.write(JSON.stringify(list)));
    expect(refs[1].offset).toBe(refs[0].offset + refs[0].length);
    expect(refs[2].offset).toBe(refs[1].offset + refs[1].length);
    for (const i of [2, 0, 1, 0]) expect(store.read(refs[i])).toEqual(lists[i]);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    store.close();
    expect(() => store.read(refs[0])).toThrow(/closed/);
  });
});
