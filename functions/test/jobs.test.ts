import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { provideServices } from "@doctown/core/services";
import { startTestEnvironment, type TestEnvironment } from "@doctown/core/test/support/testEnvironment";
import { scanItems } from "@doctown/core/test/support/table";
import { callApi, signIn } from "./support/api";

const SHA_MAIN = "1".repeat(40);
const SHA_FEATURE = "2".repeat(40);
const alice = { id: 101, login: "alice", token: "gho_alice" };
const bob = { id: 102, login: "bob", token: "gho_bob" };

let env: TestEnvironment;
let aliceCookie: string;
let bobCookie: string;

beforeAll(async () => {
  env = await startTestEnvironment({
    githubUsers: [alice, bob],
    githubRepos: [
      { owner: "alice", name: "project", refs: { main: SHA_MAIN, "feature/x": SHA_FEATURE } },
      { owner: "alice", name: "hidden", private: true, refs: { main: SHA_MAIN } },
      { owner: "carol", name: "private", private: true, refs: { main: SHA_MAIN } },
    ],
  });
  aliceCookie = await signIn(alice);
  bobCookie = await signIn(bob);
});
afterAll(() => env?.stop());

/** Cancels every job in flight so each test starts under the per-user limit. */
beforeEach(async () => {
  env.stepFunctions.failStartWith = undefined;
  for (const job of await scanItems("job")) {
    if (job.status === "pending" || job.status === "building")
      await callApi("POST", `/api/jobs/${job.id}/cancel`, { cookie: job.userId === String(alice.id) ? aliceCookie : bobCookie });
  }
});

const createJob = (body: unknown, cookie = aliceCookie) => callApi("POST", "/api/jobs", { body, cookie });

