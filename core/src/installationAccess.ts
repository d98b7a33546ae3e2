/**
 * Installations as one user sees them, asked with their GitHub App user token: the repository
 * picker (every repository they reach through an installation of the stage's app) and the setup
 * redirect after "Install on GitHub" (the installation id in its query string is a claim, checked
 * against GET /user/installations before anything is recorded).
 */
import { githubUrl, optionalSecret } from "./config";
import type { GitHubRepo } from "./github";
import { recordInstallation } from "./installation";
import { services } from "./services";
import { getGitHubToken } from "./user";

/** Installations and repositories read per request; beyond these the list is cut (and says so). */
const MAX_INSTALLATIONS = 100;
const MAX_PAGES_PER_INSTALLATION = 10;
export const PICKER_PAGE_SIZE = 100;

/** Where "Install on GitHub" leads: GITHUB_URL/apps/<slug>/installations/new, or null without an app. */
export function installUrl(): string | null {
  const slug = optionalSecret("GITHUB_APP_SLUG");
  if (!slug || !/^[a-z0-9][a-z0-9-]{0,99}$/i.test(slug)) return null;
  return `${githubUrl()}/apps/${slug}/installations/new`;
}

export type ReachableRepos = { repos: (GitHubRepo & { installationId: number })[]; nextPage: number | null; truncated: boolean };

/** One page (PICKER_PAGE_SIZE, most recently pushed first) of the repositories the user reaches through installations. */
export async function listReachableRepos(userId: string, page: number): Promise<ReachableRepos> {
  const token = await getGitHubToken(userId);
  // The local stage's dev user has no GitHub account: no repositories (local paths still work).
  if (!token) return { repos: [], nextPage: null, truncated: false };
  const { github } = services();
  const installations = [];
  let truncated = false;
  for (let installationsPage: number | null = 1; installationsPage; ) {
    const result = await github.listUserInstallations(token, installationsPage);
    installations.push(...result.installations);
    installationsPage = result.nextPage;
    if (installations.length >= MAX_INSTALLATIONS && installationsPage) {
      truncated = true;
      break;
    }
  }
  const byName = new Map<string, GitHubRepo & { installationId: number }>();
  for (const installation of installations.slice(0, MAX_INSTALLATIONS)) {
    if (installation.suspended) continue;
    let reposPage: number | null = 1;
    for (let pages = 0; reposPage; pages++) {
      if (pages === MAX_PAGES_PER_INSTALLATION) {
        truncated = true;
        break;
      }
      const result = await github.listInstallationRepos(token, installation.id, reposPage);
      if (!result) break;
      for (const repo of result.repos) byName.set(repo.fullName.toLowerCase(), { ...repo, installationId: installation.id });
      reposPage = result.nextPage;
    }
  }
  const all = [...byName.values()].sort((a, b) => (b.pushedAt ?? "").localeCompare(a.pushedAt ?? "") || a.fullName.localeCompare(b.fullName));
  const start = (page - 1) * PICKER_PAGE_SIZE;
  return { repos: all.slice(start, start + PICKER_PAGE_SIZE), nextPage: all.length > start + PICKER_PAGE_SIZE ? page + 1 : null, truncated };
}

export type SetupOutcome = "recorded" | "not_visible" | "removed";

/**
 * The setup redirect's installation, if this user's token shows it: recorded with the repositories
 * the user sees in it. "not_visible" (a made-up or someone else's id) records nothing.
 */
export async function recordInstallationSeenByUser(userId: string, installationId: number): Promise<SetupOutcome> {
  const token = await getGitHubToken(userId);
  if (!token) return "not_visible";
  const { github } = services();
  let found;
  for (let page: number | null = 1; page && !found; ) {
    const result = await github.listUserInstallations(token, page);
    found = result.installations.find((installation) => installation.id === installationId);
    page = result.nextPage;
  }
  if (!found) return "not_visible";
  const repos: GitHubRepo[] = [];
  for (let page: number | null = 1, pages = 0; page && pages < MAX_PAGES_PER_INSTALLATION; pages++) {
    const result = await github.listInstallationRepos(token, installationId, page);
    if (!result) return "not_visible";
    repos.push(...result.repos);
    page = result.nextPage;
  }
  const recorded = await recordInstallation(
    { id: found.id, account: found.account, repositorySelection: found.repositorySelection, suspended: found.suspended },
    repos.map((repo) => ({ id: repo.id, full_name: repo.fullName, private: repo.private })),
  );
  return recorded ? "recorded" : "removed";
}
