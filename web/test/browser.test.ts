/**
 * The dashboard in Debian's Chromium against the local stack (real handlers, dynalite, s3rver,
 * the pipeline and the embedded builder): dev sign-in → a docpack for a git repository made here →
 * live status to completion → download → viewer and symbol search → public → the commons, signed
 * out. Also: a refused build shows its reason, signed-out visitors go to sign in, and a hostile
 * docpack cannot run script in the viewer. Screenshots go to test-artifacts/screenshots/.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { unzipSync } from "fflate";
import type { BrowserContext, Page } from "playwright-core";
import { launchBrowser, type TestBrowser } from "./support/browser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSession } from "@doctown/core/session";
import { upsertGitHubUser } from "@doctown/core/user";
import { startFakeGitHub, type FakeGitHub } from "@doctown/core/test/support/fakeGitHub";
import { makeRepo, SAMPLE_FILES, type TestRepo } from "@doctown/testing/repos";
import { startLocalStack, type LocalStack } from "@doctown/local/stack";
import { buildSite } from "./support/buildSite";
import { docpackZip, manifest } from "./support/docpackZip";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const SHOTS = join(ROOT, "test-artifacts/screenshots");

let site: string;
let stack: LocalStack;
let github: FakeGitHub;
let repo: TestRepo;
let notARepo: string;
let browser: TestBrowser | undefined;
let context: BrowserContext;
let page: Page;

const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
const text = (selector: string) => page.locator(selector).first().textContent();

/**
 * Counts the page's pending timers of a second or more (the dashboard's only ones are its pollers,
 * web/src/lib/poller.ts): "polling stopped" is then something to see, not a silence to wait out.
 */
