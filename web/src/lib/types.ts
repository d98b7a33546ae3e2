/**
 * The API's JSON shapes: the handlers' own view types (functions/src/views.ts), imported as types
 * only — nothing of the functions workspace reaches the browser bundle.
 */
import type { JobView } from "@doctown/functions/views";

export type { DocpackView, JobView, MeView, RepoSettingsView, RepoView, UserView } from "@doctown/functions/views";
export type JobStatus = JobView["status"];

export const FINISHED: readonly JobStatus[] = ["completed", "failed", "cancelled"];
