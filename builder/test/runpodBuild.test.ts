/**
 * The whole builder job through the RunPod-compatible server, with nothing stood in for but the
 * API's callbacks: a real git repository made here, the real build, a real presigned PUT into
 * s3rver (presigned and checked by the API's own storage module), callbacks to a 127.0.0.1 server.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { strFromU8, unzipSync } from "fflate";
import { resetServices } from "@doctown/core/services";
import { hashObject, headObject, presignGet, presignPut } from "@doctown/core/storage";
import { TABLE_KEYS } from "@doctown/core/table";
import { startLocalServices, type LocalServices } from "@doctown/testing/storage";
import { startRunpodServer, type RunpodServer } from "../src/runpod/server";
import { serveFromEnv } from "../src/runpod/serve";
import { startCallbackServer, waitFor } from "./callbackServer";

const KEY = "runpod-key-for-tests";
const SECRET = "callback-secret-for-tests-0123";
let storage: LocalServices;
let api: Awaited<ReturnType<typeof startCallbackServer>>;
let server: RunpodServer;
let root: string;
let smallRepo: string;
let largeRepo: string;
let workRoot: string;

function gitRepo(dir: string, files: Record<string, string>) {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  const env = { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@example.com", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@example.com" };
  for (const args of [["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "init"]]) execFileSync("git", args, { cwd: dir, env });
  return dir;
}

beforeAll(async () => {
  storage = await startLocalServices({ tableKeys: TABLE_KEYS });
  Object.assign(process.env, storage.env);
  resetServices();
  api = await startCallbackServer();
  root = mkdtempSync(join(tmpdir(), "doctown-runpod-build-"));
  smallRepo = gitRepo(join(root, "small"), {
    "src/shapes.ts": "/** A circle. */\nexport class Circle {\n  area(): number { return 3; }\n}\n",
    "tools/run.py": "def main():\n    \"\"\"Entry point.\"\"\"\n    return 0\n",
  });
  const many: Record<string, string> = {};
  for (let i = 0; i < 400; i++) many[`src/m${i}.ts`] = `export function f${i}(a: number) { return a + ${i}; }\nexport class C${i} { m() { return ${i}; } }\n`;
  largeRepo = gitRepo(join(root, "large"), many);
  workRoot = join(root, "work");
  mkdirSync(workRoot);
  // as the local stack runs it: jobs may name local paths
  server = await startRunpodServer({
    apiKey: KEY,
    concurrency: 1,
    env: { PATH: process.env.PATH, HOME: process.env.HOME },
    handlerDeps: { allowLocalSources: true, workRoot },
    log: () => undefined,
  });
});

afterAll(async () => {
  await server?.close();
  await api?.close();
  resetServices();
  await storage?.stop();
  rmSync(root, { recursive: true, force: true });
});

async function call(method: string, path: string, body?: unknown) {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return (await response.json()) as any;
}

async function finalStatus(id: string) {
  let status: any;
  for (let i = 0; i < 600; i++) {
    status = await call("GET", `/v2/ep/status/${id}`);
    if (!["IN_QUEUE", "IN_PROGRESS"].includes(status.status)) return status;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`job ${id} still ${status?.status}`);
}

