import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createRunpodClient } from "@doctown/core/runpod";
import { provideServices, resetServices } from "@doctown/core/services";
import { startTestEnvironment, type TestEnvironment } from "@doctown/core/test/support/testEnvironment";
import { scanItems } from "@doctown/core/test/support/table";
import { handler as dispatch } from "../src/pipeline/dispatch";
import { callApi, signIn } from "./support/api";
import { deliver, install, nextPushedAt, pushPayload, sha, WEBHOOK_SECRET } from "./support/webhooks";

const alice = { id: 401, login: "alice", token: "gho_alice_burst" };
const BRANCHES = ["burst", "parallel", "order", "dispatched", "fails", "manual"];

let env: TestEnvironment;
let cookie: string;

beforeAll(async () => {
  env = await startTestEnvironment({
    githubUsers: [alice],
    githubRepos: [{ owner: "alice", name: "project", refs: { manual: sha(1) } }],
    extraEnv: { GITHUB_WEBHOOK_SECRET: WEBHOOK_SECRET },
  });
  cookie = await signIn(alice);
  await install(["alice/project"]);
  const saved = await callApi("PUT", "/api/repos/alice/project/settings", { body: { auto_build: true, branches: BRANCHES }, cookie });
  expect(saved.status).toBe(200);
});
afterAll(() => env?.stop());
/** Cancels what earlier tests left in flight: push builds count toward the owner's limit on manual builds. */
beforeEach(async () => {
  env.stepFunctions.failStartWith = undefined;
  for (const job of await scanItems("job"))
    if (job.status === "pending" || job.status === "building") await callApi("POST", `/api/jobs/${job.id}/cancel`, { cookie });
});

const jobsOn = async (branch: string) => (await scanItems("job")).filter((job) => job.gitRef === branch) as Array<Record<string, any>>;
const inFlight = (jobs: Array<Record<string, any>>) => jobs.filter((job) => job.status === "pending" || job.status === "building");
const stopsOf = (jobs: Array<Record<string, any>>) =>
  env.stepFunctions.callsOf("StopExecution").filter((call) => jobs.some((job) => job.executionId === call.executionArn));
const push = (branch: string, n: number, options: { before?: number; pushedAt?: number } = {}) =>
  deliver("push", pushPayload({ ref: `refs/heads/${branch}`, after: sha(n), before: options.before === undefined ? undefined : sha(options.before), pushedAt: options.pushedAt }));

