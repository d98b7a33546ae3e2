/**
 * The API's JSON shapes (snake_case) of core records; internal fields (secrets, tokens) never leave.
 * The dashboard reads these types (`import type` in web/src/lib/types.ts): change a view here and
 * `npm run typecheck` shows every page that reads it.
 */
import type { Docpack } from "@doctown/core/docpack";
import type { GitHubRepo } from "@doctown/core/github";
import type { Job } from "@doctown/core/job";
import type { User } from "@doctown/core/user";

/**
 * The name a repository is shown by: "owner/name" for GitHub, the folder's name for a local
 * repository (its absolute path is the owner's business and never leaves in anything public).
 */
export function repoDisplayName(repo: string): string {
  if (!repo.startsWith("/")) return repo;
  return repo.replace(/\/+$/, "").split("/").pop() || repo;
}

export function jobView(job: Job) {
  return {
    job_id: job.id,
    repo: job.repo,
    name: repoDisplayName(job.repo),
    git_ref: job.gitRef,
    commit: job.commit,
    status: job.status,
    stage: job.stage,
    progress: job.progress,
    message: job.message,
    error: job.error,
    public: job.public,
    docpack_id: job.docpackId,
    stats: job.stats,
    docpack_size: job.docpackSize,
    created_at: job.createdAt,
    updated_at: job.updatedAt,
  };
}

export function docpackView(docpack: Docpack) {
  return {
    docpack_id: docpack.id,
    job_id: docpack.jobId,
    repo: docpack.repo,
    name: repoDisplayName(docpack.repo),
    git_ref: docpack.gitRef,
    commit: docpack.commit,
    size: docpack.size,
    sha256: docpack.sha256,
    public: docpack.public,
    stats: docpack.stats,
    created_at: docpack.createdAt,
    download_url: `/api/docpacks/${docpack.id}/download`,
  };
}

export function userView(user: User) {
  return { id: user.id, login: user.login, name: user.name, avatar_url: user.avatarUrl };
}

export function meView(user: User, localStage: boolean) {
  return { user: userView(user), local_stage: localStage };
}

/** GET /api/session: the user or null, the stage's sign-in, and which features can work here. */
export function sessionView(user: User | null, signIn: "github" | "dev", localStage: boolean, buildOnPush: boolean) {
  return { user: user ? userView(user) : null, sign_in: signIn, local_stage: localStage, build_on_push: buildOnPush };
}

export function repoView(repo: GitHubRepo) {
  return {
    full_name: repo.fullName,
    owner: repo.owner,
    name: repo.name,
    private: repo.private,
    default_branch: repo.defaultBranch,
    description: repo.description,
    html_url: repo.htmlUrl,
    pushed_at: repo.pushedAt,
  };
}

export type JobView = ReturnType<typeof jobView>;
export type DocpackView = ReturnType<typeof docpackView>;
export type UserView = ReturnType<typeof userView>;
export type MeView = ReturnType<typeof meView>;
export type RepoView = ReturnType<typeof repoView>;
export type SessionView = ReturnType<typeof sessionView>;
export type PublicDocpackView = ReturnType<typeof publicDocpackView>;
export type { RepoSettingsView } from "@doctown/core/repoSettingsAccess";
/**
 * A docpack on the commons: no local path (repo is the display name), no owner id, and the
 * publisher's login as its owner.
 */
export function publicDocpackView(docpack: Docpack, ownerLogin: string | null) {
  const { job_id: _jobId, ...view } = docpackView(docpack);
  return { ...view, repo: view.name, owner: ownerLogin };
}
