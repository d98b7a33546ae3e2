/**
 * Pack's worker thread (packWorker.ts), one per build: it writes symbols.json and the deflated texts
 * of the source/ entries into files in the build's work directory (pack copies them into the ZIP),
 * and deflates batches of pages for ZipWriter. One worker for all of it: each start-up costs ~0.1 s
 * of a core. If it fails or exits, every request still open rejects; `stop` ends it early.
 */
import { Worker } from "node:worker_threads";
import { BuildError, type BuildErrorCode } from "../errors";
import type { DeflatedBatch, Deflater } from "./deflateBatch";
import type { SourcesFile, SourcesFileTask } from "./sourcesFile";
import type { DeflatedFile, SymbolsFileTask } from "./symbolsFile";

export type PackRequest = { id: number } & (
  | { kind: "symbols"; task: SymbolsFileTask }
  | { kind: "sources"; task: SourcesFileTask }
  | { kind: "deflate"; task: { texts: string[]; level: number } }
);

export type PackReply = { id: number; result?: unknown; error?: string; code?: BuildErrorCode };

/** Asks the worker to exit once the task it is on gives way (see PackWorker.stop). */
export type PackStop = { stop: true };

/** How long a stopped worker may take to exit by itself before it is terminated. */
export const STOP_GRACE_MS = 10_000;

/** A task on the worker; `stop` ends the worker (the result then rejects). */
export type WorkerJob<T> = { result: Promise<T>; stop(): Promise<void> };

export type PackWorkerOptions = {
  /**
   * V8's young generation, MB: a worker that holds one chunk or one text at a time stays small
   * with a small one (the 20,000-file repository's peak RSS is measured while it runs)
   */
  youngGenerationMb?: number;
};

export class PackWorker implements Deflater {
  private readonly worker: Worker;
  private readonly open = new Map<number, { resolve(value: unknown): void; reject(error: Error): void; kind: string }>();
  private nextId = 0;
  private ended: Error | undefined;
  private readonly exited: Promise<number>;
  private stoppedWith: number | undefined;

  constructor(options: PackWorkerOptions = {}) {
    this.worker = new Worker(new URL("./packWorker.mjs", import.meta.url), {
      resourceLimits: options.youngGenerationMb ? { maxYoungGenerationSizeMb: options.youngGenerationMb } : undefined,
    });
    this.worker.on("message", ({ id, result, error, code }: PackReply) => {
      const request = this.open.get(id);
      if (!request) return;
      this.open.delete(id);
      if (error === undefined) request.resolve(result);
      else request.reject(code ? new BuildError(code, error) : new Error(error));
    });
    // An uncaught error ends the worker too (its exit follows).
    this.worker.on("error", (error) => this.end(error));
    this.exited = new Promise((resolve) => this.worker.once("exit", resolve));
    this.worker.once("exit", (code) => this.end(new Error(`pack worker exited (code ${code})`)));
  }

  run(kind: "symbols", task: SymbolsFileTask): Promise<DeflatedFile>;
  run(kind: "sources", task: SourcesFileTask): Promise<SourcesFile>;
  run(kind: "symbols" | "sources", task: SymbolsFileTask | SourcesFileTask): Promise<unknown> {
    return this.request({ kind, task } as PackRequest);
  }

  /** `result` as a job of its own: stopping it stops the worker. */
  job<T>(result: Promise<T>): WorkerJob<T> {
    // A build that fails before pack takes the result up stops the worker: no unhandled rejection.
    result.catch(() => {});
    return { result, stop: () => this.stop() };
  }

  deflate(texts: string[], level: number): Promise<DeflatedBatch> {
    return this.request({ kind: "deflate", task: { texts, level } } as PackRequest) as Promise<DeflatedBatch>;
  }

  /** the worker's exit code, once stopped */
  get exitCode(): number | undefined {
    return this.stoppedWith;
  }

  /**
   * Ends the worker; open requests reject. The worker is asked to exit between its tasks, and only
   * terminated if it has not within STOP_GRACE_MS: a termination can land inside zlib's set-up (a
   * handle made, not yet initialised), and Node 22 then fails an assertion at the worker's clean-up
   * that ends the whole process. `exitCode` then tells which it was (0: it exited by itself).
   */
  async stop(): Promise<void> {
    this.end(new Error("pack worker exited (stopped)"));
    this.worker.postMessage({ stop: true } satisfies PackStop);
    const terminate = setTimeout(() => void this.worker.terminate(), STOP_GRACE_MS);
    this.stoppedWith = await this.exited;
    clearTimeout(terminate);
  }

  private request(request: Omit<PackRequest, "id">): Promise<unknown> {
    if (this.ended) return Promise.reject(this.ended);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.open.set(id, { resolve, reject, kind: request.kind });
      this.worker.postMessage({ ...request, id });
    });
  }

  /** The worker is gone (or going): every open request fails with what ended it. */
  private end(reason: Error): void {
    this.ended ??= reason;
    for (const [id, request] of this.open) {
      this.open.delete(id);
      request.reject(new Error(`${request.kind}: ${this.ended.message}`));
    }
  }
}

/**
 * A task on the build's pack worker or, without one, on a worker of its own, ended when the task
 * is (symbols.json of a build with too little text for a pack worker). That one holds one chunk or
 * text at a time: a small young generation keeps its memory small too.
 */
export function packJob(kind: "symbols", task: SymbolsFileTask, worker?: PackWorker): WorkerJob<DeflatedFile>;
export function packJob(kind: "sources", task: SourcesFileTask, worker?: PackWorker): WorkerJob<SourcesFile>;
export function packJob(kind: "symbols" | "sources", task: SymbolsFileTask | SourcesFileTask, worker?: PackWorker): WorkerJob<unknown> {
  const run = (on: PackWorker): Promise<unknown> => (kind === "symbols" ? on.run(kind, task as SymbolsFileTask) : on.run(kind, task as SourcesFileTask));
  if (worker) return worker.job(run(worker));
  const own = new PackWorker({ youngGenerationMb: 4 });
  const result = run(own);
  result.then(() => own.stop(), () => own.stop()).catch(() => {});
  return own.job(result);
}
