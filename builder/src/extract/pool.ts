/**
 * Extraction worker threads. A batch is posted at once to the worker with the least work queued,
 * so a worker always finds its next batch in its own message queue: it never waits for this thread
 * (which may be busy parsing a batch of its own, see stages/extract) to hand one over. The pool is
 * closed by whoever created it.
 */
import { Worker } from "node:worker_threads";
import { extractFileToJson, type ExtractJob, type ExtractResult } from "./extractFile";

export type ExtractPool = {
  /** source bytes posted to workers and not answered yet */
  readonly queuedBytes: number;
  run(jobs: ExtractJob[]): Promise<ExtractResult[]>;
  /** has every worker start loading these languages' grammars (see preloadGrammars) */
  preload(languages: readonly string[]): void;
  close(): Promise<void>;
};

type Reply = { id: number; results?: ExtractResult[]; error?: string };
type Pending = { resolve: (results: ExtractResult[]) => void; reject: (error: Error) => void; bytes: number };
type Lane = { worker: Worker; pending: Map<number, Pending>; bytes: number; failure?: Error };

/**
 * `onWorker` sees each worker as it starts (tests end one through it: a worker made to run out of
 * a small heap could take the whole process with it when V8 failed a compiler's allocation).
 */
export function createExtractPool(size: number, options: { onWorker?: (worker: Worker) => void } = {}): ExtractPool {
  const lanes: Lane[] = [];
  let nextId = 1;
  let queuedBytes = 0;
  let closed = false;

  for (let i = 0; i < size; i++) {
    const lane: Lane = { worker: new Worker(new URL("./worker.mjs", import.meta.url)), pending: new Map(), bytes: 0 };
    options.onWorker?.(lane.worker);
    lane.worker.unref();
    lane.worker.on("message", ({ id, results, error }: Reply) => {
      const job = lane.pending.get(id);
      if (!job) return;
      settle(lane, id, job);
      if (error !== undefined) job.reject(new Error(error));
      else job.resolve(results ?? []);
    });
    // A worker that fails or exits takes its queued batches with it, and gets no more.
    const fail = (error: Error) => {
      lane.failure ??= error;
      for (const [id, job] of lane.pending) {
        settle(lane, id, job);
        job.reject(lane.failure);
      }
    };
    lane.worker.on("error", fail);
    lane.worker.on("exit", (code) => fail(new Error(`extraction worker exited (code ${code})`)));
    lanes.push(lane);
  }

  function settle(lane: Lane, id: number, job: Pending) {
    lane.pending.delete(id);
    lane.bytes -= job.bytes;
    queuedBytes -= job.bytes;
  }

  return {
    get queuedBytes() {
      return queuedBytes;
    },
    run(jobs) {
      if (closed) return Promise.reject(new Error("extract pool is closed"));
      const alive = lanes.filter((candidate) => !candidate.failure);
      if (alive.length === 0) return Promise.reject(lanes[0]?.failure ?? new Error("no extraction worker"));
      const lane = alive.reduce((least, candidate) => (candidate.bytes < least.bytes ? candidate : least));
      const bytes = jobs.reduce((sum, job) => sum + job.content.length, 0);
      const id = nextId++;
      return new Promise<ExtractResult[]>((resolve, reject) => {
        lane.pending.set(id, { resolve, reject, bytes });
        lane.bytes += bytes;
        queuedBytes += bytes;
        lane.worker.postMessage({ id, jobs });
      });
    },
    preload(languages) {
      if (closed || languages.length === 0) return;
      for (const lane of lanes) if (!lane.failure) lane.worker.postMessage({ preload: [...languages] });
    },
    async close() {
      closed = true;
      await Promise.all(lanes.map((lane) => lane.worker.terminate()));
    },
  };
}

/** One batch parsed in this thread (the caller's own turn while the workers are busy). */
export async function runInThisThread(jobs: ExtractJob[]): Promise<ExtractResult[]> {
  // Let the workers' replies in first: parsing never waits on I/O, so a long run of batches here
  // would otherwise leave their "done" messages unread.
  await new Promise((resolve) => setImmediate(resolve));
  const results: ExtractResult[] = [];
  for (const job of jobs) results.push(await extractFileToJson(job));
  return results;
}