describe("POST /api/jobs", () => {
  it("creates a pending job at the resolved commit and starts the workflow named after it", async () => {
    const before = env.stepFunctions.callsOf("StartExecution").length;
    const response = await createJob({ repo: "alice/project", git_ref: "feature/x", public: true });
    expect(response.status).toBe(202);
    expect(response.json).toEqual({ job_id: expect.any(String), status: "pending", created_at: expect.any(String) });
    const jobId = response.json.job_id;

    const starts = env.stepFunctions.callsOf("StartExecution").slice(before);
    expect(starts).toHaveLength(1);
    expect(starts[0].name).toBe(jobId);
    expect(JSON.parse(String(starts[0].input))).toEqual({ jobId });

    const status = await callApi("GET", `/api/jobs/${jobId}`, { cookie: aliceCookie });
    expect(status.status).toBe(200);
    expect(status.json).toMatchObject({ job_id: jobId, repo: "alice/project", git_ref: "feature/x", commit: SHA_FEATURE, status: "pending", progress: 0, public: true });
    expect(status.json).not.toHaveProperty("callbackSecretHash");
    expect(status.json).not.toHaveProperty("taskToken");

    const [stored] = (await scanItems("job")).filter((job) => job.id === jobId);
    expect(stored.executionId).toBe(`${env.env.DOCTOWN_STATE_MACHINE_ARN.replace(":stateMachine:", ":execution:")}:${jobId}`);
    expect(stored.callbackBaseUrl).toBe("https://doctown.test");
  });

  it("keeps the seed's aliases /api/jobs/create and /api/jobs/status/{id}", async () => {
    const created = await callApi("POST", "/api/jobs/create", { body: { repo: "alice/project", git_ref: SHA_MAIN }, cookie: aliceCookie });
    expect(created.status).toBe(202);
    const status = await callApi("GET", `/api/jobs/status/${created.json.job_id}`, { cookie: aliceCookie });
    expect(status.json).toMatchObject({ job_id: created.json.job_id, commit: SHA_MAIN });
  });

  it("lets the owner build a private repository they can read", async () => {
    expect((await createJob({ repo: "alice/hidden", git_ref: "main" })).status).toBe(202);
  });

  it("answers 401 without a session and writes nothing", async () => {
    const before = (await scanItems("job")).length;
    const response = await callApi("POST", "/api/jobs", { body: { repo: "alice/project", git_ref: "main" } });
    expect(response.status).toBe(401);
    expect(response.json.error.code).toBe("unauthorized");
    expect((await scanItems("job")).length).toBe(before);
  });

  it.each([
    ["malformed JSON", "{not json", "invalid_json"],
    ["an empty body", "", "missing_body"],
    ["a missing git_ref", { repo: "alice/project" }, "invalid_git_ref"],
    ["a non-boolean public flag", { repo: "alice/project", git_ref: "main", public: "yes" }, "invalid_public"],
  ])("rejects %s with 400", async (_label, body, code) => {
    const response = await createJob(body);
    expect(response.status).toBe(400);
    expect(response.json.error.code).toBe(code);
    expect(response.body).not.toMatch(/at .*\.ts:\d+/);
  });

  it("rejects a body over 64 KB with 413", async () => {
    const response = await createJob({ repo: "alice/project", git_ref: "main", padding: "x".repeat(65 * 1024) });
    expect(response.status).toBe(413);
    expect(response.json.error.code).toBe("payload_too_large");
  });

  it.each(["not-a-repo", "alice/project/extra", "../etc", "alice/..", "-alice/project", "/etc/passwd", "file:///etc", "alice/pro ject", ""])(
    "rejects repo %j with 400 and writes nothing",
    async (repo) => {
      const before = (await scanItems("job")).length;
      const requestsBefore = env.github.requests.length;
      const response = await createJob({ repo, git_ref: "main" });
      expect(response.status).toBe(400);
      expect(response.json.error.code).toBe("invalid_repo");
      expect((await scanItems("job")).length).toBe(before);
      expect(env.github.requests.length).toBe(requestsBefore);
    },
  );

  it.each(["--upload-pack=touch /tmp/x", "../../etc", "", "a".repeat(300), "main..other", "ref with space", "a\u0001b", "HEAD@{1}", "x.lock", "-b"])(
    "rejects git_ref %j with 400 before touching GitHub, and writes nothing",
    async (gitRef) => {
      const before = (await scanItems("job")).length;
      const requestsBefore = env.github.requests.length;
      const startsBefore = env.stepFunctions.callsOf("StartExecution").length;
      const response = await createJob({ repo: "alice/project", git_ref: gitRef });
      expect(response.status).toBe(400);
      expect(response.json.error.code).toBe("invalid_git_ref");
      expect((await scanItems("job")).length).toBe(before);
      expect(env.github.requests.length).toBe(requestsBefore);
      expect(env.stepFunctions.callsOf("StartExecution").length).toBe(startsBefore);
    },
  );

  it("rejects a repository the user cannot read, and a ref it does not have", async () => {
    const before = (await scanItems("job")).length;
    const hidden = await createJob({ repo: "carol/private", git_ref: "main" });
    expect(hidden.status).toBe(400);
    expect(hidden.json.error.code).toBe("repo_not_found");
    const bobsView = await createJob({ repo: "alice/hidden", git_ref: "main" }, bobCookie);
    expect(bobsView.json.error.code).toBe("repo_not_found");
    const noRef = await createJob({ repo: "alice/project", git_ref: "nope" });
    expect(noRef.status).toBe(400);
    expect(noRef.json.error.code).toBe("ref_not_found");
    expect((await scanItems("job")).length).toBe(before);
  });

  it("limits jobs in flight per user with 429", async () => {
    for (let i = 0; i < 3; i++) expect((await createJob({ repo: "alice/project", git_ref: "main" })).status).toBe(202);
    const fourth = await createJob({ repo: "alice/project", git_ref: "main" });
    expect(fourth.status).toBe(429);
    expect(fourth.json.error.code).toBe("too_many_jobs");
    // Bob has his own allowance.
    expect((await createJob({ repo: "alice/project", git_ref: "main" }, bobCookie)).status).toBe(202);
  });

  it("fails the job (never leaves it pending) when the workflow cannot start", async () => {
    env.stepFunctions.failStartWith = { status: 400, type: "StateMachineDoesNotExist", message: "State Machine Does Not Exist" };
    const response = await createJob({ repo: "alice/project", git_ref: "main" });
    expect(response.status).toBe(502);
    expect(response.json.error.code).toBe("workflow_start_failed");
    const jobs = await callApi("GET", "/api/jobs?limit=1", { cookie: aliceCookie });
    expect(jobs.json.jobs[0]).toMatchObject({ status: "failed", error: { code: "workflow_start_failed" } });
  });

  it("refuses a state-changing request from another origin (403), or without one", async () => {
    const before = (await scanItems("job")).length;
    const foreign = await callApi("POST", "/api/jobs", { body: { repo: "alice/project", git_ref: "main" }, cookie: aliceCookie, headers: { origin: "https://evil.example" } });
    expect(foreign.status).toBe(403);
    expect(foreign.json.error.code).toBe("origin_mismatch");
    const missing = await callApi("POST", "/api/jobs", { body: { repo: "alice/project", git_ref: "main" }, cookie: aliceCookie, headers: { origin: "" } });
    expect(missing.status).toBe(403);
    expect((await scanItems("job")).length).toBe(before);
  });
});

