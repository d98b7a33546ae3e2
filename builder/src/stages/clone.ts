/**
 * clone: fetches exactly one commit (shallow) into a bare repository inside `workDir`. No checkout:
 * later stages read the tree and blobs straight from the object store. The source URL and ref are
 * validated before any git process starts; git runs with a timeout, never prompts, and allows only
 * https (plus file:// for local sources when allowed).
 */
import { existsSync, statSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { simpleGit, type SimpleGit, type SimpleGitOptions } from "simple-git";
import { COMMIT_PATTERN } from "@doctown/core/patterns";
import { BuildError } from "../errors";
import { gitConfig, gitEnv, scrubSecret, type GitAccess } from "../git/env";

export type CloneRequest = {
  source: string;
  ref?: string;
  commit?: string;
  githubToken?: string;
  allowLocal: boolean;
  signal?: AbortSignal;
};

export type CloneDeps = {
  workDir: string;
  env: Record<string, string | undefined>;
  /** Seam for tests: how a git client is made (default: simple-git). */
  createGit?: (options: Partial<SimpleGitOptions>) => SimpleGit;
  /** Kill a git process that prints nothing for this long. */
  inactivityTimeoutMs?: number;
  /** Upper bound for the whole stage. */
  totalTimeoutMs?: number;
  /**
   * Local sources are read in place (their object store is already here: copying it costs seconds
   * on a large repository). `true` fetches them like a remote instead.
   */
  fetchLocal?: boolean;
};

export type ClonedRepo = {
  gitDir: string;
  commit: string;
  /** What the docpack records as the repository URL (never with credentials). */
  url: string;
  /** The ref that was asked for ("HEAD" when none). */
  ref: string;
  name: string;
  access: GitAccess;
};

export type ValidSource = { fetchUrl: string; displayUrl: string; name: string; local: boolean; localPath: string };

const MAX_REF_LENGTH = 255;

/** Refuses refs git could read as an option, a revision expression or a refspec. */
export function validateRef(ref: string): string {
  const refuse = (why: string): never => {
    throw new BuildError("invalid_ref", `invalid git ref ${JSON.stringify(ref.slice(0, 80))}: ${why}`);
  };
  if (ref.length === 0) refuse("empty");
  if (ref.length > MAX_REF_LENGTH) refuse(`longer than ${MAX_REF_LENGTH} characters`);
  if (ref.startsWith("-")) refuse("starts with '-'");
  if (ref.startsWith("+")) refuse("starts with '+'");
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x20\x7f]/.test(ref)) refuse("contains a space or control character");
  if (/[~^:?*[\\]/.test(ref)) refuse("contains one of ~ ^ : ? * [ \\");
  if (ref.includes("..")) refuse("contains '..'");
  if (ref.includes("@{")) refuse("contains '@{'");
  if (ref.includes("//") || ref.startsWith("/") || ref.endsWith("/")) refuse("has an empty path component");
  if (ref.endsWith(".") || ref.endsWith(".lock") || ref.split("/").some((part) => part.startsWith(".")))
    refuse("has a component that starts or ends with '.' or ends with '.lock'");
  return ref;
}

export function validateCommit(commit: string): string {
  if (!COMMIT_PATTERN.test(commit)) throw new BuildError("invalid_ref", "commit must be a full 40-hex (or 64-hex) sha");
  return commit;
}

export function repoNameFrom(pathOrUrl: string): string {
  const last = pathOrUrl.replace(/[/\\]+$/, "").split(/[/\\]/).pop() ?? "";
  const name = last.replace(/\.git$/i, "").replace(/[^A-Za-z0-9._-]/g, "-");
  return name.length > 0 && name !== "." && name !== ".." ? name : "repository";
}

/** Accepts https URLs, and file:// URLs or local paths when `allowLocal`. */
export function validateSource(source: string, allowLocal: boolean): ValidSource {
  const refuse = (message: string): never => {
    throw new BuildError("invalid_source", message);
  };
  // eslint-disable-next-line no-control-regex
  if (source.length === 0 || source.length > 2048 || /[\x00-\x1f\x7f]/.test(source)) refuse("invalid repository source");
  if (source.startsWith("-")) refuse("repository source must not start with '-'");
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(source)?.[1]?.toLowerCase();
  if (scheme === "https") {
    let url: URL;
    try {
      url = new URL(source);
    } catch {
      return refuse("invalid repository URL");
    }
    if (url.username || url.password) refuse("credentials in the repository URL are not accepted; pass a token instead");
    if (!url.hostname || url.search || url.hash) refuse("repository URL must be https://host/path without query or fragment");
    if (url.pathname.length <= 1) refuse("repository URL has no path");
    return { fetchUrl: url.href, displayUrl: url.href, name: repoNameFrom(url.pathname), local: false, localPath: "" };
  }
  if (scheme && scheme !== "file") refuse(`unsupported protocol "${scheme}": only https is allowed`);
  if (!scheme && /^[^/\\]+@[^/\\]+:/.test(source)) refuse("ssh sources are not supported: use an https URL");
  if (!allowLocal) throw new BuildError("local_not_allowed", "local repositories are not allowed here");
  const localPath = scheme === "file" ? decodeURIComponent(new URL(source).pathname) : path.resolve(source);
  if (!existsSync(localPath) || !statSync(localPath).isDirectory()) refuse(`no such directory: ${localPath}`);
  const href = pathToFileURL(localPath).href;
  return { fetchUrl: href, displayUrl: href, name: repoNameFrom(localPath), local: true, localPath };
}

