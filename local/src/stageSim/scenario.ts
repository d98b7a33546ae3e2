/**
 * The simulated stage's end-to-end scenario, shared by `npm run stage:sim` and the test: a real git
 * repository published as https://github.com/<owner>/<name>.git, the GitHub REST API stand-in
 * knowing it, a signed-in user, then one job through the site: create → dispatch → build →
 * callbacks → completed → listed → download.
 */
import { createHash, randomBytes } from "node:crypto";
import { startFakeGitHub, type FakeGitHub } from "../../../core/test/support/fakeGitHub";
import { makeRepo, SAMPLE_FILES, type TestRepo } from "@doctown/testing/repos";
import { siteClient, type SiteClient } from "./client";
import { signInAs } from "./session";
import { startStageSim, type StageSim } from "./stage";

export const OWNER = "octo";
export const REPO_NAME = "sample";
export const USER = { id: 4242, login: OWNER };

/** Only the secrets a stage needs (README "Deploying"); OPENAI_API_KEY is deliberately absent. */
export function requiredSecrets(): Record<string, string> {
  return {
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

export type Scenario = { sim: StageSim; repo: TestRepo; gitHubApi: FakeGitHub; githubToken: string; client: SiteClient; anonymous: SiteClient; stop(): Promise<void> };

export async function startScenario(options: { outdir: string; secrets?: Record<string, string>; log?: (line: string) => void }): Promise<Scenario> {
  const secrets = options.secrets ?? requiredSecrets();
  const repo = makeRepo(SAMPLE_FILES);
  const githubToken = `gho_${randomBytes(18).toString("hex")}`;
  const gitHubApi = await startFakeGitHub({
    users: [{ token: githubToken, id: USER.id, login: USER.login }],
    repos: [{ owner: OWNER, name: REPO_NAME, private: true, refs: { main: repo.head } }],
  });
  let sim: StageSim | undefined;
  try {
    sim = await startStageSim({ outdir: options.outdir, secrets, githubApiUrl: gitHubApi.url, log: options.log });
    sim.github.publish(OWNER, REPO_NAME, repo.path);
    const cookie = await signInAs({ dynamodbUrl: sim.dynamodbUrl, tableName: sim.tableName, tokenEncryptionKey: secrets.TOKEN_ENCRYPTION_KEY }, USER, githubToken);
    const client = siteClient(sim.siteUrl, sim.ca, cookie);
    const anonymous = siteClient(sim.siteUrl, sim.ca);
    const started = sim;
    return {
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
        repo.remove();
      },
    };
  } catch (error) {
    await sim?.stop();
    await gitHubApi.close();
    repo.remove();
    throw error;
  }
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
