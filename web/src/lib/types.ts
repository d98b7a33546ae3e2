/** The API's JSON shapes (functions/src/views.ts), as far as the dashboard reads them. */
export type JobStatus = "pending" | "building" | "completed" | "failed" | "cancelled";

export type UserView = { id: string; login: string; name: string | null; avatar_url: string | null };
export type MeView = { user: UserView; local_stage?: boolean };

export type JobView = {
  job_id: string;
  repo: string;
  git_ref: string;
  commit: string;
  status: JobStatus;
  stage: string | null;
  progress: number;
  message: string | null;
  error: { code: string; message: string } | null;
  public: boolean;
  docpack_id: string | null;
  created_at: string;
  updated_at: string;
};

export type DocpackView = {
  docpack_id: string;
  job_id: string;
  repo: string;
  git_ref: string;
  commit: string;
  size: number;
  sha256: string;
  public: boolean;
  created_at: string;
  download_url: string;
};

export type RepoView = {
  full_name: string;
  owner: string;
  name: string;
  private: boolean;
  default_branch: string;
  description: string | null;
  html_url: string;
  pushed_at: string | null;
};

export const FINISHED: readonly JobStatus[] = ["completed", "failed", "cancelled"];
