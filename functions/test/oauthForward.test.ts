/**
 * Pull-request stages sharing one preview GitHub App: sign-in goes through the app's one fixed
 * callback (GET /auth/github/forward on a stable stage), which forwards to the stage named in the
 * HMAC-signed state, and to nothing else.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signForwardState } from "@doctown/core/oauthForward";
import { startGitHubAppStandIn, type GitHubAppStandIn } from "@doctown/core/test/support/fakeGitHubApp";
import { startTestEnvironment, type TestEnvironment } from "@doctown/core/test/support/testEnvironment";
import { callApi, cookieValue } from "./support/api";

const PR_STAGE = "https://pr-7.doctown.test";
const FORWARDER = "https://previews.doctown.test/auth/github/forward";
let env: TestEnvironment;
let github: GitHubAppStandIn;

beforeAll(async () => {
  github = await startGitHubAppStandIn();
  github.addUser({ id: 501, login: "pat" });
  env = await startTestEnvironment({
    extraEnv: {
      GITHUB_URL: github.url,
      GITHUB_API_URL: github.apiUrl,
      GITHUB_CLIENT_ID: github.app.clientId,
      GITHUB_CLIENT_SECRET: github.app.clientSecret,
      GITHUB_CALLBACK_URL: FORWARDER,
      DOCTOWN_SITE_URL: PR_STAGE,
    },
  });
}, 60_000);
afterAll(async () => {
  await env?.stop();
  await github?.close();
});

const forward = (query: string) => callApi("GET", `/auth/github/forward?${query}`);

describe("sign-in through the shared preview app", () => {
  it("sends GitHub the fixed forwarder, comes back through it to the stage in the signed state, and signs in", async () => {
    github.signInAs("pat");
    const login = await callApi("GET", "/auth/github/login");
    const authorize = new URL(login.headers.location);
    expect(authorize.searchParams.get("redirect_uri")).toBe(FORWARDER);
    const state = cookieValue(login.cookies, "doctown_oauth_state")!;
    expect(authorize.searchParams.get("state")).toBe(state);

    const approved = new URL((await fetch(authorize, { redirect: "manual" })).headers.get("location")!);
    expect(approved.origin + approved.pathname).toBe(FORWARDER);
    const forwarded = await forward(approved.search.slice(1));
    expect(forwarded.status).toBe(302);
    const back = new URL(forwarded.headers.location);
    expect(back.origin + back.pathname).toBe(`${PR_STAGE}/auth/github/callback`);

    const callback = await callApi("GET", `/auth/github/callback${back.search}`, { cookie: `doctown_oauth_state=${state}` });
    expect(callback.status, callback.body).toBe(302);
    const session = cookieValue(callback.cookies, "doctown_session");
    expect((await callApi("GET", "/api/me", { cookie: `doctown_session=${session}` })).json.user.login).toBe("pat");
  });

  it("forwards nowhere for a state it did not sign, an origin swapped in, or an origin that is not a plain https site", async () => {
    const key = github.app.clientSecret;
    const nonce = "n".repeat(43);
    const valid = signForwardState(nonce, PR_STAGE, key);
    const [, , signature] = valid.split(".");
    const swapped = `${nonce}.${Buffer.from("https://evil.example").toString("base64url")}.${signature}`;
    for (const state of [
      nonce, // a plain nonce: this stage's own sign-in, not a forward
      signForwardState(nonce, "https://evil.example", "another-key"),
      swapped,
      signForwardState(nonce, "http://pr-7.doctown.test", key),
      signForwardState(nonce, "https://pr-7.doctown.test/path?x=1", key),
      signForwardState(nonce, "javascript:alert(1)", key),
    ]) {
      const response = await forward(`code=abc&state=${encodeURIComponent(state)}`);
      expect(response.status, state).toBe(400);
      expect(response.json.error.code).toBe("invalid_oauth_state");
      expect(response.headers.location).toBeUndefined();
    }
    expect((await forward(`code=abc&state=${valid}`)).headers.location).toBe(`${PR_STAGE}/auth/github/callback?code=abc&state=${valid}`);
  });
});
