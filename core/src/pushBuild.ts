/**
 * Push builds: a GitHub push to a repository the stage's app is installed on (the installation
 * named in the delivery is the one recorded for the repository), whose owner turned auto-build
 * on, on an enabled branch, becomes a job for the pushed commit, owned by that user. Each repository branch has a
 * head item (REPO#<owner/name>, BRANCH#<branch>) naming the newest push's job; moving it is one
 * conditional update, so of a burst of pushes exactly one job stays in flight — the newest — and
 * every job it displaces is cancelled by whoever displaced it.
 */
import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import * as z from "zod";
import { BadRequest, RateLimited } from "./errors";
import { createJob, failJob, findJob, markJobSuperseded, type Job } from "./job";
import { bestEffort, startJobWorkflow } from "./jobSubmit";
import { gitRefProblem, parseRepo } from "./jobRef";
import { COMMIT_PATTERN } from "./patterns";
import { findRepoInstallation } from "./installation";
import { consumeRateLimit } from "./rateLimit";
import { getRepoSettings } from "./repoSettings";
import { services } from "./services";
import { runpod } from "./runpodService";
import { workflow } from "./stepFunctions";
import { isConditionFailure } from "./conditionalWrite";

const BRANCH_PREFIX = "refs/heads/";
const HEAD_TTL_SECONDS = 30 * 24 * 3600;
/** Cancelling a superseded build must not hold up GitHub's 10-second delivery timeout. */
const SIDE_EFFECT_DEADLINE_MS = 3000;

/** The fields of GitHub's push event that Doctown uses; the rest is ignored. */
export const PushPayload = z.object({
  ref: z.string().min(1).max(1024),
  before: z.string().regex(COMMIT_PATTERN).nullish(),
  after: z.string().regex(COMMIT_PATTERN),
  deleted: z.boolean().optional(),
  repository: z.object({
    full_name: z.string().min(3).max(200),
    default_branch: z.string().max(255).nullish(),
    // Push events carry a Unix timestamp here; other events an ISO date.
    pushed_at: z.union([z.number(), z.string().max(64)]).nullish(),
  }),
  /** Present on every delivery of a GitHub App's webhook. */
  installation: z.object({ id: z.number().int().positive() }).nullish(),
});
export type PushPayload = z.infer<typeof PushPayload>;

export type PushIgnoredReason =
  | "not_a_branch"
  | "branch_deleted"
  | "unsupported_branch_name"
  | "unsupported_repository"
  | "not_installed"
  | "unknown_repository"
  | "auto_build_off"
  | "branch_not_enabled"
  /** The repository's push builds per hour are used up (rateLimit.ts pushBuildRepo). */
  | "rate_limited";

export type PushOutcome =
  | { result: "ignored"; reason: PushIgnoredReason }
  /** A job was created and started; `supersededJobId` is the older push's job it cancelled. */
  | { result: "build_started"; jobId: string; supersededJobId: string | null }
  /** A newer push to the branch had already arrived: this push's job was created cancelled. */
  | { result: "superseded"; jobId: string };

/** Validates a push event body (400 with nothing written when it is not one). */
export function parsePushPayload(body: unknown): PushPayload {
  const result = PushPayload.safeParse(body);
  if (!result.success) throw new BadRequest("invalid_payload", "The push event payload lacks ref, after or repository.full_name.");
  return result.data;
}

/** Builds a push if its repository and branch want it; see PushOutcome. */
export async function buildPush(push: PushPayload, options: { callbackBaseUrl: string }): Promise<PushOutcome> {
  if (!push.ref.startsWith(BRANCH_PREFIX)) return ignored("not_a_branch");
  if (push.deleted || /^0+$/.test(push.after)) return ignored("branch_deleted");
  const branch = push.ref.slice(BRANCH_PREFIX.length);
  if (gitRefProblem(branch)) return ignored("unsupported_branch_name");
  let fullName: string;
  try {
    const repo = parseRepo(push.repository.full_name);
    if (repo.kind !== "github") return ignored("unsupported_repository");
    fullName = repo.fullName;
  } catch {
    return ignored("unsupported_repository");
  }

  // Removing the app (or the repository from it) stops push builds, whatever the settings say.
  const installed = await findRepoInstallation(fullName);
  if (!installed || installed.installationId !== push.installation?.id) return ignored("not_installed");
  const settings = await getRepoSettings(fullName);
  if (!settings) return ignored("unknown_repository");
  if (!settings.autoBuild) return ignored("auto_build_off");
  const enabled = settings.branches.length > 0 ? settings.branches : push.repository.default_branch ? [push.repository.default_branch] : [];
  if (!enabled.includes(branch)) return ignored("branch_not_enabled");
  try {
    await consumeRateLimit("pushBuildRepo", fullName.toLowerCase());
  } catch (error) {
    if (error instanceof RateLimited) return ignored("rate_limited");
    throw error;
  }

  const job = await createJob({
    userId: settings.ownerUserId,
    repo: fullName,
    repoKind: "github",
    gitRef: branch,
    commit: push.after,
    public: false,
    callbackBaseUrl: options.callbackBaseUrl,
  });
  try {
    const head = await advanceBranchHead(fullName, branch, { jobId: job.id, commit: push.after, before: push.before ?? "", pushedAt: pushedAtSeconds(push) });
    if (head.stale) {
      await markJobSuperseded(job.id, `Superseded: a newer push to ${branch} had already arrived.`);
      return { result: "superseded", jobId: job.id };
    }
    if (head.previousJobId && head.previousJobId !== job.id) await supersede(head.previousJobId, push.after);
    await startUnlessSuperseded(job);
    return { result: "build_started", jobId: job.id, supersededJobId: head.previousJobId };
  } catch (error) {
    // Never leave a push job pending without a workflow (failJob never touches a started one's end state).
    await bestEffort("fail an unstarted push job", async () => {
      await failJob(job.id, { code: "push_build_failed", message: "The push could not be turned into a build; push again or redeliver the webhook." });
    });
    throw error;
  }
}

