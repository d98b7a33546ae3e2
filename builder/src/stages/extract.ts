/**
 * extract: symbols for every scanned file. Large inputs are spread over a pool of worker threads in
 * batches (few messages, balanced load), fed while scan is still reading, so parsing overlaps
 * reading and the workers' start-up. When the workers have enough queued, this thread parses the
 * next batch itself while scan waits (caller runs): every core stays busy and no more than a few
 * batches of file text ever wait in memory. Small inputs run in this thread only, where a pool
 * would cost more to start than it saves.
 */
import type { Worker } from "node:worker_threads";
import { availableParallelism } from "node:os";
import { BuildError, throwIfAborted } from "../errors";
import { canExtract, type ExtractJob, type ExtractResult } from "../extract/extractFile";
import { preloadGrammars } from "../extract/treeSitter";
import { createExtractPool, runInThisThread, type ExtractPool } from "../extract/pool";
import { Spool, type SpoolRange } from "../extract/spool";
import { isProse } from "../scan/languages";
import type { StoredSymbols, SymbolStore } from "../extract/symbolStore";
import type { ExtractedSymbol, ProsePage, SourceFile } from "../types";

export type ExtractDeps = {
  /** extraction lanes (threads) in all, this one included; 0 or 1 = this thread only. Default: available cores (max 4). */
  workers?: number;
  /** below this much source text the work stays in this thread */
  inlineBelowBytes?: number;
  signal?: AbortSignal;
  onProgress?: (fraction: number) => void;
  /**
   * Where symbols wait for later stages. With a store, `file.symbols` is read from disk on each
   * access (take it once per use); without one, symbols stay in memory.
   */
  store?: SymbolStore;
  /**
   * What becomes of each file's text once its symbols are out: kept in memory (default), dropped
   * (nothing later needs it without an LLM), or moved to a spool on disk, `file.content` reading
   * it back on each access (the LLM's prompts need it; held in memory, a 20,000-file repository's
   * text added ~80 MB to the peak).
   */
  contentAfterParse?: "keep" | "drop" | Spool;
  /**
   * Workers started ahead (see startExtractPool), while the repository is still being fetched: the
   * extractor takes them over, and closes them at once when the plan needs none.
   */
  pool?: ExtractPool;
};

export type ExtractedFile = SourceFile & {
  /** prose files: their page, made in the extraction lanes (read from the store when there is one) */
  prose?: ProsePage;
  symbols: ExtractedSymbol[];
  symbolCount: number;
  exportedTopLevel: number;
  /** where `symbols` are in the store, when there is one and they are not [] */
  storedSymbols?: StoredSymbols;
  /** where the text is in the spool, when it waits in one (another thread can read it there) */
  spooledContent?: SpoolRange;
};

/**
 * What scan is about to read: decides between the pool and this thread before the first file;
 * its languages' grammars start loading here at once.
 */
export type ExtractPlan = { files: number; bytes: number; languages?: readonly string[] };

export type Extractor = {
  /** resolves when the caller may add the next file (this thread may have parsed a batch meanwhile) */
  add(file: SourceFile): void | Promise<void>;
  /** every added file, in order, with its symbols */
  finish(): Promise<ExtractedFile[]>;
  /** stops the workers (idempotent; finish does it too) */
  close(): Promise<void>;
};

const BATCH_FILES = 48;
const BATCH_BYTES = 384 * 1024;
/**
 * Near the end of the plan batches shrink (to this at least): whatever a worker still holds when
 * scan ends is parsed while this thread waits, and a full queue there was ~0.2–0.3 s of a
 * 2,400-file build with one core idle.
 */
const TAIL_BATCH_BYTES = 24 * 1024;
/** How far past the usual queue prose batches may go to the workers (see dispatch). */
const PROSE_QUEUE_FACTOR = 4;

type BatchKind = "code" | "prose";
type Gathered = { items: FileInExtraction[]; bytes: number };

/** Extraction lanes (threads) wanted, this one included. */
function lanesWanted(deps: Pick<ExtractDeps, "workers">): number {
  return deps.workers ?? Math.min(availableParallelism(), 4);
}

/**
 * The extraction workers, started before the plan is known (a worker takes ~0.1-0.2 s to start:
 * begun while the repository is fetched, it is ready when the first batch is); `undefined` when
 * extraction stays in this thread whatever the plan.
 */
