/**
 * Job: one build of a repository at a commit. Status moves pending → building → completed |
 * failed | cancelled, and every change is a conditional update from the expected previous status,
 * so a late or duplicate message can never move a job backwards.
 */
import { randomUUID } from "node:crypto";
import { GetCommand, PutCommand, QueryCommand, ScanCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import * as z from "zod";
import { releaseBuildSlot, type HolderStatus } from "./buildSlot";
import type { BuildStats } from "./buildStats";
import { matchesSha256 } from "./crypto";
import { NotFound } from "./errors";
import { COMMIT_PATTERN } from "./patterns";
import { decodeCursor, encodeCursor, type Page } from "./pagination";
import { services } from "./services";
import { deleteObject, docpackObjectKey } from "./storage";
import { isConditionFailure } from "./conditionalWrite";

export const JOB_STATUSES = ["pending", "building", "completed", "failed", "cancelled"] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
export const IN_FLIGHT_STATUSES: readonly JobStatus[] = ["pending", "building"];
export const FINISHED_STATUSES: readonly JobStatus[] = ["completed", "failed", "cancelled"];

export type JobError = { code: string; message: string };

export type Job = {
  id: string;
  userId: string;
  /** "owner/name" for GitHub, an absolute path for a local repository (local stage only). */
  repo: string;
  repoKind: "github" | "local";
  gitRef: string;
  commit: string;
  status: JobStatus;
  stage: string | null;
  progress: number;
  message: string | null;
  error: JobError | null;
  public: boolean;
  /** The site origin when the job was created; dispatch builds callback URLs from it. */
  callbackBaseUrl: string;
  callbackSecretHash: string | null;
  taskToken: string | null;
  executionId: string | null;
  runpodJobId: string | null;
  docpackId: string | null;
  /** The user's build slot this job holds while in flight (buildSlot.ts); null for push builds. */
  buildSlot: number | null;
  /** What the build found, once completed (when the builder reported it). */
  stats: BuildStats | null;
  /** The docpack's size in bytes, once completed. */
  docpackSize: number | null;
  createdAt: string;
  updatedAt: string;
};

export const jobKey = (jobId: string) => ({ pk: `JOB#${jobId}`, sk: "JOB" });
const userJobsPartition = (userId: string) => `USER#${userId}`;
const JobId = z.string().regex(/^[A-Za-z0-9_-]{1,80}$/);

export const NewJob = z.object({
  /** Set when a build slot was claimed for this id before the job was written. */
  id: JobId.optional(),
  buildSlot: z.number().int().nonnegative().nullable().default(null),
  userId: z.string().min(1),
  repo: z.string().min(1).max(4096),
  repoKind: z.enum(["github", "local"]),
  gitRef: z.string().min(1).max(255),
  commit: z.string().regex(COMMIT_PATTERN),
  public: z.boolean().default(false),
  callbackBaseUrl: z.url(),
});
export type NewJob = z.input<typeof NewJob>;

/** Writes a new pending job. Validation of repo/ref happens before (see jobRef.ts, jobSubmit.ts). */
export async function createJob(input: NewJob): Promise<Job> {
  const fields = NewJob.parse(input);
  const { db, tableName, clock } = services();
  const now = clock.now().toISOString();
  const { id, ...rest } = fields;
  const job: Job = {
    id: id ?? randomUUID(),
    ...rest,
    status: "pending",
    stage: null,
    progress: 0,
    message: null,
    error: null,
    callbackSecretHash: null,
    taskToken: null,
    executionId: null,
    runpodJobId: null,
    docpackId: null,
    stats: null,
    docpackSize: null,
    createdAt: now,
    updatedAt: now,
  };
  await db.send(
    new PutCommand({
      TableName: tableName,
      Item: { ...jobKey(job.id), gsi1pk: userJobsPartition(job.userId), gsi1sk: `JOB#${now}#${job.id}`, entity: "job", ...job },
      ConditionExpression: "attribute_not_exists(pk)",
    }),
  );
  return job;
}

export async function findJob(jobId: string): Promise<Job | null> {
  if (!JobId.safeParse(jobId).success) return null;
  const { db, tableName } = services();
  const { Item } = await db.send(new GetCommand({ TableName: tableName, Key: jobKey(jobId), ConsistentRead: true }));
  return Item ? toJob(Item) : null;
}

export async function getJob(jobId: string): Promise<Job> {
  const job = await findJob(jobId);
  if (!job) throw new NotFound("job_not_found", "Job not found.");
  return job;
}

/** The job if it belongs to the user; someone else's job is indistinguishable from none (404). */
export async function getJobForUser(jobId: string, userId: string): Promise<Job> {
  const job = await findJob(jobId);
  if (!job || job.userId !== userId) throw new NotFound("job_not_found", "Job not found.");
  return job;
}

/** The user's jobs, newest first. */
export async function listJobsForUser(userId: string, options: { limit: number; cursor?: string | null }): Promise<Page<Job>> {
  const { db, tableName } = services();
  const partition = userJobsPartition(userId);
  const result = await db.send(
    new QueryCommand({
      TableName: tableName,
      IndexName: "gsi1",
      KeyConditionExpression: "gsi1pk = :pk AND begins_with(gsi1sk, :prefix)",
      ExpressionAttributeValues: { ":pk": partition, ":prefix": "JOB#" },
      ScanIndexForward: false,
      Limit: options.limit,
      ExclusiveStartKey: decodeCursor(options.cursor, { index: "gsi1", partition, sortPrefix: "JOB#" }),
    }),
  );
  return { items: (result.Items ?? []).map(toJob), nextCursor: encodeCursor(result.LastEvaluatedKey) };
}

/** Whether a presented callback secret is this job's (constant time; false before dispatch). */
export function isCallbackSecretValid(job: Job, presented: string | undefined): boolean {
  return Boolean(presented && job.callbackSecretHash && matchesSha256(presented, job.callbackSecretHash));
}

/**
 * The one way a job's item changes: a conditional update from one of the expected statuses.
 * Returns the updated job, or null when the job is missing or in another status.
 */
async function transition(jobId: string, from: readonly JobStatus[], set: Record<string, unknown>): Promise<Job | null> {
  const { db, tableName, clock } = services();
  const names: Record<string, string> = { "#status": "status" };
  const values: Record<string, unknown> = { ":updatedAt": clock.now().toISOString() };
  const assignments = ["updatedAt = :updatedAt"];
  for (const [field, value] of Object.entries({ ...set })) {
    names[`#${field}`] = field;
    values[`:${field}`] = value;
    assignments.push(`#${field} = :${field}`);
  }
  from.forEach((status, i) => (values[`:from${i}`] = status));
  try {
    const result = await db.send(
      new UpdateCommand({
        TableName: tableName,
        Key: jobKey(jobId),
        UpdateExpression: `SET ${assignments.join(", ")}`,
        ConditionExpression: `attribute_exists(pk) AND #status IN (${from.map((_, i) => `:from${i}`).join(", ")})`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ReturnValues: "ALL_NEW",
      }),
    );
    const job = toJob(result.Attributes!);
    // This conditional update is the one moment the job finishes: the slot is released exactly once,
    // and a job that finishes without a docpack keeps no uploaded object (whoever failed or cancelled it).
    if (FINISHED_STATUSES.includes(set.status as JobStatus)) {
      if (job.buildSlot !== null) await releaseBuildSlot(job.userId, job.buildSlot, job.id);
      if (job.status !== "completed") await discardUpload(job.id);
    }
    return job;
  } catch (error) {
    if (isConditionFailure(error)) return null;
    throw error;
  }
}

/** Deletes a finished-without-docpack job's object; a failure is logged (the sweep removes it later). */
async function discardUpload(jobId: string): Promise<void> {
  try {
    await deleteObject(docpackObjectKey(jobId));
  } catch (error) {
    console.warn(`doctown: could not delete the docpack object of job ${jobId}: ${(error as Error).message}`);
  }
}

/** How a build-slot claim sees the job holding a slot (buildSlot.ts). */
export const jobHolderStatus: HolderStatus = async (jobId) => {
  const job = await findJob(jobId);
  if (!job) return "missing";
  return IN_FLIGHT_STATUSES.includes(job.status) ? "in_flight" : "finished";
};

/** Stores the Step Functions execution that runs the job (status unchanged). */
export function recordExecution(jobId: string, executionId: string) {
  return transition(jobId, JOB_STATUSES, { executionId });
}

/**
 * Dispatch handed the job to the builder: pending (or building, on a dispatch retry) → building,
 * with the task token and the callback secret's hash. Null when the job already finished.
 */
/** The stage of a dispatched job no builder has reported on yet (waiting in RunPod's queue). */
export const QUEUED_STAGE = "queued";

export function recordDispatch(jobId: string, dispatch: { taskToken: string; callbackSecretHash: string; runpodJobId?: string }) {
  const set: Record<string, unknown> = { status: "building", taskToken: dispatch.taskToken, callbackSecretHash: dispatch.callbackSecretHash, stage: QUEUED_STAGE };
  if (dispatch.runpodJobId) set.runpodJobId = dispatch.runpodJobId;
  return transition(jobId, IN_FLIGHT_STATUSES, set);
}

/** Stores the RunPod job id once /run answered (only while building). */
export function recordRunpodJob(jobId: string, runpodJobId: string) {
  return transition(jobId, ["building"], { runpodJobId });
}

/** A builder progress report; only a building job accepts it. Progress never goes backwards. */
export async function recordProgress(jobId: string, report: { stage: string; percent: number; message?: string | null }) {
  const current = await findJob(jobId);
  if (!current || current.status !== "building") return null;
  return transition(jobId, ["building"], {
    stage: report.stage,
    progress: Math.max(current.progress, Math.round(report.percent)),
    message: report.message ?? null,
  });
}

/** building → completed, pointing at the recorded docpack. */
export function completeJob(jobId: string, docpackId: string, stats: BuildStats | null = null, docpackSize: number | null = null) {
  return transition(jobId, ["building"], { status: "completed", docpackId, stage: "done", progress: 100, message: null, stats, docpackSize });
}

/**
 * pending/building → failed with the reason. Never overwrites completed or cancelled: then
 * `changed` is false and `job` is the job as it is (null if there is none).
 */
export async function failJob(jobId: string, error: JobError): Promise<{ changed: boolean; job: Job | null }> {
  const reason = { code: error.code.slice(0, 100), message: error.message.slice(0, 2000) };
  const job = await transition(jobId, IN_FLIGHT_STATUSES, { status: "failed", error: reason });
  return job ? { changed: true, job } : { changed: false, job: await findJob(jobId) };
}

/** pending/building → cancelled; null when the job had already finished. */
export function markJobCancelled(jobId: string) {
  return transition(jobId, IN_FLIGHT_STATUSES, { status: "cancelled", message: "Cancelled by the user." });
}

/** pending/building → cancelled because a newer push to the same branch replaced it; null when finished. */
export function markJobSuperseded(jobId: string, message: string) {
  return transition(jobId, IN_FLIGHT_STATUSES, { status: "cancelled", message: message.slice(0, 500) });
}

/** All pending/building jobs (a table scan: for the local stack's restart rule, not for the cloud). */
export async function listJobsInFlight(): Promise<Job[]> {
  const { db, tableName } = services();
  const jobs: Job[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const result = await db.send(
      new ScanCommand({
        TableName: tableName,
        FilterExpression: "entity = :job AND #status IN (:pending, :building)",
        ExpressionAttributeNames: { "#status": "status" },
        ExpressionAttributeValues: { ":job": "job", ":pending": "pending", ":building": "building" },
        ExclusiveStartKey: startKey,
      }),
    );
    jobs.push(...(result.Items ?? []).map(toJob));
    startKey = result.LastEvaluatedKey;
  } while (startKey);
  return jobs;
}

/** Fails every job left in flight (local stack restart: its in-process workflow is gone). */
export async function failInterruptedJobs(error: JobError = { code: "interrupted", message: "The local stack restarted while this job was running." }) {
  let failed = 0;
  for (const job of await listJobsInFlight()) if ((await failJob(job.id, error)).changed) failed++;
  return failed;
}

/** Fields older or partial items may lack. */
const JOB_DEFAULTS = {
  repoKind: "github",
  stage: null,
  progress: 0,
  message: null,
  error: null,
  public: false,
  callbackSecretHash: null,
  taskToken: null,
  executionId: null,
  runpodJobId: null,
  docpackId: null,
  buildSlot: null,
  stats: null,
  docpackSize: null,
} as const;

function toJob(item: Record<string, unknown>): Job {
  const { pk: _pk, sk: _sk, gsi1pk: _gsi1pk, gsi1sk: _gsi1sk, entity: _entity, ...fields } = item;
  return { ...JOB_DEFAULTS, ...fields } as Job;
}
