/**
 * Types shared by the builder's stages and entry points (the contract between clone/scan/extract/pack
 * and document/upload/report).
 */
import type { FileRole, Heading, Manifest, PackageEntry, SearchIndex, SearchIndexStats, SymbolEntry } from "@doctown/core/docpackFormat";

/**
 * A symbol as extract finds it (kept small: it waits on disk and counts against a per-file budget);
 * pack adds what the docpack derives from it or from the whole repository (role, source link,
 * package, summary, type links, see pack/finishSymbol).
 */
export type ExtractedSymbol = Omit<SymbolEntry, "summary" | "role" | "source"> & Partial<Pick<SymbolEntry, "role" | "source">>;

/** A tracked, accepted source file. `content` is already secret-redacted. */
export type SourceFile = {
  path: string;
  language: string;
  bytes: number;
  lines: number;
  sha256: string;
  role: FileRole;
  content: string;
};

export type DocumentInput = {
  repoName: string;
  /** blob URL base at the commit (manifest.repo.host_url), when the host is known */
  hostUrl?: string;
  /**
   * `symbols` may be read from disk on each access (see SymbolStore): read it once per use, and
   * use the counts when only numbers matter.
   */
  files: Array<SourceFile & { symbols: ExtractedSymbol[]; symbolCount: number; exportedTopLevel: number; prose?: ProsePage }>;
};

export type DocumentOutput = {
  docs: Manifest["docs"];
  /**
   * one-line summaries the model wrote, by symbol id (empty in placeholder mode); every other
   * symbol's summary is its placeholder, made when packed (see symbolSummary)
   */
  summaries: ReadonlyMap<string, string>;
  /** file path → markdown page, sorted by path; pages may be produced when read, one at a time */
  filePages: ReadonlyMap<string, string>;
  /** docs/index.md markdown */
  index: string;
  /** prose file path → its page (docs/pages/<path>.md), title and headings */
  prosePages: ReadonlyMap<string, ProsePage>;
  /** packages found, and each one's overview page (by manifest.packages[i].page) */
  packages: PackageEntry[];
  packagePages: ReadonlyMap<string, string>;
  /** llms.txt */
  llms: string;
  search: SearchIndex;
  /** how many entries search.json holds, and how many its cap left out (manifest.stats.search_index) */
  searchStats: SearchIndexStats;
  /** what pack needs to finish symbols (package names, type links) */
  structure: { packageOf: ReadonlyMap<string, string>; nameIds: ReadonlyMap<string, string[]> };
};

export type ProsePage = { markdown: string; title: string; headings: Heading[] };

export type BuildStage = "clone" | "scan" | "extract" | "document" | "pack" | "upload";

export type ProgressEvent = {
  stage: BuildStage;
  /** overall progress, 0-100 */
  percent: number;
  message?: string;
};

export type BuildOptions = {
  /** local path, file:// URL or https URL */
  source: string;
  ref?: string;
  commit?: string;
  githubToken?: string;
  outFile: string;
  /** default: true when OPENAI_API_KEY is set */
  llm?: boolean;
  /** allow file:// and local path sources; default true for the CLI, false unless explicitly set elsewhere */
  allowLocal?: boolean;
  fullName?: string;
  onProgress?: (e: ProgressEvent) => void;
  signal?: AbortSignal;
  env?: Record<string, string | undefined>;
};

export type BuildSummary = {
  outFile: string;
  bytes: number;
  sha256: string;
  commit: string;
  manifest: Manifest;
  durationMs: number;
};
