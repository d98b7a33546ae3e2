/**
 * The local workflow's own mechanics (task tokens, heartbeat and task timeouts, Retry and Catch of
 * the real definition), with stand-in Lambda handlers that record the payloads Step Functions
 * would send. The end-to-end tests run the real handlers.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { pipelineDefinition } from "@doctown/core/pipeline/definition";
import { LocalWorkflow, type LambdaHandler } from "../src/workflow";

type Calls = { dispatch: Record<string, unknown>[]; markFailed: Record<string, unknown>[] };

function recordingWorkflow(dispatch: (payload: Record<string, unknown>, attempt: number) => Promise<unknown>, options = {}) {
  const calls: Calls = { dispatch: [], markFailed: [] };
  const handlers: Record<string, LambdaHandler> = {
    dispatch: async (payload) => {
      calls.dispatch.push(payload as Record<string, unknown>);
      return dispatch(payload as Record<string, unknown>, calls.dispatch.length);
    },
    markFailed: async (payload) => {
      calls.markFailed.push(payload as Record<string, unknown>);
      return { ok: true };
    },
  };
  return { workflow: new LocalWorkflow({ handlers, ...options }), calls };
}

/** The machine's timer, kept before any test fakes the global one. */
const realSetTimeout = globalThis.setTimeout;

/** Waits until `check` holds, on real time: a test's fake clock moves only when the test says so. */
async function until(check: () => boolean, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not reached in time");
    await new Promise((resolve) => realSetTimeout(resolve, 5));
  }
}

/** The task clocks (TaskTokens' timers) under the test's control: no test depends on the machine's speed. */
const fakeClocks = () => vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
afterEach(() => vi.useRealTimers());

