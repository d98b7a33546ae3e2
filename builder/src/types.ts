/**
 * Types shared by the builder's stages and entry points (the contract between clone/scan/extract/pack
 * and document/upload/report).
 */
import type { Manifest, SymbolEntry } from "@doctown/core/docpackFormat";

/** A symbol as extract finds it; document adds the summary. */
export type ExtractedSymbol = Omit<SymbolEntry, "summary">;

/** A tracked, accepted source file. `content` is already secret-redacted. */
export type SourceFile = {
  path: string;
  language: string;
  bytes: number;
  lines: number;
  sha256: string;
  content: string;
};

export type DocumentInput = {
  repoName: string;
  /**
   * `symbols` may be read from disk on each access (see SymbolStore): read it once per use, and
   * use the counts when only numbers matter.
   */
  files: Array<SourceFile & { symbols: ExtractedSymbol[]; symbolCount: number; exportedTopLevel: number }>;
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
};

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
