/**
 * Starting and cancelling jobs: the steps around the Job record that talk to GitHub (or local git),
 * the workflow and RunPod. A job is never left pending: if the workflow cannot start, it fails.
 */
import { randomUUID } from "node:crypto";
import * as z from "zod";
import { claimBuildSlot, releaseBuildSlot } from "./buildSlot";
import { BadGateway, BadRequest, Conflict, TooManyRequests } from "./errors";
import { createJob, failJob, getJobForUser, jobHolderStatus, markJobCancelled, recordExecution, type Job } from "./job";
import { GitRef, parseRepo, resolveLocalCommit } from "./jobRef";
import { consumeRateLimit } from "./rateLimit";
import { services } from "./services";
import { getGitHubToken } from "./user";
import { runpod } from "./runpodService";
import { workflow } from "./stepFunctions";

/** How many pending/building jobs one user may have at once. */
export const MAX_JOBS_IN_FLIGHT = 3;

/** The body of POST /api/jobs. */
export const JobRequest = z.object({
  repo: z.string().min(1, "repo is required").max(4096),
  git_ref: GitRef,
  public: z.boolean().optional(),
});
export type JobRequest = z.input<typeof JobRequest>;

/** Validates, checks access, resolves the ref, enforces the limit, writes the job, starts the workflow. */
export async function submitJob(options: { userId: string; request: unknown; callbackBaseUrl: string; clientIp?: string }): Promise<Job> {
  // Counted before any work (GitHub calls, git): refused attempts cost nothing downstream.
  await consumeRateLimit("jobCreateUser", options.userId);
  await consumeRateLimit("jobCreateIp", options.clientIp);
  const request = JobRequest.parse(options.request);
  const repo = parseRepo(request.repo);
  let repoName: string;
  let commit: string;
  if (repo.kind === "local") {
    repoName = repo.path;
    commit = await resolveLocalCommit(repo.path, request.git_ref);
  } else {
    const { github } = services();
    const token = await getGitHubToken(options.userId);
    const info = await github.getRepo(token, repo.owner, repo.name);
    if (!info) throw new BadRequest("repo_not_found", `Repository ${repo.fullName} does not exist or you cannot read it.`);
    repoName = info.fullName;
    const sha = await github.resolveCommit(token, repo.owner, repo.name, request.git_ref);
    if (!sha) throw new BadRequest("ref_not_found", `git_ref ${JSON.stringify(request.git_ref)} does not name a commit in ${info.fullName}.`);
    commit = sha;
  }

  // A slot is claimed with a conditional write before the job exists: parallel requests cannot all pass.
  const jobId = randomUUID();
  const buildSlot = await claimBuildSlot(options.userId, jobId, MAX_JOBS_IN_FLIGHT, jobHolderStatus);
  if (buildSlot === null)
    throw new TooManyRequests("too_many_jobs", `You already have ${MAX_JOBS_IN_FLIGHT} jobs in flight; wait for one to finish.`);

  let job: Job;
  try {
    job = await createJob({
      id: jobId,
      buildSlot,
      userId: options.userId,
      repo: repoName,
      repoKind: repo.kind,
      gitRef: request.git_ref,
      commit,
      public: request.public ?? false,
      callbackBaseUrl: options.callbackBaseUrl,
    });
  } catch (error) {
    await releaseBuildSlot(options.userId, buildSlot, jobId);
    throw error;
  }
  return startJobWorkflow(job);
}

/** Starts the pipeline for a pending job and records the execution; on failure the job fails. */
export async function startJobWorkflow(job: Job): Promise<Job> {
  let executionId: string;
  try {
    ({ executionId } = await workflow().start({ jobId: job.id }));
  } catch (error) {
    const reason = (error as Error).message || String(error);
    await failJob(job.id, { code: "workflow_start_failed", message: `The build pipeline could not be started: ${reason}` });
    throw new BadGateway("workflow_start_failed", "The build pipeline could not be started; the job was marked failed.");
  }
  return (await recordExecution(job.id, executionId)) ?? job;
}

/**
 * Cancels the user's job: pending/building → cancelled, then stops the execution and the RunPod
 * job (best effort; the status is what counts). Cancelling twice answers the same; a finished job 409.
 */
export async function cancelJobForUser(jobId: string, userId: string): Promise<Job> {
  const job = await getJobForUser(jobId, userId);
  if (job.status === "cancelled") return job;
  const cancelled = await markJobCancelled(job.id);
  if (!cancelled) {
    const now = await getJobForUser(jobId, userId);
    if (now.status === "cancelled") return now;
    throw new Conflict("job_finished", `The job already ${now.status === "completed" ? "completed" : "failed"}; it cannot be cancelled.`);
  }
  await bestEffort("stop execution", async () => {
    if (cancelled.executionId) await workflow().stop(cancelled.executionId, "Cancelled by the user.");
  });
  await bestEffort("cancel RunPod job", async () => {
    if (cancelled.runpodJobId) await runpod().cancel(cancelled.runpodJobId);
  });
  return cancelled;
}

/** Runs a side effect whose failure must not undo the state change before it; logs instead. */
export async function bestEffort(what: string, action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (error) {
    console.warn(`doctown: could not ${what}: ${(error as Error).message}`);
  }
}
