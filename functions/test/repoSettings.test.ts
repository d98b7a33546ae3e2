import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestEnvironment, type TestEnvironment } from "@doctown/core/test/support/testEnvironment";
import { scanItems } from "@doctown/core/test/support/table";
import { callApi, signIn } from "./support/api";

const SHA = "5".repeat(40);
const alice = { id: 501, login: "alice", token: "gho_alice_settings" };
const bob = { id: 502, login: "bob", token: "gho_bob_settings" };
const carol = { id: 503, login: "carol", token: "gho_carol_settings" };

let env: TestEnvironment;
const cookies: Record<string, string> = {};

beforeAll(async () => {
  env = await startTestEnvironment({
    githubUsers: [alice, bob, carol],
    githubRepos: [
      { owner: "alice", name: "project", defaultBranch: "trunk", collaborators: ["carol"], refs: { trunk: SHA } },
      { owner: "alice", name: "secret", private: true, collaborators: ["carol"], readOnly: ["carol"], refs: { main: SHA } },
    ],
  });
  for (const user of [alice, bob, carol]) cookies[user.login] = await signIn(user);
});
afterAll(() => env?.stop());

const settingsUrl = (repo: string) => `/api/repos/${repo}/settings`;
const getSettings = (repo: string, cookie?: string) => callApi("GET", settingsUrl(repo), { cookie });
const putSettings = (repo: string, body: unknown, cookie?: string, headers?: Record<string, string>) =>
  callApi("PUT", settingsUrl(repo), { body, cookie, headers });
const storedSettings = async () => scanItems("repoSettings");

describe("GET /api/repos/{owner}/{name}/settings", () => {
  it("answers 401 without a session", async () => {
    const response = await getSettings("alice/project");
    expect(response.status).toBe(401);
    expect(response.json.error.code).toBe("unauthorized");
  });

  it("shows auto-build off with the default branch before anything is saved", async () => {
    const response = await getSettings("alice/project", cookies.alice);
    expect(response.status).toBe(200);
    expect(response.json).toEqual({
      repo: "alice/project",
      auto_build: false,
      branches: [],
      default_branch: "trunk",
      can_edit: true,
      managed_by_you: false,
      updated_at: null,
    });
  });

  it("answers 404 for a repository the user cannot read, or that does not exist", async () => {
    for (const repo of ["alice/secret", "alice/nothing-here"]) {
      const response = await getSettings(repo, cookies.bob);
      expect(response.status).toBe(404);
      expect(response.json.error.code).toBe("repo_not_found");
    }
  });

  it("answers 400 for a name that is not a repository", async () => {
    const response = await getSettings("-alice/bad%20name", cookies.alice);
    expect(response.status).toBe(400);
    expect(response.json.error.code).toBe("invalid_repo");
  });
});

describe("PUT /api/repos/{owner}/{name}/settings", () => {
  it("saves auto_build and branches, makes the saving user the owner, and GET shows them", async () => {
    const saved = await putSettings("alice/project", { auto_build: true, branches: ["trunk", "release/2.x", "trunk"] }, cookies.alice);
    expect(saved.status).toBe(200);
    expect(saved.json).toMatchObject({ repo: "alice/project", auto_build: true, branches: ["trunk", "release/2.x"], managed_by_you: true, can_edit: true });
    expect(saved.json.updated_at).toEqual(expect.any(String));

    expect((await getSettings("alice/project", cookies.alice)).json).toMatchObject({ auto_build: true, branches: ["trunk", "release/2.x"], managed_by_you: true });
    const [item] = (await storedSettings()).filter((entry) => entry.repo === "alice/project");
    expect(item).toMatchObject({ pk: "REPO#alice/project", sk: "SETTINGS", autoBuild: true, ownerUserId: String(alice.id) });
  });

  it("lets a collaborator with write access take over; the previous owner sees it is no longer theirs", async () => {
    const saved = await putSettings("alice/project", { auto_build: true, branches: [] }, cookies.carol);
    expect(saved.status).toBe(200);
    expect(saved.json).toMatchObject({ managed_by_you: true, branches: [] });
    expect((await getSettings("alice/project", cookies.alice)).json).toMatchObject({ auto_build: true, managed_by_you: false });
  });

  it("refuses a reader without write access (403) and someone who cannot read it (404), writing nothing", async () => {
    const before = await storedSettings();
    const outsider = await putSettings("alice/project", { auto_build: false, branches: [] }, cookies.bob);
    expect(outsider.status).toBe(403);
    expect(outsider.json.error.code).toBe("repo_write_access_required");
    expect((await getSettings("alice/project", cookies.bob)).json.can_edit).toBe(false);

    const readOnly = await putSettings("alice/secret", { auto_build: true, branches: [] }, cookies.carol);
    expect(readOnly.status).toBe(403);
    const hidden = await putSettings("alice/secret", { auto_build: true, branches: [] }, cookies.bob);
    expect(hidden.status).toBe(404);
    expect(await storedSettings()).toEqual(before);
  });

  it("answers 401 without a session and 403 from another origin, writing nothing", async () => {
    const before = await storedSettings();
    expect((await putSettings("alice/project", { auto_build: false, branches: [] })).status).toBe(401);
    const crossSite = await putSettings("alice/project", { auto_build: false, branches: [] }, cookies.alice, { origin: "https://evil.example" });
    expect(crossSite.status).toBe(403);
    expect(crossSite.json.error.code).toBe("origin_mismatch");
    const noOrigin = await putSettings("alice/project", { auto_build: false, branches: [] }, cookies.alice, { origin: "" });
    expect(noOrigin.status).toBe(403);
    expect(await storedSettings()).toEqual(before);
  });

  it("rejects invalid bodies and branch names with 400, writing nothing", async () => {
    const before = await storedSettings();
    const bodies: Array<[unknown, string]> = [
      [{ auto_build: true, branches: ["--upload-pack=touch /tmp/x"] }, "invalid_branches"],
      [{ auto_build: true, branches: ["../../etc"] }, "invalid_branches"],
      [{ auto_build: true, branches: [""] }, "invalid_branches"],
      [{ auto_build: true, branches: ["x".repeat(300)] }, "invalid_branches"],
      [{ auto_build: true, branches: ["refs/heads/main"] }, "invalid_branches"],
      [{ auto_build: true, branches: ["a b"] }, "invalid_branches"],
      [{ auto_build: true, branches: Array.from({ length: 21 }, (_, i) => `b${i}`) }, "invalid_branches"],
      [{ auto_build: "yes", branches: [] }, "invalid_auto_build"],
      [{ auto_build: true }, "invalid_branches"],
      ["{not json", "invalid_json"],
    ];
    for (const [body, code] of bodies) {
      const response = await putSettings("alice/project", body, cookies.alice);
      expect(response.status, JSON.stringify(body).slice(0, 60)).toBe(400);
      expect(response.json.error.code).toBe(code);
    }
    expect(await storedSettings()).toEqual(before);
  });
});
