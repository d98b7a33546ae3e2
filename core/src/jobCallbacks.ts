/**
 * The builder's callbacks (progress and complete), authorised by the job's callback secret.
 * A repeated complete answers as the first did; one after the job failed or was cancelled is a 409.
 * A success report is believed only after checking the object: HEAD for its size, then a streamed
 * GET to hash it (a presigned PUT cannot force honest metadata, and R2 keeps no SHA-256 of its own).
 */
import type { BuildStats } from "./buildStats";
import { deleteDocpackRecord, findDocpack, recordDocpack } from "./docpack";
import { Conflict, Unauthorized, Unprocessable } from "./errors";
import { completeJob, failJob, findJob, isCallbackSecretValid, recordProgress, type Job } from "./job";
import { bestEffort } from "./jobSubmit";
import { AcceptedCompletionReport, ProgressReport } from "./protocol";
import { services } from "./services";
import { deleteObject, docpackObjectKey, hashObject, headObject } from "./storage";
import { workflow } from "./stepFunctions";

export type CallbackAnswer = { job_id: string; status: Job["status"]; [field: string]: unknown };

/** The job whose secret this is; an unknown job and a wrong secret look alike (401). */
export async function authorizeCallback(jobId: string, presentedSecret: string | undefined): Promise<Job> {
  const job = await findJob(jobId);
  if (!job || !isCallbackSecretValid(job, presentedSecret))
    throw new Unauthorized("invalid_callback_secret", "The callback secret is missing or wrong.");
  return job;
}

export async function reportProgress(jobId: string, secret: string | undefined, body: unknown): Promise<CallbackAnswer> {
  const job = await authorizeCallback(jobId, secret);
  const report = ProgressReport.parse(body);
  const updated = await recordProgress(job.id, report);
  if (!updated) throw notRunning((await findJob(job.id)) ?? job);
  await bestEffort("send a task heartbeat", async () => {
    if (updated.taskToken) await workflow().sendHeartbeat(updated.taskToken);
  });
  return { job_id: updated.id, status: updated.status, stage: updated.stage, progress: updated.progress };
}

export async function reportCompletion(jobId: string, secret: string | undefined, body: unknown): Promise<CallbackAnswer> {
  const job = await authorizeCallback(jobId, secret);
  const report = AcceptedCompletionReport.parse(body);
  if (report.status === "failed") {
    const error = typeof report.error === "string" ? { code: "build_failed", message: report.error } : { code: report.error.code ?? "build_failed", message: report.error.message };
    return recordBuildFailure(job, error);
  }
  return recordBuildSuccess(job, report.size, report.sha256, report.stats ?? null);
}

async function recordBuildSuccess(job: Job, size: number, sha256: string, stats: BuildStats | null): Promise<CallbackAnswer> {
  if (job.status === "completed") return repeatedSuccess(job, size, sha256);
  if (job.status !== "building") {
    // Too late (cancelled or failed): the upload will never be recorded, so it is not kept either.
    if (job.status !== "pending") await bestEffort("delete an unrecorded docpack object", () => deleteObject(docpackObjectKey(job.id)));
    throw notRunning(job);
  }

  const key = docpackObjectKey(job.id);
  const head = await headObject(key);
  if (!head) return rejectUpload(job, "docpack_missing", "No docpack was uploaded for this job.");
  if (head.size !== size) return rejectUpload(job, "docpack_mismatch", `The uploaded docpack has ${head.size} bytes, the report says ${size}.`);
  if ((await hashObject(key)) !== sha256) return rejectUpload(job, "docpack_mismatch", "The uploaded docpack's SHA-256 differs from the report.");

  const fields = { jobId: job.id, userId: job.userId, repo: job.repo, gitRef: job.gitRef, commit: job.commit, objectKey: key, size, sha256, public: job.public, stats };
  let docpack = await recordDocpack(fields);
  if (docpack.size !== size || docpack.sha256 !== sha256) {
    // A record left by an earlier, interrupted report for a since-replaced upload: the checked object wins.
    await deleteDocpackRecord(docpack.id);
    docpack = await recordDocpack(fields);
  }
  const completed = await completeJob(job.id, docpack.id, stats, size);
  if (!completed) {
    const now = (await findJob(job.id)) ?? job;
    if (now.status === "completed") return repeatedSuccess(now, size, sha256);
    // Cancelled or failed while we checked: no docpack may remain recorded (or stored) for it.
    await deleteDocpackRecord(docpack.id);
    await bestEffort("delete an unrecorded docpack object", () => deleteObject(key));
    throw notRunning(now);
  }
  await bestEffort("send task success", async () => {
    if (completed.taskToken) await workflow().sendSuccess(completed.taskToken, { jobId: job.id, docpackId: docpack.id });
  });
  return successAnswer(completed);
}

async function repeatedSuccess(job: Job, size: number, sha256: string): Promise<CallbackAnswer> {
  const docpack = job.docpackId ? await findDocpack(job.docpackId) : null;
  if (!docpack || docpack.size !== size || docpack.sha256 !== sha256)
    throw new Conflict("job_already_completed", "The job already completed with a different docpack.");
  return successAnswer(job);
}

const successAnswer = (job: Job): CallbackAnswer => ({ job_id: job.id, status: "completed", docpack_id: job.docpackId });

/** The upload does not match the report: the object is removed and the job fails (nothing half-recorded). */
async function rejectUpload(job: Job, code: string, message: string): Promise<never> {
  await bestEffort("delete a rejected docpack object", () => deleteObject(docpackObjectKey(job.id)));
  await recordBuildFailure(job, { code, message });
  throw new Unprocessable(code, message);
}

async function recordBuildFailure(job: Job, error: { code: string; message: string }): Promise<CallbackAnswer> {
  if (job.status === "failed") return failureAnswer(job);
  if (job.status !== "pending" && job.status !== "building") throw notRunning(job);
  const { changed, job: now } = await failJob(job.id, error);
  if (!changed) {
    if (now?.status === "failed") return failureAnswer(now);
    throw notRunning(now ?? job);
  }
  await bestEffort("send task failure", async () => {
    if (now!.taskToken) await workflow().sendFailure(now!.taskToken, "BuildFailed", `${error.code}: ${error.message}`);
  });
  return failureAnswer(now!);
}

const failureAnswer = (job: Job): CallbackAnswer => ({ job_id: job.id, status: "failed", error: job.error });

function notRunning(job: Job) {
  return new Conflict("job_not_running", `The job is ${job.status}; the report was ignored.`);
}