async function jobInput(jobId: string, repo: string, extra: Record<string, unknown> = {}) {
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

const callsFor = (jobId: string) => api.calls.filter((c) => c.path.startsWith(`/api/jobs/${jobId}/`));

describe("builder job through the RunPod-compatible server", () => {
  it("builds, uploads and reports a real repository", async () => {
    const run = await call("POST", "/v2/ep/run", { input: await jobInput("job-ok", smallRepo) });
    const status = await finalStatus(run.id);
    expect(status.status).toBe("COMPLETED");
    const key = "docpacks/job-ok.docpack.zip";
    const head = await headObject(key);
    const sha256 = await hashObject(key);
    expect(status.output).toMatchObject({ job_id: "job-ok", status: "succeeded", size: head!.size, sha256 });
    expect(status.output.stats).toMatchObject({ files: 2 });

    const calls = callsFor("job-ok");
    expect(calls.every((c) => c.authorization === `Bearer ${SECRET}`)).toBe(true);
    const stages = [...new Set(calls.filter((c) => c.path.endsWith("/progress")).map((c) => c.body.stage))];
    expect(stages).toEqual(["clone", "scan", "extract", "document", "pack", "upload"]);
    const percents = calls.filter((c) => c.path.endsWith("/progress")).map((c) => c.body.percent);
    expect(percents).toEqual([...percents].sort((a, b) => a - b));
    expect(calls.at(-1)).toMatchObject({ path: "/api/jobs/job-ok/complete", body: { status: "succeeded", size: head!.size, sha256 } });
    // What the build found goes with the report (the job page and the commons show it).
    expect(calls.at(-1)!.body.stats).toMatchObject({ files: 2, languages: expect.any(Object), duration_ms: expect.any(Number) });
    expect(calls.filter((c) => c.path.endsWith("/complete"))).toHaveLength(1);

    const download = await fetch(await presignGet(key));
    const zip = unzipSync(new Uint8Array(await download.arrayBuffer()));
    const manifest = JSON.parse(strFromU8(zip["manifest.json"]));
    expect(manifest.docs).toEqual({ mode: "placeholder" });
    const symbols = JSON.parse(strFromU8(zip["symbols.json"])).map((s: any) => s.id);
    expect(symbols).toEqual(expect.arrayContaining(["src/shapes.ts#Circle", "src/shapes.ts#Circle.area", "tools/run.py#main"]));
  });

  it("reports a failure (unknown ref) and uploads nothing", async () => {
    const run = await call("POST", "/v2/ep/run", { input: await jobInput("job-ref", smallRepo, { git_ref: "no-such-branch" }) });
    const status = await finalStatus(run.id);
    expect(status).toMatchObject({ status: "FAILED", error: expect.stringContaining("no-such-branch") });
    const complete = callsFor("job-ref").filter((c) => c.path.endsWith("/complete"));
    expect(complete.map((c) => c.body)).toEqual([{ status: "failed", error: { code: "ref_not_found", message: expect.stringContaining("no-such-branch") } }]);
    expect(await headObject("docpacks/job-ref.docpack.zip")).toBeNull();
  });

  it("refuses a ref that is a git option before git runs, and still reports", async () => {
    const marker = join(root, "pwned");
    const run = await call("POST", "/v2/ep/run", { input: await jobInput("job-evil", smallRepo, { git_ref: `--upload-pack=touch ${marker}` }) });
    expect((await finalStatus(run.id)).status).toBe("FAILED");
    const complete = callsFor("job-evil").find((c) => c.path.endsWith("/complete"));
    expect(complete?.body).toMatchObject({ status: "failed", error: { code: "invalid_ref" } });
    expect(() => execFileSync("test", ["-e", marker])).toThrow();
  });

  it("reports invalid input when it can, and never echoes the secret or the token", async () => {
    const input = { ...(await jobInput("job-bad", smallRepo)), upload_url: "ftp://example.com/x", github_token: "ghp_secret_token_value_123456" };
    const run = await call("POST", "/v2/ep/run", { input });
    const status = await finalStatus(run.id);
    expect(status.status).toBe("FAILED");
    const complete = callsFor("job-bad").find((c) => c.path.endsWith("/complete"));
    expect(complete?.body).toMatchObject({ status: "failed", error: { code: "invalid_input", message: expect.stringContaining("upload_url") } });
    expect(JSON.stringify(api.calls)).not.toContain("ghp_secret_token_value_123456");
    expect(JSON.stringify(status)).not.toContain(SECRET);
  });

  it("cancel aborts the running build; the job reports a cancelled failure and uploads nothing", async () => {
    const run = await call("POST", "/v2/ep/run", { input: await jobInput("job-cancel", largeRepo) });
    await waitFor(() => callsFor("job-cancel").some((c) => c.path.endsWith("/progress")), 20_000);
    expect(await call("POST", `/v2/ep/cancel/${run.id}`)).toEqual({ id: run.id, status: "CANCELLED" });
    await waitFor(() => callsFor("job-cancel").some((c) => c.path.endsWith("/complete")), 20_000);
    const complete = callsFor("job-cancel").filter((c) => c.path.endsWith("/complete"));
    expect(complete.map((c) => c.body)).toEqual([{ status: "failed", error: { code: "cancelled", message: "The build was cancelled." } }]);
    expect((await call("GET", `/v2/ep/status/${run.id}`)).status).toBe("CANCELLED");
    expect(await headObject("docpacks/job-cancel.docpack.zip")).toBeNull();
  });

  it("refuses local paths when the server was not told they are allowed", async () => {
    const strict = await startRunpodServer({ apiKey: KEY, env: { PATH: process.env.PATH, HOME: process.env.HOME }, log: () => undefined });
    try {
      const response = await fetch(`${strict.url}/v2/ep/run`, {
        method: "POST",
        headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" },
        body: JSON.stringify({ input: await jobInput("job-strict", smallRepo) }),
      });
      expect(response.status).toBe(200);
      await waitFor(() => callsFor("job-strict").some((c) => c.path.endsWith("/complete")), 20_000);
      expect(callsFor("job-strict").find((c) => c.path.endsWith("/complete"))?.body).toMatchObject({ status: "failed", error: { code: "local_not_allowed" } });
      expect(await headObject("docpacks/job-strict.docpack.zip")).toBeNull();
    } finally {
      await strict.close();
    }
  });

  it("the worker entry needs a key and refuses local paths unless DOCTOWN_ALLOW_LOCAL_SOURCES=1", async () => {
    await expect(serveFromEnv({ PORT: "0" })).rejects.toThrow(/RUNPOD_API_KEY must be set/);
    const worker = await serveFromEnv({ RUNPOD_API_KEY: "worker-key", PORT: "0", PATH: process.env.PATH });
    try {
      const response = await fetch(`${worker.url}/v2/ep/run`, {
        method: "POST",
        headers: { authorization: "Bearer worker-key", "content-type": "application/json" },
        body: JSON.stringify({ input: await jobInput("job-local", smallRepo) }),
      });
      const { id } = (await response.json()) as { id: string };
      await waitFor(() => callsFor("job-local").some((c) => c.path.endsWith("/complete")), 20_000);
      expect(callsFor("job-local").find((c) => c.path.endsWith("/complete"))?.body).toMatchObject({
        status: "failed",
        error: { code: "local_not_allowed" },
      });
      let status = "";
      for (let i = 0; i < 100 && status !== "FAILED"; i++) {
        const response = await fetch(`${worker.url}/v2/ep/status/${id}`, { headers: { authorization: "Bearer worker-key" } });
        status = ((await response.json()) as { status: string }).status;
        if (status !== "FAILED") await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(status).toBe("FAILED");
    } finally {
      await worker.close();
    }
  });

  it("leaves no work directory behind on any path: built and uploaded, unknown ref, refused ref, cancelled", () => {
    // (the tests above ran each of those through this server, whose handler works under workRoot)
    expect(readdirSync(workRoot)).toEqual([]);
  });
});
