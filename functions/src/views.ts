/** The API's JSON shapes (snake_case) of core records; internal fields (secrets, tokens) never leave. */
import type { Docpack } from "@doctown/core/docpack";
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
