/**
 * Sign-in through the GitHub App's user authorization, the repository picker and the setup
 * redirect, against the GitHub App stand-in (core/test/support/fakeGitHubApp.ts) at its HTTP boundary.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { provideServices } from "@doctown/core/services";
import { startGitHubAppStandIn, type GitHubAppStandIn } from "@doctown/core/test/support/fakeGitHubApp";
import { startTestEnvironment, type TestEnvironment } from "@doctown/core/test/support/testEnvironment";
import { scanItems } from "@doctown/core/test/support/table";
import { makeRepo, type TestRepo } from "@doctown/testing/repos";
import { callApi, cookieValue, signIn, TEST_ORIGIN } from "./support/api";

const octo = { id: 401, login: "octo", token: "gho_octo_from_oauth", name: "Octo Cat" };
let env: TestEnvironment;
let github: GitHubAppStandIn;
let source: TestRepo;

beforeAll(async () => {
  // User tokens live 2 minutes: under the 5-minute refresh margin, so every use refreshes.
  github = await startGitHubAppStandIn({ userTokenSeconds: 120 });
  github.addUser({ id: 401, login: "octo" });
  github.addUser({ id: 402, login: "mallory" });
  source = makeRepo({ "README.md": "# r\n" });
  for (let i = 0; i < 105; i++) github.addRepo({ owner: "octo", name: `repo-${String(i).padStart(3, "0")}`, private: i % 2 === 0, source: source.path });
  github.addRepo({ owner: "mallory", name: "secret", private: true, source: source.path });
  env = await startTestEnvironment({
    githubUsers: [octo],
    extraEnv: {
      GITHUB_URL: github.url,
      GITHUB_API_URL: github.apiUrl,
      GITHUB_CLIENT_ID: github.app.clientId,
      GITHUB_CLIENT_SECRET: github.app.clientSecret,
      GITHUB_APP_SLUG: github.app.slug,
    },
  });
}, 60_000);
afterAll(async () => {
  await env?.stop();
  await github?.close();
  source?.remove();
});
afterEach(() => provideServices({ clock: { now: () => new Date() } }));

async function startLogin() {
  const login = await callApi("GET", "/auth/github/login");
  expect(login.status).toBe(302);
  return { location: new URL(login.headers.location), state: cookieValue(login.cookies, "doctown_oauth_state")!, cookies: login.cookies };
}

/** The browser's round trip: login → GitHub approves as `login` → callback; returns the session cookie. */
async function signInThroughGitHub(login: string): Promise<string> {
  github.signInAs(login);
  const { location, state } = await startLogin();
  const approved = await fetch(location, { redirect: "manual" });
  const back = new URL(approved.headers.get("location")!);
  const callback = await callApi("GET", `/auth/github/callback${back.search}`, { cookie: `doctown_oauth_state=${state}` });
  expect(callback.status, callback.body).toBe(302);
  return `doctown_session=${cookieValue(callback.cookies, "doctown_session")}`;
}

