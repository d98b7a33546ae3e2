/**
 * The pipeline's MarkFailed task: the Catch of Dispatch lands here with the error Step Functions
 * recorded. It fails the job with the reason in words (conditionally: a completed or cancelled job
 * stays as it is) and cancels the RunPod job, if one was started, so nothing keeps running.
 */
import * as z from "zod";
import { loadSecrets } from "@doctown/core/config";
import { failJob, type JobError } from "@doctown/core/job";
import { bestEffort } from "@doctown/core/jobSubmit";
import { runpod } from "@doctown/core/runpodService";

export const MarkFailedEvent = z.object({
  jobId: z.string().min(1),
  error: z.object({ Error: z.string().optional(), Cause: z.unknown().optional() }).default({}),
});

export async function handler(event: unknown): Promise<{ jobId: string; status: string | null; changed: boolean }> {
  const { jobId, error } = MarkFailedEvent.parse(event);
  await loadSecrets();
  const reason = failureReason(error.Error ?? "States.Runtime", causeText(error.Cause));
  const { changed, job } = await failJob(jobId, reason);
  if (job?.runpodJobId && job.status !== "completed") {
    const runpodJobId = job.runpodJobId;
    await bestEffort("cancel the RunPod job of a failed build", async () => {
      await runpod().cancel(runpodJobId);
    });
  }
  return { jobId, status: job?.status ?? null, changed };
}

/** Why the build failed, in words, from the Step Functions error name and cause. */
export function failureReason(errorName: string, cause: string): JobError {
  const detail = cause ? `: ${cause}` : ".";
  switch (errorName) {
    case "States.Timeout":
      return { code: "timeout", message: "The build did not finish within its time limit and was stopped." };
    case "States.HeartbeatTimeout":
      return { code: "heartbeat_lost", message: "The builder stopped reporting progress (heartbeat lost); it is presumed dead." };
    case "BuildFailed":
      return { code: "builder_error", message: `The builder reported a failure${detail}` };
    case "RunpodRejected":
      return { code: "dispatch_error", message: `RunPod refused the build${detail}` };
    case "QueueTimeout":
      return { code: "queue_timeout", message: `No RunPod worker took the build in time${detail}` };
    case "RunpodLost":
      return { code: "runpod_lost", message: `RunPod lost the build before the builder started${detail}` };
    case "RunpodNoCapacity":
      return { code: "dispatch_error", message: `RunPod had no capacity for the build${detail}` };
    case "RunpodUnavailable":
      return { code: "dispatch_error", message: `RunPod stayed unavailable${detail}` };
    default:
      return { code: "dispatch_error", message: `The build could not be dispatched (${errorName})${detail}` };
  }
}

/** A Lambda error's Cause is a JSON string with errorMessage; a task failure's is plain text. */
export function causeText(cause: unknown): string {
  if (cause === undefined || cause === null) return "";
  const text = typeof cause === "string" ? cause : JSON.stringify(cause);
  try {
    const parsed = JSON.parse(text) as { errorMessage?: unknown };
    if (parsed && typeof parsed.errorMessage === "string") return parsed.errorMessage;
  } catch {
    // plain text
  }
  return text.slice(0, 1500);
}
