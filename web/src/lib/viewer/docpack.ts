/**
 * Reading a docpack (formats 1 and 2) in the browser. A docpack is untrusted input: sizes are capped
 * before anything is inflated, and its JSON documents are checked with core's own zod schema
 * (core/src/docpackFormat.ts, the one the builder writes with): a manifest that does not fit is
 * refused with the field that is wrong; file and symbol entries that do not fit are dropped and
 * counted, with the first reason. The page loads this module (and zod with it) only when a docpack
 * is opened (DocpackViewer.astro), so the schema does not weigh on the page's first load.
 */
import {
  DOCPACK_FORMAT,
  DOCPACK_PATHS,
  FileEntryV1,
  FileEntryV2,
  ManifestV1,
  ManifestV2,
  SymbolEntryV1,
  SymbolEntryV2,
  type FileRole,
  type Heading,
  type PackageEntry as PackageEntryFormat,
  type StructuredDoc,
} from "@doctown/core/docpackFormat";
import type { Unzipped, UnzipFileInfo, UnzipOptions } from "fflate";
import type * as z from "zod";
import { DocpackError, LIMITS } from "./limits";

export { DocpackError, LIMITS };
export type { FileRole, Heading };

export type UnzipSync = (data: Uint8Array, options?: UnzipOptions) => Unzipped;

/** What the viewer shows: either format, with what format 1 lacks filled in (roles guessed, no packages). */
export type PackageEntry = Omit<PackageEntryFormat, "public_api"> & { public_api: string[] };
export type Manifest = Omit<ManifestV1, "format_version" | "repo"> & {
  format_version: 1 | 2;
  repo: ManifestV1["repo"] & { host_url?: string };
  packages: PackageEntry[];
};
export type FileEntry = FileEntryV1 & Partial<Pick<FileEntryV2, "source" | "page" | "package" | "title">> & Pick<FileEntryV2, "role" | "kind"> & { headings: Heading[] };
export type SymbolEntry = Omit<SymbolEntryV1, "summary"> &
  Partial<Pick<SymbolEntryV2, "package" | "source">> & {
    summary: string;
    role: FileRole;
    title: string;
    doc?: StructuredDoc & Required<Pick<StructuredDoc, "params" | "examples">>;
    type_links: NonNullable<SymbolEntryV2["type_links"]>;
  };

