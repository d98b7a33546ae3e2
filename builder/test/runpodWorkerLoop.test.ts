/**
 * The Python worker as RunPod runs it: the SDK's worker loop (no --rp_serve_api) against a stand-in
 * for RunPod's worker-side API at its HTTP boundary — job-take (RUNPOD_WEBHOOK_GET_JOB), the
 * job-stop channel the SDK derives from it, and job-done (RUNPOD_WEBHOOK_POST_OUTPUT). A job whose
 * upload hangs reports its progress to RunPod through the SDK; then RunPod stops it (what its
 * /cancel does): the SDK cancels the handler's task, the builder reports the cancellation to the
 * API, and its whole process group is gone.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCallbackServer } from "./callbackServer";
import { createRepo, removeDir, tempDir } from "./fixtures/gitRepo";
import { ensureVenv, sharedBundle, groupAlive, startWorkerLoop, type WorkerLoop } from "./pythonWorker";

const SECRET = "callback-secret-for-worker-loop";
const JOB_ID = "rp-job-1";
let api: Awaited<ReturnType<typeof startCallbackServer>>;
let runpod: Server;
let hangingUpload: Server;
let worker: WorkerLoop;
let root: string;
/** What the worker posted to job-done: progress updates and results. */
const done: { status?: string; output?: any; error?: unknown }[] = [];
let pendingJob: unknown;
let stopRequested = false;
let stopSent = false;

async function body(req: IncomingMessage): Promise<string> {
  let text = "";
  for await (const chunk of req) text += chunk;
  return text;
}

beforeAll(async () => {
  const python = await ensureVenv();
  const bundle = await sharedBundle();
  api = await startCallbackServer();
  root = tempDir("doctown-runpod-loop-");
  const repo = path.join(root, "repo");
  createRepo(repo, { "src/one.ts": "export function one(): number { return 1; }\n" });
  hangingUpload = createServer(() => undefined);
  await new Promise<void>((resolve) => hangingUpload.listen(0, "127.0.0.1", resolve));
  pendingJob = {
    id: JOB_ID,
    input: {
      job_id: "doctown-job-1",
      repo_url: repo,
      git_ref: "main",
      upload_url: `http://127.0.0.1:${(hangingUpload.address() as AddressInfo).port}/docpack.zip`,
      callback_url: `${api.origin}/api/jobs/doctown-job-1`,
      callback_secret: SECRET,
      options: { allowLocal: true },
    },
  };
  // RunPod's worker-side API: one job to take, a stop channel, and the results.
  runpod = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const json = (status: number, value?: unknown) =>
      value === undefined ? res.writeHead(status).end() : res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(value));
    if (url.pathname.startsWith("/job-take/")) {
      const job = pendingJob;
      pendingJob = undefined;
      return job ? json(200, job) : json(204);
    }
    if (url.pathname.startsWith("/job-stop/")) {
      if (stopRequested && !stopSent) {
        stopSent = true;
        return json(200, { jobsToStop: [JOB_ID] });
      }
      return setTimeout(() => json(204), 200);
    }
    if (url.pathname.startsWith("/job-done/")) {
      done.push(JSON.parse(await body(req)));
      return json(200, {});
    }
    json(404, {});
  });
  await new Promise<void>((resolve) => runpod.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(runpod.address() as AddressInfo).port}`;
  worker = startWorkerLoop(python, {
    RUNPOD_WEBHOOK_GET_JOB: `${base}/job-take/$ID?gpu=none`,
    RUNPOD_WEBHOOK_POST_OUTPUT: `${base}/job-done/$RUNPOD_POD_ID/$ID?gpu=none`,
    RUNPOD_POD_ID: "test-worker",
    DOCTOWN_JOB_SCRIPT: bundle.jobScript,
    DOCTOWN_ALLOW_LOCAL_SOURCES: "1",
    DOCTOWN_CACHE_DIR: path.join(root, "cache"),
  });
}, 600_000);

afterAll(async () => {
  await worker?.close();
  runpod?.closeAllConnections();
  runpod?.close();
  hangingUpload?.closeAllConnections();
  hangingUpload?.close();
  await api?.close();
  if (root) removeDir(root);
});

describe("the Python worker in the SDK's worker loop", () => {
  it("forwards progress to RunPod, and a stop from RunPod kills the builder's process group after it reports the cancellation", async () => {
    // The build reached its (hanging) upload; RunPod heard each stage through progress_update.
    await expect.poll(() => done.some((post) => post.status === "IN_PROGRESS" && post.output?.stage === "upload"), { timeout: 60_000 }).toBe(true);
    // The SDK sends each progress_update on its own request, so they may arrive out of order.
    const stages = new Set(done.filter((post) => post.status === "IN_PROGRESS").map((post) => post.output.stage));
    expect([...stages].sort()).toEqual(["clone", "document", "extract", "pack", "scan", "upload"]);
    const [pid] = worker.builderPids();
    expect(groupAlive(pid)).toBe(true);

    stopRequested = true;
    await expect.poll(() => api.completes().map((call) => call.body), { timeout: 30_000 }).toEqual([
      { status: "failed", error: { code: "cancelled", message: expect.any(String) } },
    ]);
    await expect.poll(() => worker.stderr(), { timeout: 30_000 }).toMatch(/cancelled, stopping the builder/);
    await expect.poll(() => groupAlive(pid), { timeout: 30_000 }).toBe(false);
    expect(worker.builderPids()).toEqual([pid]);
  }, 120_000);
});
