/**
 * "Build on push" (RepoSettings) on the real dashboard in Debian's Chromium, against the local
 * stack (real handlers, dynalite) with GitHub answered at its HTTP boundary: picking a repository
 * loads its settings; toggle, branches and save work with the keyboard; refusals are shown and
 * nothing invalid is saved; a reader without write access sees the settings read-only. The stack
 * has a webhook secret: without one a local stack cannot receive pushes and hides the settings.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { BrowserContext, Page } from "playwright-core";
import { launchBrowser, type TestBrowser } from "./support/browser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SESSION_COOKIE, createSession } from "@doctown/core/session";
import { upsertGitHubUser } from "@doctown/core/user";
import { startFakeGitHub, type FakeGitHub } from "@doctown/core/test/support/fakeGitHub";
import { startLocalStack, type LocalStack } from "@doctown/local/stack";
import { buildSite } from "./support/buildSite";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const SHOTS = join(ROOT, "test-artifacts/screenshots");
const alice = { id: 7001, login: "alice", token: "gho_alice_dashboard" };

let site: string;
let github: FakeGitHub;
let stack: LocalStack;
let browser: TestBrowser | undefined;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  site = mkdtempSync(join(tmpdir(), "doctown-web-settings-"));
  github = await startFakeGitHub({
    users: [alice],
    repos: [
      { owner: "alice", name: "project", defaultBranch: "trunk", refs: { trunk: "6".repeat(40) } },
      { owner: "bob", name: "shared", refs: { main: "7".repeat(40) } },
    ],
  });
  // The gateway reads the site per request, so the stack can start while the site builds.
  [stack] = await Promise.all([startLocalStack({ port: 0, webRoot: site, env: { GITHUB_API_URL: github.url, GITHUB_WEBHOOK_SECRET: "settings-test-secret" } }), buildSite(site)]);
  // A GitHub user as the OAuth callback leaves them: profile, stored token, session cookie.
  await upsertGitHubUser({ id: alice.id, login: alice.login, name: "Alice", avatarUrl: null }, { accessToken: alice.token });
  const session = await createSession(String(alice.id));
  browser = await launchBrowser();
  ({ context } = browser);
  await context.addCookies([{ name: SESSION_COOKIE, value: session.token, url: stack.url, httpOnly: true, sameSite: "Lax" }]);
  page = browser.page;
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  await github?.close();
  if (site) rmSync(site, { recursive: true, force: true });
});

const settings = () => page.locator("[data-repo-settings]");
const status = () => settings().locator('[data-role="status"]');
const summary = () => settings().locator('[data-role="summary"]');
/** Waits for the page (the machine is shared: up to 10 s, not vitest's default 1 s). */
const eventually = <T>(read: () => Promise<T>) => expect.poll(read, { timeout: 10_000 });
const api = (path: string) => page.evaluate(async (url) => (await fetch(url)).json(), path);

describe("Build on push on the dashboard", () => {
  it("follows the repository picked in Generate docs and saves with the keyboard alone", async () => {
    await page.goto(`${stack.url}/dashboard/`);
    // Browsers compile `pattern` with the v flag; an invalid one is logged and silently ignored.
    await settings().waitFor();
    const pattern = await settings().locator('input[name="repo"]').getAttribute("pattern");
    expect(() => new RegExp(`^(?:${pattern})$`, "v")).not.toThrow();
    expect(new RegExp(`^(?:${pattern})$`, "v").test("alice/project")).toBe(true);
    await page.getByRole("radio", { name: /alice\/project/ }).check();
    await eventually(() => summary().textContent()).toBe("alice/project: auto-build is off");
    expect(await settings().locator('[data-role="default-branch"]').textContent()).toBe("trunk");

    await settings().getByRole("switch").focus();
    await page.keyboard.press("Space");
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.getAttribute("name"))).toBe("branches");
    await page.keyboard.type("trunk\nrelease/1.x\n");
    await page.keyboard.press("Tab");
    await page.keyboard.press("Enter");
    await eventually(() => status().textContent()).toBe("Saved.");
    expect(await summary().textContent()).toBe("alice/project: builds on push");
    expect(await api("/api/repos/alice/project/settings")).toMatchObject({ auto_build: true, branches: ["trunk", "release/1.x"], managed_by_you: true });
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: join(SHOTS, "repo-settings.png"), fullPage: true });

    // A reload shows what was saved.
    await page.reload();
    await page.getByRole("radio", { name: /alice\/project/ }).check();
    await eventually(() => summary().textContent()).toBe("alice/project: builds on push");
    expect(await settings().getByLabel("Branches to build").inputValue()).toBe("trunk\nrelease/1.x");
    expect(await settings().getByRole("switch").isChecked()).toBe(true);
  });

  it("shows refusals (the API's and its own) and keeps the saved settings", async () => {
    await settings().getByLabel("Branches to build").fill("trunk\nfeature~1");
    await settings().getByRole("button", { name: "Save settings" }).click();
    await eventually(() => status().textContent()).toMatch(/feature~1/);
    expect(await status().getAttribute("class")).toContain("error");

    await settings().getByLabel("Branches to build").fill("--upload-pack=touch /tmp/x");
    await settings().getByRole("button", { name: "Save settings" }).click();
    await eventually(() => status().textContent()).toContain("is not a valid branch name");
    expect((await api("/api/repos/alice/project/settings")).branches).toEqual(["trunk", "release/1.x"]);
  });

  it("shows a repository the user can only read as read-only, and an unreadable one as not found", async () => {
    await settings().getByLabel("Repository").fill("bob/shared");
    await settings().getByLabel("Repository").press("Enter");
    await eventually(() => summary().textContent()).toBe("bob/shared: auto-build is off");
    expect(await status().textContent()).toContain("need write access");
    expect(await settings().getByRole("switch").isDisabled()).toBe(true);
    expect(await settings().getByRole("button", { name: "Save settings" }).isDisabled()).toBe(true);

    await settings().getByLabel("Repository").fill("bob/nothing-here");
    await settings().getByRole("button", { name: "Show settings" }).click();
    await eventually(() => status().textContent()).toBe("Repository not found, or you cannot read it on GitHub.");
    expect(await settings().locator('[data-role="settings"]').isHidden()).toBe(true);
  });
});
