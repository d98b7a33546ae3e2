/**
 * GitHub REST client for what Doctown needs: the signed-in user's profile, the app installations
 * they reach and those installations' repositories (Link-header pagination), one repository
 * (readability + default branch), and resolving a ref to a commit. The base URL comes from config (GITHUB_API_URL), so tests answer at the HTTP boundary.
 */
import * as z from "zod";
import { AppError, BadGateway, TooManyRequests, Unauthorized } from "./errors";
import { COMMIT_PATTERN } from "./patterns";

const GitHubUserPayload = z.object({
  id: z.number().int(),
  login: z.string(),
  name: z.string().nullish(),
  avatar_url: z.string().nullish(),
});
const GitHubRepoPayload = z.object({
  id: z.number().int(),
  name: z.string(),
  full_name: z.string(),
  private: z.boolean(),
  default_branch: z.string().nullish(),
  html_url: z.string().nullish(),
  description: z.string().nullish(),
  pushed_at: z.string().nullish(),
  owner: z.object({ login: z.string() }),
  // Present only when the request is authenticated.
  permissions: z.object({ admin: z.boolean().optional(), push: z.boolean().optional(), pull: z.boolean().optional() }).nullish(),
});
const GitHubInstallationPayload = z.object({
  id: z.number().int().positive(),
  account: z.object({ login: z.string(), id: z.number().int() }).nullish(),
  repository_selection: z.enum(["all", "selected"]).optional(),
  suspended_at: z.string().nullish(),
});
const GitHubCommitPayload = z.object({ sha: z.string().regex(COMMIT_PATTERN) });

export type GitHubUser = { id: number; login: string; name: string | null; avatarUrl: string | null };
export type GitHubRepo = {
  id: number;
  fullName: string;
  owner: string;
  name: string;
  private: boolean;
  defaultBranch: string;
  htmlUrl: string | null;
  description: string | null;
  pushedAt: string | null;
  /** What the token's user may do here; null for anonymous requests. */
  permissions: { admin: boolean; push: boolean; pull: boolean } | null;
};

export type GitHubInstallation = {
  id: number;
  account: string | null;
  accountId: number | null;
  repositorySelection: "all" | "selected";
  suspended: boolean;
};

export interface GitHubClient {
  getUser(token: string): Promise<GitHubUser>;
  /** One page (1-based, up to 100 per page) of the repositories the user can access. */
  listRepos(token: string, page?: number): Promise<{ repos: GitHubRepo[]; nextPage: number | null }>;
  /** One page of the app installations this user token reaches (GET /user/installations). */
  listUserInstallations(token: string, page?: number): Promise<{ installations: GitHubInstallation[]; nextPage: number | null }>;
  /** One page of an installation's repositories this user reaches; null when the installation is not theirs. */
  listInstallationRepos(token: string, installationId: number, page?: number): Promise<{ repos: GitHubRepo[]; nextPage: number | null } | null>;
  /** The repository if this token (or anonymous access, without a token) can read it, else null. */
  getRepo(token: string | undefined, owner: string, name: string): Promise<GitHubRepo | null>;
  /** The 40-hex commit a branch, tag or sha names, or null when the repository has no such ref. */
  resolveCommit(token: string | undefined, owner: string, name: string, ref: string): Promise<string | null>;
}

function toRepo(payload: z.infer<typeof GitHubRepoPayload>): GitHubRepo {
  return {
    id: payload.id,
    fullName: payload.full_name,
    owner: payload.owner.login,
    name: payload.name,
    private: payload.private,
    defaultBranch: payload.default_branch ?? "main",
    htmlUrl: payload.html_url ?? null,
    description: payload.description ?? null,
    pushedAt: payload.pushed_at ?? null,
    permissions: payload.permissions
      ? { admin: payload.permissions.admin ?? false, push: payload.permissions.push ?? false, pull: payload.permissions.pull ?? false }
      : null,
  };
}

function toInstallation(payload: z.infer<typeof GitHubInstallationPayload>): GitHubInstallation {
  return {
    id: payload.id,
    account: payload.account?.login ?? null,
    accountId: payload.account?.id ?? null,
    repositorySelection: payload.repository_selection ?? "selected",
    suspended: Boolean(payload.suspended_at),
  };
}

