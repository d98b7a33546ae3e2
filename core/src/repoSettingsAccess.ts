/**
 * Repository settings as the API serves them (GET/PUT /api/repos/{owner}/{name}/settings): only
 * for a user whom GitHub lets read the repository (else 404, like a repository that does not
 * exist); changing them needs write access, because whoever saves them owns the push builds.
 */
import * as z from "zod";
import { isLocalStage } from "./config";
import { Forbidden, NotFound } from "./errors";
import type { GitHubRepo } from "./github";
import { gitRefProblem, parseRepo } from "./jobRef";
import { getRepoSettings, putRepoSettings, type RepoSettings } from "./repoSettings";
import { services } from "./services";
import { getGitHubToken } from "./user";

export const MAX_AUTO_BUILD_BRANCHES = 20;

const BranchName = z.string().superRefine((branch, ctx) => {
  if (branch.startsWith("refs/")) ctx.addIssue({ code: "custom", message: "give the branch name without refs/heads/" });
  const problem = gitRefProblem(branch);
  if (problem) ctx.addIssue({ code: "custom", message: `branch ${JSON.stringify(branch.slice(0, 60))} ${problem}` });
});

/** The body of PUT …/settings. An empty `branches` means the repository's default branch. */
export const RepoSettingsRequest = z.object({
  auto_build: z.boolean(),
  branches: z.array(BranchName).max(MAX_AUTO_BUILD_BRANCHES, `at most ${MAX_AUTO_BUILD_BRANCHES} branches`),
});

export type RepoSettingsView = {
  repo: string;
  auto_build: boolean;
  branches: string[];
  default_branch: string;
  /** Whether this user may change the settings (write access). */
  can_edit: boolean;
  /** Whether push builds currently run as this user. */
  managed_by_you: boolean;
  updated_at: string | null;
};

export async function getRepoSettingsForUser(userId: string, owner: string, name: string): Promise<RepoSettingsView> {
  const repo = await readableRepo(userId, owner, name);
  return view(repo, await getRepoSettings(repo.fullName), userId);
}

/** Saves the settings; the saving user becomes the one push builds run as. */
export async function putRepoSettingsForUser(userId: string, owner: string, name: string, body: unknown): Promise<RepoSettingsView> {
  const request = RepoSettingsRequest.parse(body);
  const repo = await readableRepo(userId, owner, name);
  if (!canEdit(repo))
    throw new Forbidden("repo_write_access_required", `Only people with write access to ${repo.fullName} can change its auto-build settings.`);
  const saved = await putRepoSettings(repo.fullName, { autoBuild: request.auto_build, branches: request.branches, ownerUserId: userId });
  return view(repo, saved, userId);
}

async function readableRepo(userId: string, owner: string, name: string): Promise<GitHubRepo> {
  const parsed = parseRepo(`${owner}/${name}`);
  const notFound = () => new NotFound("repo_not_found", "Repository not found, or you cannot read it.");
  if (parsed.kind !== "github") throw notFound();
  const token = await getGitHubToken(userId);
  const repo = await services().github.getRepo(token, parsed.owner, parsed.name);
  if (!repo || (repo.permissions && !repo.permissions.pull)) throw notFound();
  return repo;
}

/** Write access per GitHub; without a token (the local stage's dev user) only on the local stage. */
function canEdit(repo: GitHubRepo): boolean {
  if (repo.permissions) return repo.permissions.push || repo.permissions.admin;
  return isLocalStage();
}

function view(repo: GitHubRepo, settings: RepoSettings | null, userId: string): RepoSettingsView {
  return {
    repo: repo.fullName,
    auto_build: settings?.autoBuild ?? false,
    branches: settings?.branches ?? [],
    default_branch: repo.defaultBranch,
    can_edit: canEdit(repo),
    managed_by_you: settings?.ownerUserId === userId,
    updated_at: settings?.updatedAt ?? null,
  };
}