export async function cloneStage(request: CloneRequest, deps: CloneDeps): Promise<ClonedRepo> {
  // Validation comes first: nothing below runs for a refused source, ref or commit.
  const source = validateSource(request.source, request.allowLocal);
  const ref = request.ref === undefined ? "HEAD" : validateRef(request.ref);
  const wanted = request.commit === undefined ? undefined : validateCommit(request.commit.toLowerCase());
  const access: GitAccess = { allowFile: source.local, token: request.githubToken || undefined };

  const gitDir = path.join(deps.workDir, "repo.git");
  const signals = [AbortSignal.timeout(deps.totalTimeoutMs ?? 10 * 60_000)];
  if (request.signal) signals.push(request.signal);
  const createGit = deps.createGit ?? simpleGit;
  const options: Partial<SimpleGitOptions> = {
    baseDir: deps.workDir,
    config: gitConfig(access),
    timeout: { block: deps.inactivityTimeoutMs ?? 120_000 },
    abort: AbortSignal.any(signals),
    // These switches only permit the settings *we* pass (protocol.allow, an empty credential helper,
    // GIT_CONFIG_* in the env); --upload-pack and friends stay blocked.
    unsafe: {
      allowUnsafeProtocolOverride: true,
      allowUnsafeCredentialHelper: true,
      allowUnsafeAskPass: true,
      allowUnsafeConfigPaths: true,
      allowUnsafeConfigEnvCount: true,
      allowUnsafeHooksPath: true,
      allowUnsafeFsMonitor: true,
    },
  };
  const git = createGit(options).env(gitEnv(deps.env, access));

  try {
    if (source.local && !deps.fetchLocal) {
      const localDir = (await git.raw(["-C", source.localPath, "rev-parse", "--absolute-git-dir"])).trim();
      const commit = await resolveLocal(git, localDir, wanted ?? ref);
      if (wanted && commit !== wanted) throw new BuildError("commit_mismatch", `found ${commit}, expected ${wanted}`);
      return { gitDir: localDir, commit, url: source.displayUrl, ref, name: source.name, access };
    }
    await git.raw(["init", "--bare", "--quiet", gitDir]);
    const inRepo = ["--git-dir", gitDir];
    await git.raw([...inRepo, "fetch", "--quiet", "--depth=1", "--no-tags", "--no-recurse-submodules", "--", source.fetchUrl, wanted ?? ref]);
    const commit = (await git.raw([...inRepo, "rev-parse", "--verify", "--end-of-options", "FETCH_HEAD^{commit}"])).trim();
    if (!COMMIT_PATTERN.test(commit)) throw new BuildError("git_failed", "git did not resolve the fetched commit");
    if (wanted && commit !== wanted) throw new BuildError("commit_mismatch", `fetched ${commit}, expected ${wanted}`);
    return { gitDir, commit, url: source.displayUrl, ref, name: source.name, access };
  } catch (error) {
    throw toCloneError(error, request, ref);
  }
}

async function resolveLocal(git: SimpleGit, gitDir: string, revision: string): Promise<string> {
  try {
    const commit = (await git.raw(["--git-dir", gitDir, "rev-parse", "--verify", "--quiet", "--end-of-options", `${revision}^{commit}`])).trim();
    if (COMMIT_PATTERN.test(commit)) return commit;
  } catch (error) {
    // a cancelled or stuck git is not a missing ref: let the caller classify it
    if (/abort|timeout/i.test(String(error))) throw error;
  }
  throw new BuildError("ref_not_found", `ref ${JSON.stringify(revision)} not found in the repository`);
}

function toCloneError(error: unknown, request: CloneRequest, ref: string): BuildError {
  if (error instanceof BuildError) return error;
  if (request.signal?.aborted) return new BuildError("aborted", "build cancelled");
  const raw = error instanceof Error ? error.message : String(error);
  const text = scrubSecret(raw, request.githubToken);
  if (/abort/i.test(error instanceof Error ? error.name + raw : raw) || /timed? ?out|block timeout/i.test(text))
    return new BuildError("timeout", "git took too long and was stopped");
  if (/couldn't find remote ref|not our ref|no such remote ref|unadvertised object/i.test(text))
    return new BuildError("ref_not_found", `ref ${JSON.stringify(request.commit ?? ref)} not found in the repository`);
  const line = text.split("\n").map((l) => l.trim()).filter((l) => /^(fatal|error):/.test(l))[0] ?? text.split("\n")[0];
  return new BuildError("git_failed", `git failed: ${line.slice(0, 300)}`);
}
