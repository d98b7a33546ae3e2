/**
 * On a deployed stage (inside Lambda) the site origin comes from configuration, never from a
 * request header: a forged Host / x-forwarded-host neither passes the Origin check nor changes the
 * builder's callback URL; and only requests CloudFront marked reach the handlers (issue 13, 17).
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { forgetLoadedSecrets } from "@doctown/core/config";
import { startTestEnvironment, type TestEnvironment } from "@doctown/core/test/support/testEnvironment";
import { scanItems } from "@doctown/core/test/support/table";
import { ORIGIN_VERIFY_HEADER } from "../src/http";
import { callApi, signIn } from "./support/api";

const SHA = "3".repeat(40);
const alice = { id: 301, login: "alice", token: "gho_alice" };
const SITE = "https://d111.cloudfront.example";
const VERIFY = "verify-value-of-this-stage";
const LAMBDA_ENV = {
  AWS_LAMBDA_FUNCTION_NAME: "pr-42-doctown-Api-create",
  SST_APP: "doctown",
  SST_STAGE: "pr-42",
  // What the Web stack stores and the loader would fetch; passed inline as `sst bind` does.
  SST_Parameter_value_SITE_URL: SITE,
  DOCTOWN_ORIGIN_VERIFY: VERIFY,
};

let env: TestEnvironment;
let cookie: string;
beforeAll(async () => {
  env = await startTestEnvironment({
    githubUsers: [alice],
    githubRepos: [{ owner: "alice", name: "project", refs: { main: SHA } }],
  });
  cookie = await signIn(alice);
});
afterAll(() => env?.stop());

beforeEach(() => {
  for (const [name, value] of Object.entries(LAMBDA_ENV)) vi.stubEnv(name, value);
  forgetLoadedSecrets();
});
afterEach(() => {
  vi.unstubAllEnvs();
  forgetLoadedSecrets();
});

const forged = { host: "evil.example", "x-forwarded-host": "evil.example", "x-forwarded-proto": "https" };
const create = (headers: Record<string, string>) =>
  callApi("POST", "/api/jobs", { body: { repo: "alice/project", git_ref: "main" }, cookie, headers });

describe("a deployed stage's site origin", () => {
  it("refuses a forged host's Origin", async () => {
    const response = await create({ ...forged, origin: "https://evil.example", [ORIGIN_VERIFY_HEADER]: VERIFY });
    expect(response.status).toBe(403);
    expect(response.json.error.code).toBe("origin_mismatch");
  });

  it("builds the callback URL from the configured site, whatever the Host says", async () => {
    const response = await create({ ...forged, origin: SITE, [ORIGIN_VERIFY_HEADER]: VERIFY });
    expect(response.status).toBe(202);
    const [job] = (await scanItems("job")).filter((item) => item.id === response.json.job_id);
    expect(job.callbackBaseUrl).toBe(SITE);
  });

  it("prefers DOCTOWN_SITE_URL (a custom domain) to the distribution's URL", async () => {
    process.env.DOCTOWN_SITE_URL = "https://docs.example.org";
    try {
      expect((await create({ ...forged, origin: SITE, [ORIGIN_VERIFY_HEADER]: VERIFY })).status).toBe(403);
    } finally {
      delete process.env.DOCTOWN_SITE_URL;
    }
  });

  it("answers only requests that came through the distribution (execute-api is useless directly)", async () => {
    const direct = await callApi("GET", "/api/me", { cookie, headers: { host: "abc123.execute-api.us-east-1.amazonaws.com" } });
    expect(direct.status).toBe(403);
    expect(direct.json.error.code).toBe("not_via_site");
    const wrong = await callApi("GET", "/api/me", { cookie, headers: { [ORIGIN_VERIFY_HEADER]: "guess" } });
    expect(wrong.status).toBe(403);
    const via = await callApi("GET", "/api/me", { cookie, headers: { [ORIGIN_VERIFY_HEADER]: VERIFY } });
    expect(via.status).toBe(200);
  });

  it("fails clearly, rather than trusting the Host header, when no site URL is configured", async () => {
    delete process.env.SST_Parameter_value_SITE_URL;
    const response = await create({ ...forged, origin: "https://evil.example", [ORIGIN_VERIFY_HEADER]: VERIFY });
    expect(response.status).toBe(500);
    expect(response.json.error.code).toBe("configuration_error");
  });
});
