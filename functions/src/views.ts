/**
 * The API's JSON shapes (snake_case) of core records; internal fields (secrets, tokens) never leave.
 * The dashboard reads these types (`import type` in web/src/lib/types.ts): change a view here and
 * `npm run typecheck` shows every page that reads it.
 */
import type { Docpack } from "@doctown/core/docpack";
import type { GitHubRepo } from "@doctown/core/github";
import type { Job } from "@doctown/core/job";
import type { User } from "@doctown/core/user";

export function jobView(job: Job) {
  return {
    job_id: job.id,
    repo: job.repo,
    git_ref: job.gitRef,
    commit: job.commit,
    status: job.status,
    stage: job.stage,
    progress: job.progress,
    message: job.message,
    error: job.error,
    public: job.public,
    docpack_id: job.docpackId,
    created_at: job.createdAt,
    updated_at: job.updatedAt,
  };
}

export function docpackView(docpack: Docpack) {
  return {
    docpack_id: docpack.id,
    job_id: docpack.jobId,
    repo: docpack.repo,
    git_ref: docpack.gitRef,
    commit: docpack.commit,
    size: docpack.size,
    sha256: docpack.sha256,
    public: docpack.public,
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
export type { RepoSettingsView } from "@doctown/core/repoSettingsAccess";