/** The page number of the rel="next" link, if any. */
export function nextPageFromLink(link: string | null): number | null {
  if (!link) return null;
  for (const part of link.split(",")) {
    const match = /<([^>]+)>\s*;\s*rel="?next"?/.exec(part);
    if (!match) continue;
    const page = Number(new URL(match[1]).searchParams.get("page"));
    return Number.isInteger(page) && page > 0 ? page : null;
  }
  return null;
}

export function createGitHubClient(options: { apiUrl: string; timeoutMs?: number }): GitHubClient {
  const apiUrl = options.apiUrl.replace(/\/+$/, "");
  const timeoutMs = options.timeoutMs ?? 10_000;

  async function get(path: string, token: string | undefined): Promise<Response> {
    const headers: Record<string, string> = {
      accept: "application/vnd.github+json",
      "x-github-api-version": "2022-11-28",
      "user-agent": "doctown",
    };
    if (token) headers.authorization = `Bearer ${token}`;
    let response: Response;
    try {
      response = await fetch(`${apiUrl}${path}`, { headers, signal: AbortSignal.timeout(timeoutMs) });
    } catch (error) {
      throw new BadGateway("github_unavailable", `GitHub could not be reached (${(error as Error).message}).`);
    }
    if (response.status === 401) throw new Unauthorized("github_token_invalid", "GitHub rejected the stored access token; sign in again.");
    if (response.status === 429 || (response.status === 403 && response.headers.get("x-ratelimit-remaining") === "0"))
      throw new TooManyRequests("github_rate_limited", "GitHub's rate limit was reached; try again later.");
    if (response.status >= 500) throw new BadGateway("github_unavailable", `GitHub answered HTTP ${response.status}.`);
    return response;
  }

  async function parse<T>(response: Response, schema: z.ZodType<T>): Promise<T> {
    const result = schema.safeParse(await response.json().catch(() => undefined));
    if (!result.success) throw new BadGateway("github_bad_response", "GitHub answered with an unexpected body.");
    return result.data;
  }

  function unexpected(response: Response): AppError {
    return new BadGateway("github_unexpected_status", `GitHub answered HTTP ${response.status}.`);
  }

  const segment = encodeURIComponent;

  return {
    async getUser(token) {
      const response = await get("/user", token);
      if (!response.ok) throw unexpected(response);
      const user = await parse(response, GitHubUserPayload);
      return { id: user.id, login: user.login, name: user.name ?? null, avatarUrl: user.avatar_url ?? null };
    },
    async listRepos(token, page = 1) {
      const response = await get(`/user/repos?per_page=100&sort=pushed&page=${page}`, token);
      if (!response.ok) throw unexpected(response);
      const repos = await parse(response, z.array(GitHubRepoPayload));
      return { repos: repos.map(toRepo), nextPage: nextPageFromLink(response.headers.get("link")) };
    },
    async listUserInstallations(token, page = 1) {
      const response = await get(`/user/installations?per_page=100&page=${page}`, token);
      if (!response.ok) throw unexpected(response);
      const body = await parse(response, z.object({ installations: z.array(GitHubInstallationPayload) }));
      return { installations: body.installations.map(toInstallation), nextPage: nextPageFromLink(response.headers.get("link")) };
    },
    async listInstallationRepos(token, installationId, page = 1) {
      const response = await get(`/user/installations/${installationId}/repositories?per_page=100&page=${page}`, token);
      if (response.status === 404 || response.status === 403) return null;
      if (!response.ok) throw unexpected(response);
      const body = await parse(response, z.object({ repositories: z.array(GitHubRepoPayload) }));
      return { repos: body.repositories.map(toRepo), nextPage: nextPageFromLink(response.headers.get("link")) };
    },
    async getRepo(token, owner, name) {
      const response = await get(`/repos/${segment(owner)}/${segment(name)}`, token);
      if (response.status === 404 || response.status === 403) return null;
      if (!response.ok) throw unexpected(response);
      return toRepo(await parse(response, GitHubRepoPayload));
    },
    async resolveCommit(token, owner, name, ref) {
      // Refs may contain "/", which GitHub expects literally; each segment is escaped on its own.
      const refPath = ref.split("/").map(segment).join("/");
      const response = await get(`/repos/${segment(owner)}/${segment(name)}/commits/${refPath}`, token);
      if (response.status === 404 || response.status === 422 || response.status === 409) return null;
      if (!response.ok) throw unexpected(response);
      return (await parse(response, GitHubCommitPayload)).sha;
    },
  };
}
