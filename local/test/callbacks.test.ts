/**
 * The builder's callbacks on the local stack, with a recording proxy between the pipeline and
 * the real builder server (so the test holds the same callback secret the builder got).
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRunpodServer, type RunpodServer } from "@doctown/builder/runpod/server";
import { startLocalStack, type LocalStack } from "../src/stack";
import { BUILD_TEST_TIMEOUT_MS, isFinished, signIn, waitForJob, type ApiClient } from "./support/client";
import { downloadDocpack } from "./support/docpack";
import { makeRepo, NO_LLM_ENV, SAMPLE_FILES, type TestRepo } from "@doctown/testing/repos";
import { startRunpodStandIn, type RunInput, type RunpodStandIn } from "./support/runpodStandIn";

describe("builder callbacks through the real builder", () => {
  let builder: RunpodServer;
  let proxy: RunpodStandIn;
  let stack: LocalStack;
  let client: ApiClient;
  let beforeRun: (input: RunInput) => Promise<void> | void = () => {};
  const repos: TestRepo[] = [];

  beforeAll(async () => {
    const builderKey = randomBytes(16).toString("hex");
    // a builder run apart from the stack, allowed (as the stack's own is) to build the local test repositories
    builder = await startRunpodServer({ host: "127.0.0.1", apiKey: builderKey, endpointId: "builder", concurrency: 1, env: { ...process.env, ...NO_LLM_ENV }, handlerDeps: { allowLocalSources: true } });
    proxy = await startRunpodStandIn({ kind: "forward", url: `${builder.url}/v2/builder`, apiKey: builderKey, beforeRun: (input) => beforeRun(input) });
    stack = await startLocalStack({ port: 0, runpod: { url: proxy.apiUrl, apiKey: proxy.apiKey, endpointId: proxy.endpointId } });
    client = await signIn(stack.url);
  });
  afterAll(async () => {
    await stack?.stop();
    await proxy?.close();
    await builder?.close();
    for (const repo of repos) repo.remove();
  });

  const completeCallback = (input: RunInput, body: unknown) =>
    fetch(`${input.callback_url}/complete`, {
      method: "POST",
      headers: { authorization: `Bearer ${input.callback_secret}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });

  it("answers a duplicate complete callback as the first, and changes nothing", async () => {
    const repo = makeRepo(SAMPLE_FILES);
    repos.push(repo);
    const created = await client.post("/api/jobs", { repo: repo.path, git_ref: "main" });
    const { job_id: jobId } = await created.json();
    const { job } = await waitForJob(client, jobId, isFinished);
    expect(job.status).toBe("completed");
    const input = proxy.runs.find((run) => run.job_id === jobId)!;
    const { bytes, sha256 } = await downloadDocpack(client, job.docpack_id!);

    const again = await completeCallback(input, { status: "succeeded", size: bytes.length, sha256 });
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ job_id: jobId, status: "completed", docpack_id: job.docpack_id });
    const different = await completeCallback(input, { status: "succeeded", size: bytes.length, sha256: "0".repeat(64) });
    expect(different.status).toBe(409);
    const failedLate = await completeCallback(input, { status: "failed", error: "late failure" });
    expect(failedLate.status).toBe(409);

    expect(await client.getJson(`/api/jobs/${jobId}`)).toEqual(job);
    const { docpacks } = await client.getJson<{ docpacks: { job_id: string }[] }>("/api/docpacks");
    expect(docpacks.filter((docpack) => docpack.job_id === jobId)).toHaveLength(1);
    expect((await downloadDocpack(client, job.docpack_id!)).sha256).toBe(sha256);
  }, BUILD_TEST_TIMEOUT_MS);

  it("refuses callbacks without the job's secret", async () => {
    const input = proxy.runs[0];
    const forged = await completeCallback({ ...input, callback_secret: randomBytes(32).toString("base64url") }, { status: "failed", error: "forged" });
    expect(forged.status).toBe(401);
    const progress = await fetch(`${input.callback_url}/progress`, { method: "POST", body: "{}", headers: { "content-type": "application/json" } });
    expect(progress.status).toBe(401);
  });

  it("fails the job with the builder's reason when the repository is gone by the time it builds", async () => {
    const repo = makeRepo(SAMPLE_FILES);
    repos.push(repo);
    beforeRun = () => repo.remove();
    try {
      const created = await client.post("/api/jobs", { repo: repo.path, git_ref: "main" });
      expect(created.status).toBe(202);
      const { job_id: jobId } = await created.json();
      const { job } = await waitForJob(client, jobId, isFinished);
      expect(job.status).toBe("failed");
      expect(job.docpack_id).toBeNull();
      expect(job.error?.code).toMatch(/^[a-z_]+$/);
      expect(job.error?.message).toMatch(/no such directory/i);
      expect(job.error?.message).toContain(repo.path);
      expect(job.error?.message).not.toContain(proxy.runs.at(-1)!.callback_secret);
    } finally {
      beforeRun = () => {};
    }
  }, BUILD_TEST_TIMEOUT_MS);
});
