/**
 * What a job builds: a repository (GitHub `owner/name`, or on the local stage a git repository on
 * this machine) and a git ref. Both are attacker-controlled input that ends up in git commands and
 * URLs, so they are validated strictly here, before anything else sees them.
 */
import { execFile } from "node:child_process";
import { statSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import * as z from "zod";
import { isLocalStage } from "./config";
import { BadRequest } from "./errors";
import { COMMIT_PATTERN, GITHUB_LOGIN_PATTERN, GITHUB_REPO_NAME_PATTERN } from "./patterns";

export const MAX_GIT_REF_LENGTH = 255;
const GIT_TIMEOUT_MS = 10_000;

/** GitHub's rules for owners (alphanumerics and single inner hyphens) and repository names. */
const OWNER = GITHUB_LOGIN_PATTERN;
const REPO_NAME = GITHUB_REPO_NAME_PATTERN;

export type RepoRef =
  | { kind: "github"; owner: string; name: string; fullName: string }
  | { kind: "local"; path: string };

/** Why a ref is refused, or null if `git check-ref-format` (and we) would accept it. */
export function gitRefProblem(ref: string): string | null {
  if (ref.length === 0) return "must not be empty";
  if (ref.length > MAX_GIT_REF_LENGTH) return `must be at most ${MAX_GIT_REF_LENGTH} characters`;
  if (ref.startsWith("-")) return "must not start with '-'";
  // Control characters, space and the characters git reserves for revision syntax.
  if (/[\x00-\x20\x7f~^:?*[\\]/.test(ref)) return "contains a character git does not allow in ref names";
  if (ref.includes("..")) return "must not contain '..'";
  if (ref.includes("@{") || ref === "@") return "must not contain '@{' or be '@'";
  if (ref.startsWith("/") || ref.endsWith("/") || ref.includes("//")) return "has an empty path component";
  if (ref.endsWith(".")) return "must not end with '.'";
  for (const component of ref.split("/")) {
    if (component.startsWith(".")) return "has a path component starting with '.'";
    if (component.endsWith(".lock")) return "has a path component ending with '.lock'";
  }
  return null;
}

export const GitRef = z.string().superRefine((ref, ctx) => {
  const problem = gitRefProblem(ref);
  if (problem) ctx.addIssue({ code: "custom", message: `a git ref ${problem}` });
});

/** Parses the `repo` of a job request; local paths are accepted only on the local stage. */
export function parseRepo(raw: string): RepoRef {
  if (typeof raw !== "string" || raw.length === 0 || raw.length > 4096) throw invalidRepo();
  const looksLocal = raw.startsWith("file://") || isAbsolute(raw);
  if (looksLocal) {
    if (!isLocalStage()) throw invalidRepo();
    return { kind: "local", path: localRepoPath(raw) };
  }
  const parts = raw.split("/");
  if (parts.length !== 2) throw invalidRepo();
  const [owner, name] = parts;
  if (!OWNER.test(owner) || !REPO_NAME.test(name) || name === "." || name === "..") throw invalidRepo();
  return { kind: "github", owner, name, fullName: `${owner}/${name}` };
}

/** How a job stores its repository: "owner/name", or the absolute local path. */
export function repoString(repo: RepoRef): string {
  return repo.kind === "github" ? repo.fullName : repo.path;
}

function invalidRepo() {
  return new BadRequest(
    "invalid_repo",
    isLocalStage()
      ? "repo must be a GitHub repository as owner/name, or an absolute path or file:// URL of a git repository on this machine."
      : "repo must be a GitHub repository as owner/name.",
  );
}

function localRepoPath(raw: string): string {
  let path: string;
  try {
    path = raw.startsWith("file://") ? fileURLToPath(raw) : raw;
  } catch {
    throw new BadRequest("invalid_repo", "repo is not a valid file:// URL.");
  }
  if (path.includes("\0")) throw new BadRequest("invalid_repo", "repo path contains a NUL character.");
  path = resolve(path);
  let isDirectory = false;
  try {
    isDirectory = statSync(path).isDirectory();
  } catch {
    // reported below
  }
  if (!isDirectory) throw new BadRequest("repo_not_found", `No directory at ${path}.`);
  return path;
}

/** Resolves a (validated) ref to its commit in a local repository, or throws a 400. */
export async function resolveLocalCommit(path: string, ref: string): Promise<string> {
  const problem = gitRefProblem(ref);
  if (problem) throw new BadRequest("invalid_git_ref", `git_ref ${problem}.`);
  const output = await new Promise<string | null>((done) => {
    execFile(
      "git",
      ["rev-parse", "--verify", "--quiet", "--end-of-options", `${ref}^{commit}`],
      {
        cwd: path,
        timeout: GIT_TIMEOUT_MS,
        env: { ...process.env, GIT_TERMINAL_PROMPT: "0", GIT_OPTIONAL_LOCKS: "0" },
        maxBuffer: 64 * 1024,
      },
      (error, stdout) => done(error ? null : stdout.trim()),
    );
  });
  if (!output || !COMMIT_PATTERN.test(output))
    throw new BadRequest("ref_not_found", `git_ref ${JSON.stringify(ref)} does not name a commit in ${path} (or it is not a git repository).`);
  return output;
}
