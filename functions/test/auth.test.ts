import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { getGlobalDispatcher, MockAgent, setGlobalDispatcher, type Dispatcher } from "undici";
import { provideServices } from "@doctown/core/services";
import { startTestEnvironment, type TestEnvironment } from "@doctown/core/test/support/testEnvironment";
import { scanItems } from "@doctown/core/test/support/table";
import { callApi, cookieValue, signIn } from "./support/api";

const octo = { id: 401, login: "octo", token: "gho_octo_from_oauth", name: "Octo Cat" };
let env: TestEnvironment;
let originalDispatcher: Dispatcher;
let github: MockAgent;

beforeAll(async () => {
  env = await startTestEnvironment({
    githubUsers: [octo],
    githubRepos: Array.from({ length: 105 }, (_, i) => ({ owner: "octo", name: `repo-${i}`, refs: { main: "5".repeat(40) } })),
  });
  // arctic posts to github.com itself; answer there with GitHub's documented token payload.
  originalDispatcher = getGlobalDispatcher();
  github = new MockAgent();
  github.enableNetConnect(/^127\.0\.0\.1(:\d+)?$/);
  setGlobalDispatcher(github);
});
afterAll(async () => {
  setGlobalDispatcher(originalDispatcher);
  await github?.close();
  await env?.stop();
});
afterEach(() => provideServices({ clock: { now: () => new Date() } }));

async function startLogin() {
  const login = await callApi("GET", "/auth/github/login");
  expect(login.status).toBe(302);
  return { location: new URL(login.headers.location), state: cookieValue(login.cookies, "doctown_oauth_state")!, cookies: login.cookies };
}

describe("GitHub sign-in", () => {
  it("login redirects to GitHub with the scopes, the callback URL and a state kept in a short-lived cookie", async () => {
    const { location, state, cookies } = await startLogin();
    expect(location.origin + location.pathname).toBe("https://github.com/login/oauth/authorize");
    expect(location.searchParams.get("client_id")).toBe("test-client-id");
    expect(location.searchParams.get("scope")).toBe("read:user repo");
    expect(location.searchParams.get("redirect_uri")).toBe("https://doctown.test/auth/github/callback");
    expect(location.searchParams.get("state")).toBe(state);
    expect(state.length).toBeGreaterThanOrEqual(20);
    const stateCookie = cookies.find((c) => c.startsWith("doctown_oauth_state="))!;
    expect(stateCookie).toMatch(/HttpOnly/);
    expect(stateCookie).toMatch(/Secure/);
    expect(stateCookie).toMatch(/SameSite=Lax/);
    expect(stateCookie).toMatch(/Max-Age=600/);
  });

  it("callback exchanges the code, stores the user with an encrypted token, and starts a session", async () => {
    const { state } = await startLogin();
    let tokenRequest: { body?: string; authorization?: string } = {};
    github
      .get("https://github.com")
      .intercept({
        path: "/login/oauth/access_token",
        method: "POST",
        body: (body) => {
          tokenRequest.body = typeof body === "string" ? body : Buffer.from(body as Uint8Array).toString("utf8");
          return true;
        },
      })
      .reply((options) => {
        const headers = options.headers as Record<string, string>;
        tokenRequest.authorization = headers.Authorization ?? headers.authorization;
        return { statusCode: 200, data: { access_token: octo.token, token_type: "bearer", scope: "read:user,repo" }, responseOptions: { headers: { "content-type": "application/json" } } };
      });

    const callback = await callApi("GET", `/auth/github/callback?code=code123&state=${state}`, { cookie: `doctown_oauth_state=${state}` });
    expect(callback.status).toBe(302);
    expect(callback.headers.location).toBe("/dashboard/");
    expect(new URLSearchParams(tokenRequest.body).get("code")).toBe("code123");
    expect(tokenRequest.authorization).toBe(`Basic ${Buffer.from("test-client-id:test-client-secret").toString("base64")}`);

    const sessionCookie = callback.cookies.find((c) => c.startsWith("doctown_session="))!;
    expect(sessionCookie).toMatch(/HttpOnly; SameSite=Lax; Secure/);
    expect(callback.cookies.find((c) => c.startsWith("doctown_oauth_state="))).toMatch(/Max-Age=0/);
    const token = cookieValue(callback.cookies, "doctown_session")!;

    const me = await callApi("GET", "/api/me", { cookie: `doctown_session=${token}` });
    expect(me.status).toBe(200);
    expect(me.json.user).toEqual({ id: "401", login: "octo", name: "Octo Cat", avatar_url: "https://avatars.example/401" });

    const items = await scanItems();
    const user = items.find((item) => item.pk === "USER#401")!;
    expect(String(user.githubTokenEncrypted)).toMatch(/^v1\./);
    expect(JSON.stringify(items)).not.toContain(octo.token);
    expect(JSON.stringify(items)).not.toContain(token);
  });

  it("callback refuses a state that does not match the cookie, and creates no session", async () => {
    const { state } = await startLogin();
    const sessionsBefore = (await scanItems()).filter((item) => String(item.pk).startsWith("SESSION#")).length;
    for (const cookie of [`doctown_oauth_state=${state}x`, undefined]) {
      const response = await callApi("GET", `/auth/github/callback?code=abc&state=${state}`, { cookie });
      expect(response.status).toBe(400);
      expect(response.json.error.code).toBe("invalid_oauth_state");
    }
    expect((await scanItems()).filter((item) => String(item.pk).startsWith("SESSION#")).length).toBe(sessionsBefore);
  });

  it("callback reports a code GitHub refuses as 400", async () => {
    const { state } = await startLogin();
    github
      .get("https://github.com")
      .intercept({ path: "/login/oauth/access_token", method: "POST" })
      .reply(200, { error: "bad_verification_code", error_description: "The code passed is incorrect or expired." }, { headers: { "content-type": "application/json" } });
    const response = await callApi("GET", `/auth/github/callback?code=stale&state=${state}`, { cookie: `doctown_oauth_state=${state}` });
    expect(response.status).toBe(400);
    expect(response.json.error.code).toBe("invalid_oauth_code");
  });
});

