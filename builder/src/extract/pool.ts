/**
 * A small pool of extraction lanes: worker threads, plus (optionally) this thread. Batches go to
 * whichever lane is free, so one slow file does not hold up the others; the pool is closed by
 * whoever created it. A lane in this thread saves one worker's start-up (its own module loading and
 * TypeScript loader thread, ~0.3–0.7 s of CPU) on a machine where every core is already busy.
 */
import { Worker } from "node:worker_threads";
import type { ExtractedSymbol } from "../types";
import { extractFileSafely, type ExtractJob } from "./extractFile";

export type ExtractPool = {
  size: number;
  run(jobs: ExtractJob[]): Promise<ExtractedSymbol[][]>;
  close(): Promise<void>;
};

type Lane = (jobs: ExtractJob[]) => Promise<ExtractedSymbol[][]>;

/** `size` lanes in all; with `inThread`, one of them is this thread. */
export function createExtractPool(size: number, options: { inThread?: boolean } = {}): ExtractPool {
  const workers: Worker[] = [];
  const idle: Lane[] = [];
  const waiting: Array<(lane: Lane) => void> = [];
  let closed = false;

  const release = (lane: Lane) => {
    const next = waiting.shift();
    if (next) next(lane);
    else idle.push(lane);
  };

  if (options.inThread && size > 1) idle.push(inThreadLane);
  while (idle.length < size) {
    const worker = new Worker(new URL("./worker.mjs", import.meta.url));
    worker.unref();
    workers.push(worker);
    idle.push(workerLane(worker));
  }

  const acquire = () =>
    new Promise<Lane>((resolve) => {
      const lane = idle.pop();
      if (lane) resolve(lane);
      else waiting.push(resolve);
    });

  return {
    size,
    async run(jobs) {
      if (closed) throw new Error("extract pool is closed");
      const lane = await acquire();
      try {
        return await lane(jobs);
      } finally {
        release(lane);
      }
    },
    async close() {
      closed = true;
      await Promise.all(workers.map((worker) => worker.terminate()));
    },
  };
}

async function inThreadLane(jobs: ExtractJob[]): Promise<ExtractedSymbol[][]> {
  const results: ExtractedSymbol[][] = [];
  for (const job of jobs) results.push(await extractFileSafely(job));
  return results;
}

/** One worker, one batch at a time (the pool never gives a busy lane a second batch). */
function workerLane(worker: Worker): Lane {
  let nextId = 1;
  let pending: { id: number; resolve: (r: ExtractedSymbol[][]) => void; reject: (e: Error) => void } | undefined;
  worker.on("message", (message: { id: number; results?: ExtractedSymbol[][]; error?: string }) => {
    const job = pending;
    if (!job || job.id !== message.id) return;
    pending = undefined;
    if (message.error !== undefined) job.reject(new Error(message.error));
    else job.resolve(message.results ?? []);
  });
  worker.on("error", (error) => {
    const job = pending;
    pending = undefined;
    job?.reject(error);
  });
  return (jobs) =>
    new Promise<ExtractedSymbol[][]>((resolve, reject) => {
      const id = nextId++;
      pending = { id, resolve, reject };
      worker.postMessage({ id, jobs });
    });
}
