import { SFNClient } from "@aws-sdk/client-sfn";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGitHubClient, nextPageFromLink } from "../src/github";
import { createRunpodClient, RunpodRejected, RunpodUnavailable } from "../src/runpod";
import { StepFunctionsWorkflow } from "../src/stepFunctions";
import { startFakeGitHub, type FakeGitHub } from "./support/fakeGitHub";
import { startFakeRunpod, type FakeRunpod } from "./support/fakeRunpod";
import { FAKE_STATE_MACHINE_ARN, startFakeStepFunctions, type FakeStepFunctions } from "./support/fakeStepFunctions";

let runpodServer: FakeRunpod;
let sfnServer: FakeStepFunctions;
let githubServer: FakeGitHub;
const SHA = "a".repeat(40);

beforeAll(async () => {
  [runpodServer, sfnServer, githubServer] = await Promise.all([
    startFakeRunpod({ apiKey: "key", endpointId: "ep" }),
    startFakeStepFunctions(),
    startFakeGitHub({
      users: [{ token: "t1", id: 1, login: "octo" }],
      repos: [
        { owner: "octo", name: "open", refs: { "feature/deep/x": SHA } },
        { owner: "octo", name: "closed", private: true, refs: { main: SHA } },
      ],
    }),
  ]);
});
afterAll(() => Promise.all([runpodServer.close(), sfnServer.close(), githubServer.close()]));

describe("RunPod client", () => {
  const client = () => createRunpodClient({ apiUrl: runpodServer.apiUrl, apiKey: "key", endpointId: "ep", backoffMs: 1 });

  it("runs, reads status and cancels", async () => {
    const job = await client().run({ hello: "world" });
    expect(job).toMatchObject({ id: expect.any(String), status: "IN_QUEUE" });
    expect(runpodServer.jobs.get(job.id)?.input).toEqual({ hello: "world" });
    expect((await client().status(job.id)).status).toBe("IN_QUEUE");
    expect((await client().cancel(job.id)).status).toBe("CANCELLED");
  });

  it("retries 429 and 5xx, then gives up with RunpodUnavailable", async () => {
    runpodServer.failNext.push(429, 503);
    expect((await client().run({})).id).toMatch(/^rp-/);
    runpodServer.failNext.push(500, 502, 503);
    const failure = client().run({});
    await expect(failure).rejects.toBeInstanceOf(RunpodUnavailable);
    await expect(failure).rejects.toThrow("RunPod POST /run unavailable after 3 attempts (HTTP 503).");
    expect(runpodServer.failNext).toHaveLength(0);
  });

  it("does not retry a refusal", async () => {
    const wrongKey = createRunpodClient({ apiUrl: runpodServer.apiUrl, apiKey: "nope", endpointId: "ep", backoffMs: 1 });
    const before = runpodServer.requests.length;
    await expect(wrongKey.run({})).rejects.toBeInstanceOf(RunpodRejected);
    expect(runpodServer.requests.length - before).toBe(1);
  });

  it("times out a silent server as unavailable", async () => {
    const silent = createRunpodClient({ apiUrl: "http://127.0.0.1:9/v2", apiKey: "key", endpointId: "ep", attempts: 2, backoffMs: 1, timeoutMs: 200 });
    await expect(silent.status("x")).rejects.toBeInstanceOf(RunpodUnavailable);
  });
});

describe("Step Functions workflow", () => {
  const workflow = () =>
    new StepFunctionsWorkflow(
      new SFNClient({ endpoint: sfnServer.url, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "y" } }),
      FAKE_STATE_MACHINE_ARN,
    );

  it("starts an execution named after the job; starting again is the same execution", async () => {
    const first = await workflow().start({ jobId: "job-1" });
    expect(first.executionId).toBe("arn:aws:states:us-east-1:123456789012:execution:doctown-test-pipeline:job-1");
    expect(await workflow().start({ jobId: "job-1" })).toEqual(first);
    expect(sfnServer.callsOf("StartExecution").at(-1)).toMatchObject({ name: "job-1", stateMachineArn: FAKE_STATE_MACHINE_ARN });
  });

  it("sends task results and stops executions", async () => {
    await workflow().sendSuccess("tok", { docpackId: "d" });
    await workflow().sendFailure("tok", "E".repeat(300), "cause");
    await workflow().sendHeartbeat("tok");
    await workflow().stop("arn:x", "because");
    expect(sfnServer.callsOf("SendTaskSuccess").at(-1)).toEqual({ taskToken: "tok", output: '{"docpackId":"d"}' });
    expect(String(sfnServer.callsOf("SendTaskFailure").at(-1)?.error)).toHaveLength(256);
    expect(sfnServer.callsOf("StopExecution").at(-1)).toEqual({ executionArn: "arn:x", cause: "because" });
  });
});

describe("GitHub client", () => {
  const client = () => createGitHubClient({ apiUrl: githubServer.url });

  it("reads Link headers", () => {
    expect(nextPageFromLink('<https://api.github.com/user/repos?page=3&per_page=100>; rel="next", <https://x/?page=9>; rel="last"')).toBe(3);
    expect(nextPageFromLink('<https://x/?page=1>; rel="prev"')).toBeNull();
    expect(nextPageFromLink(null)).toBeNull();
  });

  it("sees private repositories only with a token that may read them", async () => {
    expect(await client().getRepo(undefined, "octo", "closed")).toBeNull();
    expect(await client().getRepo("t1", "octo", "closed")).toMatchObject({ fullName: "octo/closed", private: true, defaultBranch: "main" });
    expect(await client().getRepo(undefined, "octo", "open")).toMatchObject({ fullName: "octo/open", private: false });
  });

  it("resolves refs with slashes, and answers null for unknown ones", async () => {
    expect(await client().resolveCommit(undefined, "octo", "open", "feature/deep/x")).toBe(SHA);
    expect(await client().resolveCommit(undefined, "octo", "open", "nope")).toBeNull();
  });

  it("reports a rejected token as 401", async () => {
    await expect(client().getUser("bad")).rejects.toMatchObject({ status: 401, code: "github_token_invalid" });
    expect(await client().getUser("t1")).toMatchObject({ id: 1, login: "octo" });
  });
});
