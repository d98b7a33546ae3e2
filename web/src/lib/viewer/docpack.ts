/**
 * Reading a docpack (formats 1 and 2, core/src/docpackFormat.ts) in the browser. A docpack is
 * untrusted input: sizes are capped before anything is inflated, every JSON document is checked
 * field by field, and entries that do not fit the format are dropped and counted instead of
 * trusted. (Core's zod schema would do the checking, but it adds 28 KB gzipped to a viewer whose
 * budget is 60 KB; these checks follow it field by field and keep what the viewer shows.)
 */
import type { Unzipped, UnzipFileInfo, UnzipOptions } from "fflate";

export type UnzipSync = (data: Uint8Array, options?: UnzipOptions) => Unzipped;

export const LIMITS = {
  zipBytes: 128 * 1024 * 1024,
  jsonBytes: 64 * 1024 * 1024,
  pageBytes: 2 * 1024 * 1024,
  sourceBytes: 4 * 1024 * 1024,
  files: 100_000,
  symbols: 500_000,
  text: 4096,
} as const;

export type FileRole = "source" | "test" | "example" | "docs" | "config" | "generated";
export const FILE_ROLES: readonly FileRole[] = ["source", "test", "example", "docs", "config", "generated"];
export type PackageEntry = { name: string; version?: string; path: string; description?: string; page?: string; public_api: string[]; entry_points: { name: string; file?: string }[] };
export type Heading = { depth: number; text: string; anchor: string };

export type Manifest = {
  format_version: 1 | 2;
  name: string;
  repo: { full_name?: string; url: string; git_ref: string; commit: string; host_url?: string };
  packages: PackageEntry[];
  generated_at: string;
  generator: { name: string; version: string };
  languages: Record<string, number>;
  stats: { files: number; symbols: number; bytes: number; skipped: Record<string, number> };
  docs: { mode: "llm" | "placeholder"; model?: string };
};
export type FileEntry = {
  path: string;
  language: string;
  bytes: number;
  lines: number;
  symbols: number;
  /** v2 (v1: guessed from the path) */
  role: FileRole;
  kind: "code" | "prose";
  /** v2: docpack paths of its text and page */
  source?: string;
  page?: string;
  package?: string;
  title?: string;
  headings: Heading[];
};
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
  /** v2 (v1: from the file) */
  role: FileRole;
  title: string;
  package?: string;
  source?: { path: string; start_line: number; end_line: number; url?: string };
  doc?: { markdown: string; params: { name: string; type?: string; description: string }[]; returns?: string; deprecated?: string; examples: string[] };
  type_links: { name: string; id: string }[];
};