export function startExtractPool(deps: Pick<ExtractDeps, "workers">, options: { onWorker?: (worker: Worker) => void } = {}): ExtractPool | undefined {
  const wanted = lanesWanted(deps);
  return wanted > 1 ? createExtractPool(wanted - 1, options) : undefined;
}

export function createExtractor(plan: ExtractPlan, deps: ExtractDeps = {}): Extractor {
  const wanted = lanesWanted(deps);
  const useWorkers = wanted > 1 && plan.bytes >= (deps.inlineBelowBytes ?? 512 * 1024);
  // No more lanes than batches; this thread is one of them (see dispatch).
  const lanes = Math.max(2, Math.min(wanted, Math.ceil(plan.bytes / BATCH_BYTES)));
  const pool = useWorkers ? (deps.pool ?? createExtractPool(lanes - 1)) : undefined;
  if (!useWorkers) void deps.pool?.close();
  // Compiling a grammar (and its query) took ~0.2 s the first batch parsed here waited for: begun
  // now, it overlaps the reading of the first files.
  preloadGrammars(plan.languages ?? []);
  pool?.preload(plan.languages ?? []);
  // Batch size for what is left to read: about 1/(2 × lanes) of it, so the lanes end together.
  let unreadBytes = plan.bytes;
  const batchBytesNow = () => Math.max(TAIL_BATCH_BYTES, Math.min(BATCH_BYTES, Math.floor(unreadBytes / (2 * lanes))));
  // About one batch running and one queued per worker; beyond that, this thread takes the batch.
  const maxQueuedBytes = () => 2 * (lanes - 1) * batchBytesNow();
  const files: FileInExtraction[] = [];
  const waiting: FileInExtraction[][] = []; // in-thread mode: batches parsed in finish()
  const running: Promise<void>[] = [];
  let failure: unknown;
  // Prose and code are gathered apart (see dispatch).
  const gathering: Record<BatchKind, Gathered> = { code: { items: [], bytes: 0 }, prose: { items: [], bytes: 0 } };
  let done = 0;

  const settle = (file: FileInExtraction, result: ExtractResult | undefined) => {
    file.symbolCount = result?.count ?? 0;
    file.exportedTopLevel = result?.exportedTopLevel ?? 0;
    file.settleContent(deps.contentAfterParse);
    if (result?.prose) file.setProse(result.prose, deps.store);
    if (result && result.count > 0) file.setSymbols(result.json, deps.store);
  };
  const finishBatch = (items: FileInExtraction[], results: ExtractResult[]) => {
    items.forEach((file, i) => settle(file, results[i]));
    done += items.length;
    deps.onProgress?.(Math.min(1, done / Math.max(1, plan.files)));
  };
  const dispatch = async (kind: BatchKind): Promise<void> => {
    const { items, bytes } = gathering[kind];
    if (items.length === 0) return;
    gathering[kind] = { items: [], bytes: 0 };
    if (!pool) return void waiting.push(items);
    // Prose goes to the workers even past the usual queue (to a bound): the Markdown sanitiser's
    // warm-up (its first few hundred files cost twice what later ones do) is then paid in fewer threads.
    const limit = kind === "prose" ? PROSE_QUEUE_FACTOR * maxQueuedBytes() : maxQueuedBytes();
    // This thread takes a batch only while the workers hold twice as much: it cannot hand them
    // more until it is done, and a large batch (one big file) here had left them idle meanwhile
    // (~0.2-0.3 s of one core near the end of a 2,400-file scan).
    const workersKeepBusy = 2 * bytes <= pool.queuedBytes;
    if (pool.queuedBytes + bytes > limit && workersKeepBusy) {
      throwIfAborted(deps.signal);
      return finishBatch(items, await runInThisThread(items.map(jobOf)));
    }
    running.push(
      pool.run(items.map(jobOf)).then(
        (results) => finishBatch(items, results),
        (error) => void (failure ??= error),
      ),
    );
  };
  const close = async () => {
    await pool?.close();
  };

  return {
    add(file) {
      const entry = new FileInExtraction(file);
      files.push(entry);
      unreadBytes -= entry.content.length;
      if (!canExtract(entry.language)) return settle(entry, undefined);
      const kind: BatchKind = isProse(entry.language) ? "prose" : "code";
      const batch = gathering[kind];
      const full = batch.items.length >= BATCH_FILES || (batch.items.length > 0 && batch.bytes + entry.content.length > batchBytesNow());
      const dispatched = full ? dispatch(kind) : undefined;
      gathering[kind].items.push(entry);
      gathering[kind].bytes += entry.content.length;
      return dispatched;
    },
    async finish() {
      try {
        await dispatch("code");
        await dispatch("prose");
        for (const items of waiting) {
          throwIfAborted(deps.signal);
          finishBatch(items, await runInThisThread(items.map(jobOf)));
        }
        await Promise.all(running);
        throwIfAborted(deps.signal);
        if (failure) throw failure;
      } catch (error) {
        if (error instanceof BuildError) throw error;
        throw new BuildError("extract_failed", `symbol extraction failed: ${(error as Error).message}`, { cause: error });
      } finally {
        await close();
      }
      deps.onProgress?.(1);
      return files;
    },
    close,
  };
}

