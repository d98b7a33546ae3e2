/**
 * Restarting the local stack on the same data dir: users, sessions, jobs and docpacks are still
 * there, and nothing stays in flight — a job running at a clean stop, or at a crash (the process
 * killed outright), is failed as "interrupted".
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { startRunpodServer } from "@doctown/builder/runpod/server";
import { startLocalStack } from "../src/stack";
import { BUILD_TEST_TIMEOUT_MS, clientWithCookie, isFinished, signIn, waitForJob } from "./support/client";
import { downloadDocpack } from "./support/docpack";
import { makeRepo, NO_LLM_ENV, SAMPLE_FILES } from "@doctown/testing/repos";
import { startRunpodStandIn } from "./support/runpodStandIn";

const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));
const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

function tempDataDir() {
  const dir = mkdtempSync(join(tmpdir(), "doctown-data-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe("restarting on the same data dir", () => {
  it("keeps users, sessions, jobs and docpacks, and fails the job that was running as interrupted", async () => {
    const dataDir = tempDataDir();
    const repo = makeRepo(SAMPLE_FILES);
    cleanups.push(() => repo.remove());
    const builderKey = randomBytes(16).toString("hex");
    const builder = await startRunpodServer({ host: "127.0.0.1", apiKey: builderKey, endpointId: "builder", env: { ...process.env, ...NO_LLM_ENV }, handlerDeps: { allowLocalSources: true } });
    cleanups.push(() => builder.close());
    let holdNext = false;
    const proxy = await startRunpodStandIn({ kind: "forward", url: `${builder.url}/v2/builder`, apiKey: builderKey, beforeRun: () => (holdNext ? "drop" : undefined) });
    cleanups.push(() => proxy.close());

    const first = await startLocalStack({ port: 0, dataDir, runpod: { url: proxy.apiUrl, apiKey: proxy.apiKey, endpointId: proxy.endpointId } });
    await expect(startLocalStack({ port: 0, dataDir })).rejects.toThrow(/Another Doctown \(pid \d+\) is using/);
    let client = await signIn(first.url, "carol");
    const done = (await (await client.post("/api/jobs", { repo: repo.path, git_ref: "main" })).json()).job_id;
    const { job: completed } = await waitForJob(client, done, isFinished);
    expect(completed.status).toBe("completed");
    const { sha256 } = await downloadDocpack(client, completed.docpack_id!);
    holdNext = true;
    const running = (await (await client.post("/api/jobs", { repo: repo.path, git_ref: "main" })).json()).job_id;
    await waitForJob(client, running, (job) => job.status === "building");
    const key = readFileSync(join(dataDir, "token-encryption.key"), "utf8");
    await first.stop();

    const second = await startLocalStack({ port: 0, dataDir, env: NO_LLM_ENV });
    cleanups.push(() => second.stop());
    client = clientWithCookie(second.url, client.cookie); // the same session cookie still signs in
    expect(await client.getJson("/api/me")).toMatchObject({ user: { login: "carol" } });
    expect(await client.getJson(`/api/jobs/${done}`)).toEqual(completed);
    expect((await downloadDocpack(client, completed.docpack_id!)).sha256).toBe(sha256);
    const interrupted = await client.getJson(`/api/jobs/${running}`);
    expect(interrupted).toMatchObject({ status: "failed", error: { code: "interrupted" } });
    expect(proxy.cancels).toHaveLength(1); // its RunPod job was cancelled too
    expect(readFileSync(join(dataDir, "token-encryption.key"), "utf8")).toBe(key);
    await second.stop();
  }, BUILD_TEST_TIMEOUT_MS);

  it("after a crash (npm start killed), the next start fails the job left building as interrupted", async () => {
    const { dataDir, runpod, child, client, jobId } = await npmStartWithJobInFlight();
    child.kill("SIGKILL");
    await new Promise((resolve) => child.once("exit", resolve));
    expect(runpod.cancels).toEqual([]); // nobody got the chance to clean up

    const restarted = await startLocalStack({ port: 0, dataDir });
    cleanups.push(() => restarted.stop());
    const after = await clientWithCookie(restarted.url, client.cookie).getJson(`/api/jobs/${jobId}`);
    expect(after).toMatchObject({ status: "failed", error: { code: "interrupted", message: expect.stringMatching(/found on restart/) } });
    await restarted.stop();
  }, BUILD_TEST_TIMEOUT_MS);

  it("Ctrl-C / SIGTERM stops npm start cleanly: exit 0, the running job failed as interrupted, its RunPod job cancelled", async () => {
    const { dataDir, runpod, child, client, jobId, output } = await npmStartWithJobInFlight();
    expect(output()).toContain(`data:    ${dataDir}`);
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(runpod.cancels).toEqual(["standin-1"]);

    const restarted = await startLocalStack({ port: 0, dataDir });
    cleanups.push(() => restarted.stop());
    const after = await clientWithCookie(restarted.url, client.cookie).getJson(`/api/jobs/${jobId}`);
    expect(after).toMatchObject({ status: "failed", error: { code: "interrupted", message: "The local stack stopped while this job was running." } });
    await restarted.stop();
  }, BUILD_TEST_TIMEOUT_MS);
});

/** `npm start`'s program in a child process (own data dir, a builder that never finishes), with one job building. */
async function npmStartWithJobInFlight() {
  const dataDir = tempDataDir();
  const repo = makeRepo(SAMPLE_FILES);
  cleanups.push(() => repo.remove());
  const runpod = await startRunpodStandIn({ kind: "silent", reportProgress: true });
  cleanups.push(() => runpod.close());
  const child = spawn(process.execPath, ["--import", "tsx", "local/src/main.ts"], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      PORT: "0",
      DOCTOWN_DATA_DIR: dataDir,
      DOCTOWN_SKIP_WEB_BUILD: "1",
      DOCTOWN_RUNPOD_URL: runpod.apiUrl,
      DOCTOWN_RUNPOD_API_KEY: runpod.apiKey,
      DOCTOWN_RUNPOD_ENDPOINT_ID: runpod.endpointId,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  cleanups.push(() => void child.kill("SIGKILL"));
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const port = await announcedPort(child, () => output);
  const client = await signIn(`http://127.0.0.1:${port}`, "dave");
  const jobId = (await (await client.post("/api/jobs", { repo: repo.path, git_ref: "main" })).json()).job_id as string;
  await waitForJob(client, jobId, (job) => job.stage === "clone");
  return { dataDir, runpod, child, client, jobId, output: () => output };
}

/** The port from npm start's "Doctown is running at http://localhost:PORT" line. */
function announcedPort(child: ChildProcess, output: () => string): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm start did not announce its URL:\n${output()}`)), 45_000);
    const check = () => {
      const match = /Doctown is running at http:\/\/localhost:(\d+)/.exec(output());
      if (!match) return;
      clearTimeout(timer);
      child.stdout!.off("data", check);
      resolve(Number(match[1]));
    };
    child.stdout!.on("data", check);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`npm start exited (${code}):\n${output()}`));
    });
  });
}
