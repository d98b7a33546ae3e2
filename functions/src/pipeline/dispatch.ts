/**
 * The pipeline's Dispatch task (lambda:invoke.waitForTaskToken): hands a pending job to the builder
 * on RunPod and returns; the state machine then waits for the task token, which the builder's
 * complete callback answers. Thrown error names matter: the state machine retries
 * "RunpodUnavailable" and sends everything else (e.g. "RunpodRejected") to MarkFailed.
 */
import * as z from "zod";
import { isLocalStage, loadSecrets } from "@doctown/core/config";
import { randomToken, sha256Hex } from "@doctown/core/crypto";
import { findJob, recordDispatch, recordRunpodJob, type Job } from "@doctown/core/job";
import { bestEffort } from "@doctown/core/jobSubmit";
import { RunpodRejected, RunpodUnavailable } from "@doctown/core/runpod";
import { docpackObjectKey, presignPut } from "@doctown/core/storage";
import { getGitHubToken } from "@doctown/core/user";
import { runpod } from "@doctown/core/runpodService";

export const DispatchEvent = z.object({ jobId: z.string().min(1), taskToken: z.string().min(1) });

/** The job can no longer be built (cancelled or finished before dispatch): nothing was sent to RunPod. */
export class JobNotRunnable extends Error {
  constructor(message: string) {
    super(message);
    this.name = "JobNotRunnable";
  }
}

/** The builder's input, as the RunPod handler and the local RunPod-compatible server read it. */
export type BuilderInput = {
  job_id: string;
  repo_url: string;
  git_ref: string;
  commit: string;
  github_token?: string;
  upload_url: string;
  callback_url: string;
  callback_secret: string;
  options?: { allowLocal?: boolean };
};

export async function handler(event: unknown): Promise<{ jobId: string; runpodJobId: string }> {
  const { jobId, taskToken } = DispatchEvent.parse(event);
  await loadSecrets();
  const job = await findJob(jobId);
  if (!job) throw new JobNotRunnable(`Job ${jobId} does not exist.`);
  // "building" is a retry of this task after RunPod was unavailable: dispatch again.
  if (job.status !== "pending" && job.status !== "building") throw new JobNotRunnable(`Job ${jobId} is ${job.status}; not dispatched.`);

  const callbackSecret = randomToken(32);
  const uploadUrl = await presignPut(docpackObjectKey(job.id));
  const input = await builderInput(job, callbackSecret, uploadUrl);

  // Record the secret before the builder can call back with it; conditional on the job still running.
  const dispatched = await recordDispatch(job.id, { taskToken, callbackSecretHash: sha256Hex(callbackSecret) });
  if (!dispatched) throw new JobNotRunnable(`Job ${jobId} finished before dispatch; not dispatched.`);

  const runpodJob = await runOnRunpod(input);
  const recorded = await recordRunpodJob(job.id, runpodJob.id);
  if (!recorded) {
    // Cancelled (or failed) while RunPod was being called: the build must not run on.
    await bestEffort("cancel a RunPod job of a finished job", async () => {
      await runpod().cancel(runpodJob.id);
    });
  }
  return { jobId: job.id, runpodJobId: runpodJob.id };
}

async function builderInput(job: Job, callbackSecret: string, uploadUrl: string): Promise<BuilderInput> {
  const local = job.repoKind === "local";
  if (local && !isLocalStage()) throw new JobNotRunnable(`Job ${job.id} names a local repository, which only the local stage builds.`);
  const githubToken = local ? undefined : await getGitHubToken(job.userId);
  const input: BuilderInput = {
    job_id: job.id,
    repo_url: local ? job.repo : `https://github.com/${job.repo}.git`,
    git_ref: job.gitRef,
    commit: job.commit,
    upload_url: uploadUrl,
    callback_url: `${job.callbackBaseUrl.replace(/\/+$/, "")}/api/jobs/${encodeURIComponent(job.id)}`,
    callback_secret: callbackSecret,
  };
  if (githubToken) input.github_token = githubToken;
  if (local) input.options = { allowLocal: true };
  return input;
}

/** POST /run; RunPod's own retries are in the client, the state machine's Retry covers longer outages. */
async function runOnRunpod(input: BuilderInput) {
  try {
    return await runpod().run(input);
  } catch (error) {
    if (error instanceof RunpodUnavailable || error instanceof RunpodRejected) throw error;
    throw new RunpodUnavailable(`RunPod could not be reached: ${(error as Error).message}`);
  }
}