describe("a newer push supersedes the older push's build", () => {
  it("a burst of 10 pushes leaves exactly one job in flight, for the last commit; the others are cancelled and stopped", async () => {
    const second = nextPushedAt(); // all within the same second: order comes from arrival and the before → after chain
    for (let n = 1; n <= 10; n++) {
      const response = await push("burst", 200 + n, { before: n === 1 ? undefined : 200 + n - 1, pushedAt: second });
      expect(response.status).toBe(202);
      expect(response.json.result).toBe("build_started");
    }
    const jobs = await jobsOn("burst");
    expect(jobs).toHaveLength(10);
    expect(inFlight(jobs).map((job) => job.commit)).toEqual([sha(210)]);
    const cancelled = jobs.filter((job) => job.status === "cancelled");
    expect(cancelled).toHaveLength(9);
    for (const job of cancelled) expect(job.message).toMatch(/^Superseded by a newer push/);
    // Every superseded execution was stopped, the surviving one was not.
    expect(stopsOf(cancelled)).toHaveLength(9);
    expect(stopsOf(inFlight(jobs))).toHaveLength(0);
  });

  it("concurrent deliveries arriving in any order still leave only the newest push in flight", async () => {
    const pushedAts = Array.from({ length: 10 }, () => nextPushedAt());
    const order = [7, 2, 9, 0, 5, 3, 8, 1, 6, 4];
    const responses = await Promise.all(order.map((i) => push("parallel", 300 + i, { before: i === 0 ? undefined : 300 + i - 1, pushedAt: pushedAts[i] })));
    for (const response of responses) expect(response.status).toBe(202);
    const jobs = await jobsOn("parallel");
    expect(inFlight(jobs).map((job) => job.commit)).toEqual([sha(309)]);
    expect(jobs.filter((job) => job.status === "cancelled")).toHaveLength(jobs.length - 1);
  });

  it("an older push delivered late does not replace the newer build", async () => {
    const second = nextPushedAt();
    expect((await push("order", 401, { before: 400, pushedAt: second })).json.result).toBe("build_started");
    expect((await push("order", 402, { before: 401, pushedAt: second })).json.result).toBe("build_started");
    // The very same signed body again (under a fresh delivery id) is a replay: nothing happens.
    expect((await push("order", 401, { before: 400, pushedAt: second })).json.result).toBe("duplicate_delivery");
    // The push of 401 arriving late in another delivery (its body differs) is the predecessor of 402: stale.
    const late = await deliver("push", { ...pushPayload({ ref: "refs/heads/order", after: sha(401), before: sha(400), pushedAt: second }), hook_id: 2 });
    expect(late.json.result).toBe("superseded");
    // A push from an earlier second arriving now is stale as well.
    const earlier = await push("order", 399, { pushedAt: second - 5 });
    expect(earlier.json.result).toBe("superseded");
    const jobs = await jobsOn("order");
    expect(inFlight(jobs).map((job) => job.commit)).toEqual([sha(402)]);
    const staleJob = jobs.find((job) => job.id === earlier.json.job_id)!;
    expect(staleJob).toMatchObject({ status: "cancelled", executionId: null });
  });

  it("cancels the RunPod job of a build already dispatched", async () => {
    const first = await push("dispatched", 501);
    const firstJobId: string = first.json.job_id;
    // The pipeline's Dispatch task hands the job to (fake) RunPod: building, with a RunPod id.
    const { runpodJobId } = await dispatch({ jobId: firstJobId, taskToken: `token-${firstJobId}` });
    expect(env.runpod.jobs.get(runpodJobId)?.status).toBe("IN_PROGRESS");

    const second = await push("dispatched", 502, { before: 501 });
    expect(second.json).toMatchObject({ result: "build_started", superseded_job_id: firstJobId });
    expect(env.runpod.jobs.get(runpodJobId)?.status).toBe("CANCELLED");
    const status = await callApi("GET", `/api/jobs/${firstJobId}`, { cookie });
    expect(status.json).toMatchObject({ status: "cancelled", message: expect.stringMatching(/^Superseded/) });
  });

  it("still cancels (and answers quickly) when RunPod is down or hangs: stopping the old build is best effort", async () => {
    const first = await push("dispatched", 511);
    const { runpodJobId } = await dispatch({ jobId: first.json.job_id, taskToken: `token-${first.json.job_id}` });
    env.runpod.failNext.push(503, 503, 503);
    const second = await push("dispatched", 512, { before: 511 });
    expect(second.json).toMatchObject({ result: "build_started", superseded_job_id: first.json.job_id });
    expect(env.runpod.jobs.get(runpodJobId)?.status).toBe("IN_PROGRESS");
    expect((await callApi("GET", `/api/jobs/${first.json.job_id}`, { cookie })).json.status).toBe("cancelled");

    // A RunPod that accepts the connection and never answers: GitHub must still get its answer in time.
    const { runpodJobId: hungJob } = await dispatch({ jobId: second.json.job_id, taskToken: `token-${second.json.job_id}` });
    expect(hungJob).toBeTruthy();
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    provideServices({ runpod: createRunpodClient({ apiUrl: `http://127.0.0.1:${(silent.address() as AddressInfo).port}/v2`, apiKey: "k", endpointId: "e" }) });
    try {
      const startedAt = Date.now();
      const third = await push("dispatched", 513, { before: 512 });
      expect(third.json).toMatchObject({ result: "build_started", superseded_job_id: second.json.job_id });
      expect(Date.now() - startedAt).toBeLessThan(8000); // GitHub waits 10 s; the RunPod client alone would take 30 s
    } finally {
      silent.closeAllConnections();
      silent.close();
      resetServices();
    }
    expect(inFlight(await jobsOn("dispatched")).map((job) => job.commit)).toEqual([sha(513)]);
  });

  it("does not cancel a build started by hand from the dashboard", async () => {
    const manual = await callApi("POST", "/api/jobs", { body: { repo: "alice/project", git_ref: "manual" }, cookie });
    expect(manual.status).toBe(202);
    expect((await push("manual", 601)).json.result).toBe("build_started");
    expect(inFlight(await jobsOn("manual"))).toHaveLength(2);
    await callApi("POST", `/api/jobs/${manual.json.job_id}/cancel`, { cookie });
  });

  it("fails the job (never leaves it pending) when the workflow cannot start, and lets GitHub redeliver", async () => {
    env.stepFunctions.failStartWith = { status: 500, type: "ServiceUnavailable", message: "try later" };
    const payload = pushPayload({ ref: "refs/heads/fails", after: sha(701) });
    const failed = await deliver("push", payload);
    expect(failed.status).toBe(502);
    expect(failed.json.error.code).toBe("workflow_start_failed");
    expect(await jobsOn("fails")).toMatchObject([{ status: "failed" }]);

    env.stepFunctions.failStartWith = undefined;
    const redelivered = await deliver("push", payload, { deliveryId: failed.deliveryId });
    expect(redelivered.status).toBe(202);
    expect(redelivered.json.result).toBe("build_started");
    expect(inFlight(await jobsOn("fails")).map((job) => job.commit)).toEqual([sha(701)]);
  });
});
