/**
 * Contract: the local stack's RunPod-compatible Node server (builder/src/runpod/server.ts) answers
 * the calls the pipeline makes with the shapes RunPod's own SDK server gives for the Python worker
 * (builder/runpod/handler.py under `--rp_serve_api`). The same assertions run against both, each
 * parsed by the pipeline's own client schema (core/src/runpod.ts) and the builder protocol
 * (core/src/protocol.ts). Differences that are RunPod's, not ours: the SDK's local server has no
 * /v2/{endpoint} prefix, takes /status as POST and runs the job then, and has no /cancel or /health
 * (those are checked against RunPod's documented shape on the Node server only).
 */
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BuilderJobResult, RUNPOD_ERROR_PATTERN } from "@doctown/core/protocol";
import { RunpodJob, RunpodJobState } from "@doctown/core/runpod";
import { resetServices } from "@doctown/core/services";
import { hashObject, presignPut } from "@doctown/core/storage";
import { TABLE_KEYS } from "@doctown/core/table";
import { startLocalServices, type LocalServices } from "@doctown/testing/storage";
import { startRunpodServer, type RunpodServer } from "../src/runpod/server";
import { startCallbackServer } from "./callbackServer";
import { createRepo, removeDir, tempDir } from "./fixtures/gitRepo";
import { ensureVenv, sharedBundle, startSdkServer, type SdkServer } from "./pythonWorker";

const KEY = "contract-runpod-key";
const SECRET = "callback-secret-for-contract";
let storage: LocalServices;
let api: Awaited<ReturnType<typeof startCallbackServer>>;
let sdk: SdkServer;
let node: RunpodServer;
let root: string;
let repo: string;

interface Target {
  /** POST /run { input } → the raw answer */
  run(input: unknown): Promise<{ status: number; body: any }>;
  /** The job's status once it has finished. */
  finalStatus(id: string): Promise<{ status: number; body: any }>;
}

async function call(url: string, method: string, body?: unknown, key?: string) {
  const response = await fetch(url, {
    method,
    headers: { "content-type": "application/json", ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as any };
}

const targets: Record<string, () => Target> = {
  "RunPod's SDK server with the Python worker": () => ({
    run: (input) => call(`${sdk.url}/run`, "POST", { input }),
    finalStatus: (id) => call(`${sdk.url}/status/${id}`, "POST"),
  }),
  "the local stack's Node server": () => {
    const base = `${node.url}/v2/ep`;
    return {
      run: (input) => call(`${base}/run`, "POST", { input }, KEY),
      async finalStatus(id) {
        for (;;) {
          const answer = await call(`${base}/status/${id}`, "GET", undefined, KEY);
          if (!["IN_QUEUE", "IN_PROGRESS"].includes(answer.body?.status)) return answer;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      },
    };
  },
};

beforeAll(async () => {
  const python = await ensureVenv();
  const bundle = await sharedBundle();
  storage = await startLocalServices({ tableKeys: TABLE_KEYS });
  Object.assign(process.env, storage.env);
  resetServices();
  api = await startCallbackServer();
  root = tempDir("doctown-runpod-contract-");
  repo = path.join(root, "repo");
  createRepo(repo, { "src/one.ts": "/** One. */\nexport function one(): number { return 1; }\n" });
  const env = { PATH: process.env.PATH!, HOME: root, DOCTOWN_CACHE_DIR: path.join(root, "cache") };
  [sdk, node] = await Promise.all([
    startSdkServer(python, { ...env, DOCTOWN_JOB_SCRIPT: bundle.jobScript, DOCTOWN_ALLOW_LOCAL_SOURCES: "1" }),
    startRunpodServer({ apiKey: KEY, env, handlerDeps: { allowLocalSources: true }, log: () => undefined }),
  ]);
}, 600_000);

afterAll(async () => {
  await sdk?.close();
  await node?.close();
  await api?.close();
  resetServices();
  await storage?.stop();
  if (root) removeDir(root);
});

let jobs = 0;
async function jobInput(extra: Record<string, unknown> = {}) {
  const jobId = `contract-${++jobs}`;
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

/** Only fields RunPod's /status documents. */
const STATUS_FIELDS = ["id", "status", "output", "error", "delayTime", "executionTime"];

describe.each(Object.keys(targets))("RunPod API contract: %s", (name) => {
  const target = () => targets[name]();

  it("/run answers 200 with a job id and a waiting or running status", async () => {
    // (input the builder refuses at once: the answer's shape is the point here)
    const answer = await target().run({ job_id: "contract-run" });
    expect(answer.status).toBe(200);
    const job = RunpodJob.parse(answer.body);
    expect(Object.keys(answer.body).sort()).toEqual(["id", "status"]);
    expect(["IN_QUEUE", "IN_PROGRESS"]).toContain(job.status);
    // finish it, so nothing runs on after the test
    const final = await target().finalStatus(job.id);
    expect(final.body).toMatchObject({ id: job.id, status: "FAILED", error: expect.stringMatching(/^invalid_input: /) });
  });

  it("/status of a finished build: COMPLETED with the builder's result as output", async () => {
    const input = await jobInput();
    const { body: run } = await target().run(input);
    const answer = await target().finalStatus(run.id);
    expect(answer.status).toBe(200);
    const job = RunpodJob.parse(answer.body);
    expect(RunpodJobState.parse(job.status)).toBe("COMPLETED");
    expect(job.id).toBe(run.id);
    expect(Object.keys(answer.body).every((key) => STATUS_FIELDS.includes(key))).toBe(true);
    const output = BuilderJobResult.parse(job.output);
    expect(output).toMatchObject({ job_id: input.job_id, sha256: await hashObject(`docpacks/${input.job_id}.docpack.zip`) });
  });

  it("/status of a failed build: FAILED with a '<code>: <message>' error and no output", async () => {
    const { body: run } = await target().run(await jobInput({ git_ref: "no-such-branch" }));
    const answer = await target().finalStatus(run.id);
    expect(answer.status).toBe(200);
    const job = RunpodJob.parse(answer.body);
    expect(job).toMatchObject({ id: run.id, status: "FAILED" });
    expect(job.error).toMatch(RUNPOD_ERROR_PATTERN);
    expect(job.error).toMatch(/^ref_not_found: .*no-such-branch/);
    expect(answer.body).not.toHaveProperty("output");
  });
});

describe("RunPod API contract: calls only the cloud (and the Node server) have", () => {
  it("the Node server's /cancel and /health answer in RunPod's documented shapes; the SDK's local server has neither", async () => {
    const base = `${node.url}/v2/ep`;
    const { body: run } = await call(`${base}/run`, "POST", { input: await jobInput() }, KEY);
    const cancelled = await call(`${base}/cancel/${run.id}`, "POST", undefined, KEY);
    expect(cancelled.status).toBe(200);
    expect(RunpodJob.parse(cancelled.body)).toMatchObject({ id: run.id });
    expect(["CANCELLED", "COMPLETED", "FAILED"]).toContain(cancelled.body.status);
    const health = await call(`${base}/health`, "GET", undefined, KEY);
    expect(health.body).toEqual({
      jobs: { completed: expect.any(Number), failed: expect.any(Number), inProgress: expect.any(Number), inQueue: expect.any(Number), retried: expect.any(Number) },
      workers: { idle: expect.any(Number), running: expect.any(Number) },
    });
    expect((await fetch(`${sdk.url}/cancel/${run.id}`, { method: "POST" })).status).toBe(404);
    expect((await fetch(`${sdk.url}/health`)).status).toBe(404);
  });
});
