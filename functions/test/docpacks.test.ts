import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestEnvironment, type TestEnvironment } from "@doctown/core/test/support/testEnvironment";
import { allowBrowserDownloads } from "@doctown/core/storage";
import { callApi, signIn, TEST_ORIGIN } from "./support/api";
import { buildDocpack } from "./support/builds";

const alice = { id: 301, login: "alice", token: "gho_alice" };
const bob = { id: 302, login: "bob", token: "gho_bob" };
let env: TestEnvironment;
let aliceCookie: string;
let bobCookie: string;
let privatePack: Awaited<ReturnType<typeof buildDocpack>>;

beforeAll(async () => {
  env = await startTestEnvironment({
    githubUsers: [alice, bob],
    githubRepos: [{ owner: "alice", name: "project", refs: { main: "4".repeat(40) } }],
  });
  aliceCookie = await signIn(alice);
  bobCookie = await signIn(bob);
  privatePack = await buildDocpack(aliceCookie, { repo: "alice/project", git_ref: "main" });
});
afterAll(() => env?.stop());

describe("GET /api/docpacks", () => {
  it("lists the user's own docpacks only", async () => {
    const mine = await callApi("GET", "/api/docpacks", { cookie: aliceCookie });
    expect(mine.status).toBe(200);
    expect(mine.json.docpacks).toContainEqual(
      expect.objectContaining({ docpack_id: privatePack.docpackId, repo: "alice/project", commit: "4".repeat(40), public: false, size: privatePack.bytes.length }),
    );
    const bobs = await callApi("GET", "/api/docpacks", { cookie: bobCookie });
    expect(bobs.json.docpacks.some((d: { docpack_id: string }) => d.docpack_id === privatePack.docpackId)).toBe(false);
    expect((await callApi("GET", "/api/docpacks")).status).toBe(401);
  });
});

describe("GET /api/docpacks/{id}/download", () => {
  it("redirects the owner to a presigned URL that downloads the exact bytes", async () => {
    const response = await callApi("GET", `/api/docpacks/${privatePack.docpackId}/download`, { cookie: aliceCookie });
    expect(response.status).toBe(302);
    const location = response.headers.location;
    expect(location).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/.+X-Amz-Signature=/);
    const download = await fetch(location);
    expect(download.status).toBe(200);
    expect(download.headers.get("content-disposition")).toMatch(/^attachment; filename="alice-project-4{12}\.docpack\.zip"$/);
    expect(Buffer.from(await download.arrayBuffer()).equals(privatePack.bytes)).toBe(true);
  });

  it("lets the dashboard's viewer read the presigned URL cross-origin once the storage allows the site", async () => {
    const location = (await callApi("GET", `/api/docpacks/${privatePack.docpackId}/download`, { cookie: aliceCookie })).headers.location;
    // Chromium sends the site's origin on the viewer's fetch after the download route's redirect.
    const before = await fetch(location, { headers: { origin: TEST_ORIGIN } });
    await before.arrayBuffer();
    expect(before.headers.get("access-control-allow-origin")).toBeNull();
    // Locally the storage proxy answers CORS (testing/src/storageProxy.ts), for the site only.
    env.local.allowBrowserOrigins([TEST_ORIGIN]);
    const after = await fetch(location, { headers: { origin: TEST_ORIGIN } });
    expect(after.status).toBe(200);
    expect(after.headers.get("access-control-allow-origin")).toBe(TEST_ORIGIN);
    expect(Buffer.from(await after.arrayBuffer()).equals(privatePack.bytes)).toBe(true);
  });

  it("answers 404 for someone else's private docpack, for anonymous visitors and for unknown ids", async () => {
    for (const cookie of [bobCookie, undefined]) {
      const response = await callApi("GET", `/api/docpacks/${privatePack.docpackId}/download`, { cookie });
      expect(response.status).toBe(404);
      expect(response.json.error.code).toBe("docpack_not_found");
    }
    expect((await callApi("GET", "/api/docpacks/nope/download", { cookie: aliceCookie })).status).toBe(404);
  });
});

describe("PATCH /api/docpacks/{id} and the commons", () => {
  it("lets only the owner publish, after which anyone can list and download it", async () => {
    const pack = await buildDocpack(aliceCookie, { repo: "alice/project", git_ref: "main" });
    const bobTries = await callApi("PATCH", `/api/docpacks/${pack.docpackId}`, { body: { public: true }, cookie: bobCookie });
    expect(bobTries.status).toBe(404);

    const published = await callApi("PATCH", `/api/docpacks/${pack.docpackId}`, { body: { public: true }, cookie: aliceCookie });
    expect(published.status).toBe(200);
    expect(published.json).toMatchObject({ docpack_id: pack.docpackId, public: true });
    const commons = await callApi("GET", "/api/docpacks/public");
    expect(commons.json.docpacks.map((d: { docpack_id: string }) => d.docpack_id)).toContain(pack.docpackId);
    const anonymous = await callApi("GET", `/api/docpacks/${pack.docpackId}/download`);
    expect(anonymous.status).toBe(302);
    expect(Buffer.from(await (await fetch(anonymous.headers.location)).arrayBuffer()).equals(pack.bytes)).toBe(true);

    const hidden = await callApi("PATCH", `/api/docpacks/${pack.docpackId}`, { body: { public: false }, cookie: aliceCookie });
    expect(hidden.json.public).toBe(false);
    const after = await callApi("GET", "/api/docpacks/public");
    expect(after.json.docpacks.map((d: { docpack_id: string }) => d.docpack_id)).not.toContain(pack.docpackId);
    expect((await callApi("GET", `/api/docpacks/${pack.docpackId}/download`)).status).toBe(404);
  });

  it("validates the body and the origin", async () => {
    const path = `/api/docpacks/${privatePack.docpackId}`;
    expect((await callApi("PATCH", path, { body: { public: "yes" }, cookie: aliceCookie })).json.error.code).toBe("invalid_public");
    expect((await callApi("PATCH", path, { body: "{", cookie: aliceCookie })).json.error.code).toBe("invalid_json");
    const foreign = await callApi("PATCH", path, { body: { public: true }, cookie: aliceCookie, headers: { origin: "https://evil.example" } });
    expect(foreign.status).toBe(403);
    expect((await callApi("PATCH", path, { body: { public: true } })).status).toBe(401);
    const listed = await callApi("GET", "/api/docpacks", { cookie: aliceCookie });
    expect(listed.json.docpacks.find((d: { docpack_id: string }) => d.docpack_id === privatePack.docpackId).public).toBe(false);
  });

  it("pages through the commons newest first", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await buildDocpack(aliceCookie, { repo: "alice/project", git_ref: "main", public: true })).docpackId);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: any = await callApi("GET", `/api/docpacks/public?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
      expect(page.status).toBe(200);
      expect(page.json.docpacks.length).toBeLessThanOrEqual(2);
      seen.push(...page.json.docpacks.map((d: { docpack_id: string }) => d.docpack_id));
      cursor = page.json.next_cursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBeGreaterThanOrEqual(2);
    expect(seen.slice(0, 3)).toEqual([ids[2], ids[1], ids[0]]);
    expect(seen).not.toContain(privatePack.docpackId);
  });
});
