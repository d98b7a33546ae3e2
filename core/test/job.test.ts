import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  completeJob,
  createJob,
  failInterruptedJobs,
  failJob,
  findJob,
  listJobsInFlight,
  markJobCancelled,
  recordDispatch,
  recordProgress,
  recordRunpodJob,
} from "../src/job";
import { startTestEnvironment, type TestEnvironment } from "./support/testEnvironment";

let env: TestEnvironment;
beforeAll(async () => {
  env = await startTestEnvironment();
});
afterAll(() => env?.stop());

const newJob = (userId = "u1") =>
  createJob({ userId, repo: "octo/repo", repoKind: "github", gitRef: "main", commit: "c".repeat(40), callbackBaseUrl: "https://doctown.test" });
const dispatch = { taskToken: "token", callbackSecretHash: "a".repeat(64) };

describe("job status transitions", () => {
  it("goes pending → building → completed, each step only from the expected status", async () => {
    const job = await newJob();
    expect(job.status).toBe("pending");
    expect(await completeJob(job.id, job.id)).toBeNull();
    expect(await recordProgress(job.id, { stage: "scan", percent: 10 })).toBeNull();

    const building = await recordDispatch(job.id, { ...dispatch, runpodJobId: "rp-1" });
    expect(building).toMatchObject({ status: "building", taskToken: "token", runpodJobId: "rp-1" });
    expect(await recordProgress(job.id, { stage: "scan", percent: 55.4 })).toMatchObject({ stage: "scan", progress: 55 });

    const completed = await completeJob(job.id, "docpack-1");
    expect(completed).toMatchObject({ status: "completed", docpackId: "docpack-1", progress: 100 });
    // Nothing moves a completed job: not a late failure, a cancel, a new dispatch or progress.
    expect(await failJob(job.id, { code: "late", message: "late" })).toMatchObject({ changed: false, job: { status: "completed" } });
    expect(await markJobCancelled(job.id)).toBeNull();
    expect(await recordDispatch(job.id, dispatch)).toBeNull();
    expect(await recordProgress(job.id, { stage: "x", percent: 1 })).toBeNull();
    expect((await findJob(job.id))?.status).toBe("completed");
  });

  it("allows a dispatch retry while building, but never after cancel", async () => {
    const job = await newJob();
    await recordDispatch(job.id, dispatch);
    expect(await recordDispatch(job.id, { taskToken: "token-2", callbackSecretHash: "b".repeat(64) })).toMatchObject({ taskToken: "token-2" });
    expect(await recordRunpodJob(job.id, "rp-2")).toMatchObject({ runpodJobId: "rp-2" });
    expect(await markJobCancelled(job.id)).toMatchObject({ status: "cancelled" });
    expect(await recordDispatch(job.id, dispatch)).toBeNull();
    expect(await recordRunpodJob(job.id, "rp-3")).toBeNull();
    expect(await failJob(job.id, { code: "x", message: "y" })).toMatchObject({ changed: false, job: { status: "cancelled" } });
  });

  it("fails a pending job with its reason, once", async () => {
    const job = await newJob();
    expect(await failJob(job.id, { code: "boom", message: "it broke" })).toMatchObject({ changed: true, job: { status: "failed", error: { code: "boom", message: "it broke" } } });
    expect(await failJob(job.id, { code: "again", message: "again" })).toMatchObject({ changed: false, job: { error: { code: "boom" } } });
    expect(await failJob("missing-job", { code: "x", message: "y" })).toEqual({ changed: false, job: null });
  });

  it("finds and fails every job left in flight (local stack restart)", async () => {
    const pending = await newJob("restart-user");
    const building = await newJob("restart-user");
    await recordDispatch(building.id, dispatch);
    const inFlight = (await listJobsInFlight()).map((job) => job.id);
    expect(inFlight).toEqual(expect.arrayContaining([pending.id, building.id]));
    expect(await failInterruptedJobs()).toBe(inFlight.length);
    expect(await findJob(pending.id)).toMatchObject({ status: "failed", error: { code: "interrupted" } });
    expect(await findJob(building.id)).toMatchObject({ status: "failed" });
    expect(await listJobsInFlight()).toEqual([]);
  });

  it("rejects invalid new jobs before writing", async () => {
    await expect(createJob({ userId: "u", repo: "o/r", repoKind: "github", gitRef: "main", commit: "nope", callbackBaseUrl: "https://x" })).rejects.toThrow();
    expect(await findJob("../../etc")).toBeNull();
  });
});
