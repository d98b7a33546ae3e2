/**
 * The scheduled sweeper (EventBridge rule, every SWEEP_EVERY_MINUTES): fails jobs still in flight
 * past the pipeline's limit, so no job stays pending or building forever even when MarkFailed
 * could not run. The rule is core's (jobSweep.ts), the same the local stack applies.
 */
import { loadSecrets } from "@doctown/core/config";
import { failStaleJobs } from "@doctown/core/jobSweep";

export async function handler(): Promise<{ failed: string[] }> {
  await loadSecrets();
  const failed = await failStaleJobs();
  if (failed.length > 0) console.warn(`doctown: failed ${failed.length} stale job(s): ${failed.map((job) => job.id).join(", ")}`);
  return { failed: failed.map((job) => job.id) };
}
