/**
 * kill -9 in the middle of builds, then a restart on the same data: no job stays in flight, each is
 * failed as interrupted, and the user's build slots are free again (the limit does not leak).
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { MAX_JOBS_IN_FLIGHT } from "@doctown/core/jobSubmit";
import { startLocalStack } from "../../src/stack";
import { BUILD_TEST_TIMEOUT_MS, clientWithCookie, signIn, waitForJob } from "../support/client";
import { makeRepo, SAMPLE_FILES } from "@doctown/testing/repos";
import { startRunpodStandIn } from "../support/runpodStandIn";
import { figure } from "./support";

const REPO_ROOT = fileURLToPath(new URL("../../..", import.meta.url));
const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

describe("kill -9 mid-build and restart", () => {
  it(`fails every job left in flight as interrupted and frees the user's ${MAX_JOBS_IN_FLIGHT} build slots`, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "doctown-abuse-"));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const repo = makeRepo(SAMPLE_FILES);
    cleanups.push(() => repo.remove());
    const runpod = await startRunpodStandIn({ kind: "silent", reportProgress: true });
    cleanups.push(() => runpod.close());
    const runpodEnv = { DOCTOWN_RUNPOD_URL: runpod.apiUrl, DOCTOWN_RUNPOD_API_KEY: runpod.apiKey, DOCTOWN_RUNPOD_ENDPOINT_ID: runpod.endpointId };
    const child = spawn(process.execPath, ["--import", "tsx", "local/src/main.ts"], {
      cwd: REPO_ROOT,
      env: { ...process.env, PORT: "0", DOCTOWN_DATA_DIR: dataDir, DOCTOWN_SKIP_WEB_BUILD: "1", ...runpodEnv },
      stdio: ["ignore", "pipe", "pipe"],
    });
    cleanups.push(() => child.kill("SIGKILL"));
    let output = "";
    child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    await expect.poll(() => /running at http:\/\/localhost:(\d+)/.exec(output), { timeout: 45_000 }).toBeTruthy();
    const port = Number(/running at http:\/\/localhost:(\d+)/.exec(output)![1]);

    const client = await signIn(`http://127.0.0.1:${port}`, "crasher");
    const jobIds: string[] = [];
    for (let i = 0; i < MAX_JOBS_IN_FLIGHT; i++) jobIds.push((await (await client.post("/api/jobs", { repo: repo.path, git_ref: "main" })).json()).job_id);
    for (const id of jobIds) await waitForJob(client, id, (job) => job.stage === "clone");
    expect((await client.post("/api/jobs", { repo: repo.path, git_ref: "main" })).status).toBe(429);
    child.kill("SIGKILL");
    await new Promise((resolve) => child.once("exit", resolve));

    const restarted = await startLocalStack({ port: 0, dataDir, runpod: { url: runpod.apiUrl, apiKey: runpod.apiKey, endpointId: runpod.endpointId } });
    cleanups.push(() => restarted.stop());
    const after = clientWithCookie(restarted.url, client.cookie);
    const states = await Promise.all(jobIds.map((id) => after.getJson(`/api/jobs/${id}`)));
    expect(states.every((job) => job.status === "failed" && job.error?.code === "interrupted")).toBe(true);
    const fresh = await Promise.all(Array.from({ length: MAX_JOBS_IN_FLIGHT }, () => after.post("/api/jobs", { repo: repo.path, git_ref: "main" })));
    const accepted = fresh.filter((response) => response.status === 202).length;
    figure(`kill -9 with ${jobIds.length} builds in flight → after restart ${states.filter((j) => j.status === "failed").length} failed as interrupted, 0 in flight, ${accepted}/${MAX_JOBS_IN_FLIGHT} slots free again`);
    expect(accepted).toBe(MAX_JOBS_IN_FLIGHT);
    await restarted.stop();
  }, BUILD_TEST_TIMEOUT_MS);
});
