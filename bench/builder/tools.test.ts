/** The benchmark's recall measure: what counts as a ctags function/class/method, and what matches. */
import { describe, expect, it } from "vitest";
import type { SymbolEntry } from "@doctown/core/docpackFormat";
import { symbolRecall, type CtagsTag } from "./tools";

const tag = (over: Partial<CtagsTag>): CtagsTag => ({ name: "f", path: "a.js", line: 1, kind: "function", language: "JavaScript", pattern: "/^function f() {$/", ...over });
const symbol = (over: Partial<SymbolEntry>): SymbolEntry =>
  ({ id: "a.js#f", name: "f", kind: "function", language: "javascript", file: "a.js", start_line: 1, end_line: 3, signature: "function f()", exported: false, summary: "", ...over }) as SymbolEntry;

describe("symbolRecall", () => {
  it("matches by file, name and line span, per language", () => {
    const [js] = symbolRecall(
      [tag({}), tag({ name: "g", line: 10 }), tag({ name: "f", path: "b.js" }), tag({ name: "C", kind: "class", line: 2, pattern: "/^  class C {$/" })],
      [symbol({}), symbol({ name: "g", start_line: 20, end_line: 30 }), symbol({ name: "C", kind: "class", start_line: 2, end_line: 2 })],
    );
    expect(js).toMatchObject({ language: "JavaScript", ctags: 4, found: 2, objectLiterals: 0, local: 0 });
    expect(js.missed.map((t) => `${t.path}:${t.name}`)).toEqual(["a.js:g", "b.js:f"]);
  });

  it("leaves out JavaScript object literals that ctags tags as classes, and counts them", () => {
    const [js] = symbolRecall(
      [tag({ name: "config", kind: "class", pattern: "/^const config = {$/" }), tag({ name: "eslint", kind: "class", line: 2, pattern: "/^  eslint: {$/" }), tag({})],
      [symbol({})],
    );
    expect(js).toMatchObject({ ctags: 1, found: 1, objectLiterals: 2 });
  });

  it("counts apart the tags the builder did not find in a scope it calls local (a function, a callback)", () => {
    const [js] = symbolRecall(
      [tag({}), tag({ name: "Page", line: 5 }), tag({ name: "Inner", line: 6 })],
      [symbol({}), symbol({ name: "Inner", start_line: 6, end_line: 6 })],
      (t) => t.line >= 5,
    );
    // Inner was found after all: it counts as found.
    expect(js).toMatchObject({ ctags: 2, found: 2, local: 1 });
    expect(js.missed).toEqual([]);
  });

  it("ignores kinds other than functions, classes and methods (and non-Python members)", () => {
    const recall = symbolRecall([tag({ kind: "variable" }), tag({ kind: "member", language: "TypeScript" }), tag({ kind: "member", language: "Python", path: "a.py" })], []);
    expect(recall).toEqual([expect.objectContaining({ language: "Python", ctags: 1, found: 0 })]);
  });
});
