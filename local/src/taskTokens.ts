/**
 * Task tokens of the local workflow's `.waitForTaskToken` tasks: each waits for sendSuccess or
 * sendFailure, with the two clocks Step Functions keeps — the task's TimeoutSeconds, and
 * HeartbeatSeconds, restarted by every heartbeat. Unknown or finished tokens are refused like
 * the cloud refuses them (TaskDoesNotExist), so a late callback changes nothing.
 */
/** The timer the task clocks run on: the machine's, or one a test moves by hand. */
export type TaskClock = {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
};

const SYSTEM_CLOCK: TaskClock = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

type Waiter = {
  executionId: string;
  resolve: (output: unknown) => void;
  reject: (error: Error) => void;
  heartbeatMs?: number;
  timeout: unknown;
  heartbeat?: unknown;
};

export class TaskTokens {
  private readonly waiting = new Map<string, Waiter>();

  constructor(private readonly clock: TaskClock = SYSTEM_CLOCK) {}

  /** The promise of a task's result; rejects with States.Timeout / States.HeartbeatTimeout on silence. */
  register(token: string, executionId: string, clocks: { timeoutMs: number; heartbeatMs?: number }): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        executionId,
        resolve,
        reject,
        heartbeatMs: clocks.heartbeatMs,
        timeout: this.clock.setTimeout(() => this.settle(token, named("States.Timeout", "The task did not finish within TimeoutSeconds.")), clocks.timeoutMs),
      };
      this.waiting.set(token, waiter);
      this.restartHeartbeat(token, waiter);
    });
  }

  succeed(token: string, output: unknown): void {
    this.settle(token, undefined, output, true);
  }

  fail(token: string, error: Error): void {
    this.settle(token, error, undefined, true);
  }

  heartbeat(token: string): void {
    const waiter = this.waiting.get(token);
    if (!waiter) throw taskDoesNotExist();
    this.restartHeartbeat(token, waiter);
  }

  /** Forgets a token without settling it (its task failed before waiting). */
  discard(token: string): void {
    const waiter = this.waiting.get(token);
    if (!waiter) return;
    this.clear(waiter);
    this.waiting.delete(token);
  }

  /** Rejects every task an execution is waiting on (the execution was stopped). */
  failExecution(executionId: string, error: Error): void {
    for (const [token, waiter] of this.waiting) if (waiter.executionId === executionId) this.settle(token, error);
  }

  private restartHeartbeat(token: string, waiter: Waiter) {
    if (waiter.heartbeatMs === undefined) return;
    if (waiter.heartbeat) this.clock.clearTimeout(waiter.heartbeat);
    waiter.heartbeat = this.clock.setTimeout(
      () => this.settle(token, named("States.HeartbeatTimeout", "No heartbeat within HeartbeatSeconds.")),
      waiter.heartbeatMs,
    );
  }

  private settle(token: string, error: Error | undefined, output?: unknown, fromCaller = false) {
    const waiter = this.waiting.get(token);
    if (!waiter) {
      if (fromCaller) throw taskDoesNotExist();
      return;
    }
    this.clear(waiter);
    this.waiting.delete(token);
    if (error) waiter.reject(error);
    else waiter.resolve(output);
  }

  private clear(waiter: Waiter) {
    this.clock.clearTimeout(waiter.timeout);
    if (waiter.heartbeat) this.clock.clearTimeout(waiter.heartbeat);
  }
}

/** An error matched by Retry/Catch through its name, as Step Functions matches error names. */
export function named(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

function taskDoesNotExist(): Error {
  return named("TaskDoesNotExist", "The task token is unknown, or its task already finished.");
}
