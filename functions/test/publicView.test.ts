/**
 * What pages learn without probing (GET /api/session), what a build found (the complete
 * callback's stats on the job and docpack), and the commons' names: a local repository is shown
 * by its folder's name with the publisher as owner; its absolute path never leaves publicly.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSession } from "@doctown/core/session";
import { upsertLocalUser } from "@doctown/core/user";
import { startTestEnvironment, type TestEnvironment } from "@doctown/core/test/support/testEnvironment";
import { callApi } from "./support/api";
import { callback, dispatchJob, uploadDocpack } from "./support/builds";

const ORIGIN = "http://localhost:4321";
let env: TestEnvironment;
let repoDir: string;
let cookie: string;
const call = (method: string, path: string, body?: unknown, signedIn = true) =>
  callApi(method, path, { body, cookie: signedIn ? cookie : undefined, headers: { host: "localhost:4321", origin: ORIGIN } });

beforeAll(async () => {
  env = await startTestEnvironment({ stage: "local" });
  repoDir = mkdtempSync(join(tmpdir(), "doctown-names-"));
  const git = (...args: string[]) => execFileSync("git", args, { cwd: repoDir, env: { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@example.com", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@example.com" } });
  git("init", "-q", "-b", "main");
  writeFileSync(join(repoDir, "index.ts"), "export const answer = 42;\n");
  git("add", ".");
  git("commit", "-q", "-m", "first");
  const user = await upsertLocalUser("dev");
  cookie = `doctown_session=${(await createSession(user.id)).token}`;
});
afterAll(async () => {
  rmSync(repoDir, { recursive: true, force: true });
  await env?.stop();
});

describe("GET /api/session", () => {
  it("answers 200 signed out with the stage's sign-in, and the user once signed in", async () => {
    const out = await call("GET", "/api/session", undefined, false);
    expect(out.status).toBe(200);
    // The test environment configures a GitHub OAuth app, so even the local stage offers GitHub.
    expect(out.json).toEqual({ user: null, sign_in: "github", local_stage: true, build_on_push: false });
    const signedIn = await call("GET", "/api/session");
    expect(signedIn.json).toMatchObject({ user: { login: "dev" }, sign_in: "github" });
    // Without a GitHub client (id and secret: half of one is refused) the local stage offers the dev sign-in.
    const previous = { id: process.env.GITHUB_CLIENT_ID, secret: process.env.GITHUB_CLIENT_SECRET };
    delete process.env.GITHUB_CLIENT_ID;
    delete process.env.GITHUB_CLIENT_SECRET;
    try {
      expect((await call("GET", "/api/session", undefined, false)).json.sign_in).toBe("dev");
    } finally {
      process.env.GITHUB_CLIENT_ID = previous.id;
      process.env.GITHUB_CLIENT_SECRET = previous.secret;
    }
  });
});

describe("a local build on the commons", () => {
  it("keeps what the build found and shows the folder's name, never its path", async () => {
    const created = await call("POST", "/api/jobs", { repo: repoDir, git_ref: "main", public: true });
    expect(created.status).toBe(202);
    const jobId: string = created.json.job_id;
    const { secret } = await dispatchJob(jobId);
    const upload = await uploadDocpack(jobId);
    const stats = { files: 3, symbols: 7, bytes: 900, skipped: { binary: 2 }, languages: { typescript: 3 }, duration_ms: 1234 };
    const bad = await callback(jobId, "complete", secret, { status: "succeeded", size: upload.size, sha256: upload.sha256, stats: { ...stats, files: -1 } });
    expect(bad.status).toBe(400);
    const done = await callback(jobId, "complete", secret, { status: "succeeded", size: upload.size, sha256: upload.sha256, stats });
    expect(done.status).toBe(200);

    const job = await call("GET", `/api/jobs/${jobId}`);
    expect(job.json).toMatchObject({ status: "completed", repo: repoDir, name: basename(repoDir), stats, docpack_size: upload.size });
    const mine = await call("GET", "/api/docpacks");
    expect(mine.json.docpacks[0]).toMatchObject({ docpack_id: jobId, name: basename(repoDir), stats });

    const commons = await call("GET", "/api/docpacks/public", undefined, false);
    expect(commons.status).toBe(200);
    expect(commons.json.docpacks[0]).toMatchObject({ docpack_id: jobId, repo: basename(repoDir), name: basename(repoDir), owner: "dev", stats });
    expect(commons.body).not.toContain(repoDir);
    expect(commons.json.docpacks[0].job_id).toBeUndefined();
  });
});
