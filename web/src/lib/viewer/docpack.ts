/**
 * Reading a docpack (format v1, core/src/docpackFormat.ts) in the browser. A docpack is untrusted
 * input: sizes are capped before anything is inflated, every JSON document is checked field by
 * field, and entries that do not fit the format are dropped and counted instead of trusted.
 */
import type { Unzipped, UnzipFileInfo, UnzipOptions } from "fflate";

export type UnzipSync = (data: Uint8Array, options?: UnzipOptions) => Unzipped;

export const LIMITS = {
  zipBytes: 128 * 1024 * 1024,
  jsonBytes: 64 * 1024 * 1024,
  pageBytes: 2 * 1024 * 1024,
  files: 100_000,
  symbols: 500_000,
  text: 4096,
} as const;

export type Manifest = {
  name: string;
  repo: { full_name?: string; url: string; git_ref: string; commit: string };
  generated_at: string;
  generator: { name: string; version: string };
  languages: Record<string, number>;
  stats: { files: number; symbols: number; bytes: number; skipped: Record<string, number> };
  docs: { mode: "llm" | "placeholder"; model?: string };
};
export type FileEntry = { path: string; language: string; bytes: number; lines: number; symbols: number };
export type SymbolEntry = {
  id: string;
  name: string;
  kind: string;
  file: string;
  start_line: number;
  end_line: number;
  signature: string;
  parent?: string;
  exported: boolean;
  summary: string;
  doc_comment?: string;
};

export type Docpack = {
  manifest: Manifest;
  files: FileEntry[];
  symbols: SymbolEntry[];
  /** Entries dropped because they did not fit the format. */
  dropped: { files: number; symbols: number };
  /** The Markdown of docs/index.md, or of one file's page; null when absent or too large. */
  readPage(path: string | null): string | null;
};

export class DocpackError extends Error {}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);
const str = (value: unknown, max: number = LIMITS.text): value is string => typeof value === "string" && value.length <= max;
const count = (value: unknown): value is number => typeof value === "number" && Number.isInteger(value) && value >= 0;
const optionalStr = (value: unknown) => (typeof value === "string" ? value.slice(0, LIMITS.text) : undefined);

function counts(value: unknown): Record<string, number> {
  const out: Record<string, number> = {};
  if (!isRecord(value)) return out;
  for (const [key, n] of Object.entries(value).slice(0, 200)) if (count(n)) out[key.slice(0, 100)] = n;
  return out;
}

export function checkManifest(value: unknown): Manifest {
  if (!isRecord(value) || value.format !== "docpack") throw new DocpackError("manifest.json does not describe a docpack.");
  if (value.format_version !== 1) throw new DocpackError(`This viewer reads docpack format 1; this one is format ${String(value.format_version).slice(0, 20)}.`);
  const repo = value.repo;
  if (!isRecord(repo) || !str(repo.url) || !str(repo.git_ref, 255) || !str(repo.commit, 64) || !/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(repo.commit))
    throw new DocpackError("manifest.json has no valid repository, ref and commit.");
  const stats = isRecord(value.stats) ? value.stats : {};
  const docs = isRecord(value.docs) ? value.docs : {};
  const generator = isRecord(value.generator) ? value.generator : {};
  return {
    name: str(value.name) && value.name ? value.name : "docpack",
    repo: { full_name: optionalStr(repo.full_name), url: repo.url, git_ref: repo.git_ref, commit: repo.commit },
    generated_at: optionalStr(value.generated_at) ?? "",
    generator: { name: optionalStr(generator.name) ?? "unknown", version: optionalStr(generator.version) ?? "" },
    languages: counts(value.languages),
    stats: {
      files: count(stats.files) ? stats.files : 0,
      symbols: count(stats.symbols) ? stats.symbols : 0,
      bytes: count(stats.bytes) ? stats.bytes : 0,
      skipped: counts(stats.skipped),
    },
    docs: { mode: docs.mode === "llm" ? "llm" : "placeholder", model: optionalStr(docs.model) },
  };
}

