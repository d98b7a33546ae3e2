import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { Spool } from "../src/extract/spool";
import { SymbolStore } from "../src/extract/symbolStore";
import { extractFile } from "../src/extract/extractFile";
import { extractWithTreeSitter, localLineSpans } from "../src/extract/treeSitter";
import { extractStage, startExtractPool } from "../src/stages/extract";
import type { SourceFile } from "../src/types";
import { SOURCES } from "./fixtures/sources";

const LANGUAGE: Record<string, string> = {
  ts: "typescript", tsx: "tsx", js: "javascript", py: "python", go: "go", rs: "rust", java: "java",
};
const languageOf = (path: string) => LANGUAGE[path.slice(path.lastIndexOf(".") + 1)];

async function symbolsOf(path: string, content: string, language = languageOf(path)) {
  return extractFile({ path, language, content });
}

describe("extract: tree-sitter symbols", () => {
  for (const [path, source] of Object.entries(SOURCES)) {
    it(`finds the expected symbols, lines and export flags in ${path}`, async () => {
      const symbols = await symbolsOf(path, source.content);
      const actual = symbols.map((s) => [s.kind, s.parent ? `${s.parent}.${s.name}` : s.name, s.start_line, s.end_line, s.exported]);
      expect(actual).toEqual(source.expected);
      for (const symbol of symbols) {
        expect(symbol.id).toBe(`${path}#${symbol.parent ? `${symbol.parent}.` : ""}${symbol.name}`);
        expect(symbol.file).toBe(path);
        expect(symbol.language).toBe(languageOf(path));
        expect(symbol.signature.length).toBeGreaterThan(0);
        expect(symbol.signature).not.toContain("\n");
      }
      for (const [qualified, doc] of Object.entries(source.docs ?? {})) {
        const symbol = symbols.find((s) => (s.parent ? `${s.parent}.${s.name}` : s.name) === qualified);
        expect(symbol?.doc_comment, qualified).toBe(doc);
      }
    });
  }

  it("cuts signatures at the body", async () => {
    const symbols = await symbolsOf("src/shapes.ts", SOURCES["src/shapes.ts"].content);
    const signature = (name: string) => symbols.find((s) => s.name === name)?.signature;
    expect(signature("Circle")).toBe("export class Circle implements Shape");
    expect(signature("area")).toBe("area(): number");
    expect(signature("double")).toBe("export const double = (n: number): number");
    const go = await symbolsOf("server/server.go", SOURCES["server/server.go"].content);
    expect(go.find((s) => s.name === "Start")?.signature).toBe("func (s *Server) Start(port int) error");
  });

  it("lists Go's top-level declarations and interface methods, not what functions or field types hold", async () => {
    const go = [
      "package x", "",
      "type A struct {", "\tr interface {", "\t\tRead() int", "\t}", "}", "",
      "type I interface {", "\tM(x int) error", "\tinterface{ N() }", "}", "",
      "const (", "\tC = 1", ")", "",
      "func F[T interface{ Z() }](t T) {", "\ttype local struct{ inner interface{ L() } }", "\tg := func() {}", "\t_ = g", "}", "",
      "func (a *A) Get() int { return 0 }", "",
    ].join("\n");
    const symbols = await symbolsOf("x.go", go);
    expect(symbols.map((s) => [s.kind, s.parent ? `${s.parent}.${s.name}` : s.name])).toEqual([
      ["struct", "A"],
      ["interface", "I"],
      ["method", "I.M"],
      ["method", "I.N"],
      ["constant", "C"],
      ["function", "F"],
      ["method", "A.Get"],
    ]);
  });

  it("gives overloads distinct, deterministic ids", async () => {
    const content = `export function parse(a: string): string;\nexport function parse(a: number): number;\nexport function parse(a: any): any { return a; }\n`;
    const ids = (await symbolsOf("p.ts", content)).map((s) => s.id);
    expect(ids).toEqual(["p.ts#parse", "p.ts#parse~2", "p.ts#parse~3"]);
  });

  it("finds prototype methods, class expressions and declaration-file members", async () => {
    const js = await symbolsOf("old.js", `function Archiver() {}\nArchiver.prototype.append = function (data) {};\nconst Shape = class {\n  area() {}\n};\n`);
    expect(js.map((s) => [s.kind, s.id, s.start_line])).toEqual([
      ["function", "old.js#Archiver", 1],
      ["method", "old.js#Archiver.append", 2],
      ["class", "old.js#Shape", 3],
      ["method", "old.js#Shape.area", 4],
    ]);
    const dts = await symbolsOf("lib.d.ts", `export declare class Bucket {\n  constructor(name: string);\n  getBindings(): string[];\n}\n`);
    expect(dts.map((s) => [s.kind, s.id, s.start_line])).toEqual([
      ["class", "lib.d.ts#Bucket", 1],
      ["constructor", "lib.d.ts#Bucket.constructor", 2],
      ["method", "lib.d.ts#Bucket.getBindings", 3],
    ]);
  });

  it("finds top-level, exported and namespace declarations, interface members and prototype methods in any statement", async () => {
    const ts = [
      "export var legacy = 1, make = () => 1;",
      "let local = class {};",
      "function f() { const inner = 1; }",
      "export namespace N {",
      "  export const shown = 1;",
      "  const hidden = 2;",
      "  export interface Shape { size: number; area(): number }",
      "}",
      "type T = { inType: string; method(): void };",
      "(function () {",
      "  Widget.prototype.render = function () {};",
      "  x = Widget.prototype.chained = function () {};",
      "})();",
      "const [destructured] = [1];",
    ].join("\n");
    expect((await symbolsOf("all.ts", ts)).map((s) => [s.kind, s.parent ? `${s.parent}.${s.name}` : s.name])).toEqual([
      ["variable", "legacy"],
      ["function", "make"],
      ["class", "local"],
      ["function", "f"],
      ["module", "N"],
      ["constant", "N.shown"],
      ["interface", "N.Shape"],
      ["property", "N.Shape.size"],
      ["method", "N.Shape.area"],
      ["type", "T"],
      ["function", "T.method"],
      ["method", "Widget.render"],
    ]);
    const js = await symbolsOf("legacy.js", "export var legacy = 1;\nvar plain = function () {};\n");
    expect(js.map((s) => [s.kind, s.name, s.exported])).toEqual([["variable", "legacy", true], ["function", "plain", false]]);
  });

  it("handles C++, C#, Ruby, PHP and shell", async () => {
    const brief = async (path: string, language: string, content: string) =>
      (await symbolsOf(path, content, language)).map((s) => `${s.kind} ${s.parent ? `${s.parent}.` : ""}${s.name}:${s.start_line}`);
    expect(await brief("w.cpp", "cpp", `namespace ui {\nclass Widget {\n public:\n  void draw();\n};\n}\nvoid ui::Widget::draw() {}\nstatic int count() { return 0; }\n`))
      .toEqual(["module ui:1", "class ui.Widget:2", "method ui.Widget.draw:4", "method ui.Widget.draw:7", "function count:8"]);
    expect(await brief("T.cs", "csharp", `namespace App {\n  public class Thing {\n    public int Count { get; set; }\n    public void Run() {}\n  }\n}\n`))
      .toEqual(["module App:1", "class App.Thing:2", "property App.Thing.Count:3", "method App.Thing.Run:4"]);
    expect(await brief("g.rb", "ruby", `class Greeter\n  def initialize(name)\n  end\n  def greet\n  end\nend\ndef top; end\n`))
      .toEqual(["class Greeter:1", "constructor Greeter.initialize:2", "method Greeter.greet:4", "function top:7"]);
    expect(await brief("f.php", "php", `<?php\nclass Foo {\n  public function bar() {}\n}\nfunction helper() {}\n`))
      .toEqual(["class Foo:2", "method Foo.bar:3", "function helper:5"]);
    expect(await brief("deploy", "bash", `#!/bin/sh\n# Deploys.\ndeploy() {\n  echo hi\n}\n`)).toEqual(["function deploy:3"]);
  });

  it("falls back to regular expressions for languages without a grammar", async () => {
    const symbols = await symbolsOf("Main.kt", `/** Entry. */\nclass App {\n    fun run(args: Array<String>) {}\n}\nprivate fun helper() = 1\n`, "kotlin");
    expect(symbols.map((s) => [s.kind, s.parent, s.name, s.start_line, s.exported])).toEqual([
      ["class", undefined, "App", 2, true],
      ["method", "App", "run", 3, true],
      ["function", undefined, "helper", 5, false],
    ]);
    expect(symbols[0].doc_comment).toBe("Entry.");
  });

  it("keeps line numbers right after non-ASCII text", async () => {
    const symbols = await symbolsOf("u.ts", `// héllo wörld ✓ 😀\nexport function größe(): string { return "ü"; }\nexport class Ünïcode {}\n`);
    expect(symbols.map((s) => [s.name, s.start_line, s.signature])).toEqual([
      ["größe", 2, "export function größe(): string"],
      ["Ünïcode", 3, "export class Ünïcode"],
    ]);
  });

  it("does not list what a callback defines (a test case's components, an effect's handlers): it is local to the call", async () => {
    const filler = "  const padding = 1;\n".repeat(20); // bodies over the size worth skipping, as in real code
    const ts = [
      `describe("x", () => {\n${filler}  function Page() {}\n  it("y", function () { function Inner() {} });\n});`,
      `export const store = create(() => ({ get() { return 1; } }));`,
      `useEffect(() => { class Handler { run() {} } });`,
      `export function outer(): void {\n  function helper() {}\n  items.forEach((item) => { function each() {} });\n}`,
      `export const manager = (() => {\n  return { isServer(): boolean { return true; } };\n})();`,
      `export const proxy = new Proxy({}, { get() { return 1; } });`,
      `export default defineComponent({ setup() { function inSetup() {} } });`,
    ].join("\n");
    const listed = (await symbolsOf("local.ts", ts)).map((s) => (s.parent ? `${s.parent}.${s.name}` : s.name));
    // Kept: a function's own nested functions, an immediately invoked function's object (the module
    // pattern), methods of an object passed to a call.
    expect(listed).toEqual(["store", "outer", "outer.helper", "manager", "manager.isServer", "proxy", "proxy.get", "setup", "setup.inSetup"]);
  });

  it("does not list what a function or method defines, but in JavaScript (its modules and factories)", async () => {
    const python = "def outer():\n    def helper():\n        pass\n    class Local:\n        def run(self):\n            pass\n\nclass Kept:\n    def method(self):\n        def nested():\n            pass\n\n    class Inner:\n        def inner_method(self):\n            pass\n";
    expect((await symbolsOf("local.py", python)).map((s) => (s.parent ? `${s.parent}.${s.name}` : s.name))).toEqual(["outer", "Kept", "Kept.method", "Kept.Inner", "Kept.Inner.inner_method"]);
    const java = "public class Kept {\n  public void run() {\n    Runnable r = new Runnable() { public void run() {} };\n    class Local {}\n  }\n}\n";
    expect((await symbolsOf("Kept.java", java)).map((s) => s.name)).toEqual(["Kept", "run"]);
    const rust = "pub fn outer() {\n    fn helper() {}\n    struct Local;\n}\npub struct Kept;\n";
    expect((await symbolsOf("lib.rs", rust)).map((s) => s.name)).toEqual(["outer", "Kept"]);
    const js = "export function factory() {\n  function helper() {}\n  return { method() {} };\n}\n";
    expect((await symbolsOf("f.js", js)).map((s) => (s.parent ? `${s.parent}.${s.name}` : s.name))).toEqual(["factory", "factory.helper", "factory.method"]);
  });

  it("gives the benchmark the lines of the local scopes: callbacks whole, function bodies after their first line", async () => {
    const ts = 'export function f(): void {\n  function kept() {}\n}\ndescribe("x", () => {\n  it("y", () => {});\n});\n';
    expect(await localLineSpans("typescript", ts)).toEqual([[4, 6]]);
    const python = "def outer():\n    def inner():\n        pass\n\nclass C:\n    def method(self): return 1\n";
    expect(await localLineSpans("python", python)).toEqual([[2, 3]]);
    const go = "package p\n\nfunc F() {\n\ttype local struct{}\n}\n";
    expect(await localLineSpans("go", go)).toEqual([[4, 5]]);
    expect(await localLineSpans("kotlin", "fun f() {}\n")).toEqual([]);
  });

  it("lists the same symbols whether or not the query passes over the bodies it may skip", async () => {
    // This repository's own TypeScript and JavaScript: real code, with every shape the skipping meets.
    const root = path.join(import.meta.dirname, "..", "..");
    const files = execFileSync("git", ["ls-files", "-z", "--", "*.ts", "*.tsx", "*.js", "*.mjs"], { cwd: root, encoding: "utf8" })
      .split("\0")
      .filter(Boolean);
    expect(files.length).toBeGreaterThan(100);
    // Text before and inside the bodies in more than one UTF-16 unit per character (tree-sitter
    // counts the searched ranges in bytes).
    const wide = `// 😀 ü\nexport function a(): void {}\ndescribe("😀", () => {\n${"  const s = '😀';\n".repeat(30)}  function Page() {}\n});\nexport class B { m(): void {} }\nit("ü", () => {\n${"  const s = 'ü';\n".repeat(30)}});\nexport function c(): void {}\n`;
    const counts = { skippedBodies: 0 };
    for (const [file, language, content] of [
      ["wide.ts", "typescript", wide],
      ...files.map((file) => [file, file.endsWith(".tsx") ? "tsx" : file.endsWith(".ts") ? "typescript" : "javascript", readFileSync(path.join(root, file), "utf8")]),
    ]) {
      const skipping = await extractWithTreeSitter(language, content, { counts });
      expect(await extractWithTreeSitter(language, content, { skipBodies: false }), file).toEqual(skipping);
      if (file === "wide.ts") expect(skipping.map((symbol) => symbol.name)).toEqual(["a", "B", "m", "c"]);
    }
    expect(counts.skippedBodies).toBeGreaterThan(100);
  }, 120_000);
});

