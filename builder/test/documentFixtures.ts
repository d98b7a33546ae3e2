/** Document-stage inputs spelled out by hand (the shapes extract produces). */
import { createHash } from "node:crypto";
import { fileRole } from "../src/scan/roles";
import { structuredDoc } from "../src/extract/docTags";
import { cleanComment } from "../src/extract/text";
import { symbolSummary } from "../src/document/placeholder";
import type { DocumentInput, DocumentOutput, ExtractedSymbol } from "../src/types";

/** Every symbol's summary by id, read the way pack reads them (symbolSummary). */
export function summariesOf(out: DocumentOutput, input: DocumentInput): Map<string, string> {
  const out2 = new Map<string, string>();
  for (const symbol of input.files.flatMap((file) => file.symbols)) {
    const summary = symbolSummary(out.summaries, symbol);
    if (summary !== undefined) out2.set(symbol.id, summary);
  }
  return out2;
}

type DocFile = DocumentInput["files"][number];

export function sourceFile(path: string, content: string, symbols: Array<Partial<ExtractedSymbol> & { name: string }>): DocFile {
  const language = path.endsWith(".py") ? "python" : "typescript";
  return {
    path,
    language,
    bytes: Buffer.byteLength(content),
    lines: content.split("\n").length,
    sha256: createHash("sha256").update(content).digest("hex"),
    content,
    role: fileRole(path, language),
    symbolCount: symbols.length,
    exportedTopLevel: symbols.filter((symbol) => symbol.exported !== false && !symbol.parent).length,
    symbols: symbols.map((symbol, i) => {
      const qualified = symbol.parent ? `${symbol.parent}.${symbol.name}` : symbol.name;
      const line = symbol.start_line ?? i + 1;
      // As extraction leaves them: a cleaned comment, taken apart.
      const comment = symbol.doc_comment ? cleanComment(symbol.doc_comment) : undefined;
      const doc = comment ? structuredDoc(comment) : undefined;
      return {
        id: `${path}#${qualified}`,
        title: qualified,
        kind: "function",
        language,
        file: path,
        start_line: line,
        end_line: symbol.end_line ?? line,
        signature: `function ${symbol.name}()`,
        exported: true,
        role: fileRole(path, language),
        source: { path: `source/${path}`, start_line: line, end_line: symbol.end_line ?? line },
        ...(doc ? { doc } : {}),
        ...symbol,
      };
    }),
  };
}

export function sampleInput(): DocumentInput {
  return {
    repoName: "acme/widgets",
    files: [
      sourceFile("src/math.ts", "/** Adds two numbers. Returns the sum. */\nexport function add(a: number, b: number) { return a + b; }\n", [
        { name: "add", signature: "function add(a: number, b: number)", doc_comment: "/** Adds two numbers. Returns the sum. */" },
      ]),
      sourceFile("src/shapes.ts", "export class Circle {\n  area() { return 1; }\n}\nfunction helper() {}\n", [
        { name: "Circle", kind: "class", signature: "class Circle", start_line: 1, end_line: 3 },
        { name: "area", kind: "method", parent: "Circle", signature: "area()", start_line: 2, end_line: 2, exported: false },
        { name: "helper", signature: "function helper()", start_line: 4, end_line: 4, exported: false },
      ]),
      sourceFile("tools/weird `name`.py", "def run():\n    '''Run <b>it</b>.'''\n", [
        { name: "run", signature: "def run():", doc_comment: "'''Run <b>it</b>.'''", exported: true },
      ]),
    ],
  };
}
