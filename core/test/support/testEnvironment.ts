/**
 * Everything a Doctown integration test runs against, on 127.0.0.1: dynalite and s3rver (from
 * @doctown/testing/storage) plus GitHub, Step Functions and RunPod stand-ins at their HTTP boundary.
 * Points the environment (core/src/config.ts names) at them and resets the service registry.
 */
import { randomBytes } from "node:crypto";
import { startLocalServices, type LocalServices } from "@doctown/testing/storage";
import { resetServices } from "../../src/services";
import { TABLE_KEYS } from "../../src/table";
import { startFakeGitHub, type FakeGitHub, type FakeGitHubRepo, type FakeGitHubUser } from "./fakeGitHub";
import { startFakeRunpod, type FakeRunpod } from "./fakeRunpod";
import { selfSignedCert, trustCertificate } from "./selfSignedCert";
import { FAKE_STATE_MACHINE_ARN, startFakeStepFunctions, type FakeStepFunctions } from "./fakeStepFunctions";

export type TestEnvironment = {
  local: LocalServices;
  github: FakeGitHub;
  stepFunctions: FakeStepFunctions;
  runpod: FakeRunpod;
  env: Record<string, string>;
  stop(): Promise<void>;
};

export const TEST_RUNPOD = { apiKey: "rp-test-key", endpointId: "doctown-test" } as const;

export async function startTestEnvironment(
  options: { stage?: string; githubUsers?: FakeGitHubUser[]; githubRepos?: FakeGitHubRepo[]; extraEnv?: Record<string, string> } = {},
): Promise<TestEnvironment> {
  const [local, github, stepFunctions, runpod] = await Promise.all([
    startLocalServices({ tableKeys: TABLE_KEYS }),
    // Over https: GITHUB_API_URL may be plain http only on the local stage.
    startFakeGitHub({ users: options.githubUsers, repos: options.githubRepos }, { tls: selfSignedCert() }),
    startFakeStepFunctions(),
    startFakeRunpod({ ...TEST_RUNPOD, worker: true }),
  ]);
  const env: Record<string, string> = {
    ...local.env,
    DOCTOWN_STAGE: options.stage ?? "test",
    DOCTOWN_STATE_MACHINE_ARN: FAKE_STATE_MACHINE_ARN,
    DOCTOWN_SFN_ENDPOINT: stepFunctions.url,
    GITHUB_API_URL: github.url,
    GITHUB_APP_ID: String(github.app.id),
    GITHUB_APP_PRIVATE_KEY: github.app.privateKey,
    GITHUB_CLIENT_ID: "test-client-id",
    GITHUB_CLIENT_SECRET: "test-client-secret",
    RUNPOD_API_URL: runpod.apiUrl,
    RUNPOD_API_KEY: TEST_RUNPOD.apiKey,
    RUNPOD_ENDPOINT_ID: TEST_RUNPOD.endpointId,
    TOKEN_ENCRYPTION_KEY: randomBytes(32).toString("hex"),
    // Suites create hundreds of jobs and sessions from one address; rateLimits.test.ts sets its own.
    DOCTOWN_RATE_LIMITS: "jobCreateUser=100000/3600,jobCreateIp=100000/3600,signInIp=100000/600,signInUser=100000/600,pushBuildRepo=100000/3600",
    ...options.extraEnv,
  };
  const previous = new Map(Object.keys(env).map((name) => [name, process.env[name]]));
  const siteUrl = process.env.DOCTOWN_SITE_URL;
  delete process.env.DOCTOWN_SITE_URL;
  Object.assign(process.env, env);
  resetServices();
  const untrust = trustCertificate(selfSignedCert().cert);

  return {
    local,
    github,
    stepFunctions,
    runpod,
    env,
    async stop() {
      resetServices();
      untrust();
      for (const [name, value] of previous) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      if (siteUrl !== undefined) process.env.DOCTOWN_SITE_URL = siteUrl;
      await Promise.all([local.stop(), github.close(), stepFunctions.close(), runpod.close()]);
    },
  };
}
