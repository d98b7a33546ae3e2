/** The API's JSON shapes (snake_case) of core records; internal fields (secrets, tokens) never leave. */
import type { Docpack } from "@doctown/core/docpack";
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

/**
 * A docpack on the commons: no local path (repo is the display name), no owner id, and the
 * publisher's login as its owner.
 */
export function publicDocpackView(docpack: Docpack, ownerLogin: string | null) {
  const { job_id: _jobId, ...view } = docpackView(docpack);
  return { ...view, repo: view.name, owner: ownerLogin };
}