describe("GitHub sign-in (the app's user authorization)", () => {
  it("login redirects to GITHUB_URL's authorize page with no scopes, the callback URL and a state kept in a short-lived cookie", async () => {
    const { location, state, cookies } = await startLogin();
    expect(location.origin + location.pathname).toBe(`${github.url}/login/oauth/authorize`);
    expect(location.searchParams.get("client_id")).toBe(github.app.clientId);
    expect(location.searchParams.has("scope")).toBe(false);
    expect(location.searchParams.get("redirect_uri")).toBe(`${TEST_ORIGIN}/auth/github/callback`);
    expect(location.searchParams.get("state")).toBe(state);
    expect(state.length).toBeGreaterThanOrEqual(20);
    const stateCookie = cookies.find((c) => c.startsWith("doctown_oauth_state="))!;
    expect(stateCookie).toMatch(/HttpOnly/);
    expect(stateCookie).toMatch(/Secure/);
    expect(stateCookie).toMatch(/SameSite=Lax/);
    expect(stateCookie).toMatch(/Max-Age=600/);
  });

  it("callback exchanges the code, stores the user with encrypted (refreshable) tokens, and starts a session", async () => {
    const cookie = await signInThroughGitHub("octo");
    const me = await callApi("GET", "/api/me", { cookie });
    expect(me.status).toBe(200);
    expect(me.json.user).toMatchObject({ id: "401", login: "octo" });
    const items = await scanItems();
    const user = items.find((item) => item.pk === "USER#401")!;
    expect(String(user.githubTokenEncrypted)).toMatch(/^v1\./);
    expect(String(user.githubRefreshTokenEncrypted)).toMatch(/^v1\./);
    expect(Date.parse(String(user.githubTokenExpiresAt))).toBeGreaterThan(Date.now());
    for (const issued of github.userTokens) expect(JSON.stringify(items)).not.toContain(issued.token);
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
    const response = await callApi("GET", `/auth/github/callback?code=stale&state=${state}`, { cookie: `doctown_oauth_state=${state}` });
    expect(response.status).toBe(400);
    expect(response.json.error.code).toBe("invalid_oauth_code");
  });

  it("refreshes an expiring user token when it is used, and asks to sign in again once the refresh is refused", async () => {
    const cookie = await signInThroughGitHub("octo");
    const issuedBefore = github.userTokens.length;
    expect((await callApi("GET", "/api/repos", { cookie })).status).toBe(200);
    expect((await callApi("GET", "/api/repos", { cookie })).status).toBe(200);
    // Each use refreshed (single-use refresh tokens, the previous access token revoked).
    expect(github.userTokens.length).toBe(issuedBefore + 2);
    // A refresh token GitHub no longer accepts (the user revoked the app's authorization): 401, sign in again.
    github.revokeRefreshTokens();
    const expired = await callApi("GET", "/api/repos", { cookie });
    expect(expired.status).toBe(401);
    expect(expired.json.error.code).toBe("github_token_expired");
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

describe("GET /api/repos (the picker: what the user reaches through installations)", () => {
  it("lists nothing but the install link before the app is installed", async () => {
    const cookie = await signInThroughGitHub("octo");
    const listed = await callApi("GET", "/api/repos", { cookie });
    expect(listed.status).toBe(200);
    expect(listed.json).toMatchObject({ repos: [], next_page: null, install_url: `${github.url}/apps/${github.app.slug}/installations/new` });
  });

  it("pages through the repositories of the user's installations, and never another account's", async () => {
    const installed = github.install("octo", Array.from({ length: 105 }, (_, i) => `repo-${String(i).padStart(3, "0")}`));
    github.install("mallory", ["secret"]);
    const cookie = await signInThroughGitHub("octo");
    const first = await callApi("GET", "/api/repos", { cookie });
    expect(first.status).toBe(200);
    expect(first.json.repos).toHaveLength(100);
    expect(first.json.repos[0]).toMatchObject({ full_name: "octo/repo-000", default_branch: "main", private: true, installation_id: installed.id });
    expect(first.json.next_page).toBe(2);
    const second = await callApi("GET", "/api/repos?page=2", { cookie });
    expect(second.json.repos).toHaveLength(5);
    expect(second.json.next_page).toBeNull();
    const names = [...first.json.repos, ...second.json.repos].map((repo: { full_name: string }) => repo.full_name);
    expect(names).not.toContain("mallory/secret");
  });

  it("rejects a bad page and anonymous callers", async () => {
    const cookie = await signIn(octo);
    expect((await callApi("GET", "/api/repos?page=zero", { cookie })).json.error.code).toBe("invalid_page");
    expect((await callApi("GET", "/api/repos")).status).toBe(401);
  });
});

describe("GET /auth/github/setup (after Install on GitHub)", () => {
  const installationItems = async () => (await scanItems()).filter((item) => String(item.pk).startsWith("INSTALLATION#"));

  it("records the installation only when the user's own token shows it", async () => {
    const installed = github.install("octo", ["repo-001"]);
    const mallorys = github.install("mallory", ["secret"]);
    const cookie = await signInThroughGitHub("octo");
    // Someone else's installation id in the query string: nothing recorded.
    const foreign = await callApi("GET", `/auth/github/setup?installation_id=${mallorys.id}&setup_action=install`, { cookie });
    expect(foreign.headers.location).toBe("/dashboard/?installation=not_visible");
    expect((await installationItems()).filter((item) => item.installationId === mallorys.id)).toEqual([]);
    const made_up = await callApi("GET", "/auth/github/setup?installation_id=99999999&setup_action=install", { cookie });
    expect(made_up.headers.location).toBe("/dashboard/?installation=not_visible");

    const own = await callApi("GET", `/auth/github/setup?installation_id=${installed.id}&setup_action=install`, { cookie });
    expect(own.status).toBe(302);
    expect(own.headers.location).toBe("/dashboard/?installation=recorded");
    const recorded = (await scanItems()).filter((item) => item.pk === "REPO#octo/repo-001" && item.sk === "INSTALLATION");
    expect(recorded).toMatchObject([{ installationId: installed.id, repo: "octo/repo-001" }]);
  });

  it("sends a signed-out visitor to sign in, and refuses an id that is not a number", async () => {
    const signedOut = await callApi("GET", "/auth/github/setup?installation_id=1&setup_action=install");
    expect(signedOut.headers.location).toBe("/auth/github/login");
    const cookie = await signIn(octo);
    const bad = await callApi("GET", "/auth/github/setup?installation_id=1%20OR%201&setup_action=install", { cookie });
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe("invalid_installation_id");
  });
});
