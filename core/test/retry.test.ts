import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { retry } from "../src/retry";

beforeEach(() => vi.useFakeTimers());
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

/** A task that fails `failures` times, counting its calls. */
function flaky(failures: number) {
  const task = { calls: 0, run: async () => {
    task.calls++;
    if (task.calls <= failures) throw new Error(`failure ${task.calls}`);
    return "done";
  } };
  return task;
}

describe("retry", () => {
  it("waits a jittered, doubling backoff between attempts: base × 2^n × a random factor in [1, 2)", async () => {
    vi.spyOn(Math, "random").mockReturnValue(0.5);
    const task = flaky(2);
    const result = retry(task.run, { attempts: 3, backoffMs: 1_000 });
    await vi.advanceTimersByTimeAsync(0);
    expect(task.calls).toBe(1);
    await vi.advanceTimersByTimeAsync(1_499);
    expect(task.calls).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(task.calls).toBe(2);
    await vi.advanceTimersByTimeAsync(2_999);
    expect(task.calls).toBe(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(task.calls).toBe(3);
    await expect(result).resolves.toBe("done");
  });

  it("throws the last error as soon as the attempts are used up, without a wait after it", async () => {
    const task = flaky(5);
    const failed: number[] = [];
    const result = retry(task.run, { attempts: 2, backoffMs: 100, onFailedAttempt: (_, attempt) => failed.push(attempt) });
    const outcome = result.catch((error: Error) => error.message);
    await vi.advanceTimersByTimeAsync(200);
    expect(vi.getTimerCount()).toBe(0);
    expect(await outcome).toBe("failure 2");
    expect(failed).toEqual([1, 2]);
  });

  it("throws a non-retryable error at once", async () => {
    const task = flaky(5);
    await expect(retry(task.run, { attempts: 5, backoffMs: 100, retryable: () => false })).rejects.toThrow("failure 1");
    expect(task.calls).toBe(1);
  });

  it("stops waiting and throws the signal's reason when aborted", async () => {
    const task = flaky(5);
    const controller = new AbortController();
    const outcome = retry(task.run, { attempts: 5, backoffMs: 60_000, signal: controller.signal }).catch((error: Error) => error.message);
    await vi.advanceTimersByTimeAsync(0);
    expect(task.calls).toBe(1);
    controller.abort(new Error("cancelled"));
    expect(await outcome).toBe("cancelled");
    expect(vi.getTimerCount()).toBe(0);
    expect(task.calls).toBe(1);
  });
});