describe("LocalWorkflow", () => {
  it("runs core's definition object itself", () => {
    expect(new LocalWorkflow().definition).toBe(pipelineDefinition);
  });

  it("gives Dispatch the Payload with the job id and a task token, and succeeds on sendSuccess", async () => {
    const { workflow, calls } = recordingWorkflow(async () => ({}));
    const { executionId } = await workflow.start({ jobId: "job-1" });
    await until(() => calls.dispatch.length === 1);
    expect(calls.dispatch[0]).toEqual({ jobId: "job-1", taskToken: expect.any(String) });
    await workflow.sendHeartbeat(calls.dispatch[0].taskToken as string);
    await workflow.sendSuccess(calls.dispatch[0].taskToken as string, { docpackId: "d" });
    await until(() => workflow.describe(executionId)?.status !== "RUNNING");
    expect(workflow.describe(executionId)?.status).toBe("SUCCEEDED");
    expect(calls.markFailed).toEqual([]);
    // A finished task's token is refused, like the cloud's TaskDoesNotExist.
    await expect(workflow.sendSuccess(calls.dispatch[0].taskToken as string, {})).rejects.toThrow(/unknown/);
  });

  it("starting the same job twice is one execution", async () => {
    const { workflow, calls } = recordingWorkflow(async () => ({}));
    const first = await workflow.start({ jobId: "job-twice" });
    const second = await workflow.start({ jobId: "job-twice" });
    expect(second).toEqual(first);
    await until(() => calls.dispatch.length === 1);
    await workflow.close();
    expect(calls.dispatch).toHaveLength(1);
  });

  it("sendFailure goes through Catch to MarkFailed with the error and cause", async () => {
    const { workflow, calls } = recordingWorkflow(async () => ({}));
    const { executionId } = await workflow.start({ jobId: "job-2" });
    await until(() => calls.dispatch.length === 1);
    await workflow.sendFailure(calls.dispatch[0].taskToken as string, "BuildFailed", "clone_failed: no such repository");
    await until(() => workflow.describe(executionId)?.status !== "RUNNING");
    expect(workflow.describe(executionId)?.status).toBe("FAILED");
    expect(calls.markFailed).toEqual([{ jobId: "job-2", error: { Error: "BuildFailed", Cause: "clone_failed: no such repository" } }]);
  });

  it("fails the task with States.HeartbeatTimeout when heartbeats stop, and heartbeats keep it alive", async () => {
    fakeClocks();
    const { workflow, calls } = recordingWorkflow(async () => ({}), { heartbeatSeconds: 0.8 });
    const { executionId } = await workflow.start({ jobId: "job-3" });
    await until(() => calls.dispatch.length === 1);
    const token = calls.dispatch[0].taskToken as string;
    // 4 × 700 ms: far past one heartbeat period, each gap shorter. A heartbeat on a settled task
    // would throw (TaskDoesNotExist): each one going through proves the task still waits.
    for (let i = 0; i < 4; i++) {
      vi.advanceTimersByTime(700);
      await workflow.sendHeartbeat(token);
    }
    expect(workflow.describe(executionId)?.status).toBe("RUNNING");
    vi.advanceTimersByTime(799);
    await workflow.sendHeartbeat(token);
    vi.advanceTimersByTime(800);
    await until(() => calls.markFailed.length === 1);
    expect(calls.markFailed[0]).toMatchObject({ jobId: "job-3", error: { Error: "States.HeartbeatTimeout" } });
    await until(() => workflow.describe(executionId)?.status === "FAILED");
    await expect(workflow.sendHeartbeat(token)).rejects.toThrow(/unknown/);
  });

  it("a clock running out while Dispatch is still running fails the task cleanly", async () => {
    fakeClocks();
    let dispatchFinished = false;
    let dispatching: Promise<unknown> | undefined;
    const slowDispatch = () => (dispatching = new Promise((resolve) => setTimeout(() => resolve((dispatchFinished = true)), 1000)));
    const { workflow, calls } = recordingWorkflow(slowDispatch, { heartbeatSeconds: 0.1 });
    const { executionId } = await workflow.start({ jobId: "job-slow" });
    await until(() => calls.dispatch.length === 1);
    vi.advanceTimersByTime(100);
    await until(() => calls.markFailed.length === 1);
    expect(dispatchFinished).toBe(false); // the clock did not wait for the handler
    expect(calls.markFailed[0]).toMatchObject({ error: { Error: "States.HeartbeatTimeout" } });
    await until(() => workflow.describe(executionId)?.status === "FAILED");
    // The slow handler finishing later changes nothing: drain returns once its call has settled.
    vi.advanceTimersByTime(900);
    await dispatching;
    await workflow.drain();
    expect(dispatchFinished).toBe(true);
    expect(calls.markFailed).toHaveLength(1);
    expect(workflow.describe(executionId)?.status).toBe("FAILED");
  });

  it("fails the task with States.Timeout after the task timeout even with heartbeats", async () => {
    fakeClocks();
    const { workflow, calls } = recordingWorkflow(async () => ({}), { heartbeatSeconds: 5, taskTimeoutSeconds: 0.3 });
    const { executionId } = await workflow.start({ jobId: "job-4" });
    await until(() => calls.dispatch.length === 1);
    vi.advanceTimersByTime(299);
    await workflow.sendHeartbeat(calls.dispatch[0].taskToken as string);
    expect(workflow.describe(executionId)?.status).toBe("RUNNING");
    vi.advanceTimersByTime(1);
    await until(() => calls.markFailed.length === 1);
    expect(calls.markFailed[0]).toMatchObject({ error: { Error: "States.Timeout" } });
  });

  it("retries RunpodUnavailable with a fresh token and catches RunpodRejected", async () => {
    const unavailable = Object.assign(new Error("HTTP 503"), { name: "RunpodUnavailable" });
    const { workflow, calls } = recordingWorkflow(
      async (_payload, attempt) => {
        if (attempt < 3) throw unavailable;
        return {};
      },
      { retryIntervalMs: 5 },
    );
    const { executionId } = await workflow.start({ jobId: "job-5" });
    await until(() => calls.dispatch.length === 3);
    const tokens = new Set(calls.dispatch.map((call) => call.taskToken));
    expect(tokens.size).toBe(3);
    await workflow.sendSuccess(calls.dispatch[2].taskToken as string, {});
    await until(() => workflow.describe(executionId)?.status === "SUCCEEDED");
    expect(workflow.describe(executionId)?.events.filter((e) => e.startsWith("StateRetried"))).toHaveLength(2);

    const rejected = Object.assign(new Error("RunPod answered HTTP 400: bad input"), { name: "RunpodRejected" });
    const second = recordingWorkflow(async () => Promise.reject(rejected), { retryIntervalMs: 5 });
    await second.workflow.start({ jobId: "job-6" });
    await until(() => second.calls.markFailed.length === 1);
    expect(second.calls.dispatch).toHaveLength(1);
    expect(second.calls.markFailed[0]).toEqual({ jobId: "job-6", error: { Error: "RunpodRejected", Cause: "RunPod answered HTTP 400: bad input" } });
  });

  it("stop aborts a waiting execution without running MarkFailed", async () => {
    const { workflow, calls } = recordingWorkflow(async () => ({}));
    const { executionId } = await workflow.start({ jobId: "job-7" });
    await until(() => calls.dispatch.length === 1);
    await workflow.stop(executionId, "Cancelled by the user.");
    expect(workflow.describe(executionId)?.status).toBe("ABORTED");
    // stop returned after the execution settled, and drain after every handler call: MarkFailed never ran.
    await workflow.drain();
    expect(calls.markFailed).toEqual([]);
    await expect(workflow.sendSuccess(calls.dispatch[0].taskToken as string, {})).rejects.toThrow();
    await workflow.stop("local:doctown-pipeline:unknown", "nothing"); // unknown: not an error
  });
});