function checkFile(value: unknown): FileEntry | null {
  if (!isRecord(value) || !str(value.path, 1024) || !value.path || value.path.includes("\0")) return null;
  if (!count(value.bytes) || !count(value.lines) || !count(value.symbols)) return null;
  return { path: value.path, language: optionalStr(value.language) ?? "", bytes: value.bytes, lines: value.lines, symbols: value.symbols };
}

function checkSymbol(value: unknown): SymbolEntry | null {
  if (!isRecord(value) || !str(value.id, 2048) || !str(value.name, 1024) || !value.name || !str(value.kind, 40) || !str(value.file, 1024)) return null;
  if (!count(value.start_line) || !count(value.end_line) || typeof value.exported !== "boolean") return null;
  return {
    id: value.id,
    name: value.name,
    kind: value.kind,
    file: value.file,
    start_line: value.start_line,
    end_line: value.end_line,
    signature: typeof value.signature === "string" ? value.signature.slice(0, LIMITS.text) : "",
    parent: optionalStr(value.parent),
    exported: value.exported,
    summary: typeof value.summary === "string" ? value.summary.slice(0, LIMITS.text) : "",
    doc_comment: optionalStr(value.doc_comment),
  };
}

function checkList<T>(value: unknown, name: string, max: number, check: (item: unknown) => T | null) {
  if (!Array.isArray(value)) throw new DocpackError(`${name} is not a list.`);
  if (value.length > max) throw new DocpackError(`${name} lists ${value.length} entries; this viewer opens at most ${max}.`);
  const items: T[] = [];
  for (const item of value) {
    const checked = check(item);
    if (checked) items.push(checked);
  }
  return { items, dropped: value.length - items.length };
}

const decoder = new TextDecoder("utf-8", { fatal: false });

/** Inflates only the named entry, refusing one whose declared size is over `maxBytes`. */
function readEntry(zip: Uint8Array, unzipSync: UnzipSync, name: string, maxBytes: number): string | null {
  let tooLarge = false;
  const entries = unzipSync(zip, {
    filter: (file: UnzipFileInfo) => {
      if (file.name !== name) return false;
      if (file.originalSize > maxBytes) tooLarge = true;
      return !tooLarge;
    },
  });
  if (tooLarge) throw new DocpackError(`${name} is larger than this viewer opens (${Math.round(maxBytes / 1048576)} MB).`);
  const data = entries[name];
  return data ? decoder.decode(data) : null;
}

function readJson(zip: Uint8Array, unzipSync: UnzipSync, name: string): unknown {
  const text = readEntry(zip, unzipSync, name, LIMITS.jsonBytes);
  if (text === null) throw new DocpackError(`The docpack has no ${name}.`);
  try {
    return JSON.parse(text);
  } catch {
    throw new DocpackError(`${name} is not valid JSON.`);
  }
}

/** Opens a docpack ZIP; throws DocpackError with a readable message when it is not one. */
export function openDocpack(zip: Uint8Array, unzipSync: UnzipSync): Docpack {
  if (zip.byteLength > LIMITS.zipBytes) throw new DocpackError("The docpack is larger than this viewer opens (128 MB).");
  try {
    const manifest = checkManifest(readJson(zip, unzipSync, "manifest.json"));
    const files = checkList(readJson(zip, unzipSync, "files.json"), "files.json", LIMITS.files, checkFile);
    const symbols = checkList(readJson(zip, unzipSync, "symbols.json"), "symbols.json", LIMITS.symbols, checkSymbol);
    return {
      manifest,
      files: files.items,
      symbols: symbols.items,
      dropped: { files: files.dropped, symbols: symbols.dropped },
      readPage(path) {
        try {
          return readEntry(zip, unzipSync, path === null ? "docs/index.md" : `docs/files/${path}.md`, LIMITS.pageBytes);
        } catch {
          return null;
        }
      },
    };
  } catch (error) {
    if (error instanceof DocpackError) throw error;
    throw new DocpackError(`This file is not a readable docpack ZIP (${(error as Error).message}).`);
  }
}
