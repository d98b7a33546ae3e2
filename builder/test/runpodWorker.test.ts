/**
 * The Python RunPod worker (builder/runpod/handler.py) under the RunPod SDK's own local API server,
 * driven over HTTP as RunPod's /run + /status, run from the Docker image's layout (builder/Dockerfile's
 * runtime stage, made outside the workspace by imageLayout.ts) with the image's command: the bundled
 * Node builder runs as its child on a real repository made here, PUTs the docpack to a presigned URL on s3rver (presigned and checked by the
 * API's own storage module), and reports to a callback server on 127.0.0.1.
 * The SDK's server runs a job when its status is asked (POST /status/{id}) and has no /cancel, so
 * cancellation is tested through the handler's own timeout path, which takes the same stop().
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resetServices } from "@doctown/core/services";
import { hashObject, headObject, presignPut } from "@doctown/core/storage";
import { TABLE_KEYS } from "@doctown/core/table";
import { startLocalServices, type LocalServices } from "@doctown/testing/storage";
import { startCallbackServer } from "./callbackServer";
import { createRepo, removeDir, tempDir } from "./fixtures/gitRepo";
import { readdirSync } from "node:fs";
import { makeImageLayout, runtimeStage } from "./imageLayout";
import { startOpenAiServer } from "./openaiServer";
import { ensureVenv, sharedBundle, groupAlive, startSdkServer, type SdkServer } from "./pythonWorker";

const SECRET = "callback-secret-for-python-tests";
let storage: LocalServices;
let api: Awaited<ReturnType<typeof startCallbackServer>>;
let worker: SdkServer;
let slowWorker: SdkServer;
let root: string;
let repo: string;
let app: string;
/** An OpenAI-compatible stand-in: the image-layout worker builds in LLM mode, configured as an endpoint would be. */
let model: Awaited<ReturnType<typeof startOpenAiServer>>;
/** Accepts uploads and never answers: a build that reaches its upload hangs there. */
let hangingUpload: Server;
const uploadsStarted: string[] = [];

beforeAll(async () => {
  const python = await ensureVenv();
  const bundle = await sharedBundle();
  storage = await startLocalServices({ tableKeys: TABLE_KEYS });
  Object.assign(process.env, storage.env);
  resetServices();
  api = await startCallbackServer();
  root = tempDir("doctown-runpod-python-");
  repo = path.join(root, "repo");
  createRepo(repo, {
    "src/shapes.ts": "/** A circle. */\nexport class Circle {\n  area(): number { return 3; }\n}\n",
    "tools/run.py": 'def main():\n    """Entry point."""\n    return 0\n',
  });
  hangingUpload = createServer((req) => uploadsStarted.push(req.url ?? ""));
  await new Promise<void>((resolve) => hangingUpload.listen(0, "127.0.0.1", resolve));
  app = path.join(root, "app");
  makeImageLayout(app, bundle.dir);
  const { cmd } = runtimeStage();
  expect(cmd).toEqual(["python", "builder/runpod/handler.py"]);
  const env = { DOCTOWN_ALLOW_LOCAL_SOURCES: "1", DOCTOWN_CACHE_DIR: path.join(root, "cache") };
  model = await startOpenAiServer();
  const endpointEnv = { OPENAI_API_KEY: "test-key", OPENAI_BASE_URL: model.baseURL, OPENAI_MODEL: "endpoint-model" };
  [worker, slowWorker] = await Promise.all([
    // the image's command, from its working directory; the job bundle found where the image has it
    startSdkServer(python, { ...env, ...endpointEnv }, { handler: path.join(app, cmd[1]), cwd: app }),
    startSdkServer(python, { ...env, DOCTOWN_JOB_SCRIPT: bundle.jobScript, DOCTOWN_JOB_TIMEOUT_SECONDS: "3", DOCTOWN_JOB_STOP_GRACE_SECONDS: "5" }),
  ]);
}, 600_000);

afterAll(async () => {
  await Promise.all([worker?.close(), slowWorker?.close()]);
  hangingUpload?.closeAllConnections();
  hangingUpload?.close();
  await api?.close();
  await model?.close();
  resetServices();
  await storage?.stop();
  if (root) removeDir(root);
});

