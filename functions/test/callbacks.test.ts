import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { headObject, docpackObjectKey } from "@doctown/core/storage";
import { startTestEnvironment, type TestEnvironment } from "@doctown/core/test/support/testEnvironment";
import { scanItems } from "@doctown/core/test/support/table";
import { callApi, signIn } from "./support/api";
import { callback, dispatchJob, uploadDocpack } from "./support/builds";

const alice = { id: 201, login: "alice", token: "gho_alice" };
let env: TestEnvironment;
let cookie: string;

beforeAll(async () => {
  env = await startTestEnvironment({ githubUsers: [alice], githubRepos: [{ owner: "alice", name: "project", refs: { main: "3".repeat(40) } }] });
  cookie = await signIn(alice);
});
afterAll(() => env?.stop());

/** A job that dispatch has handed to the builder (status building). */
async function buildingJob() {
  const created = await callApi("POST", "/api/jobs", { body: { repo: "alice/project", git_ref: "main" }, cookie });
  expect(created.status).toBe(202);
  const jobId: string = created.json.job_id;
  return { jobId, ...(await dispatchJob(jobId)) };
}
const jobStatus = async (jobId: string) => (await callApi("GET", `/api/jobs/${jobId}`, { cookie })).json;
const taskCalls = (action: string, taskToken: string) => env.stepFunctions.callsOf(action).filter((call) => call.taskToken === taskToken);

describe("POST /api/jobs/{id}/progress", () => {
  it("records stage and percent and sends a task heartbeat", async () => {
    const { jobId, secret, taskToken } = await buildingJob();
    const response = await callback(jobId, "progress", secret, { stage: "scan", percent: 40, message: "12 files" });
    expect(response.status).toBe(200);
    expect(response.json).toEqual({ job_id: jobId, status: "building", stage: "scan", progress: 40 });
    expect(taskCalls("SendTaskHeartbeat", taskToken)).toHaveLength(1);
    expect(await jobStatus(jobId)).toMatchObject({ status: "building", stage: "scan", progress: 40, message: "12 files" });
    // Progress never goes backwards.
    await callback(jobId, "progress", secret, { stage: "extract", percent: 20 });
    expect(await jobStatus(jobId)).toMatchObject({ stage: "extract", progress: 40 });
    await callApi("POST", `/api/jobs/${jobId}/cancel`, { cookie });
  });

  it("answers 401 for a wrong or missing secret and changes nothing", async () => {
    const { jobId, taskToken } = await buildingJob();
    for (const secret of ["wrong-secret", undefined]) {
      const response = await callback(jobId, "progress", secret, { stage: "scan", percent: 50 });
      expect(response.status).toBe(401);
      expect(response.json.error.code).toBe("invalid_callback_secret");
    }
    expect((await callback("no-such-job", "progress", "whatever", { stage: "scan", percent: 1 })).status).toBe(401);
    expect(await jobStatus(jobId)).toMatchObject({ progress: 0 });
    expect(taskCalls("SendTaskHeartbeat", taskToken)).toHaveLength(0);
    await callApi("POST", `/api/jobs/${jobId}/cancel`, { cookie });
  });

  it("rejects malformed reports with 400", async () => {
    const { jobId, secret } = await buildingJob();
    expect((await callback(jobId, "progress", secret, { stage: "scan", percent: 150 })).json.error.code).toBe("invalid_percent");
    expect((await callback(jobId, "progress", secret, { stage: "<script>", percent: 5 })).json.error.code).toBe("invalid_stage");
    expect((await callback(jobId, "progress", secret, "{oops")).json.error.code).toBe("invalid_json");
    await callApi("POST", `/api/jobs/${jobId}/cancel`, { cookie });
  });

  it("answers 409 once the job is no longer building", async () => {
    const { jobId, secret } = await buildingJob();
    await callApi("POST", `/api/jobs/${jobId}/cancel`, { cookie });
    const response = await callback(jobId, "progress", secret, { stage: "scan", percent: 60 });
    expect(response.status).toBe(409);
    expect(await jobStatus(jobId)).toMatchObject({ status: "cancelled", progress: 0 });
  });
});

