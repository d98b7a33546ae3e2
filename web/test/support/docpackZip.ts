/** Docpack ZIPs made in a test (fflate), valid by default, with any part overridden. */
import { strToU8, zipSync } from "fflate";

export const COMMIT = "a".repeat(40);

export function manifest(overrides: Record<string, unknown> = {}) {
  return {
    format: "docpack",
    format_version: 1,
    name: "sample",
    repo: { full_name: "alice/sample", url: "https://github.com/alice/sample", git_ref: "main", commit: COMMIT },
    generated_at: "2026-11-23T12:00:00.000Z",
    generator: { name: "doctown-builder", version: "0.1.0" },
    languages: { typescript: 1 },
    stats: { files: 1, symbols: 2, bytes: 120, skipped: {} },
    docs: { mode: "placeholder" },
    ...overrides,
  };
}

export const FILES = [{ path: "src/math.ts", language: "typescript", bytes: 120, lines: 10, sha256: "b".repeat(64), symbols: 2 }];

export const SYMBOLS = [
  { id: "src/math.ts#add", name: "add", kind: "function", language: "typescript", file: "src/math.ts", start_line: 2, end_line: 4, signature: "export function add(a: number, b: number): number", exported: true, summary: "Adds." },
  { id: "src/math.ts#Calculator", name: "Calculator", kind: "class", language: "typescript", file: "src/math.ts", start_line: 6, end_line: 9, signature: "export class Calculator", exported: true, summary: "Totals." },
];

export function docpackZip(parts: { manifest?: unknown; files?: unknown; symbols?: unknown; pages?: Record<string, string> } = {}): Uint8Array {
  const entries: Record<string, Uint8Array> = {
    "manifest.json": strToU8(JSON.stringify(parts.manifest ?? manifest())),
    "files.json": strToU8(JSON.stringify(parts.files ?? FILES)),
    "symbols.json": strToU8(JSON.stringify(parts.symbols ?? SYMBOLS)),
  };
  for (const [path, text] of Object.entries(parts.pages ?? { "docs/index.md": "# sample\n\nOverview.", "docs/files/src/math.ts.md": "# src/math.ts\n\nMath." }))
    entries[path] = strToU8(text);
  return zipSync(entries);
}

/** A valid format-2 manifest (the one docpackZipV2 writes). */
export function manifestV2() {
  return manifest({
    format_version: 2,
    repo: { full_name: "alice/sample", url: "https://github.com/alice/sample", git_ref: "main", commit: COMMIT, host_url: `https://github.com/alice/sample/blob/${COMMIT}/` },
    stats: { files: 2, symbols: 2, bytes: 200, skipped: {}, skipped_extensions: {}, roles: { source: 1, docs: 1 }, pages: 1 },
    packages: [
      { name: "@alice/math", version: "1.0.0", path: "packages/math", manifest: "packages/math/package.json", ecosystem: "npm", description: "Arithmetic", entry_points: [{ name: ".", file: "packages/math/src/math.ts" }], page: "docs/packages/alice-math.md", public_api: ["packages/math/src/math.ts#add", "packages/math/src/math.ts#Calculator"] },
    ],
    paths: { llms: "llms.txt", search: "search.json", source_prefix: "source/" },
  });
}

/** A format-2 docpack (core/src/docpackFormat.ts on the v2 schema): packages, roles, source text, prose pages with headings. */
export function docpackZipV2(): Uint8Array {
  const source = "/** Adds two numbers. */\nexport function add(a: number, b: number): number {\n  return a + b;\n}\n\nexport class Calculator {\n  total = 0;\n}\n";
  const files = [
    { path: "packages/math/src/math.ts", language: "typescript", bytes: source.length, lines: 8, sha256: "b".repeat(64), symbols: 2, role: "source", kind: "code", source: "source/packages/math/src/math.ts", page: "docs/files/packages/math/src/math.ts.md", package: "@alice/math" },
    { path: "docs/guide.md", language: "markdown", bytes: 80, lines: 7, sha256: "c".repeat(64), symbols: 0, role: "docs", kind: "prose", source: "source/docs/guide.md", page: "docs/pages/docs/guide.md.md", title: "Guide", headings: [{ depth: 1, text: "Guide", anchor: "guide" }, { depth: 2, text: "Rounding rules", anchor: "rounding-rules" }] },
  ];
  const symbols = [
    { id: "packages/math/src/math.ts#add", name: "add", kind: "function", language: "typescript", file: "packages/math/src/math.ts", start_line: 2, end_line: 4, signature: "export function add(a: number, b: number): number", exported: true, summary: "Adds two numbers.", role: "source", title: "add", source: { path: "source/packages/math/src/math.ts", start_line: 2, end_line: 4, url: `https://github.com/alice/sample/blob/${COMMIT}/packages/math/src/math.ts#L2-L4` }, doc: { markdown: "Adds two numbers.", params: [{ name: "a", type: "number", description: "the first" }], returns: "their sum" }, package: "@alice/math" },
    { id: "packages/math/src/math.ts#Calculator", name: "Calculator", kind: "class", language: "typescript", file: "packages/math/src/math.ts", start_line: 6, end_line: 8, signature: "export class Calculator", exported: true, role: "source", title: "Calculator", source: { path: "source/packages/math/src/math.ts", start_line: 6, end_line: 8 }, package: "@alice/math" },
  ];
  return zipSync({
    "manifest.json": strToU8(JSON.stringify(manifestV2())),
    "files.json": strToU8(JSON.stringify(files)),
    "symbols.json": strToU8(JSON.stringify(symbols)),
    "docs/index.md": strToU8("# alice/sample\n\n- [math.ts](files/packages/math/src/math.ts.md)\n"),
    "docs/files/packages/math/src/math.ts.md": strToU8("# packages/math/src/math.ts\n\nMath helpers.\n"),
    "docs/pages/docs/guide.md.md": strToU8("# Guide\n\nIntro.\n\n## Rounding rules\n\nHalf to even.\n\n```text\n" + "a very long line that scrolls sideways ".repeat(20) + "\n```\n"),
    "docs/packages/alice-math.md": strToU8("# @alice/math\n\nArithmetic for everyone.\n"),
    "source/packages/math/src/math.ts": strToU8(source),
    "source/docs/guide.md": strToU8("# Guide\n"),
  });
}
