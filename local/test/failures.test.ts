/**
 * The pipeline's failure paths on the local stack, with RunPod replaced at its HTTP boundary:
 * a builder that dies after taking the job, a RunPod that is briefly down or refuses, a cancel.
 * No job may stay pending or building; each failure says why.
 */
import { afterEach, describe, expect, it } from "vitest";
import { startLocalStack, type LocalStack } from "../src/stack";
import { isFinished, signIn, waitForJob, type ApiClient, type JobView } from "./support/client";
import { ManualClock } from "./support/manualClock";
import { makeRepo, SAMPLE_FILES, type TestRepo } from "@doctown/testing/repos";
import { startRunpodStandIn, type RunpodBehaviour, type RunpodStandIn } from "./support/runpodStandIn";

const open: { stop(): Promise<void> }[] = [];
let repo: TestRepo | undefined;
afterEach(async () => {
  for (const thing of open.splice(0).reverse()) await thing.stop();
  repo?.remove();
});

async function stackWith(behaviour: RunpodBehaviour, options: Parameters<typeof startLocalStack>[0] = {}) {
  const runpod: RunpodStandIn = await startRunpodStandIn(behaviour);
  open.push({ stop: () => runpod.close() });
  const stack: LocalStack = await startLocalStack({
    port: 0,
    runpod: { url: runpod.apiUrl, apiKey: runpod.apiKey, endpointId: runpod.endpointId },
    ...options,
  });
  open.push(stack);
  repo = makeRepo(SAMPLE_FILES);
  const client = await signIn(stack.url);
  return { stack, runpod, client, repo };
}

/**
 * Polls the job until it has finished, moving the task clocks on by `stepMs` between polls: a
 * heartbeat restarts its clock at most one step later, so the clock runs out within a few polls
 * however slow the machine is, and never before the test moves it.
 */
function finishedAsTimeRuns(client: ApiClient, jobId: string, clock: ManualClock, stepMs: number) {
  return waitForJob(client, jobId, (job: JobView) => {
    if (isFinished(job)) return true;
    clock.advance(stepMs);
    return false;
  });
}

async function submit(client: ApiClient, repoPath: string): Promise<string> {
  const response = await client.post("/api/jobs", { repo: repoPath, git_ref: "main" });
  expect(response.status).toBe(202);
  return (await response.json()).job_id;
}

describe("a builder that dies mid-job", () => {
  it("fails the job as 'heartbeat lost' once the builder goes silent, and cancels its RunPod job", async () => {
    const taskClock = new ManualClock();
    const { stack, runpod, client, repo } = await stackWith({ kind: "silent", reportProgress: true }, { heartbeatSeconds: 3, taskClock });
    const jobId = await submit(client, repo.path);
    const { seen } = await waitForJob(client, jobId, (job) => job.stage === "clone");
    expect(seen.at(-1)).toMatchObject({ status: "building", progress: 5 });
    const { job } = await finishedAsTimeRuns(client, jobId, taskClock, 3_000);
    expect(job.status).toBe("failed");
    expect(job.error?.code).toBe("heartbeat_lost");
    expect(job.error?.message).toMatch(/stopped reporting/);
    expect(runpod.runs).toHaveLength(1);
    expect(runpod.runs[0]).toMatchObject({ job_id: jobId, repo_url: repo.path, git_ref: "main", commit: repo.head, options: { allowLocal: true } });
    expect(runpod.runs[0].callback_url).toBe(`${stack.url}/api/jobs/${jobId}`);
    await expect.poll(() => runpod.cancels).toEqual(["standin-1"]);
    await expect.poll(() => stack.workflow.describe(`local:doctown-pipeline:${jobId}`)?.status).toBe("FAILED");
  });

  it("fails the job as 'timeout' when the build outlives its time limit despite heartbeats", async () => {
    const taskClock = new ManualClock();
    const { client, repo } = await stackWith({ kind: "silent" }, { heartbeatSeconds: 30, taskTimeoutSeconds: 1, taskClock });
    const jobId = await submit(client, repo.path);
    const { job } = await finishedAsTimeRuns(client, jobId, taskClock, 1_000);
    expect(job.status).toBe("failed");
    expect(job.error).toMatchObject({ code: "timeout", message: expect.stringMatching(/time limit/) });
  });

  it("a late report from the dead builder changes nothing", async () => {
    const taskClock = new ManualClock();
    const { runpod, client, repo, stack } = await stackWith({ kind: "silent" }, { heartbeatSeconds: 1, taskClock });
    const jobId = await submit(client, repo.path);
    const { job } = await finishedAsTimeRuns(client, jobId, taskClock, 1_000);
    expect(job.status).toBe("failed");
    const { callback_url, callback_secret } = runpod.runs[0];
    const late = await fetch(`${callback_url}/progress`, {
      method: "POST",
      headers: { authorization: `Bearer ${callback_secret}`, "content-type": "application/json" },
      body: JSON.stringify({ stage: "scan", percent: 50 }),
    });
    expect(late.status).toBe(409);
    expect(await client.getJson(`/api/jobs/${jobId}`)).toEqual(job);
    expect(stack.url).toBeTruthy();
  });
});

