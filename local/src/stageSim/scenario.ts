/**
 * The simulated stage's end-to-end scenario, shared by `npm run stage:sim` and the test: a real git
 * repository published as https://github.com/<owner>/<name>.git, the GitHub REST API stand-in
 * knowing it, the stage's GitHub App installed on it (GitHub's signed `installation` webhook to the
 * deployed handler), a signed-in user, then one job through the site: create → dispatch → build →
 * callbacks → completed → listed → download. The repository is private: Dispatch clones it with an
 * installation token minted as the app, so the app's secrets are required.
 */
import { createHash, createHmac, randomBytes, randomUUID } from "node:crypto";
import { startFakeGitHub, type FakeGitHub } from "@doctown/core/test/support/fakeGitHub";
import { makeRepo, SAMPLE_FILES, type TestRepo } from "@doctown/testing/repos";
import { siteClient, type SiteClient } from "./client";
import { signInAs } from "./session";
import { stageCerts, startStageSim, type StageSim } from "./stage";

export const OWNER = "octo";
export const REPO_NAME = "sample";
export const USER = { id: 4242, login: OWNER };

/**
 * Only the secrets a stage needs (README "Deploying"); OPENAI_API_KEY is deliberately absent.
 * GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY are the app's, which GitHub makes: startScenario takes
 * them from the GitHub stand-in's app.
 */
export function requiredSecrets(): Record<string, string> {
  return {
    GITHUB_APP_SLUG: "doctown-sim",
    GITHUB_CLIENT_ID: "Iv1.simulated",
    GITHUB_CLIENT_SECRET: randomBytes(20).toString("hex"),
    GITHUB_WEBHOOK_SECRET: randomBytes(20).toString("hex"),
    R2_ACCOUNT_ID: "0123456789abcdef0123456789abcdef",
    R2_ACCESS_KEY_ID: "S3RVER",
    R2_SECRET_ACCESS_KEY: "S3RVER",
    R2_BUCKET: "doctown-sim-docpacks",
    RUNPOD_API_KEY: randomBytes(16).toString("hex"),
    RUNPOD_ENDPOINT_ID: "simendpoint",
    TOKEN_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
  };
}

export type Scenario = { secrets: Record<string, string>; sim: StageSim; repo: TestRepo; gitHubApi: FakeGitHub; githubToken: string; client: SiteClient; anonymous: SiteClient; stop(): Promise<void> };

export async function startScenario(options: { outdir: string; secrets?: Record<string, string>; without?: Set<string>; log?: (line: string) => void }): Promise<Scenario> {
  const repo = makeRepo(SAMPLE_FILES);
  const githubToken = `gho_${randomBytes(18).toString("hex")}`;
  // GitHub's API is https (outside the local stack the functions refuse plain http), so the stand-in
  // presents the simulation's certificate.
  const certs = stageCerts();
  const gitHubApi = await startFakeGitHub(
    {
      users: [{ token: githubToken, id: USER.id, login: USER.login }],
      repos: [{ owner: OWNER, name: REPO_NAME, private: true, refs: { main: repo.head } }],
    },
    { tls: { key: certs.key, cert: certs.cert } },
  );
  const secrets: Record<string, string> = Object.fromEntries(
    Object.entries({
      ...(options.secrets ?? requiredSecrets()),
      GITHUB_APP_ID: String(gitHubApi.app.id),
      GITHUB_APP_PRIVATE_KEY: gitHubApi.app.privateKey,
    }).filter(([name]) => !options.without?.has(name)),
  );
  let sim: StageSim | undefined;
  try {
    sim = await startStageSim({ outdir: options.outdir, secrets, githubApiUrl: gitHubApi.url, certs, log: options.log });
    // Private: readable only with a token GitHub minted for this repository (Basic x-access-token:<token>).
    sim.github.publish(OWNER, REPO_NAME, repo.path, (authorization) => {
      const credentials = Buffer.from(authorization?.replace(/^Basic /, "") ?? "", "base64").toString();
      return gitHubApi.installationTokens.some((t) => t.repositories.includes(REPO_NAME) && credentials === `x-access-token:${t.token}`);
    });
    const cookie = await signInAs({ dynamodbUrl: sim.dynamodbUrl, tableName: sim.tableName, tokenEncryptionKey: secrets.TOKEN_ENCRYPTION_KEY }, USER, githubToken);
    const client = siteClient(sim.siteUrl, sim.ca, cookie);
    const anonymous = siteClient(sim.siteUrl, sim.ca);
    await installApp(anonymous, secrets.GITHUB_WEBHOOK_SECRET);
    const started = sim;
    return {
      secrets,
      sim: started,
      repo,
      gitHubApi,
      githubToken,
      client,
      anonymous,
      async stop() {
        await client.close();
        await anonymous.close();
        await started.stop();
        await gitHubApi.close();
        certs.remove();
        repo.remove();
      },
    };
  } catch (error) {
    await sim?.stop();
    await gitHubApi.close();
    certs.remove();
    repo.remove();
    throw error;
  }
}

/** The installation id GitHub gives the app on the user's account. */
export const INSTALLATION_ID = 100_000 + USER.id;

/** What GitHub sends when the user installs the app on the repository: a signed `installation` event, to the deployed webhook. */
async function installApp(site: SiteClient, webhookSecret: string) {
  const payload = {
    action: "created",
    installation: { id: INSTALLATION_ID, account: { login: OWNER }, repository_selection: "selected", suspended_at: null },
    repositories: [{ id: 1, full_name: `${OWNER}/${REPO_NAME}`, private: true }],
  };
  const signature = `sha256=${createHmac("sha256", webhookSecret).update(JSON.stringify(payload)).digest("hex")}`;
  const response = await site.send("POST", "/api/github/webhook", payload, {
    "x-github-event": "installation",
    "x-github-delivery": randomUUID(),
    "x-hub-signature-256": signature,
  });
  if (response.status !== 202) throw new Error(`installation webhook: ${response.status} ${await response.text()}`);
}

export type JobView = { job_id: string; status: string; stage: string | null; progress: number; error: { code: string; message: string } | null; docpack_id: string | null; commit: string };

/** Polls the job through the site until it finishes; every distinct state seen on the way. */
export async function waitForJob(client: SiteClient, jobId: string, timeoutMs = 120_000) {
  const seen: JobView[] = [];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await client.get(`/api/jobs/${jobId}`);
    if (response.status !== 200) throw new Error(`GET /api/jobs/${jobId}: ${response.status} ${await response.text()}`);
    const job = (await response.json()) as JobView;
    const last = seen.at(-1);
    if (!last || last.status !== job.status || last.stage !== job.stage || last.progress !== job.progress) seen.push(job);
    if (["completed", "failed", "cancelled"].includes(job.status)) return { job, seen };
    if (Date.now() > deadline) throw new Error(`job ${jobId} still ${job.status} (${job.stage}) after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Follows the download redirect to the presigned URL; the bytes and their sha256. */
export async function download(client: SiteClient, docpackId: string) {
  const redirect = await client.get(`/api/docpacks/${docpackId}/download`, { redirect: "manual" });
  if (redirect.status !== 302) throw new Error(`download: ${redirect.status} ${await redirect.text()}`);
  const location = redirect.headers.get("location")!;
  const object = await client.fetchUrl(location);
  if (object.status !== 200) throw new Error(`presigned GET ${location}: ${object.status}`);
  const bytes = new Uint8Array(await object.arrayBuffer());
  return { location, bytes, sha256: createHash("sha256").update(bytes).digest("hex") };
}