describe("POST /api/jobs/{id}/complete", () => {
  it("checks the object, records the docpack, completes the job and answers a repeat the same way", async () => {
    const { jobId, secret, taskToken } = await buildingJob();
    const upload = await uploadDocpack(jobId);
    const report = { status: "succeeded", size: upload.size, sha256: upload.sha256 };
    const first = await callback(jobId, "complete", secret, report);
    expect(first.status).toBe(200);
    expect(first.json).toEqual({ job_id: jobId, status: "completed", docpack_id: jobId });
    expect(await jobStatus(jobId)).toMatchObject({ status: "completed", progress: 100, docpack_id: jobId });
    const success = taskCalls("SendTaskSuccess", taskToken);
    expect(success).toHaveLength(1);
    expect(JSON.parse(String(success[0].output))).toEqual({ jobId, docpackId: jobId });
    const [docpack] = (await scanItems("docpack")).filter((item) => item.id === jobId);
    expect(docpack).toMatchObject({ size: upload.size, sha256: upload.sha256, objectKey: docpackObjectKey(jobId), userId: String(alice.id) });

    const repeat = await callback(jobId, "complete", secret, report);
    expect(repeat.status).toBe(200);
    expect(repeat.json).toEqual(first.json);
    expect(taskCalls("SendTaskSuccess", taskToken)).toHaveLength(1);

    const different = await callback(jobId, "complete", secret, { ...report, sha256: "f".repeat(64) });
    expect(different.status).toBe(409);
    const late = await callback(jobId, "complete", secret, { status: "failed", error: "too late" });
    expect(late.status).toBe(409);
    expect(await jobStatus(jobId)).toMatchObject({ status: "completed" });
  });

  it("answers 401 for a wrong secret and records nothing", async () => {
    const { jobId } = await buildingJob();
    const upload = await uploadDocpack(jobId);
    const response = await callback(jobId, "complete", "not-the-secret", { status: "succeeded", size: upload.size, sha256: upload.sha256 });
    expect(response.status).toBe(401);
    expect(await jobStatus(jobId)).toMatchObject({ status: "building" });
    expect((await scanItems("docpack")).some((item) => item.id === jobId)).toBe(false);
    await callApi("POST", `/api/jobs/${jobId}/cancel`, { cookie });
  });

  it("fails the job when the uploaded object does not match the report, and removes the object", async () => {
    const { jobId, secret, taskToken } = await buildingJob();
    const upload = await uploadDocpack(jobId);
    const response = await callback(jobId, "complete", secret, { status: "succeeded", size: upload.size, sha256: "0".repeat(64) });
    expect(response.status).toBe(422);
    expect(response.json.error.code).toBe("docpack_mismatch");
    expect(await jobStatus(jobId)).toMatchObject({ status: "failed", error: { code: "docpack_mismatch" } });
    expect(taskCalls("SendTaskFailure", taskToken)).toHaveLength(1);
    expect(await headObject(docpackObjectKey(jobId))).toBeNull();
    expect((await scanItems("docpack")).some((item) => item.id === jobId)).toBe(false);
  });

  it("fails the job when nothing was uploaded", async () => {
    const { jobId, secret } = await buildingJob();
    const response = await callback(jobId, "complete", secret, { status: "succeeded", size: 10, sha256: "a".repeat(64) });
    expect(response.status).toBe(422);
    expect(response.json.error.code).toBe("docpack_missing");
    expect(await jobStatus(jobId)).toMatchObject({ status: "failed" });
  });

  it("records a failure report once; a later success report answers 409 and changes nothing", async () => {
    const { jobId, secret, taskToken } = await buildingJob();
    const report = { status: "failed", error: { code: "clone_failed", message: "could not clone" } };
    const first = await callback(jobId, "complete", secret, report);
    expect(first.status).toBe(200);
    expect(first.json).toEqual({ job_id: jobId, status: "failed", error: { code: "clone_failed", message: "could not clone" } });
    expect(taskCalls("SendTaskFailure", taskToken)).toHaveLength(1);
    expect(taskCalls("SendTaskFailure", taskToken)[0]).toMatchObject({ error: "BuildFailed" });
    const repeat = await callback(jobId, "complete", secret, report);
    expect(repeat.json).toEqual(first.json);
    expect(taskCalls("SendTaskFailure", taskToken)).toHaveLength(1);

    const upload = await uploadDocpack(jobId);
    const late = await callback(jobId, "complete", secret, { status: "succeeded", size: upload.size, sha256: upload.sha256 });
    expect(late.status).toBe(409);
    expect(late.json.error.code).toBe("job_not_running");
    expect(await jobStatus(jobId)).toMatchObject({ status: "failed", error: { code: "clone_failed" } });
    expect((await scanItems("docpack")).some((item) => item.id === jobId)).toBe(false);
  });

  it("answers 409 after the job was cancelled and records no docpack", async () => {
    const { jobId, secret } = await buildingJob();
    const upload = await uploadDocpack(jobId);
    await callApi("POST", `/api/jobs/${jobId}/cancel`, { cookie });
    const response = await callback(jobId, "complete", secret, { status: "succeeded", size: upload.size, sha256: upload.sha256 });
    expect(response.status).toBe(409);
    expect(await jobStatus(jobId)).toMatchObject({ status: "cancelled", docpack_id: null });
    expect((await scanItems("docpack")).some((item) => item.id === jobId)).toBe(false);
    expect(await headObject(docpackObjectKey(jobId))).toBeNull();
  });

  it("rejects malformed reports with 400", async () => {
    const { jobId, secret } = await buildingJob();
    expect((await callback(jobId, "complete", secret, { status: "done" })).status).toBe(400);
    expect((await callback(jobId, "complete", secret, { status: "succeeded", size: -1, sha256: "x" })).status).toBe(400);
    expect(await jobStatus(jobId)).toMatchObject({ status: "building" });
    await callApi("POST", `/api/jobs/${jobId}/cancel`, { cookie });
  });
});
