/**
 * The pipeline while a job waits in a queue (core/src/runpodQueue.ts): RunPod's queue, stood in for
 * at its HTTP boundary, holds a job longer than the heartbeat allows a started builder to stay
 * silent: the job does not fail, and builds once a worker takes it. A job RunPod lost, or one no
 * worker takes within the queue budget, fails with its reason. And several jobs at once through the
 * local stack's own RunPod-compatible server (2 builder slots): all complete.
 */
import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { startRunpodServer } from "@doctown/builder/runpod/server";
import { startLocalStack, type LocalStack } from "../src/stack";
import { BUILD_TEST_TIMEOUT_MS, isFinished, signIn, waitForJob, type ApiClient } from "./support/client";
import { makeRepo, NO_LLM_ENV, SAMPLE_FILES, type TestRepo } from "@doctown/testing/repos";
import { startRunpodStandIn, type RunpodBehaviour } from "./support/runpodStandIn";

const open: { stop(): Promise<void> }[] = [];
const repos: TestRepo[] = [];
afterEach(async () => {
  for (const thing of open.splice(0).reverse()) await thing.stop();
  for (const repo of repos.splice(0)) repo.remove();
});

/** Dispatch looks at RunPod's /status every 0.2 s here (10 s in the cloud). */
const FAST_POLL = { ...NO_LLM_ENV, DOCTOWN_RUNPOD_POLL_SECONDS: "0.2" };

async function stackWith(behaviour: RunpodBehaviour, options: Parameters<typeof startLocalStack>[0] = {}) {
  const runpod = await startRunpodStandIn(behaviour);
  open.push({ stop: () => runpod.close() });
  const stack: LocalStack = await startLocalStack({
    port: 0,
    runpod: { url: runpod.apiUrl, apiKey: runpod.apiKey, endpointId: runpod.endpointId },
    ...options,
    env: { ...FAST_POLL, ...options.env },
  });
  open.push(stack);
  const repo = makeRepo(SAMPLE_FILES);
  repos.push(repo);
  return { stack, runpod, client: await signIn(stack.url), repo };
}

async function submit(client: ApiClient, repoPath: string): Promise<string> {
  const response = await client.post("/api/jobs", { repo: repoPath, git_ref: "main" });
  expect(response.status).toBe(202);
  return (await response.json()).job_id;
}

describe("a job waiting in RunPod's queue", () => {
  it("does not fail for waiting longer than the heartbeat, and builds once a worker takes it", async () => {
    const builderKey = randomBytes(16).toString("hex");
    // Once running, the builder heartbeats every 0.5 s, well inside the short task heartbeat below.
    const builder = await startRunpodServer({
      apiKey: builderKey,
      endpointId: "standin",
      handlerDeps: { allowLocalSources: true, reporter: { heartbeatMs: 500 } },
      log: () => undefined,
    });
    open.push({ stop: () => builder.close() });
    const heartbeatSeconds = 3;
    const { runpod, client, repo } = await stackWith(
      { kind: "queued", target: { url: `${builder.url}/v2/standin`, apiKey: builderKey } },
      { heartbeatSeconds },
    );
    const jobId = await submit(client, repo.path);
    // Held in the queue for two heartbeat periods, looked at all along.
    await expect
      .poll(() => (runpod.queuedPolls.length > 1 ? runpod.queuedPolls.at(-1)!.at - runpod.queuedPolls[0].at : 0), { timeout: 40_000 })
      .toBeGreaterThan(2_000 * heartbeatSeconds);
    expect(await client.getJson(`/api/jobs/${jobId}`)).toMatchObject({ status: "building", stage: "queued", error: null });
    runpod.release();
    const { job } = await waitForJob(client, jobId, isFinished);
    expect(job).toMatchObject({ status: "completed", error: null });
  }, BUILD_TEST_TIMEOUT_MS);

  it("fails as 'queue_timeout' when no worker takes it within the queue budget, and is cancelled on RunPod", async () => {
    const { runpod, client, repo, stack } = await stackWith({ kind: "queued" }, { env: { DOCTOWN_RUNPOD_QUEUE_WAIT_SECONDS: "1" } });
    const jobId = await submit(client, repo.path);
    const { job } = await waitForJob(client, jobId, isFinished, 20_000);
    expect(job.status).toBe("failed");
    expect(job.error).toMatchObject({ code: "queue_timeout", message: expect.stringMatching(/queue for over 1 s/) });
    expect(runpod.cancels).toContain("standin-1");
    await expect.poll(() => stack.workflow.describe(`local:doctown-pipeline:${jobId}`)?.status).toBe("FAILED");
  });

  it("fails as 'runpod_lost' when RunPod no longer knows the job the builder never reported on", async () => {
    const { client, repo } = await stackWith({ kind: "lost" });
    const jobId = await submit(client, repo.path);
    const { job } = await waitForJob(client, jobId, isFinished, 20_000);
    expect(job.status).toBe("failed");
    expect(job.error).toMatchObject({ code: "runpod_lost", message: expect.stringMatching(/does not know job standin-1/) });
  });
});

describe("RunPod without capacity", () => {
  it("retries RunPod's 400 'no capacity' through the state machine and then builds", async () => {
    const { stack, runpod, client, repo } = await stackWith(
      { kind: "failing", statuses: [400, 400], body: { error: "No capacity available for this endpoint" }, then: { kind: "silent", reportProgress: true } },
      { retryIntervalMs: 10 },
    );
    const jobId = await submit(client, repo.path);
    const { job } = await waitForJob(client, jobId, (view) => view.stage === "clone");
    expect(job.status).toBe("building");
    expect(runpod.runs).toHaveLength(1);
    const retries = stack.workflow.describe(`local:doctown-pipeline:${jobId}`)?.events.filter((event) => event === "StateRetried:Dispatch");
    expect(retries).toHaveLength(2);
  });
});

describe("the local stack's own queue", () => {
  it("builds five jobs submitted at once with two builder slots: all complete", async () => {
    const stack = await startLocalStack({ port: 0, builderConcurrency: 2, env: FAST_POLL });
    open.push(stack);
    // Two users: each may have three jobs in flight.
    const clients = [await signIn(stack.url, "alice"), await signIn(stack.url, "bob")];
    const jobs: string[] = [];
    for (let i = 0; i < 5; i++) {
      const repo = makeRepo({ ...SAMPLE_FILES, [`extra${i}.ts`]: `export const n${i} = ${i};\n` });
      repos.push(repo);
      jobs.push(await submit(clients[i % 2], repo.path));
    }
    const finished = await Promise.all(jobs.map((jobId, i) => waitForJob(clients[i % 2], jobId, isFinished, BUILD_TEST_TIMEOUT_MS)));
    expect(finished.map(({ job }) => [job.status, job.error])).toEqual(jobs.map(() => ["completed", null]));
  }, 2 * BUILD_TEST_TIMEOUT_MS);
});
