/**
 * The RunPod-compatible server's HTTP contract and queue mechanics. Jobs here run through the
 * server's `runJob` seam (a controllable job) so timing is exact; the full path with the real
 * build is in runpodBuild.test.ts.
 */
import { afterEach, describe, expect, it } from "vitest";
import { startRunpodServer, type RunpodServer } from "../src/runpod/server";
import { startCallbackServer, waitFor } from "./callbackServer";

const KEY = "rp-test-key-123";
const running: RunpodServer[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.close()));
});

/** Jobs that finish when the test says so, and notice aborts. */
function controllableJobs() {
  const gates = new Map<string, { resolve(output: unknown): void; reject(error: Error): void }>();
  let active = 0;
  let maxActive = 0;
  const aborted: string[] = [];
  const started: string[] = [];
  const runJob = (input: unknown, { signal }: { signal: AbortSignal }) =>
    new Promise<unknown>((resolve, reject) => {
      const name = (input as { name: string }).name;
      started.push(name);
      active += 1;
      maxActive = Math.max(maxActive, active);
      const done = () => (active -= 1);
      signal.addEventListener("abort", () => {
        aborted.push(name);
        done();
        reject(new Error("aborted"));
      });
      gates.set(name, {
        resolve: (output) => (done(), resolve(output)),
        reject: (error) => (done(), reject(error)),
      });
    });
  return { runJob, gates, aborted, started, get maxActive() { return maxActive; } };
}

