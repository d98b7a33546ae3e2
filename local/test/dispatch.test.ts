/**
 * What Dispatch hands the builder for a GitHub repository: the clone URL under GITHUB_URL, the
 * commit GitHub resolved, an installation token minted for that one repository (never the user's
 * token, which stays in the API), a presigned PUT and a per-job callback secret. GitHub and RunPod
 * are stand-ins at their HTTP boundaries.
 */
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { services } from "@doctown/core/services";
import { createSession } from "@doctown/core/session";
import { recordInstallation } from "@doctown/core/installation";
import { upsertGitHubUser, userKey } from "@doctown/core/user";
import { jobKey } from "@doctown/core/job";
import { handler as dispatch } from "@doctown/functions/pipeline/dispatch";
import { handler as markFailed } from "@doctown/functions/pipeline/markFailed";
import { startFakeGitHub, type FakeGitHub } from "@doctown/core/test/support/fakeGitHub";
import { startLocalStack, type LocalStack } from "../src/stack";
import { clientWithCookie, type ApiClient } from "./support/client";
import { startRunpodStandIn, type RunpodStandIn } from "./support/runpodStandIn";

const TOKEN = "gho_a-very-secret-token-for-octo";
const COMMIT = "a".repeat(40);

describe("dispatching a GitHub repository", () => {
  let github: FakeGitHub;
  let runpod: RunpodStandIn;
  let stack: LocalStack;
  let client: ApiClient;

  beforeAll(async () => {
    github = await startFakeGitHub({
      users: [{ token: TOKEN, id: 4242, login: "octo" }],
      repos: [
        { owner: "octo", name: "private-lib", private: true, refs: { main: COMMIT } },
        { owner: "octo", name: "public-lib", refs: { main: COMMIT } },
      ],
    });
    runpod = await startRunpodStandIn({ kind: "silent" });
    stack = await startLocalStack({
      port: 0,
      runpod: { url: runpod.apiUrl, apiKey: runpod.apiKey, endpointId: runpod.endpointId },
      env: { GITHUB_API_URL: github.url, GITHUB_URL: "https://ghe.example.com", GITHUB_APP_ID: String(github.app.id), GITHUB_APP_PRIVATE_KEY: github.app.privateKey },
    });
    // As GitHub sign-in leaves it: the user with an encrypted token, and a session.
    const user = await upsertGitHubUser({ id: 4242, login: "octo", name: null, avatarUrl: null }, { accessToken: TOKEN });
    // The app is installed on the private repository only.
    await recordInstallation({ id: 77, account: "octo", repositorySelection: "selected" }, [{ full_name: "octo/private-lib", private: true }]);
    const session = await createSession(user.id);
    client = clientWithCookie(stack.url, `doctown_session=${session.token}`);
  });
  afterAll(async () => {
    await stack?.stop();
    await runpod?.close();
    await github?.close();
  });

  it("sends the builder the clone URL, commit, an installation token for the repository, upload URL and a fresh callback secret", async () => {
    const created = await client.post("/api/jobs", { repo: "octo/private-lib", git_ref: "main" });
    expect(created.status).toBe(202);
    const { job_id: jobId } = await created.json();
    await expect.poll(() => runpod.runs.length).toBe(1);
    const input = runpod.runs[0];
    expect(input).toMatchObject({
      job_id: jobId,
      repo_url: "https://ghe.example.com/octo/private-lib.git",
      git_ref: "main",
      commit: COMMIT,
      github_token: github.installationTokens[0].token,
      callback_url: `${stack.url}/api/jobs/${jobId}`,
    });
    expect((input.options as { allowLocal?: boolean } | undefined)?.allowLocal).toBeUndefined();
    expect(github.installationTokens).toEqual([expect.objectContaining({ installationId: 77, repositories: ["private-lib"], permissions: { contents: "read" } })]);
    expect(new URL(input.upload_url).pathname).toBe(`/doctown-docpacks/docpacks/${jobId}.docpack.zip`);
    expect(input.upload_url).toContain("X-Amz-Signature=");
    expect(input.callback_secret.length).toBeGreaterThanOrEqual(32);

    await expect.poll(async () => (await client.getJson(`/api/jobs/${jobId}`)).status).toBe("building");
    const { db, tableName } = services();
    const job = (await db.send(new GetCommand({ TableName: tableName, Key: jobKey(jobId) }))).Item!;
    const user = (await db.send(new GetCommand({ TableName: tableName, Key: userKey("4242") }))).Item!;
    // Only the secret's hash, never the secret or the token, is at rest.
    expect(JSON.stringify(job)).not.toContain(input.callback_secret);
    expect(job.callbackSecretHash).toMatch(/^[0-9a-f]{64}$/);
    expect(job.runpodJobId).toBe("standin-1");
    expect(JSON.stringify(user)).not.toContain(TOKEN);
    // …and the API shows none of it.
    const view = JSON.stringify(await client.getJson(`/api/jobs/${jobId}`));
    for (const secret of [TOKEN, input.callback_secret, "callbackSecretHash", "taskToken"]) expect(view).not.toContain(secret);
  });

  it("builds a public repository without an installation anonymously: no token at all", async () => {
    const created = await client.post("/api/jobs", { repo: "octo/public-lib", git_ref: "main" });
    expect(created.status).toBe(202);
    const { job_id: jobId } = await created.json();
    await expect.poll(() => runpod.runs.some((run) => run.job_id === jobId)).toBe(true);
    const input = runpod.runs.find((run) => run.job_id === jobId)!;
    expect(input.repo_url).toBe("https://ghe.example.com/octo/public-lib.git");
    expect(input).not.toHaveProperty("github_token");
    expect(github.installationTokens).toHaveLength(1);
    expect(JSON.stringify(runpod.runs)).not.toContain(TOKEN);
  });

  it("without a GitHub App (the local stage's dev sign-in) clones anonymously instead of failing", async () => {
    const appId = process.env.GITHUB_APP_ID;
    delete process.env.GITHUB_APP_ID;
    try {
      const created = await client.post("/api/jobs", { repo: "octo/public-lib", git_ref: "main" });
      const { job_id: jobId } = await created.json();
      await expect.poll(() => runpod.runs.some((run) => run.job_id === jobId)).toBe(true);
      expect(runpod.runs.find((run) => run.job_id === jobId)).not.toHaveProperty("github_token");
      expect(github.installationTokens).toHaveLength(1);
      expect((await client.post(`/api/jobs/${jobId}/cancel`)).status).toBe(200);
    } finally {
      process.env.GITHUB_APP_ID = appId;
    }
  });

  it("MarkFailed reads the cloud's Lambda error Cause, fails the job once, and cancels its RunPod job", async () => {
    const created = await client.post("/api/jobs", { repo: "octo/private-lib", git_ref: "main" });
    const { job_id: jobId } = await created.json();
    await expect.poll(async () => (await client.getJson(`/api/jobs/${jobId}`)).status).toBe("building");
    await expect.poll(() => runpod.runs.length).toBe(4);
    // What Step Functions passes after a Lambda task threw (Cause is the Lambda error as JSON).
    const cause = JSON.stringify({ errorType: "RunpodRejected", errorMessage: "RunPod POST /run answered HTTP 401: bad key", trace: [] });
    const first = await markFailed({ jobId, error: { Error: "RunpodRejected", Cause: cause } });
    expect(first).toMatchObject({ changed: true, status: "failed" });
    const job = await client.getJson(`/api/jobs/${jobId}`);
    expect(job.error).toEqual({ code: "dispatch_error", message: "RunPod refused the build: RunPod POST /run answered HTTP 401: bad key" });
    await expect.poll(() => runpod.cancels).toContain("standin-4");
    // A second, different failure changes nothing: the first reason stands.
    expect(await markFailed({ jobId, error: { Error: "States.Timeout", Cause: "" } })).toMatchObject({ changed: false, status: "failed" });
    expect((await client.getJson(`/api/jobs/${jobId}`)).error.code).toBe("dispatch_error");
  });

  it("Dispatch sends nothing to RunPod for a job that was cancelled before it ran", async () => {
    const created = await client.post("/api/jobs", { repo: "octo/private-lib", git_ref: "main" });
    const { job_id: jobId } = await created.json();
    expect((await client.post(`/api/jobs/${jobId}/cancel`)).status).toBe(200);
    const runsBefore = runpod.runs.length;
    // What the state machine would deliver for a late (or retried) Dispatch of that job.
    await expect(dispatch({ jobId, taskToken: "token-of-a-late-dispatch" })).rejects.toMatchObject({ name: "JobNotRunnable" });
    expect(runpod.runs.length).toBe(runsBefore);
    expect(await client.getJson(`/api/jobs/${jobId}`)).toMatchObject({ status: "cancelled", error: null });
    await expect(dispatch({ jobId: "not-a-job", taskToken: "t" })).rejects.toMatchObject({ name: "JobNotRunnable" });
  });
});