export type Docpack = {
  manifest: Manifest;
  files: FileEntry[];
  symbols: SymbolEntry[];
  /** Entries dropped because they did not fit the format, and why the first one did not. */
  dropped: { files: number; symbols: number; reason?: string };
  /** The Markdown of docs/index.md (null), or of one file's page; null when absent or too large. */
  readPage(path: string | null): string | null;
  /** Any Markdown entry of the docpack (docs/pages/…, docs/packages/…); null when absent. */
  readEntry(entry: string): string | null;
  /** A file's text (v2 source/<path>); null when the docpack has none. */
  readSource(path: string): string | null;
};

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);
/** Links the viewer renders go to https only, whatever URL the docpack names. */
const https = (url: string | undefined) => (url && /^https:\/\//.test(url) ? url : undefined);
/** "repo.commit: Invalid string: …" — the first thing wrong, where it is. */
function reason(error: z.ZodError, where: string): string {
  const issue = error.issues[0];
  const path = issue.path.map((key) => (typeof key === "number" ? `[${key}]` : `.${String(key)}`)).join("");
  return `${where}${path}: ${issue.message}`;
}

export function checkManifest(value: unknown): Manifest {
  if (!isRecord(value) || value.format !== DOCPACK_FORMAT) throw new DocpackError("manifest.json does not describe a docpack.");
  const version = value.format_version;
  if (version !== 1 && version !== 2) throw new DocpackError(`This viewer reads docpack formats 1 and 2; this one is format ${String(version).slice(0, 20)}.`);
  const parsed = (version === 1 ? ManifestV1 : ManifestV2).safeParse(value);
  if (!parsed.success) throw new DocpackError(`manifest.json does not fit docpack format ${version}: ${reason(parsed.error, "manifest")}`);
  const manifest = parsed.data;
  return {
    ...manifest,
    repo: { ...manifest.repo, host_url: manifest.format_version === 2 ? https(manifest.repo.host_url) : undefined },
    packages: manifest.format_version === 2 ? manifest.packages.map((pkg) => ({ ...pkg, public_api: pkg.public_api ?? [] })) : [],
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

type Checked<T> = { success: true; data: T } | { success: false; error: z.ZodError };
const titleOf = (symbol: { name: string; parent?: string }) => (symbol.parent ? `${symbol.parent}.${symbol.name}` : symbol.name);

function fileOf(version: 1 | 2, value: unknown): Checked<FileEntry> {
  if (version === 1) {
    const parsed = FileEntryV1.safeParse(value);
    return parsed.success ? { success: true, data: { ...parsed.data, role: guessRole(parsed.data.path), kind: "code", headings: [] } } : parsed;
  }
  const parsed = FileEntryV2.safeParse(value);
  return parsed.success ? { success: true, data: { ...parsed.data, headings: parsed.data.headings ?? [] } } : parsed;
}

function symbolOf(version: 1 | 2, value: unknown): Checked<SymbolEntry> {
  if (version === 1) {
    const parsed = SymbolEntryV1.safeParse(value);
    return parsed.success ? { success: true, data: { ...parsed.data, role: guessRole(parsed.data.file), title: titleOf(parsed.data), type_links: [] } } : parsed;
  }
  const parsed = SymbolEntryV2.safeParse(value);
  if (!parsed.success) return parsed;
  const { doc, source, summary, title, type_links, ...symbol } = parsed.data;
  return {
    success: true,
    data: {
      ...symbol,
      summary: summary ?? "",
      title: title ?? titleOf(symbol),
      source: source && { ...source, url: https(source.url) },
      doc: doc && { ...doc, params: doc.params ?? [], examples: doc.examples ?? [] },
      type_links: type_links ?? [],
    },
  };
}

function checkList<T>(value: unknown, name: string, max: number, check: (item: unknown) => Checked<T>) {
  if (!Array.isArray(value)) throw new DocpackError(`${name} is not a list.`);
  if (value.length > max) throw new DocpackError(`${name} lists ${value.length} entries; this viewer opens at most ${max}.`);
  const items: T[] = [];
  let firstReason: string | undefined;
  value.forEach((item, i) => {
    const checked = check(item);
    if (checked.success) items.push(checked.data);
    else firstReason ??= reason(checked.error, `${name}[${i}]`);
  });
  return { items, dropped: value.length - items.length, reason: firstReason };
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
    const [manifestJson, filesJson, symbolsJson] = readJsons(zip, unzipSync, [DOCPACK_PATHS.manifest, DOCPACK_PATHS.files, DOCPACK_PATHS.symbols]);
    const manifest = checkManifest(manifestJson);
    const version = manifest.format_version;
    const files = checkList(filesJson, DOCPACK_PATHS.files, LIMITS.files, (item) => fileOf(version, item));
    const symbols = checkList(symbolsJson, DOCPACK_PATHS.symbols, LIMITS.symbols, (item) => symbolOf(version, item));
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
      dropped: { files: files.dropped, symbols: symbols.dropped, reason: files.reason ?? symbols.reason },
      readPage: (path) => safeRead(path === null ? DOCPACK_PATHS.index : DOCPACK_PATHS.filePage(path), LIMITS.pageBytes),
      readEntry: (entry) => (/^docs\/.+\.md$/.test(entry) && !entry.includes("..") ? safeRead(entry, LIMITS.pageBytes) : null),
      readSource: (path) => safeRead(DOCPACK_PATHS.source(path), LIMITS.sourceBytes),
    };
  } catch (error) {
    if (error instanceof DocpackError) throw error;
    throw new DocpackError(`This file is not a readable docpack ZIP (${(error as Error).message}).`);
  }
}
