/**
 * The sweep for orphaned docpack objects: an object under the docpack prefix that no docpack record
 * points at, older than a grace period, whose job is not in flight, is deleted. Failed and cancelled
 * jobs delete their object when they finish (job.ts); this catches what that cannot — an upload
 * that arrives after the job finished (a presigned PUT stays valid for its TTL) from a builder that
 * never reports, or a delete that failed.
 */
import { findDocpack } from "./docpack";
import { findJob, IN_FLIGHT_STATUSES } from "./job";
import { services } from "./services";
import { deleteObject, DOCPACK_PREFIX, jobIdOfObjectKey, listObjects, UPLOAD_URL_TTL_SECONDS } from "./storage";

/** An upload may legitimately wait this long for its complete report (the presigned PUT's lifetime). */
export const ORPHAN_GRACE_MS = UPLOAD_URL_TTL_SECONDS * 1000;

export type SweepResult = { checked: number; deleted: string[] };

export async function sweepOrphanedDocpacks(options: { graceMs?: number } = {}): Promise<SweepResult> {
  const graceMs = options.graceMs ?? ORPHAN_GRACE_MS;
  const now = services().clock.now().getTime();
  const result: SweepResult = { checked: 0, deleted: [] };
  for await (const object of listObjects(DOCPACK_PREFIX)) {
    result.checked++;
    if (now - object.lastModified.getTime() < graceMs) continue;
    const jobId = jobIdOfObjectKey(object.key);
    if (jobId !== null) {
      if (await findDocpack(jobId)) continue;
      const job = await findJob(jobId);
      if (job && IN_FLIGHT_STATUSES.includes(job.status)) continue;
    }
    await deleteObject(object.key);
    result.deleted.push(object.key);
  }
  return result;
}
