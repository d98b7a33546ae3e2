/**
 * The GitHub App flow, offline, on the local stack: a GitHub stand-in on https://127.0.0.1
 * (core/test/support/fakeGitHubApp.ts: OAuth with expiring user tokens, installations, app-JWT
 * checked installation tokens, git over smart HTTP through `git http-backend`) and the real
 * builder. install → sign in → pick → build cloned with an installation token → push webhook →
 * rebuild; forged, replayed and re-labelled deliveries → nothing; uninstall → nothing builds.
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import { sign } from "@octokit/webhooks-methods";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installationEventPayload, startGitHubAppStandIn, type GitHubAppStandIn, type StandInInstallation } from "@doctown/core/test/support/fakeGitHubApp";
import { trustCertificate } from "@doctown/core/test/support/selfSignedCert";
import { startLocalStack, type LocalStack } from "../src/stack";
import { BUILD_TEST_TIMEOUT_MS, clientWithCookie, isFinished, waitForJob, type ApiClient } from "./support/client";
import { downloadDocpack, readDocpack } from "./support/docpack";
import { makeRepo, NO_LLM_ENV, SAMPLE_FILES, type TestRepo } from "@doctown/testing/repos";

const GIT_ENV = { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@t.invalid", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@t.invalid" };

describe("the GitHub App on the local stack", () => {
  let github: GitHubAppStandIn;
  let stack: LocalStack;
  let source: TestRepo;
  let installation: StandInInstallation;
  let alice: ApiClient;
  let untrust: (() => void) | undefined;
  const savedCaInfo = process.env.GIT_SSL_CAINFO;

  beforeAll(async () => {
    github = await startGitHubAppStandIn({ userTokenSeconds: 120 }); // under the 5-minute margin: every use refreshes
    // This process (fetch) and the builder's git trust the stand-in's certificate, as they would GitHub's.
    untrust = trustCertificate(github.ca);
    process.env.GIT_SSL_CAINFO = github.caFile;
    source = makeRepo(SAMPLE_FILES);
    github.addUser({ id: 5150, login: "alice" });
    github.addRepo({ owner: "alice", name: "private-lib", private: true, source: source.path });
    stack = await startLocalStack({
      port: 0,
      env: {
        ...NO_LLM_ENV,
        GITHUB_URL: github.url,
        GITHUB_API_URL: github.apiUrl,
        GITHUB_APP_ID: String(github.app.id),
        GITHUB_APP_SLUG: github.app.slug,
        // As a secret store often keeps it: one line with literal \n.
        GITHUB_APP_PRIVATE_KEY: github.app.privateKey.replace(/\n/g, "\\n"),
        GITHUB_CLIENT_ID: github.app.clientId,
        GITHUB_CLIENT_SECRET: github.app.clientSecret,
        GITHUB_WEBHOOK_SECRET: github.app.webhookSecret,
      },
    });
  });
  afterAll(async () => {
    await stack?.stop();
    await github?.close();
    source?.remove();
    untrust?.();
    if (savedCaInfo === undefined) delete process.env.GIT_SSL_CAINFO;
    else process.env.GIT_SSL_CAINFO = savedCaInfo;
  });

  async function deliver(event: string, payload: unknown, options: { deliveryId?: string; body?: string; secret?: string } = {}) {
    const body = options.body ?? JSON.stringify(payload);
    const response = await fetch(`${stack.url}/api/github/webhook`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-github-event": event,
        "x-github-delivery": options.deliveryId ?? randomUUID(),
        "x-hub-signature-256": await sign(options.secret ?? github.app.webhookSecret, body),
      },
      body,
    });
    return { status: response.status, json: (await response.json()) as Record<string, any>, body };
  }

  function commitAndPush(file: string, content: string): string {
    writeFileSync(join(source.path, file), content);
    execFileSync("git", ["add", "-A"], { cwd: source.path, env: GIT_ENV });
    execFileSync("git", ["commit", "-q", "-m", `change ${file}`], { cwd: source.path, env: GIT_ENV });
    github.updateRepo("alice", "private-lib", source.path);
    return execFileSync("git", ["rev-parse", "HEAD"], { cwd: source.path, encoding: "utf8" }).trim();
  }

  const pushPayload = (after: string, before: string, pushedAt: number) => ({
    ref: "refs/heads/main",
    before,
    after,
    deleted: false,
    repository: { id: 100, name: "private-lib", full_name: "alice/private-lib", private: true, default_branch: "main", pushed_at: pushedAt },
    installation: { id: installation.id },
    sender: { login: "alice", id: 5150 },
  });

  const jobCount = async () => (await alice.getJson<{ jobs: unknown[] }>("/api/jobs")).jobs.length;

  it("records an installation from the app's signed `installation` event", async () => {
    installation = github.install("alice", ["private-lib"]);
    const answer = await deliver("installation", installationEventPayload(github, installation, "created"));
    expect(answer.status).toBe(202);
    expect(answer.json).toMatchObject({ result: "installation_updated", action: "created" });
  });

  it("signs in through the app's user authorization (no scopes), refreshing the expiring token when used", async () => {
    github.signInAs("alice");
    const login = await fetch(`${stack.url}/auth/github/login`, { redirect: "manual" });
    expect(login.status).toBe(302);
    const authorize = new URL(login.headers.get("location")!);
    expect(authorize.origin + authorize.pathname).toBe(`${github.url}/login/oauth/authorize`);
    expect(authorize.searchParams.get("scope")).toBeNull();
    const stateCookie = login.headers.getSetCookie().map((c) => c.split(";")[0]).find((c) => c.startsWith("doctown_oauth_state="))!;
    const approved = await fetch(authorize, { redirect: "manual" });
    const callback = await fetch(approved.headers.get("location")!, { redirect: "manual", headers: { cookie: stateCookie } });
    expect(callback.status).toBe(302);
    expect(callback.headers.get("location")).toBe("/dashboard/");
    const session = callback.headers.getSetCookie().map((c) => c.split(";")[0]).find((c) => c.startsWith("doctown_session="))!;
    alice = clientWithCookie(stack.url, session);
    expect((await alice.getJson("/api/me")).user).toMatchObject({ login: "alice" });
  });

  it("lists the repositories alice reaches through the installation, and where to install more", async () => {
    const listed = await alice.getJson<{ repos: { full_name: string; private: boolean; installation_id: number }[]; install_url: string }>("/api/repos");
    expect(listed.repos).toEqual([expect.objectContaining({ full_name: "alice/private-lib", private: true, installation_id: installation.id })]);
    expect(listed.install_url).toBe(`${github.url}/apps/${github.app.slug}/installations/new`);
    // The token was refreshed on use (it expires within the margin): a refresh grant, single use.
    expect(github.userTokens.filter((t) => t.login === "alice").length).toBeGreaterThan(1);
  });

  it("builds the picked private repository, cloned with an installation token for it alone (never the user's)", async () => {
    const created = await alice.post("/api/jobs", { repo: "alice/private-lib", git_ref: "main" });
    expect(created.status).toBe(202);
    const { job_id: jobId } = await created.json();
    const { job } = await waitForJob(alice, jobId, isFinished);
    expect(job.error).toBeNull();
    expect(job.status).toBe("completed");
    expect(job.commit).toBe(source.head);
    const docpack = readDocpack((await downloadDocpack(alice, job.docpack_id!)).bytes);
    expect(docpack.manifest.repo.url).toBe(`${github.url}/alice/private-lib.git`);
    expect(docpack.paths).toContain("docs/files/src/math.ts.md");

    expect(github.installationTokens).toHaveLength(1);
    expect(github.installationTokens[0]).toMatchObject({ installationId: installation.id, repositories: ["private-lib"], permissions: { contents: "read" } });
    expect(github.installationTokens[0].expiresAt.getTime() - Date.now()).toBeLessThanOrEqual(3600_000);
    const clones = github.gitRequests.filter((r) => r.repo === "alice/private-lib");
    expect(clones.length).toBeGreaterThan(0);
    expect(clones.every((r) => r.auth === "installation" && r.token === github.installationTokens[0].token)).toBe(true);
    const userTokens = new Set(github.userTokens.map((t) => t.token));
    expect(github.gitRequests.some((r) => r.token && userTokens.has(r.token))).toBe(false);
  }, BUILD_TEST_TIMEOUT_MS);

  let lastPush: { body: string; after: string };

  it("rebuilds on a push once auto-build is on for the branch", async () => {
    const saved = await fetch(`${stack.url}/api/repos/alice/private-lib/settings`, {
      method: "PUT",
      headers: { origin: stack.url, cookie: alice.cookie, "content-type": "application/json" },
      body: JSON.stringify({ auto_build: true, branches: ["main"] }),
    });
    expect(saved.status).toBe(200);
    const before = source.head;
    const after = commitAndPush("src/extra.ts", "export const extra = 1;\n");
    const push = await deliver("push", pushPayload(after, before, 1_800_000_000));
    expect(push.status).toBe(202);
    expect(push.json.result).toBe("build_started");
    const { job } = await waitForJob(alice, push.json.job_id, isFinished);
    expect(job.error).toBeNull();
    expect(job).toMatchObject({ status: "completed", commit: after });
    expect(github.installationTokens).toHaveLength(2);
    lastPush = { body: push.body, after };
  }, BUILD_TEST_TIMEOUT_MS);

  it("builds nothing for forged, replayed (fresh delivery id) or re-labelled deliveries", async () => {
    const jobs = await jobCount();
    const forged = await deliver("push", undefined, { body: lastPush.body.replace("private-lib", "private-lib "), secret: "not-the-app-secret" });
    expect(forged.status).toBe(401);
    const replayed = await deliver("push", undefined, { body: lastPush.body });
    expect(replayed.status).toBe(200);
    expect(replayed.json.result).toBe("duplicate_delivery");
    const relabelled = await deliver("installation_repositories", undefined, { body: lastPush.body });
    expect([200, 400]).toContain(relabelled.status);
    expect(relabelled.json.result ?? relabelled.json.error?.code).not.toBe("build_started");
    expect(await jobCount()).toBe(jobs);
  });

  it("builds a repository whose installation event never reached this stage, asking GitHub as the app", async () => {
    github.addRepo({ owner: "alice", name: "unannounced", private: true, source: source.path });
    const quiet = github.install("alice", ["unannounced"]); // no webhook delivered (a stage sharing the preview app)
    const created = await alice.post("/api/jobs", { repo: "alice/unannounced", git_ref: "main" });
    expect(created.status).toBe(202);
    const { job } = await waitForJob(alice, (await created.json()).job_id, isFinished);
    expect(job.error).toBeNull();
    expect(job.status).toBe("completed");
    expect(github.installationTokens.at(-1)).toMatchObject({ installationId: quiet.id, repositories: ["unannounced"] });
    expect(github.gitRequests.filter((r) => r.repo === "alice/unannounced").every((r) => r.auth === "installation")).toBe(true);
  }, BUILD_TEST_TIMEOUT_MS);

  it("builds nothing once the app is uninstalled, and a late push naming the old installation is ignored", async () => {
    github.uninstall(installation.id);
    const removed = await deliver("installation", installationEventPayload(github, installation, "deleted"));
    expect(removed.status).toBe(202);
    const jobs = await jobCount();
    const after = commitAndPush("src/later.ts", "export const later = 2;\n");
    const push = await deliver("push", pushPayload(after, lastPush.after, 1_800_000_100));
    expect(push.status).toBe(202);
    expect(push.json).toMatchObject({ result: "ignored", reason: "not_installed" });
    expect(await jobCount()).toBe(jobs);
    // …and the picker no longer offers the repository.
    const names = (await alice.getJson<{ repos: { full_name: string }[] }>("/api/repos")).repos.map((repo) => repo.full_name);
    expect(names).not.toContain("alice/private-lib");
    // …and a build by hand is refused: the user's app token no longer reaches the private repository.
    const manual = await alice.post("/api/jobs", { repo: "alice/private-lib", git_ref: "main" });
    expect(manual.status).toBe(400);
    expect((await manual.json()).error.code).toBe("repo_not_found");
    expect(await jobCount()).toBe(jobs);
  });
});