function ignored(reason: PushIgnoredReason): PushOutcome {
  return { result: "ignored", reason };
}

/** When GitHub received the push (seconds); orders deliveries that arrive out of order. */
function pushedAtSeconds(push: PushPayload): number {
  const raw = push.repository.pushed_at;
  const value = typeof raw === "number" ? raw : typeof raw === "string" ? Date.parse(raw) / 1000 : NaN;
  return Number.isFinite(value) && value > 0 ? Math.floor(value) : Math.floor(services().clock.now().getTime() / 1000);
}

type BranchHead = { jobId: string; commit: string; /** "" when GitHub sent none. */ before: string; pushedAt: number };

/**
 * Points the branch head at this push unless a newer push is already there. Newer: pushed in a
 * later second, or in the same second and not the direct predecessor of the stored push (whose
 * `before` is our `after`); the same push again (GitHub's redelivery after we failed) replaces it.
 * Returns the job it displaced, or `stale` when this push is the older.
 */
async function advanceBranchHead(fullName: string, branch: string, head: BranchHead): Promise<{ stale: boolean; previousJobId: string | null }> {
  const { db, tableName, clock } = services();
  const nowSeconds = Math.floor(clock.now().getTime() / 1000);
  try {
    const result = await db.send(
      new UpdateCommand({
        TableName: tableName,
        // Same partition as the repository's SETTINGS item (core/src/repoSettings.ts).
        Key: { pk: `REPO#${fullName.toLowerCase()}`, sk: `BRANCH#${branch}` },
        UpdateExpression:
          "SET entity = :entity, #repo = :repo, #branch = :branch, #jobId = :jobId, #commit = :commit, #before = :before, #pushedAt = :pushedAt, #expiresAt = :expiresAt",
        ConditionExpression:
          "attribute_not_exists(pk) OR #expiresAt <= :now OR #pushedAt < :pushedAt OR (#pushedAt = :pushedAt AND #before <> :commit)",
        ExpressionAttributeNames: {
          "#repo": "repo",
          "#branch": "branch",
          "#jobId": "jobId",
          "#commit": "commit",
          "#before": "before",
          "#pushedAt": "pushedAt",
          "#expiresAt": "expiresAt",
        },
        ExpressionAttributeValues: {
          ":entity": "branchHead",
          ":repo": fullName,
          ":branch": branch,
          ":jobId": head.jobId,
          ":commit": head.commit,
          ":before": head.before,
          ":pushedAt": head.pushedAt,
          ":expiresAt": nowSeconds + HEAD_TTL_SECONDS,
          ":now": nowSeconds,
        },
        ReturnValues: "ALL_OLD",
      }),
    );
    const previous = result.Attributes;
    const expired = previous && !(Number(previous.expiresAt) > nowSeconds);
    return { stale: false, previousJobId: previous && !expired ? (previous.jobId as string) : null };
  } catch (error) {
    if (isConditionFailure(error)) return { stale: true, previousJobId: null };
    throw error;
  }
}

/** Cancels an older push's job (if still in flight), then stops its execution and RunPod job. */
async function supersede(jobId: string, newerCommit: string): Promise<void> {
  const cancelled = await markJobSuperseded(jobId, `Superseded by a newer push (${newerCommit.slice(0, 12)}).`);
  if (cancelled) await stopRunning(cancelled);
}

/** Starts the job's workflow unless a newer push cancelled it meanwhile. */
async function startUnlessSuperseded(job: Job): Promise<void> {
  const current = await findJob(job.id);
  if (current?.status !== "pending") return;
  const started = await startJobWorkflow(job);
  // Superseded while starting: whoever cancelled it may not have seen the execution yet.
  if (started.status === "cancelled") await stopRunning(started);
}

async function stopRunning(job: Job): Promise<void> {
  const pipeline = workflow();
  const builders = runpod();
  await Promise.all([
    withinDeadline("stop the superseded execution", async () => {
      if (job.executionId) await pipeline.stop(job.executionId, "Superseded by a newer push.");
    }),
    withinDeadline("cancel the superseded RunPod job", async () => {
      if (job.runpodJobId) await builders.cancel(job.runpodJobId);
    }),
  ]);
}

/** Best effort, and no longer than SIDE_EFFECT_DEADLINE_MS (the job's status is what counts). */
async function withinDeadline(what: string, action: () => Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      console.warn(`doctown: gave up waiting to ${what} after ${SIDE_EFFECT_DEADLINE_MS} ms`);
      resolve();
    }, SIDE_EFFECT_DEADLINE_MS);
  });
  try {
    await Promise.race([bestEffort(what, action), deadline]);
  } finally {
    clearTimeout(timer);
  }
}
