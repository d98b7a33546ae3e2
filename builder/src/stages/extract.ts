/**
 * extract: symbols for every scanned file. Large inputs are spread over a pool of worker threads in
 * batches (few messages, balanced load); small ones run in this thread, where a pool would cost more
 * to start than it saves.
 */
import { availableParallelism } from "node:os";
import { BuildError, throwIfAborted } from "../errors";
import { canExtract, extractFileSafely, type ExtractJob } from "../extract/extractFile";
import { createExtractPool, type ExtractPool } from "../extract/pool";
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

const BATCH_FILES = 48;
const BATCH_BYTES = 384 * 1024;

export async function extractStage(files: SourceFile[], deps: ExtractDeps = {}): Promise<ExtractedFile[]> {
  const out = files as ExtractedFile[];
  for (const file of out) file.symbols = [];
  const work = out.filter((file) => canExtract(file.language));
  const totalBytes = work.reduce((sum, file) => sum + file.content.length, 0);
  const batches = toBatches(work);
  const workerCount = Math.min(deps.workers ?? Math.min(availableParallelism(), 4), batches.length);
  const inline = workerCount <= 0 || totalBytes < (deps.inlineBelowBytes ?? 512 * 1024);

  let done = 0;
  const finish = (batch: ExtractedFile[], results: ExtractedSymbol[][]) => {
    batch.forEach((file, i) => (file.symbols = results[i] ?? []));
    done += batch.length;
    deps.onProgress?.(work.length === 0 ? 1 : done / work.length);
  };

  try {
    if (inline) {
      for (const batch of batches) {
        throwIfAborted(deps.signal);
        const results: ExtractedSymbol[][] = [];
        for (const file of batch) results.push(await extractFileSafely(jobOf(file)));
        finish(batch, results);
      }
    } else {
      const pool: ExtractPool = createExtractPool(workerCount);
      try {
        let next = 0;
        const lane = async () => {
          while (next < batches.length) {
            throwIfAborted(deps.signal);
            const batch = batches[next++];
            finish(batch, await pool.run(batch.map(jobOf)));
          }
        };
        await Promise.all(Array.from({ length: workerCount }, lane));
      } finally {
        await pool.close();
      }
    }
  } catch (error) {
    if (error instanceof BuildError) throw error;
    throw new BuildError("extract_failed", `symbol extraction failed: ${(error as Error).message}`, { cause: error });
  }
  deps.onProgress?.(1);
  return out;
}

function jobOf(file: SourceFile): ExtractJob {
  return { path: file.path, language: file.language, content: file.content };
}

function toBatches(files: ExtractedFile[]): ExtractedFile[][] {
  const batches: ExtractedFile[][] = [];
  let current: ExtractedFile[] = [];
  let bytes = 0;
  for (const file of files) {
    if (current.length > 0 && (current.length >= BATCH_FILES || bytes + file.content.length > BATCH_BYTES)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(file);
    bytes += file.content.length;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
