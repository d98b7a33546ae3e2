import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSession } from "@doctown/core/session";
import { upsertLocalUser } from "@doctown/core/user";
import { startTestEnvironment, type TestEnvironment } from "@doctown/core/test/support/testEnvironment";
import { scanItems } from "@doctown/core/test/support/table";
import { callApi } from "./support/api";

const LOCAL_ORIGIN = "http://localhost:4321";
let env: TestEnvironment;
let repoDir: string;
let headCommit: string;
let cookie: string;

const git = (...args: string[]) => execFileSync("git", args, { cwd: repoDir, encoding: "utf8", env: { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@example.com", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@example.com" } }).trim();
const localCall = (method: string, path: string, body?: unknown) =>
  callApi(method, path, { body, cookie, headers: { host: "localhost:4321", origin: LOCAL_ORIGIN } });

beforeAll(async () => {
  env = await startTestEnvironment({ stage: "local" });
  repoDir = mkdtempSync(join(tmpdir(), "doctown-local-repo-"));
  git("init", "-q", "-b", "main");
  writeFileSync(join(repoDir, "index.ts"), "export const answer = 42;\n");
  git("add", ".");
  git("commit", "-q", "-m", "first");
  git("tag", "v1");
  headCommit = git("rev-parse", "HEAD");
  const user = await upsertLocalUser("dev");
  cookie = `doctown_session=${(await createSession(user.id)).token}`;
});
afterAll(async () => {
  rmSync(repoDir, { recursive: true, force: true });
  await env?.stop();
});

describe("jobs on the local stage", () => {
  it("accepts an absolute path and a file:// URL of a git repository and resolves the ref with git", async () => {
    for (const [repo, ref] of [[repoDir, "main"], [pathToFileURL(repoDir).href, "v1"], [repoDir, headCommit]]) {
      const created = await localCall("POST", "/api/jobs", { repo, git_ref: ref });
      expect(created.status).toBe(202);
      const job = await localCall("GET", `/api/jobs/${created.json.job_id}`);
      expect(job.json).toMatchObject({ repo: repoDir, commit: headCommit });
      const stored = (await scanItems("job")).find((item) => item.id === created.json.job_id)!;
      expect(stored).toMatchObject({ repoKind: "local", callbackBaseUrl: LOCAL_ORIGIN });
      await localCall("POST", `/api/jobs/${created.json.job_id}/cancel`);
    }
  });

  it("never lets a ref reach git as an option, and writes nothing for bad refs or paths", async () => {
    const marker = join(tmpdir(), `doctown-pwned-${process.pid}`);
    const before = (await scanItems("job")).length;
    const cases: [string, string, string][] = [
      [repoDir, `--upload-pack=touch ${marker}`, "invalid_git_ref"],
      [repoDir, "--output=/tmp/x", "invalid_git_ref"],
      [repoDir, "no-such-branch", "ref_not_found"],
      [join(repoDir, "missing"), "main", "repo_not_found"],
      [join(repoDir, "index.ts"), "main", "repo_not_found"],
      [tmpdir(), "main", "ref_not_found"],
      ["relative/path/x", "main", "invalid_repo"],
    ];
    for (const [repo, ref, code] of cases) {
      const response = await localCall("POST", "/api/jobs", { repo, git_ref: ref });
      expect(response.status, `${repo} ${ref}`).toBe(400);
      expect(response.json.error.code, `${repo} ${ref}`).toBe(code);
    }
    expect(existsSync(marker)).toBe(false);
    expect((await scanItems("job")).length).toBe(before);
  });

  it("derives the site origin from the Host header over plain HTTP and drops Secure from cookies", async () => {
    const user = await upsertLocalUser("cookie-check");
    const session = await createSession(user.id);
    const logout = await callApi("POST", "/auth/logout", { cookie: `doctown_session=${session.token}`, headers: { host: "localhost:4321", origin: LOCAL_ORIGIN } });
    expect(logout.status).toBe(204);
    expect(logout.cookies[0]).not.toMatch(/Secure/);
    const wrongScheme = await callApi("POST", "/auth/logout", { headers: { host: "localhost:4321", origin: "https://localhost:4321" } });
    expect(wrongScheme.status).toBe(403);
  });

  it("lists no GitHub repositories for the dev user, who has no GitHub token", async () => {
    const repos = await localCall("GET", "/api/repos");
    expect(repos.status).toBe(200);
    expect(repos.json).toEqual({ repos: [], next_page: null, truncated: false, install_url: null });
  });
});
