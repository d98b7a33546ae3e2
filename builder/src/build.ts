/**
 * buildDocpack: clone → scan → extract → document → pack, for one repository at one ref. Uploading
 * and reporting are the caller's business (the RunPod handler composes them around this).
 */
import type { Worker } from "node:worker_threads";
import { mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import type { SimpleGit, SimpleGitOptions } from "simple-git";
import { DOCPACK_PATHS, type FileEntry, type Manifest } from "@doctown/core/docpackFormat";
import { LARGE_BUILD_FILES, setHeapGrowthFor } from "./heapPolicy";
import { isProse } from "./scan/languages";
import { throwIfAborted } from "./errors";
import { cloneStage } from "./stages/clone";
import { documentDepsFromEnv, documentStage, type DocumentDeps } from "./stages/document";
import { Spool } from "./extract/spool";
import { SymbolStore } from "./extract/symbolStore";
import { createExtractor, startExtractPool, type ExtractDeps, type ExtractedFile, type Extractor } from "./stages/extract";
import { deflatedSearch, packStage } from "./stages/pack";
import { symbolSource } from "./pack/symbolSource";
import { writeSourcesFileInWorker, type SourcesFileJob } from "./pack/sourcesFile";
import { PackWorker } from "./pack/workerJob";
import { DEFLATE_LEVEL } from "./pack/zipWriter";
import { scanStage, type ScanLimits, type ScanResult } from "./stages/scan";
import type { BuildOptions, BuildStage, BuildSummary, DocumentOutput } from "./types";

export const GENERATOR = {
  name: "doctown-builder",
  version: (createRequire(import.meta.url)("../package.json") as { version: string }).version,
};

/** Knobs for tests and benchmarks; production callers pass nothing. */
export type BuildTuning = {
  /** fixed `generated_at` (reproducible docpacks) */
  generatedAt?: Date;
  createGit?: (options: Partial<SimpleGitOptions>) => SimpleGit;
  scanLimits?: Partial<ScanLimits>;
  /** extraction worker count (0 = in-thread) */
  workers?: number;
  /** below this much source text, extraction stays in-thread (0 = always use workers) */
  extractInlineBelowBytes?: number;
  /** document stage dependencies (default: from `options.env`) */
  document?: DocumentDeps;
  /** fetch local sources like remote ones instead of reading them in place */
  fetchLocal?: boolean;
  /** parent directory for the temporary work directory */
  tmpRoot?: string;
  /** from this many symbols on, a worker writes symbols.json (default SYMBOLS_WORKER_FROM) */
  symbolsWorkerFrom?: number;
  /**
   * from this many bytes of text on, the pack worker deflates the source/ entries and writes
   * symbols.json, and (below LARGE_BUILD_FILES files) deflates the pages (default PACK_WORKER_FROM_BYTES)
   */
  packWorkerFrom?: number;
  /** sees each extraction worker started with the build (tests check that a failed build ends them) */
  onExtractWorker?: (worker: Worker) => void;
};

/** Overall percent at which each stage starts; the next stage's start is where it ends. */
const STAGE_START: Record<Exclude<BuildStage, "upload">, number> = { clone: 0, scan: 10, extract: 25, document: 45, pack: 90 };
const STAGE_END: Record<Exclude<BuildStage, "upload">, number> = { clone: 10, scan: 25, extract: 45, document: 90, pack: 100 };

export type BuildSummaryWithStats = BuildSummary & {
  skipped: ScanResult["skipped"];
  redactedFiles: number;
  /** wall time of each stage, ms (extraction runs alongside scan; `extract` is what remains after it) */
  stageMs: Partial<Record<Exclude<BuildStage, "upload">, number>>;
};

export async function buildDocpack(options: BuildOptions, tuning: BuildTuning = {}): Promise<BuildSummaryWithStats> {
  const started = Date.now();
  const env = options.env ?? process.env;
  const { signal } = options;
  let lastPercent = -1;
  const stageMs: BuildSummaryWithStats["stageMs"] = {};
  let current: { stage: Exclude<BuildStage, "upload">; since: number } | undefined;
  const progress = (stage: Exclude<BuildStage, "upload">, fraction: number, message?: string) => {
    if (current?.stage !== stage) {
      const now = performance.now();
      if (current) stageMs[current.stage] = Math.round(now - current.since);
      current = { stage, since: now };
    }
    const percent = Math.round(STAGE_START[stage] + (STAGE_END[stage] - STAGE_START[stage]) * Math.min(1, fraction));
    if (percent === lastPercent && !message) return;
    lastPercent = percent;
    options.onProgress?.({ stage, percent, message });
  };

  const workDir = await mkdtemp(path.join(tuning.tmpRoot ?? tmpdir(), "doctown-build-"));
  let extractor: Extractor | undefined;
  // Started now, the extraction workers are ready by the time scan hands them their first files.
  const extractPool = startExtractPool({ workers: tuning.workers }, { onWorker: tuning.onExtractWorker });
  let store: SymbolStore | undefined;
  let texts: Spool | undefined;
  let packWorker: PackWorker | undefined;
  let sourcesJob: SourcesFileJob | undefined;
  try {
    progress("clone", 0, "fetching the repository");
    const repo = await cloneStage(
      {
        source: options.source,
        ref: options.ref,
        commit: options.commit,
        githubToken: options.githubToken,
        allowLocal: options.allowLocal ?? false,
        signal,
      },
      { workDir, env, createGit: tuning.createGit, fetchLocal: tuning.fetchLocal },
    );

    progress("scan", 0, `reading files at ${repo.commit.slice(0, 12)}`);
    const documentDeps = tuning.document ?? documentDepsFromEnv(env, { llm: options.llm });
    // Files go to the extractor as scan reads them, so parsing overlaps reading. Symbols wait on
    // disk; so do the file texts when the LLM will read them, else they are let go once parsed.
    let scanning = true;
    store = new SymbolStore(path.join(workDir, "symbols.jsonl"));
    // The texts go into the docpack (source/), and prose and manifests are read again for pages
    // and packages: they wait on disk, not in memory.
    texts = new Spool(path.join(workDir, "texts"));
    const extractDeps: ExtractDeps = {
      workers: tuning.workers,
      inlineBelowBytes: tuning.extractInlineBelowBytes,
      signal,
      onProgress: (f) => !scanning && progress("extract", f),
      store,
      contentAfterParse: texts,
      pool: extractPool,
    };
    const scan = await scanStage(repo.commit, {
      repo: { gitDir: repo.gitDir, access: repo.access, env, signal },
      limits: tuning.scanLimits,
      onProgress: (f) => progress("scan", f),
      onPlan: (plan) => {
        setHeapGrowthFor(plan);
        extractor = createExtractor(plan, extractDeps);
      },
      onFile: (file) => extractor?.add(file),
    });
    scanning = false;

    progress("extract", 0, `extracting symbols from ${scan.accepted} files`);
    const files = await (extractor ?? createExtractor({ files: 0, bytes: 0 }, extractDeps)).finish();
    throwIfAborted(signal);
    // Every text is on disk now: a worker deflates the source/ entries while this thread documents.
    packWorker = startPackWorker(files, tuning.packWorkerFrom);
    if (packWorker) sourcesJob = sourcesInWorker(files, texts, workDir, packWorker);

    progress("document", 0, "writing documentation");
    const name = options.fullName ?? repo.name;
    const hostUrl = hostBlobUrl(repo.url, repo.commit);
    const docs = await documentStage(
      { repoName: name, files, hostUrl },
      { ...documentDeps, signal, onProgress: (done, total) => progress("document", total === 0 ? 1 : done / total) },
    );
    throwIfAborted(signal);

    // The search index as objects is ~20 MB on a large repository; deflated, ~2 MB.
    const search = deflatedSearch(docs.search);
    docs.search = { ...docs.search, entries: [] };
    progress("pack", 0, "packing the docpack");
    const manifest = makeManifest({ name, options, repo, files, scan, docs, hostUrl, generatedAt: tuning.generatedAt ?? new Date() });
    const fileEntries: FileEntry[] = files.map((file) => {
      const prose = docs.prosePages.get(file.path);
      const pkg = docs.structure.packageOf.get(file.path);
      return {
        path: file.path,
        language: file.language,
        bytes: file.bytes,
        lines: file.lines,
        sha256: file.sha256,
        symbols: file.symbolCount,
        role: file.role,
        kind: prose ? "prose" : "code",
        source: DOCPACK_PATHS.source(file.path),
        page: prose ? DOCPACK_PATHS.prosePage(file.path) : DOCPACK_PATHS.filePage(file.path),
        ...(pkg ? { package: pkg } : {}),
        ...(prose ? { title: prose.title, headings: prose.headings } : {}),
      };
    });
    const sources = sourcesJob ?? {
      *[Symbol.iterator]() {
        for (const file of files) yield { path: file.path, content: file.content };
      },
    };
    const packed = await packStage(
      {
        manifest,
        files: fileEntries,
        symbols: symbolSource(files, docs, { store, workDir, level: DEFLATE_LEVEL, workerFrom: tuning.symbolsWorkerFrom, hostUrl, worker: packWorker }),
        index: docs.index,
        filePages: docs.filePages,
        prosePages: docs.prosePages,
        packagePages: docs.packagePages,
        llms: docs.llms,
        search,
        sources,
        // A large build's pack worker writes symbols.json through all of pack: compressing pages on
        // the pool or that worker there only took time from this thread (20,000 files: pack 7.5 → 9.8 s).
        ...(files.length < LARGE_BUILD_FILES ? { deflater: packWorker } : { compressOnPool: false }),
      },
      options.outFile,
      signal,
    );
    progress("pack", 1, "done");
    stageMs.pack = Math.round(performance.now() - current!.since);
    return {
      ...packed,
      commit: repo.commit,
      manifest,
      durationMs: Date.now() - started,
      skipped: scan.skipped,
      redactedFiles: scan.redactedFiles.length,
      stageMs,
    };
  } finally {
    await packWorker?.stop();
    await extractor?.close();
    await extractPool?.close(); // if the plan never came
    store?.close();
    texts?.close();
    await rm(workDir, { recursive: true, force: true });
  }
}

function makeManifest(input: {
  name: string;
  options: BuildOptions;
  repo: { url: string; ref: string; commit: string };
  files: ExtractedFile[];
  scan: ScanResult;
  docs: DocumentOutput;
  hostUrl?: string;
  generatedAt: Date;
}): Manifest {
  const languages: Record<string, number> = {};
  const roles: Manifest["stats"]["roles"] = {};
  let bytes = 0;
  let symbols = 0;
  let pages = 0;
  for (const file of input.files) {
    languages[file.language] = (languages[file.language] ?? 0) + 1;
    roles[file.role] = (roles[file.role] ?? 0) + 1;
    bytes += file.bytes;
    symbols += file.symbolCount;
    if (isProse(file.language)) pages++;
  }
  const skipped = Object.fromEntries(Object.entries(input.scan.skipped).sort(([a], [b]) => (a < b ? -1 : 1)));
  return {
    format: "docpack",
    format_version: 2,
    name: input.name,
    repo: {
      ...(input.options.fullName ? { full_name: input.options.fullName } : {}),
      url: input.repo.url,
      git_ref: input.repo.ref,
      commit: input.repo.commit,
      ...(input.hostUrl ? { host_url: input.hostUrl } : {}),
    },
    generated_at: input.generatedAt.toISOString(),
    generator: GENERATOR,
    languages: Object.fromEntries(Object.entries(languages).sort(([a], [b]) => (a < b ? -1 : 1))),
    stats: {
      files: input.files.length,
      symbols,
      bytes,
      skipped: skipped as Record<string, number>,
      skipped_extensions: Object.fromEntries(Object.entries(input.scan.skippedExtensions).sort(([a], [b]) => (a < b ? -1 : 1))),
      roles,
      pages,
      search_index: input.docs.searchStats,
    },
    docs: input.docs.docs,
    packages: input.docs.packages,
    paths: { llms: DOCPACK_PATHS.llms, search: DOCPACK_PATHS.search, source_prefix: "source/" },
  };
}

/**
 * The host's blob URL base at the commit, for repositories on GitHub (https://github.com/o/r[.git]);
 * undefined elsewhere (local paths, other hosts).
 */
export function hostBlobUrl(url: string, commit: string): string | undefined {
  const match = /^https:\/\/github\.com\/([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+?)(\.git)?\/?$/.exec(url);
  return match ? `https://github.com/${match[1]}/${match[2]}/blob/${commit}/` : undefined;
}

/**
 * Below this much text (and so about this many pages), the pack worker's start-up (~0.1 s of a core)
 * costs more than deflating the texts and pages in this thread.
 */
export const PACK_WORKER_FROM_BYTES = 1024 * 1024;

/**
 * The build's pack worker, started at the end of extraction: it deflates the source/ texts while
 * this thread documents, then writes symbols.json. On a mid-sized build it deflates the pages too.
 * A large build's pages stay in this thread (symbols.json fills the worker through all of pack),
 * and its worker gets a small young generation: it holds one text or one chunk at a time, and the
 * 20,000-file build peaks as this thread's document stage ends.
 */
function startPackWorker(files: ExtractedFile[], from = PACK_WORKER_FROM_BYTES): PackWorker | undefined {
  const bytes = files.reduce((sum, file) => sum + file.bytes, 0);
  if (bytes < from) return undefined;
  return files.length >= LARGE_BUILD_FILES ? new PackWorker({ youngGenerationMb: 4 }) : new PackWorker();
}

/** The source/ entries deflated on the pack worker while this thread documents (if every text was spooled). */
function sourcesInWorker(files: ExtractedFile[], texts: Spool, workDir: string, worker: PackWorker): SourcesFileJob | undefined {
  const ranges = files.map((file) => file.spooledContent);
  if (!ranges.every((range) => range !== undefined)) return undefined;
  return writeSourcesFileInWorker(
    files.map((file) => file.path),
    { spoolFile: texts.file, ranges, outFile: path.join(workDir, "sources.deflate"), level: DEFLATE_LEVEL },
    worker,
  );
}