async function post(server: SdkServer, route: string, body?: unknown) {
  const response = await fetch(`${server.url}${route}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as any;
}

/** /run, then /status (where the SDK's local server runs the handler and answers with its result). */
async function runJob(server: SdkServer, input: Record<string, unknown>) {
  const submitted = await post(server, "/run", { input });
  expect(submitted).toEqual({ id: expect.any(String), status: "IN_PROGRESS" });
  return post(server, `/status/${submitted.id}`);
}

async function jobInput(jobId: string, extra: Record<string, unknown> = {}) {
  return {
    job_id: jobId,
    repo_url: repo,
    git_ref: "main",
    upload_url: await presignPut(`docpacks/${jobId}.docpack.zip`, 600),
    callback_url: `${api.origin}/api/jobs/${jobId}`,
    callback_secret: SECRET,
    options: { allowLocal: true },
    ...extra,
  };
}

const callsFor = (jobId: string) => api.calls.filter((call) => call.path.startsWith(`/api/jobs/${jobId}/`));

describe("the Python RunPod worker under the SDK's local API server", () => {
  it("runs from the image's layout: the handler, three bundles, the builder's package.json and two npm packages", () => {
    expect(readdirSync(app).sort()).toEqual(["builder", "node_modules"]);
    expect(readdirSync(path.join(app, "builder", "dist")).sort()).toEqual(["packWorker.mjs", "runpod-job.body.mjs", "runpod-job.mjs", "worker.mjs"]);
    expect(readdirSync(path.join(app, "node_modules")).sort()).toEqual(["@vscode", "web-tree-sitter"]);
  });

  it("builds a repository, uploads it to the presigned URL and reports it complete with its size and SHA-256", async () => {
    const status = await runJob(worker, await jobInput("py-ok"));
    expect(status).toMatchObject({ status: "COMPLETED" });
    const key = "docpacks/py-ok.docpack.zip";
    const head = await headObject(key);
    const sha256 = await hashObject(key);
    expect(head!.size).toBeGreaterThan(0);
    expect(status.output).toMatchObject({ job_id: "py-ok", status: "succeeded", size: head!.size, sha256, stats: { files: 2 } });
    // the endpoint's OPENAI_* settings reached the build
    expect(status.output.docs).toMatchObject({ mode: "llm", model: "endpoint-model" });
    expect(new Set(model.requests.map((request) => request.model))).toEqual(new Set(["endpoint-model"]));

    const calls = callsFor("py-ok");
    expect(calls.every((call) => call.authorization === `Bearer ${SECRET}`)).toBe(true);
    const stages = [...new Set(calls.filter((call) => call.path.endsWith("/progress")).map((call) => call.body.stage))];
    expect(stages).toEqual(["clone", "scan", "extract", "document", "pack", "upload"]);
    const completes = calls.filter((call) => call.path.endsWith("/complete"));
    expect(completes.map((call) => call.body)).toEqual([expect.objectContaining({ status: "succeeded", size: head!.size, sha256 })]);
    // the job input (callback secret, presigned URL) never shows on the worker's command lines or logs
    expect(worker.stderr()).not.toContain(SECRET);
  });

  it("a failing build returns an error result and reports the failure", async () => {
    const status = await runJob(worker, await jobInput("py-ref", { git_ref: "no-such-branch" }));
    expect(status).toMatchObject({ status: "FAILED", error: expect.stringMatching(/^ref_not_found: .*no-such-branch/) });
    const completes = callsFor("py-ref").filter((call) => call.path.endsWith("/complete"));
    expect(completes.map((call) => call.body)).toEqual([
      { status: "failed", error: { code: "ref_not_found", message: expect.stringContaining("no-such-branch") } },
    ]);
    expect(await headObject("docpacks/py-ref.docpack.zip")).toBeNull();
  });

  it("input that is not a builder job fails without a build", async () => {
    const status = await runJob(worker, { job_id: "py-bad", callback_url: `${api.origin}/api/jobs/py-bad` });
    expect(status).toMatchObject({ status: "FAILED", error: expect.stringMatching(/^invalid_input: /) });
  });

  it("a job over its time is stopped: the builder's whole process group is gone and the failure is reported", async () => {
    const before = slowWorker.builderPids().length;
    const port = (hangingUpload.address() as AddressInfo).port;
    const status = await runJob(slowWorker, await jobInput("py-slow", { upload_url: `http://127.0.0.1:${port}/docpacks/py-slow.docpack.zip` }));
    expect(status).toMatchObject({ status: "FAILED", error: expect.stringMatching(/^timed_out: /) });
    const pids = slowWorker.builderPids().slice(before);
    expect(pids).toHaveLength(1);
    expect(groupAlive(pids[0])).toBe(false);
    // SIGTERM let the builder abort and report before it ended
    const completes = callsFor("py-slow").filter((call) => call.path.endsWith("/complete"));
    expect(completes.map((call) => call.body)).toEqual([{ status: "failed", error: { code: "cancelled", message: expect.any(String) } }]);
  });

  // Last: it takes the slow worker down.
  it("a builder whose worker died stops on its own (no orphan) and reports the cancellation", async () => {
    const before = slowWorker.builderPids().length;
    const port = (hangingUpload.address() as AddressInfo).port;
    const input = await jobInput("py-orphan", { upload_url: `http://127.0.0.1:${port}/docpacks/py-orphan.docpack.zip` });
    const submitted = await post(slowWorker, "/run", { input });
    // /status runs the job; the answer never comes, the worker dies first
    void fetch(`${slowWorker.url}/status/${submitted.id}`, { method: "POST" }).catch(() => undefined);
    await expect.poll(() => slowWorker.builderPids().length, { timeout: 30_000 }).toBe(before + 1);
    const pid = slowWorker.builderPids()[before];
    await slowWorker.crash();
    await expect.poll(() => callsFor("py-orphan").filter((call) => call.path.endsWith("/complete")).map((call) => call.body), { timeout: 30_000 }).toEqual([
      { status: "failed", error: { code: "cancelled", message: expect.any(String) } },
    ]);
    await expect.poll(() => groupAlive(pid), { timeout: 30_000 }).toBe(false);
  });
});