describe("RunPod answering errors", () => {
  it("retries a RunPod that is briefly unavailable (429/503) and then builds", async () => {
    // The client tries 3 times per dispatch; 4 failures make the state machine retry Dispatch once.
    const { stack, runpod, client, repo } = await stackWith(
      { kind: "failing", statuses: [503, 429, 503, 503], then: { kind: "silent", reportProgress: true } },
      { retryIntervalMs: 10 },
    );
    const jobId = await submit(client, repo.path);
    const { job } = await waitForJob(client, jobId, (view) => view.stage === "clone");
    expect(job.status).toBe("building");
    expect(runpod.runs).toHaveLength(1);
    const retries = () => stack.workflow.describe(`local:doctown-pipeline:${jobId}`)?.events.filter((event) => event === "StateRetried:Dispatch");
    await expect.poll(retries).toHaveLength(1);
  });

  it("fails the job with RunPod's reason when it refuses the request (4xx), without retrying", async () => {
    const { runpod, client, repo } = await stackWith({ kind: "failing", statuses: [400], then: { kind: "silent" } }, { retryIntervalMs: 10 });
    const jobId = await submit(client, repo.path);
    const { job } = await waitForJob(client, jobId, isFinished);
    expect(job.status).toBe("failed");
    expect(job.error?.code).toBe("dispatch_error");
    expect(job.error?.message).toMatch(/RunPod refused the build.*HTTP 400/);
    expect(runpod.requests.filter((request) => request.path.endsWith("/run"))).toHaveLength(1);
  });
});

describe("cancelling", () => {
  it("cancels a building job: status cancelled, the execution stopped, the RunPod job cancelled", async () => {
    const { stack, runpod, client, repo } = await stackWith({ kind: "silent", reportProgress: true });
    const jobId = await submit(client, repo.path);
    await waitForJob(client, jobId, (job) => job.stage === "clone");
    const cancel = await client.post(`/api/jobs/${jobId}/cancel`);
    expect(cancel.status).toBe(200);
    expect((await client.getJson(`/api/jobs/${jobId}`)).status).toBe("cancelled");
    expect(runpod.cancels).toEqual(["standin-1"]);
    expect(stack.workflow.describe(`local:doctown-pipeline:${jobId}`)?.status).toBe("ABORTED");
    // Nothing afterwards moves it: not MarkFailed, not a late builder report.
    const { callback_url, callback_secret } = runpod.runs[0];
    const late = await fetch(`${callback_url}/complete`, {
      method: "POST",
      headers: { authorization: `Bearer ${callback_secret}`, "content-type": "application/json" },
      body: JSON.stringify({ status: "failed", error: "too late" }),
    });
    expect(late.status).toBe(409);
    // Positive signal: no handler call is under way (a MarkFailed would be one) when the job is read.
    await stack.workflow.drain();
    expect(await client.getJson(`/api/jobs/${jobId}`)).toMatchObject({ status: "cancelled", error: null });
  });
});
