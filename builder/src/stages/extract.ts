/**
 * extract: symbols for every scanned file. Large inputs are spread over a pool of worker threads in
 * batches (few messages, balanced load), fed while scan is still reading, so parsing overlaps
 * reading and the workers' start-up; small inputs run in this thread, where a pool would cost more
 * to start than it saves.
 */
import { availableParallelism } from "node:os";
import { BuildError, throwIfAborted } from "../errors";
import { canExtract, extractFileSafely, type ExtractJob } from "../extract/extractFile";
import { createExtractPool } from "../extract/pool";
import type { ExtractedSymbol, SourceFile } from "../types";

export type ExtractDeps = {
  /** worker count; 0 = always in this thread. Default: available cores (max 4). */
  workers?: number;
  /** below this much source text the work stays in this thread */
  inlineBelowBytes?: number;
  signal?: AbortSignal;
  onProgress?: (fraction: number) => void;
};

export type ExtractedFile = SourceFile & { symbols: ExtractedSymbol[] };

/** What scan is about to read: decides between the pool and this thread before the first file. */
export type ExtractPlan = { files: number; bytes: number };

export type Extractor = {
  add(file: SourceFile): void;
  /** every added file, in order, with its symbols */
  finish(): Promise<ExtractedFile[]>;
  /** stops the workers (idempotent; finish does it too) */
  close(): Promise<void>;
};

const BATCH_FILES = 48;
const BATCH_BYTES = 384 * 1024;

export function createExtractor(plan: ExtractPlan, deps: ExtractDeps = {}): Extractor {
  const wanted = deps.workers ?? Math.min(availableParallelism(), 4);
  const useWorkers = wanted > 0 && plan.bytes >= (deps.inlineBelowBytes ?? 512 * 1024);
  const lanes = Math.max(1, Math.min(wanted, Math.ceil(plan.bytes / BATCH_BYTES)));
  // With more than one lane, this thread is one of them (it is mostly idle once scan has read the files).
  const pool = useWorkers ? createExtractPool(lanes, { inThread: true }) : undefined;
  const files: ExtractedFile[] = [];
  const waiting: ExtractedFile[][] = []; // in-thread mode: batches parsed in finish()
  const running: Promise<void>[] = [];
  let failure: unknown;
  let batch: ExtractedFile[] = [];
  let batchBytes = 0;
  let done = 0;

  const finishBatch = (items: ExtractedFile[], results: ExtractedSymbol[][]) => {
    items.forEach((file, i) => (file.symbols = results[i] ?? []));
    done += items.length;
    deps.onProgress?.(Math.min(1, done / Math.max(1, plan.files)));
  };
  const dispatch = () => {
    if (batch.length === 0) return;
    const items = batch;
    batch = [];
    batchBytes = 0;
    if (!pool) return void waiting.push(items);
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
      const entry = file as ExtractedFile;
      entry.symbols = [];
      files.push(entry);
      if (!canExtract(entry.language)) return;
      if (batch.length >= BATCH_FILES || (batch.length > 0 && batchBytes + entry.content.length > BATCH_BYTES)) dispatch();
      batch.push(entry);
      batchBytes += entry.content.length;
    },
    async finish() {
      try {
        dispatch();
        for (const items of waiting) {
          throwIfAborted(deps.signal);
          const results: ExtractedSymbol[][] = [];
          for (const file of items) results.push(await extractFileSafely(jobOf(file)));
          finishBatch(items, results);
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
    for (const file of files) extractor.add(file);
    return await extractor.finish();
  } finally {
    await extractor.close();
  }
}

function jobOf(file: SourceFile): ExtractJob {
  return { path: file.path, language: file.language, content: file.content };
}
