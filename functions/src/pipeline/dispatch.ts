/**
 * The pipeline's Dispatch task (lambda:invoke.waitForTaskToken): hands a pending job to the builder
 * on RunPod, heartbeats the task while RunPod's queue holds the job (core/src/runpodQueue.ts), and
 * returns once a worker has it; the state machine then waits for the task token, which the
 * builder's complete callback answers. Thrown error names matter: the state machine retries
 * "RunpodUnavailable" and "RunpodNoCapacity" and sends everything else (e.g. "RunpodRejected",
 * "QueueTimeout", "RunpodLost") to MarkFailed.
 */
import * as z from "zod";
import { githubUrl, isLocalStage, loadSecrets, optionalSetting } from "@doctown/core/config";
import { appConfigured, createRepoInstallationToken, findAppInstallationId } from "@doctown/core/githubApp";
import { findRepoInstallation } from "@doctown/core/installation";
import { QUEUE_WAIT_SECONDS } from "@doctown/core/pipeline/definition";
import { randomToken, sha256Hex } from "@doctown/core/crypto";
import { findJob, QUEUED_STAGE, recordDispatch, recordRunpodJob, type Job } from "@doctown/core/job";
import { bestEffort } from "@doctown/core/jobSubmit";
import { RunpodRejected, RunpodUnavailable } from "@doctown/core/runpod";
import type { BuilderInput } from "@doctown/core/protocol";
import { waitUntilStarted } from "@doctown/core/runpodQueue";
import { runpod } from "@doctown/core/runpodService";
import { workflow } from "@doctown/core/stepFunctions";
import { docpackObjectKey, presignPut } from "@doctown/core/storage";

export const DispatchEvent = z.object({ jobId: z.string().min(1), taskToken: z.string().min(1) });

/** The job can no longer be built (cancelled or finished before dispatch): nothing was sent to RunPod. */
export class JobNotRunnable extends Error {
  constructor(message: string) {
    super(message);
    this.name = "JobNotRunnable";
  }
}

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
    return { jobId: job.id, runpodJobId: runpodJob.id };
  }
  // Until a worker takes the job, no builder heartbeats: watch RunPod's queue and send them here.
  await waitUntilStarted(runpodJob.id, {
    runpod: runpod(),
    heartbeat: () => workflow().sendHeartbeat(taskToken),
    jobState: async () => {
      const now = await findJob(job.id);
      if (!now || now.status !== "building") return "finished";
      return now.stage === QUEUED_STAGE ? "queued" : "started";
    },
    queueWaitMs: 1000 * secondsSetting("DOCTOWN_RUNPOD_QUEUE_WAIT_SECONDS", QUEUE_WAIT_SECONDS),
    pollMs: 1000 * secondsSetting("DOCTOWN_RUNPOD_POLL_SECONDS", 10),
  });
  return { jobId: job.id, runpodJobId: runpodJob.id };
}

function secondsSetting(name: "DOCTOWN_RUNPOD_QUEUE_WAIT_SECONDS" | "DOCTOWN_RUNPOD_POLL_SECONDS", fallback: number): number {
  const value = Number(optionalSetting(name));
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

async function builderInput(job: Job, callbackSecret: string, uploadUrl: string): Promise<BuilderInput> {
  const local = job.repoKind === "local";
  if (local && !isLocalStage()) throw new JobNotRunnable(`Job ${job.id} names a local repository, which only the local stage builds.`);
  const githubToken = local ? undefined : await installationToken(job.repo);
  const input: BuilderInput = {
    job_id: job.id,
    repo_url: local ? job.repo : `${githubUrl()}/${job.repo}.git`,
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

/**
 * A token of the app's installation for this one repository, contents:read, expiring within the
 * hour; undefined (an anonymous clone: public repositories build, private ones fail to clone) when
 * the app is not installed there. A user's own token never leaves the API.
 */
async function installationToken(fullName: string): Promise<string | undefined> {
  const [owner, name] = fullName.split("/") as [string, string];
  // Without an app (the local stage's dev sign-in) every GitHub repository is cloned anonymously.
  if (!appConfigured()) return undefined;
  // Recorded from the app's events; a stage without them (sharing the preview app) asks GitHub.
  const installationId = (await findRepoInstallation(fullName))?.installationId ?? (await findAppInstallationId(owner, name));
  if (installationId === null) return undefined;
  const minted = await createRepoInstallationToken(installationId, name);
  return minted?.token;
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
