/**
 * Dispatch's watch of RunPod's queue (core/src/runpodQueue.ts) against RunPod's API at its HTTP
 * boundary (the fake RunPod), on an injected clock: heartbeats while queued, RunPod outages
 * tolerated within the budget, the budget's end, a lost job, and a report that beats the verdict.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRunpodClient } from "../src/runpod";
import { QueueTimeout, RunpodLost, waitUntilStarted, type QueuedJobState, type QueueWaitOptions } from "../src/runpodQueue";
import { startFakeRunpod, type FakeRunpod } from "./support/fakeRunpod";

let runpod: FakeRunpod;
beforeAll(async () => {
  runpod = await startFakeRunpod({ apiKey: "key", endpointId: "ep" });
});
afterAll(() => runpod.close());

const client = () => createRunpodClient({ apiUrl: runpod.apiUrl, apiKey: "key", endpointId: "ep", backoffMs: 1 });

/** A watch on a fake clock: every pause advances it; `onLook` runs before each look at the job. */
function watch(overrides: Partial<QueueWaitOptions> & { onLook?: (look: number) => QueuedJobState | void } = {}) {
  let clock = 0;
  let looks = 0;
  const heartbeats: number[] = [];
  const pauses: number[] = [];
  const options: QueueWaitOptions = {
    runpod: client(),
    heartbeat: async () => void heartbeats.push(clock),
    jobState: async () => overrides.onLook?.(++looks) || "queued",
    queueWaitMs: 60_000,
    pollMs: 10_000,
    now: () => clock,
    sleep: async (ms) => {
      pauses.push(ms);
      clock += ms;
    },
    log: () => undefined,
    ...overrides,
  };
  return { options, heartbeats, pauses };
}

async function queuedJob(): Promise<string> {
  return (await client().run({ job: 1 })).id;
}

describe("waiting for RunPod to start a build", () => {
  it("heartbeats while the job is queued, backing off to pollMs, and is done once RunPod runs it", async () => {
    const id = await queuedJob();
    const w = watch({ onLook: (look) => void (look === 6 && (runpod.jobs.get(id)!.status = "IN_PROGRESS")) });
    expect(await waitUntilStarted(id, w.options)).toBe("started");
    expect(w.pauses).toEqual([1_000, 2_000, 4_000, 8_000, 10_000]);
    expect(w.heartbeats).toHaveLength(5);
  });

  it("is done as soon as the builder's first progress arrived, without asking RunPod", async () => {
    const id = await queuedJob();
    const before = runpod.requests.length;
    expect(await waitUntilStarted(id, watch({ onLook: () => "started" }).options)).toBe("started");
    expect(runpod.requests.length).toBe(before);
  });

  it("rides out RunPod being unavailable, and fails as QueueTimeout (cancelling the job) when the budget is spent", async () => {
    const id = await queuedJob();
    runpod.failNext.push(503, 503, 503, 503, 503, 503);
    const w = watch({ queueWaitMs: 20_000 });
    await expect(waitUntilStarted(id, w.options)).rejects.toBeInstanceOf(QueueTimeout);
    expect(runpod.jobs.get(id)!.status).toBe("CANCELLED");
    expect(w.heartbeats.length).toBeGreaterThan(2);
  });

  it("fails as RunpodLost when RunPod does not know the job, or ended it without a word from the builder", async () => {
    await expect(waitUntilStarted("no-such-job", watch().options)).rejects.toBeInstanceOf(RunpodLost);
    const id = await queuedJob();
    runpod.jobs.get(id)!.status = "FAILED";
    await expect(waitUntilStarted(id, watch().options)).rejects.toThrow(/as FAILED, and the builder never reported/);
  });

  it("a report that lands while RunPod says the job ended wins over 'lost'", async () => {
    const id = await queuedJob();
    runpod.jobs.get(id)!.status = "FAILED";
    expect(await waitUntilStarted(id, watch({ onLook: (look) => (look === 2 ? "finished" : "queued") }).options)).toBe("stopped");
  });

  it("stops when its task is gone (the heartbeat is refused) or the job finished meanwhile", async () => {
    const id = await queuedJob();
    const refused = watch({ heartbeat: async () => Promise.reject(new Error("TaskTimedOut")) });
    expect(await waitUntilStarted(id, refused.options)).toBe("stopped");
    expect(await waitUntilStarted(id, watch({ onLook: () => "finished" }).options)).toBe("stopped");
  });
});