/** All files at once (the extractor without a preceding scan). */
export async function extractStage(files: SourceFile[], deps: ExtractDeps = {}): Promise<ExtractedFile[]> {
  const bytes = files.reduce((sum, file) => sum + (canExtract(file.language) ? file.content.length : 0), 0);
  const extractor = createExtractor({ files: files.length, bytes }, deps);
  try {
    for (const file of files) await extractor.add(file);
    return await extractor.finish();
  } finally {
    await extractor.close();
  }
}

/**
 * A file as extraction leaves it. Its text and symbols wait on disk when the build gives a spool
 * and a store, and are read back on each access: `content`, `symbols` and `prose` are the class's
 * getters, not the file's own properties, so spreading a file never reads them. (Accessors defined
 * on each file made every file a dictionary-mode object with two closures, ~1 KB a file: ~20 MB of
 * the 20,000-file build's heap, held to the end of pack.)
 */
class FileInExtraction implements ExtractedFile {
  readonly path: string;
  readonly language: string;
  readonly bytes: number;
  readonly lines: number;
  readonly sha256: string;
  readonly role: SourceFile["role"];
  symbolCount = 0;
  exportedTopLevel = 0;
  storedSymbols: StoredSymbols | undefined = undefined;
  spooledContent: SpoolRange | undefined = undefined;
  private text: string;
  private spool: Spool | undefined = undefined;
  private store: SymbolStore | undefined = undefined;
  private found: ExtractedSymbol[] | undefined = undefined;
  private page: ProsePage | undefined = undefined;
  private storedPage: SpoolRange | undefined = undefined;

  constructor(file: SourceFile) {
    this.path = file.path;
    this.language = file.language;
    this.bytes = file.bytes;
    this.lines = file.lines;
    this.sha256 = file.sha256;
    this.role = file.role;
    this.text = file.content;
  }

  get content(): string {
    return this.spool && this.spooledContent ? this.spool.readText(this.spooledContent) : this.text;
  }

  get symbols(): ExtractedSymbol[] {
    if (this.store && this.storedSymbols) return this.store.read(this.storedSymbols);
    return this.found ?? [];
  }

  get prose(): ProsePage | undefined {
    if (this.store && this.storedPage) return JSON.parse(this.store.readText(this.storedPage)) as ProsePage;
    return this.page;
  }

  /** What becomes of the text once parsed (see ExtractDeps.contentAfterParse). */
  settleContent(where: ExtractDeps["contentAfterParse"]): void {
    if (where === "drop") this.text = "";
    if (!(where instanceof Spool)) return;
    this.spooledContent = where.write(this.text);
    this.spool = where;
    this.text = "";
  }

  setSymbols(json: string, store: SymbolStore | undefined): void {
    if (!store) return void (this.found = JSON.parse(json) as ExtractedSymbol[]);
    this.storedSymbols = store.write(json);
    this.store = store;
  }

  setProse(json: string, store: SymbolStore | undefined): void {
    if (!store) return void (this.page = JSON.parse(json) as ProsePage);
    this.storedPage = store.write(json);
    this.store = store;
  }
}

function jobOf(file: SourceFile): ExtractJob {
  return { path: file.path, language: file.language, content: file.content };
}
