/** The API's JSON shapes (functions/src/views.ts), as far as the dashboard reads them. */
export type JobStatus = "pending" | "building" | "completed" | "failed" | "cancelled";

export type UserView = { id: string; login: string; name: string | null; avatar_url: string | null };
export type MeView = { user: UserView; local_stage?: boolean };
export type SessionView = { user: UserView | null; sign_in: "github" | "dev"; local_stage: boolean; build_on_push: boolean };

/** What a finished build found (core/src/buildStats.ts); null for builders that did not report it. */
export type BuildStats = {
  files: number;
  symbols: number;
  bytes: number;
  skipped: Record<string, number>;
  languages: Record<string, number>;
  duration_ms?: number;
};

export type JobView = {
  job_id: string;
  repo: string;
  /** "owner/name", or the folder's name of a local repository. */
  name?: string;
  git_ref: string;
  commit: string;
  status: JobStatus;
  stage: string | null;
  progress: number;
  message: string | null;
  error: { code: string; message: string } | null;
  public: boolean;
  docpack_id: string | null;
  stats?: BuildStats | null;
  docpack_size?: number | null;
  created_at: string;
  updated_at: string;
};

export type DocpackView = {
  docpack_id: string;
  job_id?: string;
  repo: string;
  name?: string;
  /** Commons only: the publisher's login. */
  owner?: string | null;
  stats?: BuildStats | null;
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