export type Docpack = {
  manifest: Manifest;
  files: FileEntry[];
  symbols: SymbolEntry[];
  /** Entries dropped because they did not fit the format. */
  dropped: { files: number; symbols: number };
  /** The Markdown of docs/index.md (null), or of one file's page; null when absent or too large. */
  readPage(path: string | null): string | null;
  /** Any Markdown entry of the docpack (docs/pages/…, docs/packages/…); null when absent. */
  readEntry(entry: string): string | null;
  /** A file's text (v2 source/<path>); null when the docpack has none. */
  readSource(path: string): string | null;
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
  if (value.format_version !== 1 && value.format_version !== 2)
    throw new DocpackError(`This viewer reads docpack formats 1 and 2; this one is format ${String(value.format_version).slice(0, 20)}.`);
  const repo = value.repo;
  if (!isRecord(repo) || !str(repo.url) || !str(repo.git_ref, 255) || !str(repo.commit, 64) || !/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(repo.commit))
    throw new DocpackError("manifest.json has no valid repository, ref and commit.");
  const stats = isRecord(value.stats) ? value.stats : {};
  const docs = isRecord(value.docs) ? value.docs : {};
  const generator = isRecord(value.generator) ? value.generator : {};
  const hostUrl = optionalStr(repo.host_url);
  return {
    format_version: value.format_version,
    name: str(value.name) && value.name ? value.name : "docpack",
    repo: {
      full_name: optionalStr(repo.full_name),
      url: repo.url,
      git_ref: repo.git_ref,
      commit: repo.commit,
      host_url: hostUrl && /^https:\/\//.test(hostUrl) ? hostUrl : undefined,
    },
    packages: Array.isArray(value.packages) ? value.packages.slice(0, 1000).flatMap((item) => checkPackage(item) ?? []) : [],
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

function checkPackage(value: unknown): PackageEntry | null {
  if (!isRecord(value) || !str(value.name, 214) || !value.name || !str(value.path, 1024)) return null;
  const entryPoints = Array.isArray(value.entry_points) ? value.entry_points.slice(0, 200) : [];
  return {
    name: value.name,
    version: optionalStr(value.version),
    path: value.path,
    description: optionalStr(value.description),
    page: optionalStr(value.page),
    public_api: Array.isArray(value.public_api) ? value.public_api.filter((id): id is string => str(id, 2048)).slice(0, 5000) : [],
    entry_points: entryPoints.flatMap((entry) => (isRecord(entry) && str(entry.name, 1024) ? [{ name: entry.name, file: optionalStr(entry.file) }] : [])),
  };
}

const TEST_PATH = /(^|\/)(__tests__|__mocks__|tests?|spec|specs|e2e|fixtures?|testdata)\/|[._-](test|spec)\.[A-Za-z0-9]+$|(^|\/)test_[^/]*\.py$/i;
const EXAMPLE_PATH = /(^|\/)(examples?|demos?|samples?|playground|benchmarks?|bench)\//i;
const DOCS_PATH = /\.(md|mdx|markdown|rst|txt|adoc)$/i;
/** v1 docpacks have no roles: the path tells tests and examples apart from the shipped source. */
export function guessRole(path: string): FileRole {
  if (TEST_PATH.test(path)) return "test";
  if (EXAMPLE_PATH.test(path)) return "example";
  if (DOCS_PATH.test(path)) return "docs";
  return "source";
}
const role = (value: unknown, path: string): FileRole => (FILE_ROLES.includes(value as FileRole) ? (value as FileRole) : guessRole(path));

function checkHeadings(value: unknown): Heading[] {
  if (!Array.isArray(value)) return [];
  return value.slice(0, 500).flatMap((item) =>
    isRecord(item) && count(item.depth) && str(item.text, 500) && str(item.anchor, 500) ? [{ depth: item.depth, text: item.text, anchor: item.anchor }] : [],
  );
}

function checkFile(value: unknown): FileEntry | null {
  if (!isRecord(value) || !str(value.path, 1024) || !value.path || value.path.includes("\0")) return null;
  if (!count(value.bytes) || !count(value.lines) || !count(value.symbols)) return null;
  return {
    path: value.path,
    language: optionalStr(value.language) ?? "",
    bytes: value.bytes,
    lines: value.lines,
    symbols: value.symbols,
    role: role(value.role, value.path),
    kind: value.kind === "prose" ? "prose" : "code",
    source: optionalStr(value.source),
    page: optionalStr(value.page),
    package: optionalStr(value.package),
    title: optionalStr(value.title),
    headings: checkHeadings(value.headings),
  };
}

function checkDoc(value: unknown): SymbolEntry["doc"] {
  if (!isRecord(value) || typeof value.markdown !== "string") return undefined;
  const params = Array.isArray(value.params) ? value.params.slice(0, 100) : [];
  return {
    markdown: value.markdown.slice(0, 64 * 1024),
    params: params.flatMap((param) => (isRecord(param) && str(param.name, 200) ? [{ name: param.name, type: optionalStr(param.type), description: optionalStr(param.description) ?? "" }] : [])),
    returns: optionalStr(value.returns),
    deprecated: optionalStr(value.deprecated),
    examples: Array.isArray(value.examples) ? value.examples.filter((example): example is string => str(example, 16 * 1024)).slice(0, 20) : [],
  };
}

function checkSource(value: unknown): SymbolEntry["source"] {
  if (!isRecord(value) || !str(value.path, 1100) || !count(value.start_line) || !count(value.end_line)) return undefined;
  const url = optionalStr(value.url);
  return { path: value.path, start_line: value.start_line, end_line: value.end_line, url: url && /^https:\/\//.test(url) ? url : undefined };
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
    role: role(value.role, value.file),
    title: optionalStr(value.title) ?? (typeof value.parent === "string" && value.parent ? `${value.parent}.${value.name}` : value.name),
    package: optionalStr(value.package),
    source: checkSource(value.source),
    doc: checkDoc(value.doc),
    type_links: Array.isArray(value.type_links)
      ? value.type_links.slice(0, 100).flatMap((link) => (isRecord(link) && str(link.name, 500) && str(link.id, 2048) ? [{ name: link.name, id: link.id }] : []))
      : [],
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

/** Inflates the named JSON documents in one pass over the ZIP. */
function readJsons(zip: Uint8Array, unzipSync: UnzipSync, names: string[]): unknown[] {
  let tooLarge: string | undefined;
  const entries = unzipSync(zip, {
    filter: (file: UnzipFileInfo) => {
      if (!names.includes(file.name)) return false;
      if (file.originalSize > LIMITS.jsonBytes) tooLarge = file.name;
      return !tooLarge;
    },
  });
  if (tooLarge) throw new DocpackError(`${tooLarge} is larger than this viewer opens (${Math.round(LIMITS.jsonBytes / 1048576)} MB).`);
  return names.map((name) => {
    const data = entries[name];
    if (!data) throw new DocpackError(`The docpack has no ${name}.`);
    try {
      return JSON.parse(decoder.decode(data));
    } catch {
      throw new DocpackError(`${name} is not valid JSON.`);
    }
  });
}

/** Opens a docpack ZIP; throws DocpackError with a readable message when it is not one. */
export function openDocpack(zip: Uint8Array, unzipSync: UnzipSync): Docpack {
  if (zip.byteLength > LIMITS.zipBytes) throw new DocpackError("The docpack is larger than this viewer opens (128 MB).");
  try {
    const [manifestJson, filesJson, symbolsJson] = readJsons(zip, unzipSync, ["manifest.json", "files.json", "symbols.json"]);
    const manifest = checkManifest(manifestJson);
    const files = checkList(filesJson, "files.json", LIMITS.files, checkFile);
    const symbols = checkList(symbolsJson, "symbols.json", LIMITS.symbols, checkSymbol);
    const safeRead = (entry: string, max: number) => {
      try {
        return readEntry(zip, unzipSync, entry, max);
      } catch {
        return null;
      }
    };
    return {
      manifest,
      files: files.items,
      symbols: symbols.items,
      dropped: { files: files.dropped, symbols: symbols.dropped },
      readPage: (path) => safeRead(path === null ? "docs/index.md" : `docs/files/${path}.md`, LIMITS.pageBytes),
      readEntry: (entry) => (/^docs\/.+\.md$/.test(entry) && !entry.includes("..") ? safeRead(entry, LIMITS.pageBytes) : null),
      readSource: (path) => safeRead(`source/${path}`, LIMITS.sourceBytes),
    };
  } catch (error) {
    if (error instanceof DocpackError) throw error;
    throw new DocpackError(`This file is not a readable docpack ZIP (${(error as Error).message}).`);
  }
}