describe("GET /api/jobs and /api/jobs/{id}", () => {
  it("lists only the user's jobs, newest first, paginated", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const created = await createJob({ repo: "alice/project", git_ref: "main" }, bobCookie);
      ids.push(created.json.job_id);
      await callApi("POST", `/api/jobs/${created.json.job_id}/cancel`, { cookie: bobCookie });
    }
    const first = await callApi("GET", "/api/jobs?limit=2", { cookie: bobCookie });
    expect(first.status).toBe(200);
    expect(first.json.jobs.map((job: { job_id: string }) => job.job_id)).toEqual([ids[2], ids[1]]);
    expect(first.json.next_cursor).toEqual(expect.any(String));
    const all: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await callApi("GET", `/api/jobs?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`, { cookie: bobCookie });
      all.push(...page.json.jobs.map((job: { job_id: string }) => job.job_id));
      cursor = page.json.next_cursor;
    } while (cursor);
    expect(all.slice(0, 3)).toEqual([ids[2], ids[1], ids[0]]);
    const aliceJobs = await scanItems("job").then((jobs) => jobs.filter((job) => job.userId === String(alice.id)).map((job) => job.id));
    expect(all.some((id) => aliceJobs.includes(id))).toBe(false);
  });

  it("rejects a bad limit or a forged cursor with 400", async () => {
    expect((await callApi("GET", "/api/jobs?limit=0", { cookie: aliceCookie })).json.error.code).toBe("invalid_limit");
    expect((await callApi("GET", "/api/jobs?cursor=%%%", { cookie: aliceCookie })).json.error.code).toBe("invalid_cursor");
    const bobsCursor = (await callApi("GET", "/api/jobs?limit=1", { cookie: bobCookie })).json.next_cursor;
    const forged = await callApi("GET", `/api/jobs?limit=1&cursor=${encodeURIComponent(bobsCursor)}`, { cookie: aliceCookie });
    expect(forged.status).toBe(400);
    expect(forged.json.error.code).toBe("invalid_cursor");
  });

  it("answers 404 for another user's job and for an unknown one", async () => {
    const created = await createJob({ repo: "alice/project", git_ref: "main" });
    for (const path of [`/api/jobs/${created.json.job_id}`, "/api/jobs/does-not-exist", "/api/jobs/status/..%2F..%2Fetc"]) {
      const response = await callApi("GET", path, { cookie: bobCookie });
      expect(response.status).toBe(404);
      expect(response.json.error.code).toBe("job_not_found");
    }
    const cancel = await callApi("POST", `/api/jobs/${created.json.job_id}/cancel`, { cookie: bobCookie });
    expect(cancel.status).toBe(404);
    expect((await callApi("GET", `/api/jobs/${created.json.job_id}`, { cookie: aliceCookie })).json.status).toBe("pending");
  });

  it("answers 401 once the session has expired", async () => {
    expect((await callApi("GET", "/api/jobs", { cookie: aliceCookie })).status).toBe(200);
    provideServices({ clock: { now: () => new Date(Date.now() + 30 * 24 * 3600 * 1000) } });
    try {
      const response = await callApi("GET", "/api/jobs", { cookie: aliceCookie });
      expect(response.status).toBe(401);
      expect(response.json.error.code).toBe("unauthorized");
    } finally {
      provideServices({ clock: { now: () => new Date() } });
    }
  });
});

describe("POST /api/jobs/{id}/cancel", () => {
  it("cancels a job in flight, stops its execution, and answers the same when repeated", async () => {
    const created = await createJob({ repo: "alice/project", git_ref: "main" });
    const stopsBefore = env.stepFunctions.callsOf("StopExecution").length;
    const first = await callApi("POST", `/api/jobs/${created.json.job_id}/cancel`, { cookie: aliceCookie });
    expect(first.status).toBe(200);
    expect(first.json.status).toBe("cancelled");
    const stops = env.stepFunctions.callsOf("StopExecution").slice(stopsBefore);
    expect(stops).toHaveLength(1);
    expect(String(stops[0].executionArn)).toMatch(new RegExp(`:${created.json.job_id}$`));
    const again = await callApi("POST", `/api/jobs/${created.json.job_id}/cancel`, { cookie: aliceCookie });
    expect(again.status).toBe(200);
    expect(again.json.status).toBe("cancelled");
  });

  it("answers 409 for a job that already failed", async () => {
    env.stepFunctions.failStartWith = { status: 500, type: "ServiceUnavailable", message: "down" };
    const created = await createJob({ repo: "alice/project", git_ref: "main" });
    expect(created.status).toBe(502);
    env.stepFunctions.failStartWith = undefined;
    const latest = (await callApi("GET", "/api/jobs?limit=1", { cookie: aliceCookie })).json.jobs[0];
    const cancel = await callApi("POST", `/api/jobs/${latest.job_id}/cancel`, { cookie: aliceCookie });
    expect(cancel.status).toBe(409);
    expect(cancel.json.error.code).toBe("job_finished");
  });
});
