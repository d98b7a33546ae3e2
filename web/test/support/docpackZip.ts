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
