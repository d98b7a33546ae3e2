/**
 * Rate limits (core/src/rateLimit.ts) over the real handlers: job creation per user and per address,
 * sign-in per address and per account, push builds per repository. Each answers 429 rate_limited
 * with Retry-After once its window is used up, also under parallel requests, and the window's
 * count lives in DynamoDB with an expiry.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestEnvironment, type TestEnvironment } from "@doctown/core/test/support/testEnvironment";
import { scanItems } from "@doctown/core/test/support/table";
import { callApi, signIn } from "./support/api";
import { deliver, install, pushPayload, WEBHOOK_SECRET } from "./support/webhooks";

const SHA = "1".repeat(40);
const users = Array.from({ length: 4 }, (_, i) => ({ id: 601 + i, login: `rl${i}`, token: `gho_rl${i}` }));
let env: TestEnvironment;
const cookies: string[] = [];
beforeAll(async () => {
  env = await startTestEnvironment({
    githubUsers: users,
    githubRepos: users.map((u) => ({ owner: u.login, name: "p", refs: { main: SHA } })),
    extraEnv: { GITHUB_WEBHOOK_SECRET: WEBHOOK_SECRET, DOCTOWN_RATE_LIMITS: "jobCreateUser=5/3600,jobCreateIp=8/3600,signInIp=6/600,signInUser=3/600,pushBuildRepo=4/3600" },
  });
  for (const user of users) cookies.push(await signIn(user));
});
afterAll(() => env?.stop());

const create = (n: number, ip: string) =>
  callApi("POST", "/api/jobs", { body: { repo: `${users[n].login}/missing`, git_ref: "main" }, cookie: cookies[n], sourceIp: ip });

function expectLimited(response: { status: number; json: any; headers: Record<string, string> }) {
  expect(response.status).toBe(429);
  expect(response.json.error.code).toBe("rate_limited");
  expect(Number(response.headers["retry-after"])).toBeGreaterThan(0);
  expect(Number(response.headers["retry-after"])).toBeLessThanOrEqual(3600);
}

describe("rate limits", () => {
  it("job creation per user: 12 parallel attempts, 5 counted through, the rest 429 with Retry-After", async () => {
    const answers = await Promise.all(Array.from({ length: 12 }, () => create(0, "10.0.0.1")));
    const limited = answers.filter((a) => a.status === 429);
    console.log(`12 parallel creates against a limit of 5 per user → ${12 - limited.length} passed the limit, ${limited.length} × 429`);
    expect(limited).toHaveLength(7);
    limited.forEach(expectLimited);
    // The others reached the job logic (here: a repository that does not exist).
    expect(answers.filter((a) => a.status === 400).every((a) => a.json.error.code === "repo_not_found")).toBe(true);
  });

  it("job creation per address: other users from the same address share its limit", async () => {
    const answers = [];
    for (let i = 0; i < 10; i++) answers.push(await create(1 + (i % 3), "10.0.0.2"));
    expect(answers.filter((a) => a.status === 429)).toHaveLength(2);
    expectLimited(answers.at(-1)!);
    expect((await create(1, "10.0.0.3")).status).toBe(400); // another address is not affected
  });

  it("sign-in per address (the GitHub login and callback count together)", async () => {
    const ip = "10.0.0.4";
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await callApi("GET", "/auth/github/login", { sourceIp: ip }));
    for (let i = 0; i < 4; i++) answers.push(await callApi("GET", "/auth/github/callback?code=x&state=y", { sourceIp: ip }));
    expect(answers.slice(0, 4).every((a) => a.status === 302)).toBe(true);
    expect(answers.slice(4, 6).every((a) => a.status === 400)).toBe(true);
    answers.slice(6).forEach(expectLimited);
  });

  it("push builds per repository per hour", async () => {
    // Pushes build only for repositories the GitHub App is installed on.
    await install(["rl3/p"]);
    await callApi("PUT", "/api/repos/rl3/p/settings", { body: { auto_build: true, branches: ["main"] }, cookie: cookies[3] });
    const outcomes = [];
    for (let i = 0; i < 6; i++) {
      const after = (i + 1).toString(16).padStart(40, "a");
      const response = await deliver("push", pushPayload({ repo: "rl3/p", ref: "refs/heads/main", after, pushedAt: 1_700_000_000 + i }));
      outcomes.push(response.json);
    }
    console.log(`6 pushes against a cap of 4 per hour → ${outcomes.filter((o) => o.reason === "rate_limited").length} refused`);
    expect(outcomes.slice(0, 4).every((o) => o.result !== "ignored")).toBe(true);
    expect(outcomes.slice(4).map((o) => o.reason)).toEqual(["rate_limited", "rate_limited"]);
  });

  it("keeps each window as one DynamoDB item with an expiry", async () => {
    const windows = await scanItems("rateWindow");
    expect(windows.length).toBeGreaterThan(0);
    for (const window of windows) {
      expect(window.expiresAt).toEqual(expect.any(Number));
      expect(String(window.pk)).not.toMatch(/10\.0\.0|rl\d/); // keys are hashed
    }
  });
});