describe("extract stage", () => {
  const files = (copies = 6): SourceFile[] =>
    Object.entries(SOURCES).flatMap(([path, source]) =>
      Array.from({ length: copies }, (_, i) => ({
        path: i === 0 ? path : `copy${i}/${path}`,
        language: languageOf(path),
        bytes: source.content.length,
        lines: source.content.split("\n").length,
        sha256: "0".repeat(64),
        role: "source" as const,
        content: source.content,
      })),
    );

  it("gives the same symbols in worker threads as in this thread", async () => {
    const inline = await extractStage(files(), { workers: 0 });
    const fractions: number[] = [];
    const pooled = await extractStage(files(), { workers: 2, inlineBelowBytes: 0, onProgress: (f) => fractions.push(f) });
    expect(pooled.map((f) => f.symbols)).toEqual(inline.map((f) => f.symbols));
    expect(pooled.reduce((n, f) => n + f.symbols.length, 0)).toBe(6 * Object.values(SOURCES).reduce((n, s) => n + s.expected.length, 0));
    expect(fractions.at(-1)).toBe(1);
  });

  it("takes over workers started before the plan was known, and closes them (unused when the plan is small)", async () => {
    const inline = await extractStage(files(), { workers: 0 });
    for (const inlineBelowBytes of [0, Number.POSITIVE_INFINITY]) {
      const started = startExtractPool({ workers: 2 })!;
      let batches = 0;
      const counted = { ...started, get queuedBytes() { return started.queuedBytes; }, run: (jobs: Parameters<typeof started.run>[0]) => (batches++, started.run(jobs)) };
      const extracted = await extractStage(files(), { workers: 2, inlineBelowBytes, pool: counted });
      expect(extracted.map((f) => f.symbols)).toEqual(inline.map((f) => f.symbols));
      expect(batches > 0, `batches given to the started workers (inline below ${inlineBelowBytes})`).toBe(inlineBelowBytes === 0);
      await expect(started.run(files(1).map(({ path, language, content }) => ({ path, language, content })))).rejects.toThrow(/closed/);
    }
    expect(startExtractPool({ workers: 1 })).toBeUndefined();
  });

  it("gives the same symbols when the workers are full and this thread parses too, with symbols kept on disk", async () => {
    // ~1 MB of source: more than the workers may hold queued, so this thread parses batches as well.
    const copies = 450;
    const inline = await extractStage(files(copies), { workers: 0 });
    const dir = mkdtempSync(path.join(tmpdir(), "doctown-extract-"));
    const store = new SymbolStore(path.join(dir, "symbols.jsonl"));
    try {
      const stored = await extractStage(files(copies), { workers: 2, store, contentAfterParse: "drop" });
      expect(stored.map((f) => f.symbols)).toEqual(inline.map((f) => f.symbols));
      expect(stored.map((f) => f.symbolCount)).toEqual(inline.map((f) => f.symbols.length));
      expect(stored.map((f) => f.exportedTopLevel)).toEqual(inline.map((f) => f.symbols.filter((s) => s.exported && !s.parent).length));
      expect(stored.every((f) => f.content === "")).toBe(true);
      expect(inline.every((f) => f.content.length > 0)).toBe(true);
    } finally {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("hands prose to the workers past their usual queue while this thread parses code, pages and symbols as in one thread", async () => {
    // ~1 MB of source (this thread parses batches too) with Markdown files among it.
    const guide = (i: number) => `# Guide ${i}\n\nSee <b>this</b> and [that](https://example.com/${i}).\n\n## Part\n\n${"Words and more words. ".repeat(40)}\n`;
    const mixed = files(450).flatMap((file, i) => (i % 10 === 0 ? [file, { ...file, path: `docs/guide${i}.md`, language: "markdown", content: guide(i) }] : [file]));
    const inline = await extractStage(mixed.map((file) => ({ ...file })), { workers: 0 });
    const started = startExtractPool({ workers: 2 })!;
    const sent = new Set<string>();
    const counted = { ...started, get queuedBytes() { return started.queuedBytes; }, run: (jobs: Parameters<typeof started.run>[0]) => (jobs.forEach((job) => sent.add(job.path)), started.run(jobs)) };
    const pooled = await extractStage(mixed.map((file) => ({ ...file })), { workers: 2, pool: counted });
    expect(pooled.map((f) => [f.path, f.symbols, f.prose])).toEqual(inline.map((f) => [f.path, f.symbols, f.prose]));
    // Code is shared between this thread and the workers as their queue allows; prose goes to the
    // workers past that queue: a far larger share of it (about a quarter of each without the rule).
    const shareSent = (prose: boolean) => {
      const kind = mixed.filter((file) => (file.language === "markdown") === prose);
      return kind.filter((file) => sent.has(file.path)).length / kind.length;
    };
    expect(shareSent(false)).toBeGreaterThan(0);
    expect(shareSent(false)).toBeLessThan(1);
    expect(shareSent(true)).toBeGreaterThan(1.6 * shareSent(false));
  });

  it("leaves a batch larger than half of what the workers hold to them (this thread would keep them waiting)", async () => {
    const big = { ...files(1)[0]!, path: "src/big.ts", language: "typescript", content: "export function f(a: number): number { return a; }\n".repeat(5000) };
    const input = [...files(450), big];
    const started = startExtractPool({ workers: 2 })!;
    const sent = new Set<string>();
    const counted = { ...started, get queuedBytes() { return started.queuedBytes; }, run: (jobs: Parameters<typeof started.run>[0]) => (jobs.forEach((job) => sent.add(job.path)), started.run(jobs)) };
    const extracted = await extractStage(input, { workers: 2, pool: counted });
    expect(extracted.at(-1)!.symbols).toHaveLength(5000);
    expect(sent.has("src/big.ts")).toBe(true);
    expect(input.some((file) => !sent.has(file.path))).toBe(true); // this thread parsed batches too
  });

  it("moves each file's text to a spool once parsed, and reads it back from there", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "doctown-extract-"));
    const texts = new Spool(path.join(dir, "texts"));
    try {
      const originals = files(3);
      const expected = originals.map((f) => f.content);
      const spooled = await extractStage(originals, { workers: 2, inlineBelowBytes: 0, contentAfterParse: texts });
      // The text is not held by the file, and spreading a file does not read it back.
      expect(spooled.every((f, i) => !Object.values(f).includes(expected[i]) && !("content" in { ...f }))).toBe(true);
      expect(spooled.map((f) => f.content)).toEqual(expected);
      expect(statSync(texts.file).size).toBe(expected.reduce((n, text) => n + Buffer.byteLength(text), 0));
      expect(spooled.map((f) => f.symbols)).toEqual((await extractStage(files(3), { workers: 0 })).map((f) => f.symbols));
    } finally {
      texts.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("yields no symbols (and no failure) for markdown and unknown languages", async () => {
    const [readme] = await extractStage([{ path: "README.md", language: "markdown", bytes: 5, lines: 1, sha256: "0".repeat(64), role: "docs", content: "# Hi\n" }]);
    expect(readme.symbols).toEqual([]);
  });
});