const TRACK_POLL_TIMERS = `(() => {
  const pending = new Set();
  const set = window.setTimeout.bind(window);
  const clear = window.clearTimeout.bind(window);
  window.setTimeout = (callback, ms, ...args) => {
    const id = set((...callArgs) => { pending.delete(id); if (typeof callback === "function") callback(...callArgs); }, ms, ...args);
    if (ms >= 1000) pending.add(id);
    return id;
  };
  window.clearTimeout = (id) => { pending.delete(id); clear(id); };
  Object.defineProperty(window, "__pendingPollTimers", { get: () => pending.size });
})();`;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  repo = makeRepo(SAMPLE_FILES);
  notARepo = mkdtempSync(join(tmpdir(), "doctown-not-a-repo-"));
  site = mkdtempSync(join(tmpdir(), "doctown-web-"));
  // The gateway reads the site per request, so the stack can start while the site builds.
  github = await startFakeGitHub({
    users: [{ token: "octo-token", id: 77, login: "octo" }],
    repos: [
      { owner: "octo", name: "alpha", defaultBranch: "trunk", refs: { trunk: "7".repeat(40) } },
      { owner: "octo", name: "beta", refs: { main: "8".repeat(40) } },
      { owner: "octo", name: "gamma-lib", private: true, refs: { main: "9".repeat(40) } },
    ],
  });
  [stack] = await Promise.all([startLocalStack({ port: 0, webRoot: site, env: { GITHUB_API_URL: github.url } }), buildSite(site)]);
  browser = await launchBrowser({ acceptDownloads: true });
  ({ context } = browser);
  await context.addInitScript(TRACK_POLL_TIMERS);
  page = browser.page;
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  await github?.close();
  repo?.remove();
  for (const dir of [site, notARepo]) if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("the dashboard in Chromium", () => {
  it("sends a signed-out visitor from the dashboard to sign in", async () => {
    await page.goto(`${stack.url}/dashboard/`);
    await page.waitForURL(/\/\?signin=required$/);
    await expect.poll(() => text('[data-sign-in] [role="alert"]')).toBe("Sign in to continue.");
  });

  it("offers the local sign-in on the local stage and signs in with it", async () => {
    await page.goto(`${stack.url}/`);
    await page.getByLabel("Login name").waitFor();
    expect(await page.getByRole("link", { name: "Sign in with GitHub" }).isHidden()).toBe(true);
    await shot("landing");
    // Keyboard: the skip link comes first, then the navigation; the login field is reachable.
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Skip to content");
    await page.getByLabel("Login name").focus();
    expect(await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle)).toBe("solid");
    await page.getByLabel("Login name").fill("alice");
    await page.getByRole("button", { name: "Sign in locally" }).click();
    await page.waitForURL(/\/dashboard\/$/);
    await expect.poll(() => text('[data-user-menu] [data-role="login"]')).toBe("alice");
    await expect.poll(() => text('[data-job-list] [data-role="status"]')).toContain("No builds yet");
    await expect.poll(() => text('[data-docpack-list] [data-role="status"]')).toContain("No docpacks yet");
  });

  it("shows why a build is refused: a path that is not a git repository", async () => {
    await page.getByLabel("Local repository path").fill(notARepo);
    await page.getByLabel("Branch, tag or commit").fill("main");
    await page.getByRole("button", { name: "Generate docs" }).click();
    await expect.poll(() => text('[data-repo-picker] [data-role="result"]')).toContain("or it is not a git repository");
    expect(await page.locator('[data-repo-picker] [data-role="result"]').getAttribute("class")).toContain("error");
    expect(await page.locator("[data-job-list] li").count()).toBe(0);
  });

  it("shows a build that fails in the builder with its reason", async () => {
    // The commit resolves, but one of its files is gone from the object store: the clone fails.
    const broken = makeRepo({ "a.ts": "export const a = 1;\n" });
    try {
      const blob = execFileSync("git", ["rev-parse", "HEAD:a.ts"], { cwd: broken.path, encoding: "utf8" }).trim();
      rmSync(join(broken.path, ".git/objects", blob.slice(0, 2), blob.slice(2)));
      await page.getByLabel("Local repository path").fill(broken.path);
      await page.getByRole("button", { name: "Generate docs" }).click();
      const job = page.locator(`[data-job-list] li.job`).filter({ hasText: basename(broken.path) });
      await job.waitFor();
      await expect.poll(() => job.getAttribute("data-status"), { timeout: 30_000, interval: 500 }).toBe("failed");
      expect(await job.locator(".activity").textContent()).toMatch(/^Failed: .{10,}/);
      expect(await job.locator(".activity").getAttribute("class")).toContain("error");
      await shot("dashboard-failed");
    } finally {
      broken.remove();
    }
  }, 40_000);

  it("generates a docpack and shows its live status until it completes", async () => {
    await page.getByLabel("Local repository path").fill(repo.path);
    // No ref: a repository on this machine builds what is checked out (HEAD).
    await page.getByLabel("Branch, tag or commit").fill("");
    await page.getByRole("button", { name: "Generate docs" }).click();
    await expect.poll(() => text('[data-repo-picker] [data-role="result"]')).toContain("Build started.");
    const job = page.locator("[data-job-list] li.job").filter({ hasText: basename(repo.path) });
    await job.waitFor();
    expect(["pending", "building", "completed"]).toContain(await job.getAttribute("data-status"));
    await shot("dashboard-building");
    await expect.poll(() => job.getAttribute("data-status"), { timeout: 45_000, interval: 500 }).toBe("completed");
    expect(await job.locator(".activity").textContent()).toBe("The docpack is ready.");
    expect(await job.getByRole("button", { name: /Cancel/ }).isHidden()).toBe(true);
    await expect.poll(() => text('[data-job-list] [data-role="status"]')).toBe("All builds have finished.");
    // Polling stops once every build has finished: no poll is scheduled any more.
    await expect.poll(() => page.evaluate(() => (window as unknown as { __pendingPollTimers: number }).__pendingPollTimers)).toBe(0);
    const docpack = page.locator("[data-docpack-list] li.docpack").first();
    await docpack.waitFor({ timeout: 10_000 });
    expect(await docpack.locator("code").textContent()).toBe(repo.head.slice(0, 7));
    await shot("dashboard");
    await page.setViewportSize({ width: 390, height: 844 });
    await shot("dashboard-phone");
    await page.setViewportSize({ width: 1280, height: 720 });
  }, 60_000);

  it("shows the job page with the finished build", async () => {
    await page.locator("[data-job-list] li.job").filter({ hasText: basename(repo.path) }).getByRole("link", { name: "Details" }).click();
    await page.waitForURL(/\/job\/\?id=/);
    await expect.poll(() => text('[data-job-detail] [data-role="status"]')).toBe("This build has finished.");
    expect(await text('[data-fact="commit"]')).toBe(repo.head);
    await shot("job");
    await page.goBack();
  });

  it("downloads the docpack", async () => {
    const docpack = page.locator("[data-docpack-list] li.docpack").first();
    const [download] = await Promise.all([page.waitForEvent("download"), docpack.getByRole("link", { name: "Download" }).click()]);
    expect(download.suggestedFilename()).toMatch(/\.docpack\.zip$/);
    const files = unzipSync(new Uint8Array(readFileSync(await download.path())));
    expect(JSON.parse(new TextDecoder().decode(files["manifest.json"])).repo.commit).toBe(repo.head);
  });

  it("opens the docpack in the viewer and finds a known symbol by search", async () => {
    await page.locator("[data-docpack-list] li.docpack").first().getByRole("link", { name: "Open in viewer" }).click();
    await page.waitForURL(/\/viewer\/\?id=/);
    await page.locator('[data-role="layout"]').waitFor({ timeout: 15_000 });
    expect(await text('[data-role="heading"]')).toBe("Overview");
    await page.getByRole("combobox", { name: "Search names, files and headings" }).fill("calcul");
    const result = page.locator('[data-role="results"] [role="option"]').first();
    expect(await result.textContent()).toBe("Calculator class · src/math.ts:6");
    await result.click();
    await expect.poll(() => text('[data-role="heading"]')).toBe("Calculator");
    expect(page.url()).toContain("#symbol/src/math.ts%23Calculator");
    await page.locator('[data-role="body"]').getByRole("link", { name: /^src\/math\.ts, lines 6–/ }).click();
    await expect.poll(() => text('[data-role="heading"]')).toBe("src/math.ts");
    expect(await page.locator('[data-role="body"] .symbol-row[data-symbol="add"]').textContent()).toContain("line 2");
    await shot("viewer");
  });

  it("makes the docpack public, and the commons shows it to a signed-out visitor", async () => {
    await page.goto(`${stack.url}/dashboard/`);
    const toggle = page.locator("[data-docpack-list] li.docpack").first().getByRole("switch");
    expect(await toggle.isChecked()).toBe(false);
    await toggle.check();
    await expect.poll(() => text('[data-docpack-list] [data-role="status"]')).toContain("is now public");
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(`${stack.url}/`);
    expect((await page.evaluate(async () => (await fetch("/api/me")).status))).toBe(401);

    await page.getByRole("link", { name: "Commons", exact: true }).first().click();
    const item = page.locator("[data-commons] li.docpack").first();
    await item.waitFor();
    expect(await item.locator("strong").textContent()).toBe(basename(repo.path));
    await shot("commons");
    await item.getByRole("link", { name: "Open in viewer" }).click();
    await page.locator('[data-role="layout"]').waitFor({ timeout: 15_000 });
    expect(await page.locator('[data-role="tree"] a[href="#file/tools/greet.py"]').count()).toBe(0); // directories open on demand
    await page.locator('[data-role="tree"] summary').filter({ hasText: "tools/" }).click();
    // The directory's entries are rendered on its toggle event, after the click returns.
    await expect.poll(() => page.locator('[data-role="tree"] a[href="#file/tools/greet.py"]').count()).toBe(1);
  });

  it("renders a hostile docpack's Markdown without running its script", async () => {
    const hostile = docpackZip({
      manifest: manifest({ name: "<img src=x onerror=window.pwned=1>" }),
      pages: {
        "docs/index.md": '# Hello\n\n<script>window.pwned=2</script>\n<img src=x onerror="window.pwned=3">\n<a href="javascript:window.pwned=4">click</a>\n\n**bold**',
      },
    });
    await page.goto(`${stack.url}/viewer/`);
    await page.locator('[data-role="file"]').setInputFiles({ name: "hostile.zip", mimeType: "application/zip", buffer: Buffer.from(hostile) });
    await page.locator('[data-role="layout"]').waitFor();
    const doc = page.locator('[data-role="body"] .doc');
    expect(await doc.locator("strong").textContent()).toBe("bold");
    expect(await doc.locator("script, img").count()).toBe(0);
    await page.locator('[data-role="body"] .doc a').click();
    expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
    expect(await page.locator('[data-role="title"]').textContent()).toBe("alice/sample");
  });

  it("refuses a docpack whose manifest does not fit core's schema, naming the field", async () => {
    const bad = docpackZip({ manifest: manifest({ repo: { url: "https://github.com/alice/sample", git_ref: "main", commit: "not-a-commit" } }) });
    await page.goto(`${stack.url}/viewer/`);
    await page.locator('[data-role="file"]').setInputFiles({ name: "bad.zip", mimeType: "application/zip", buffer: Buffer.from(bad) });
    const status = page.locator('[data-role="status"].error');
    await status.waitFor();
    expect(await status.textContent()).toMatch(/^manifest\.json does not fit docpack format 1: manifest\.repo\.commit: /);
    expect(await page.locator('[data-role="layout"]').isHidden()).toBe(true);
  });

  it("lists a GitHub user's repositories with a filter and preselects the default branch", async () => {
    // A GitHub sign-in ends in a session for a user holding a GitHub token; GitHub's API is the fake.
    const user = await upsertGitHubUser({ id: 77, login: "octo", name: "Octo", avatarUrl: null }, { accessToken: "octo-token" });
    const session = await createSession(user.id);
    await context.addCookies([{ name: "doctown_session", value: session.token, url: stack.url }]);
    await page.goto(`${stack.url}/dashboard/`);
    const status = page.locator('[data-repo-picker] [data-role="repos-status"]');
    await expect.poll(() => status.textContent()).toBe("3 repositories.");
    await page.getByLabel("Filter repositories").fill("GAM");
    await expect.poll(() => status.textContent()).toBe("1 of 3 repositories match “GAM”.");
    expect(await page.locator("[data-repo-picker] li:not([hidden])").textContent()).toContain("octo/gamma-libprivate");
    await page.getByLabel("Filter repositories").fill("");
    await page.getByLabel("octo/alpha").check();
    expect(await page.getByLabel("Branch, tag or commit").inputValue()).toBe("trunk");
    // The repository settings follow the pick.
    await expect.poll(() => text('[data-repo-settings] [data-role="summary"]')).toBe("octo/alpha: auto-build is off");
    await shot("dashboard-github");
  });

  it("says so when Doctown cannot be reached", async () => {
    await page.goto(`${stack.url}/dashboard/`);
    await expect.poll(() => text('[data-job-list] [data-role="status"]')).toBe("No builds yet. Pick a repository and choose “Generate docs”.");
    await stack.stop();
    await page.getByRole("button", { name: "Refresh" }).click();
    await expect.poll(() => text('[data-job-list] [data-role="status"]')).toBe("Could not load your builds: Doctown could not be reached. Check your connection and try again.");
    await shot("dashboard-offline");
  });
});
