/**
 * The RunPod-compatible server's job queue: FIFO, at most `concurrency` running, cancel of a
 * queued job removes it, cancel of a running job aborts its signal (the job's own code decides
 * how to stop and report). Finished jobs are forgotten after `retainMs`.
 */

export type RunpodStatus = "IN_QUEUE" | "IN_PROGRESS" | "COMPLETED" | "FAILED" | "CANCELLED";

export interface QueuedJob {
  id: string;
  status: RunpodStatus;
  input: unknown;
  webhook?: string;
  output?: unknown;
  error?: string;
  createdAt: number;
  startedAt?: number;
  finishedAt?: number;
}

interface Entry extends QueuedJob {
  controller: AbortController;
  running?: Promise<void>;
}

export interface JobQueueOptions {
  concurrency: number;
  /** jobs that may wait for a slot; beyond that, add() refuses (QueueFullError) */
  maxWaiting: number;
  retainMs: number;
  run: (input: unknown, context: { signal: AbortSignal }) => Promise<unknown>;
  onFinished?: (job: QueuedJob) => void;
}

export class QueueFullError extends Error {
  constructor(limit: number) {
    super(`the queue is full (${limit} jobs waiting); try again later`);
    this.name = "QueueFullError";
  }
}

export class JobQueue {
  private readonly jobs = new Map<string, Entry>();
  private readonly waiting: Entry[] = [];
  private running = 0;
  private closed = false;
  private readonly counts = { completed: 0, failed: 0, retried: 0 };

  constructor(private readonly options: JobQueueOptions) {}

  add(id: string, input: unknown, webhook?: string): QueuedJob {
    if (this.closed) throw new Error("queue is shut down");
    if (this.waiting.length >= this.options.maxWaiting) throw new QueueFullError(this.options.maxWaiting);
    const entry: Entry = { id, status: "IN_QUEUE", input, webhook, createdAt: Date.now(), controller: new AbortController() };
    this.jobs.set(id, entry);
    this.waiting.push(entry);
    const submitted = view(entry); // as RunPod answers /run: IN_QUEUE, even if it starts at once
    this.pump();
    return submitted;
  }

  get(id: string): QueuedJob | undefined {
    const entry = this.jobs.get(id);
    return entry && view(entry);
  }

  /** Cancels a queued or running job; a finished job is left as it is. */
  cancel(id: string): QueuedJob | undefined {
    const entry = this.jobs.get(id);
    if (!entry) return undefined;
    if (entry.status === "IN_QUEUE") {
      this.waiting.splice(this.waiting.indexOf(entry), 1);
      this.finish(entry, "CANCELLED");
    } else if (entry.status === "IN_PROGRESS") {
      entry.status = "CANCELLED";
      entry.controller.abort(new Error("cancelled"));
    }
    return view(entry);
  }

  health() {
    const list = [...this.jobs.values()];
    return {
      jobs: {
        completed: this.counts.completed,
        failed: this.counts.failed,
        inProgress: list.filter((job) => job.status === "IN_PROGRESS").length,
        inQueue: this.waiting.length,
        retried: this.counts.retried,
      },
      workers: { idle: this.running === 0 ? 1 : 0, running: this.running > 0 ? 1 : 0 },
    };
  }

  /** Stops accepting work, cancels what waits, aborts what runs. */
  shutdown(): void {
    this.closed = true;
    for (const entry of this.waiting.splice(0)) this.finish(entry, "CANCELLED");
    for (const entry of this.jobs.values()) {
      if (entry.status === "IN_PROGRESS") entry.controller.abort(new Error("server shutting down"));
    }
  }

  /** Resolves once no job is running any more. */
  async drained(): Promise<void> {
    await Promise.allSettled([...this.jobs.values()].map((entry) => entry.running));
  }

  private pump(): void {
    while (!this.closed && this.running < this.options.concurrency && this.waiting.length > 0) {
      const entry = this.waiting.shift()!;
      this.running += 1;
      entry.status = "IN_PROGRESS";
      entry.startedAt = Date.now();
      entry.running = this.execute(entry);
    }
  }

  private async execute(entry: Entry): Promise<void> {
    try {
      const output = await this.options.run(entry.input, { signal: entry.controller.signal });
      if (entry.status === "IN_PROGRESS") {
        entry.output = output;
        this.finish(entry, "COMPLETED");
      } else this.finish(entry, entry.status);
    } catch (error) {
      if (entry.status === "IN_PROGRESS") entry.error = (error as Error)?.message ?? String(error);
      this.finish(entry, entry.status === "IN_PROGRESS" ? "FAILED" : entry.status);
    } finally {
      this.running -= 1;
      this.pump();
    }
  }

  private finish(entry: Entry, status: RunpodStatus): void {
    entry.status = status;
    entry.finishedAt = Date.now();
    entry.input = undefined; // holds the GitHub token and callback secret: drop it as soon as possible
    if (status === "COMPLETED") this.counts.completed += 1;
    if (status === "FAILED") this.counts.failed += 1;
    this.options.onFinished?.(view(entry));
    setTimeout(() => this.jobs.delete(entry.id), this.options.retainMs).unref();
  }
}

function view(entry: Entry): QueuedJob {
  const { controller: _controller, running: _running, input: _input, ...job } = entry;
  return { ...job, input: undefined };
}
