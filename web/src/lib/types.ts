/**
 * The API's JSON shapes: the handlers' own view types (functions/src/views.ts), imported as types
 * only — nothing of the functions workspace reaches the browser bundle.
 */
import type { DocpackView as OwnDocpackView, JobView } from "@doctown/functions/views";

export type { JobView, MeView, RepoSettingsView, RepoView, SessionView, UserView } from "@doctown/functions/views";
export type { BuildStats } from "@doctown/core/buildStats";
export type JobStatus = JobView["status"];
/** A docpack as the user's list shows it, or as the commons does (no job id, the publisher as owner). */
export type DocpackView = Omit<OwnDocpackView, "job_id"> & { job_id?: string; owner?: string | null };

export const FINISHED: readonly JobStatus[] = ["completed", "failed", "cancelled"];
