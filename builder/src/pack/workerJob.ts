/**
 * A piece of pack's work on a worker thread (packWorker.ts): symbols.json, or the deflated texts of
 * the source/ entries. Each is a file in the build's work directory when done; pack copies it into
 * the ZIP. `stop` ends the worker early (the result then rejects).
 */
import { Worker } from "node:worker_threads";
import { BuildError, type BuildErrorCode } from "../errors";
import type { SourcesFile, SourcesFileTask } from "./sourcesFile";
import type { DeflatedFile, SymbolsFileTask } from "./symbolsFile";

export type PackWorkerTask = { kind: "symbols"; task: SymbolsFileTask } | { kind: "sources"; task: SourcesFileTask };

export type WorkerJob<T> = { result: Promise<T>; stop(): Promise<void> };

type Reply<T> = { result?: T; error?: string; code?: BuildErrorCode };

export function runInPackWorker(task: { kind: "symbols"; task: SymbolsFileTask }): WorkerJob<DeflatedFile>;
export function runInPackWorker(task: { kind: "sources"; task: SourcesFileTask }): WorkerJob<SourcesFile>;
export function runInPackWorker(task: PackWorkerTask): WorkerJob<unknown> {
  // It holds one chunk or one text at a time: a small young generation keeps its memory small too
  // (the 20,000-file repository's peak RSS is measured while it runs).
  const worker = new Worker(new URL("./packWorker.mjs", import.meta.url), {
    workerData: task,
    resourceLimits: { maxYoungGenerationSizeMb: 4 },
  });
  const result = new Promise<unknown>((resolve, reject) => {
    worker.once("message", ({ result: done, error, code }: Reply<unknown>) => {
      if (done) resolve(done);
      else reject(code ? new BuildError(code, error ?? `${task.kind} failed`) : new Error(error));
    });
    worker.once("error", reject);
    worker.once("exit", (code) => reject(new Error(`${task.kind} worker exited (code ${code})`)));
  });
  const finished = result.finally(() => worker.terminate()).catch(() => {});
  return {
    result,
    async stop() {
      await worker.terminate();
      await finished;
    },
  };
}