describe("sessions", () => {
  it("GET /api/me answers 401 without a session or with an unknown one", async () => {
    expect((await callApi("GET", "/api/me")).status).toBe(401);
    expect((await callApi("GET", "/api/me", { cookie: "doctown_session=not-a-real-session-token-at-all" })).status).toBe(401);
  });

  it("slides the expiry forward on use and expires unused sessions", async () => {
    const cookie = await signIn(octo);
    const start = Date.now();
    const day = 24 * 3600 * 1000;
    provideServices({ clock: { now: () => new Date(start + 2 * day) } });
    const renewed = await callApi("GET", "/api/me", { cookie });
    expect(renewed.status).toBe(200);
    expect(renewed.cookies.find((c) => c.startsWith("doctown_session="))).toMatch(/Max-Age=1209\d{3}/);
    provideServices({ clock: { now: () => new Date(start + 15 * day) } });
    expect((await callApi("GET", "/api/me", { cookie })).status).toBe(200);
    provideServices({ clock: { now: () => new Date(start + 40 * day) } });
    const expired = await callApi("GET", "/api/me", { cookie });
    expect(expired.status).toBe(401);
  });

  it("logout deletes the session and clears the cookie; only from our own origin", async () => {
    const cookie = await signIn(octo);
    const foreign = await callApi("POST", "/auth/logout", { cookie, headers: { origin: "https://evil.example" } });
    expect(foreign.status).toBe(403);
    expect((await callApi("GET", "/api/me", { cookie })).status).toBe(200);
    const logout = await callApi("POST", "/auth/logout", { cookie });
    expect(logout.status).toBe(204);
    expect(logout.cookies.find((c) => c.startsWith("doctown_session="))).toMatch(/Max-Age=0/);
    expect((await callApi("GET", "/api/me", { cookie })).status).toBe(401);
  });
});

describe("GET /api/repos", () => {
  it("pages through the user's GitHub repositories", async () => {
    const cookie = await signIn(octo);
    const first = await callApi("GET", "/api/repos", { cookie });
    expect(first.status).toBe(200);
    expect(first.json.repos).toHaveLength(100);
    expect(first.json.repos[0]).toMatchObject({ full_name: "octo/repo-0", default_branch: "main", private: false });
    expect(first.json.next_page).toBe(2);
    const second = await callApi("GET", "/api/repos?page=2", { cookie });
    expect(second.json.repos).toHaveLength(5);
    expect(second.json.next_page).toBeNull();
  });

  it("rejects a bad page and anonymous callers", async () => {
    const cookie = await signIn(octo);
    expect((await callApi("GET", "/api/repos?page=zero", { cookie })).json.error.code).toBe("invalid_page");
    expect((await callApi("GET", "/api/repos")).status).toBe(401);
  });
});
