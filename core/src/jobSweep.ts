/**
 * Jobs that can no longer finish are failed, never left in flight: the one rule both stacks use.
 *  - The local stack fails every job in flight when it starts or stops (its in-process workflow,
 *    which would have finished or failed them, is gone): INTERRUPTED_AT_START / _AT_STOP.
 *  - Every stage (a scheduled sweeper in the cloud, a timer on the local stack) fails jobs still in
 *    flight after the pipeline's own limit: the execution would have timed out and MarkFailed
 *    recorded it, unless something in between failed (STALE_JOB).
 * Each failure is a conditional update (a job that finished meanwhile stays as it is), and the
 * job's RunPod build, if one was started, is cancelled so nothing keeps running.
 */
import { failJob, listJobsInFlight, type Job, type JobError } from "./job";
import { bestEffort } from "./jobSubmit";
import { EXECUTION_TIMEOUT_SECONDS } from "./pipeline/definition";
import { runpod } from "./runpodService";
import { services } from "./services";

export const INTERRUPTED_AT_START: JobError = { code: "interrupted", message: "The local stack stopped while this job was running (found on restart)." };
export const INTERRUPTED_AT_STOP: JobError = { code: "interrupted", message: "The local stack stopped while this job was running." };

/** Time for MarkFailed (and its retries) to record a timed-out execution before the sweeper does. */
const STALE_GRACE_SECONDS = 600;
/** A job in flight longer than this is stale: the pipeline's limit (core/src/pipeline/definition.ts) plus grace. */
export const STALE_AFTER_SECONDS = EXECUTION_TIMEOUT_SECONDS + STALE_GRACE_SECONDS;
/** How often the sweeper runs (EventBridge rule and local timer). */
export const SWEEP_EVERY_MINUTES = 10;

export const STALE_JOB: JobError = {
  code: "stale",
  message: `The job was still in flight ${Math.round(STALE_AFTER_SECONDS / 60)} minutes after it was created, past the pipeline's limit; it was stopped and marked failed.`,
};

/** Fails the jobs in flight (those created before `createdBefore`, if given); returns the ones it failed. */
export async function failJobsInFlight(reason: JobError, options: { createdBefore?: Date } = {}): Promise<Job[]> {
  const failed: Job[] = [];
  const cutoff = options.createdBefore?.toISOString();
  for (const job of await listJobsInFlight()) {
    if (cutoff !== undefined && !(job.createdAt < cutoff)) continue;
    const { changed } = await failJob(job.id, reason);
    if (!changed) continue;
    failed.push(job);
    if (job.runpodJobId) {
      const runpodJobId = job.runpodJobId;
      await bestEffort("cancel the RunPod job of a job that was failed", async () => {
        await runpod().cancel(runpodJobId);
      });
    }
  }
  return failed;
}

/** Fails every job in flight for longer than STALE_AFTER_SECONDS. */
export function failStaleJobs(now: Date = services().clock.now()): Promise<Job[]> {
  return failJobsInFlight(STALE_JOB, { createdBefore: new Date(now.getTime() - STALE_AFTER_SECONDS * 1000) });
}