async function start(options: Partial<Parameters<typeof startRunpodServer>[0]> = {}) {
  const server = await startRunpodServer({ apiKey: KEY, log: () => undefined, ...options });
  running.push(server);
  const call = async (method: string, path: string, body?: unknown, key: string | null = `Bearer ${KEY}`) => {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: { ...(key ? { authorization: key } : {}), "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as any };
  };
  return { server, call };
}

type Call = Awaited<ReturnType<typeof start>>["call"];
async function pollUntil(call: Call, id: string, wanted: string) {
  for (let i = 0; i < 200; i++) {
    const { body } = await call("GET", `/v2/ep/status/${id}`);
    if (body.status === wanted) return body;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`job ${id} never became ${wanted}`);
}

describe("RunPod-compatible server", () => {
  it("requires the API key on every /v2 call (401), but not on /ping", async () => {
    const jobs = controllableJobs();
    const { call } = await start({ runJob: jobs.runJob });
    expect((await call("POST", "/v2/ep/run", { input: { name: "a" } }, null)).status).toBe(401);
    expect((await call("POST", "/v2/ep/run", { input: { name: "a" } }, "Bearer wrong")).status).toBe(401);
    expect((await call("GET", "/v2/ep/status/abc", undefined, null)).status).toBe(401);
    expect((await call("POST", "/v2/ep/cancel/abc", undefined, null)).status).toBe(401);
    expect(jobs.started).toEqual([]);
    expect(await call("GET", "/ping", undefined, null)).toEqual({ status: 200, body: { status: "healthy" } });
    // RunPod also accepts the bare key.
    expect((await call("POST", "/v2/ep/run", { input: { name: "a" } }, KEY)).status).toBe(200);
  });

  it("moves a job IN_QUEUE → IN_PROGRESS → COMPLETED with its output and timings", async () => {
    const jobs = controllableJobs();
    const { call } = await start({ runJob: jobs.runJob });
    const run = await call("POST", "/v2/ep/run", { input: { name: "one" } });
    expect(run.status).toBe(200);
    expect(run.body).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), status: "IN_QUEUE" });
    await waitFor(() => jobs.gates.has("one"));
    expect((await call("GET", `/v2/ep/status/${run.body.id}`)).body).toMatchObject({ id: run.body.id, status: "IN_PROGRESS" });
    jobs.gates.get("one")!.resolve({ size: 42 });
    const status = await pollUntil(call, run.body.id, "COMPLETED");
    expect(status).toEqual({ id: run.body.id, status: "COMPLETED", output: { size: 42 }, delayTime: expect.any(Number), executionTime: expect.any(Number) });
  });

  it("reports a failing job as FAILED with its error", async () => {
    const jobs = controllableJobs();
    const { call } = await start({ runJob: jobs.runJob });
    const { body } = await call("POST", "/v2/ep/run", { input: { name: "bad" } });
    await waitFor(() => jobs.gates.has("bad"));
    jobs.gates.get("bad")!.reject(new Error("ref_not_found: no such branch"));
    const status = await pollUntil(call, body.id, "FAILED");
    expect(status).toMatchObject({ id: body.id, status: "FAILED", error: "ref_not_found: no such branch" });
  });

  it("runs at most `concurrency` jobs and starts queued ones in order as others finish", async () => {
    const jobs = controllableJobs();
    const { call } = await start({ runJob: jobs.runJob, concurrency: 2 });
    const ids: string[] = [];
    for (const name of ["a", "b", "c", "d"]) ids.push((await call("POST", "/v2/ep/run", { input: { name } })).body.id);
    await waitFor(() => jobs.started.length === 2);
    const statuses = async () => Promise.all(ids.map(async (id) => (await call("GET", `/v2/ep/status/${id}`)).body.status));
    expect(await statuses()).toEqual(["IN_PROGRESS", "IN_PROGRESS", "IN_QUEUE", "IN_QUEUE"]);
    expect((await call("GET", "/v2/ep/health")).body.jobs).toMatchObject({ inProgress: 2, inQueue: 2 });

    jobs.gates.get("b")!.resolve("b done");
    await waitFor(() => jobs.started.length === 3);
    expect(jobs.started).toEqual(["a", "b", "c"]);
    jobs.gates.get("a")!.resolve("a done");
    await waitFor(() => jobs.started.length === 4);
    jobs.gates.get("c")!.resolve("c");
    jobs.gates.get("d")!.resolve("d");
    await waitFor(() => jobs.gates.size === 4);
    expect(jobs.maxActive).toBe(2);
  });

  it("answers 429 while `maxWaiting` jobs wait, and takes jobs again once one leaves the queue", async () => {
    const jobs = controllableJobs();
    const { call } = await start({ runJob: jobs.runJob, concurrency: 1, maxWaiting: 2 });
    const ids: string[] = [];
    for (const name of ["a", "b", "c"]) ids.push((await call("POST", "/v2/ep/run", { input: { name } })).body.id);
    await waitFor(() => jobs.started.length === 1);
    const refused = await call("POST", "/v2/ep/run", { input: { name: "d" } });
    expect(refused).toEqual({ status: 429, body: { error: "the queue is full (2 jobs waiting); try again later" } });
    expect((await call("GET", "/v2/ep/health")).body.jobs).toMatchObject({ inProgress: 1, inQueue: 2 });

    await call("POST", `/v2/ep/cancel/${ids[2]}`);
    expect((await call("POST", "/v2/ep/run", { input: { name: "e" } })).status).toBe(200);
    jobs.gates.get("a")!.resolve("a done");
    await waitFor(() => jobs.started.length === 2);
    expect((await call("POST", "/v2/ep/run", { input: { name: "f" } })).status).toBe(200);
    expect(jobs.started).toEqual(["a", "b"]);
  });

  it("cancels a queued job (never started) and aborts a running one", async () => {
    const jobs = controllableJobs();
    const { call } = await start({ runJob: jobs.runJob, concurrency: 1 });
    const first = (await call("POST", "/v2/ep/run", { input: { name: "first" } })).body.id;
    const second = (await call("POST", "/v2/ep/run", { input: { name: "second" } })).body.id;
    await waitFor(() => jobs.started.length === 1);

    expect((await call("POST", `/v2/ep/cancel/${second}`)).body).toEqual({ id: second, status: "CANCELLED" });
    expect((await call("POST", `/v2/ep/cancel/${first}`)).body).toEqual({ id: first, status: "CANCELLED" });
    await waitFor(() => jobs.aborted.length === 1);
    expect(jobs.aborted).toEqual(["first"]);
    expect((await call("GET", `/v2/ep/status/${first}`)).body.status).toBe("CANCELLED");
    expect((await call("GET", `/v2/ep/status/${second}`)).body.status).toBe("CANCELLED");

    // The slot is free again; the cancelled queued job never ran.
    await call("POST", "/v2/ep/run", { input: { name: "third" } });
    await waitFor(() => jobs.started.length === 2);
    expect(jobs.started).toEqual(["first", "third"]);
  });

  it("answers unknown jobs, endpoints and bad bodies clearly", async () => {
    const jobs = controllableJobs();
    const { call } = await start({ runJob: jobs.runJob, endpointId: "doctown" });
    expect((await call("GET", "/v2/doctown/status/nope")).status).toBe(404);
    expect((await call("POST", "/v2/doctown/cancel/nope")).status).toBe(404);
    expect((await call("POST", "/v2/other/run", { input: { name: "x" } })).status).toBe(404);
    expect((await call("POST", "/v2/doctown/run", { nope: 1 })).status).toBe(400);
    expect((await call("POST", "/v2/doctown/run", { input: "string" })).status).toBe(400);
    expect((await call("GET", "/v2/doctown/run")).status).toBe(405);
    expect(jobs.started).toEqual([]);
  });

  it("POSTs the final status to the job's webhook", async () => {
    const jobs = controllableJobs();
    const hook = await startCallbackServer();
    try {
      const { call } = await start({ runJob: jobs.runJob });
      const { body } = await call("POST", "/v2/ep/run", { input: { name: "w" }, webhook: `${hook.origin}/hook` });
      await waitFor(() => jobs.gates.has("w"));
      jobs.gates.get("w")!.resolve({ ok: true });
      await waitFor(() => hook.calls.length === 1);
      expect(hook.calls[0].path).toBe("/hook");
      expect(hook.calls[0].body).toMatchObject({ id: body.id, status: "COMPLETED", output: { ok: true } });
    } finally {
      await hook.close();
    }
  });
});
