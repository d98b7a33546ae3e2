/**
 * A small pool of extraction workers. Batches go to whichever worker is free, so one slow file does
 * not hold up the others; the pool is closed by whoever created it.
 */
import { Worker } from "node:worker_threads";
import type { ExtractedSymbol } from "../types";
import type { ExtractJob } from "./extractFile";

export type ExtractPool = {
  size: number;
  run(jobs: ExtractJob[]): Promise<ExtractedSymbol[][]>;
  close(): Promise<void>;
};

type Pending = { resolve: (r: ExtractedSymbol[][]) => void; reject: (e: Error) => void };

export function createExtractPool(size: number): ExtractPool {
  const workers: Worker[] = [];
  const idle: Worker[] = [];
  const waiting: Array<(worker: Worker) => void> = [];
  const pending = new Map<number, Pending>();
  const busy = new Map<Worker, number>();
  let nextId = 1;
  let closed = false;

  const release = (worker: Worker) => {
    busy.delete(worker);
    const next = waiting.shift();
    if (next) next(worker);
    else idle.push(worker);
  };

  for (let i = 0; i < size; i++) {
    const worker = new Worker(new URL("./worker.mjs", import.meta.url));
    worker.unref();
    worker.on("message", (message: { id: number; results?: ExtractedSymbol[][]; error?: string }) => {
      const job = pending.get(message.id);
      pending.delete(message.id);
      release(worker);
      if (!job) return;
      if (message.error !== undefined) job.reject(new Error(message.error));
      else job.resolve(message.results ?? []);
    });
    worker.on("error", (error) => {
      const id = busy.get(worker);
      if (id !== undefined) pending.get(id)?.reject(error);
    });
    workers.push(worker);
    idle.push(worker);
  }

  const acquire = () =>
    new Promise<Worker>((resolve) => {
      const worker = idle.pop();
      if (worker) resolve(worker);
      else waiting.push(resolve);
    });

  return {
    size,
    async run(jobs) {
      if (closed) throw new Error("extract pool is closed");
      const worker = await acquire();
      const id = nextId++;
      busy.set(worker, id);
      return new Promise<ExtractedSymbol[][]>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker.postMessage({ id, jobs });
      });
    },
    async close() {
      closed = true;
      await Promise.all(workers.map((worker) => worker.terminate()));
    },
  };
}
