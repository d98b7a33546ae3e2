/**
 * The RepoSettings component in Debian's Chromium, against the local stack (real handlers,
 * dynalite) with GitHub answered at its HTTP boundary: load, toggle, list branches and save with
 * the keyboard only; the errors a user can meet are shown, and nothing invalid is saved.
 */
import { execFile } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeGitHub, type FakeGitHub } from "../../core/test/support/fakeGitHub";
import { startLocalStack, type LocalStack } from "../../local/src/stack";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/lib/chromium/chromium";
const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

let site: string;
let github: FakeGitHub;
let stack: LocalStack;
let profile: string;
let context: BrowserContext;
let page: Page;

/** A one-page Astro site holding just the component, built the way web/ builds. */
async function buildSite(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "doctown-repo-settings-"));
  mkdirSync(join(dir, "src/pages"), { recursive: true });
  mkdirSync(join(dir, "src/components"), { recursive: true });
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"));
  copyFileSync(join(ROOT, "web/src/components/RepoSettings.astro"), join(dir, "src/components/RepoSettings.astro"));
  writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }));
  writeFileSync(join(dir, "astro.config.mjs"), 'export default { output: "static", build: { format: "file" } };\n');
  writeFileSync(
    join(dir, "src/pages/index.astro"),
    '---\nimport RepoSettings from "../components/RepoSettings.astro";\n---\n<html lang="en"><head><meta charset="utf-8" /><title>settings</title></head><body><main><RepoSettings /></main></body></html>\n',
  );
  await promisify(execFile)(process.execPath, [join(ROOT, "node_modules/astro/astro.js"), "build", "--root", dir], {
    cwd: dir,
    env: { ...process.env, ASTRO_TELEMETRY_DISABLED: "1" },
    timeout: 120_000,
  });
  return dir;
}

beforeAll(async () => {
  site = await buildSite();
  github = await startFakeGitHub({ repos: [{ owner: "alice", name: "project", defaultBranch: "trunk", refs: { trunk: "6".repeat(40) } }] });
  stack = await startLocalStack({ port: 0, webRoot: join(site, "dist"), env: { GITHUB_API_URL: github.url } });
  profile = mkdtempSync(join(tmpdir(), "doctown-chromium-"));
  context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  page = context.pages()[0] ?? (await context.newPage());
}, 180_000);

afterAll(async () => {
  await context?.close();
  await stack?.stop();
  await github?.close();
  for (const dir of [site, profile]) if (dir) rmSync(dir, { recursive: true, force: true });
});

const status = () => page.locator('[data-role="status"]');
const api = (path: string) => page.evaluate(async (url) => (await fetch(url)).json(), path);

describe("RepoSettings in the browser", () => {
  it("tells a signed-out visitor to sign in", async () => {
    await page.goto(`${stack.url}/index.html`);
    await page.getByLabel("Repository").fill("alice/project");
    await page.getByRole("button", { name: "Show settings" }).click();
    await expect.poll(() => status().textContent()).toContain("Sign in");
    expect(await page.locator('[data-role="settings"]').isHidden()).toBe(true);
  });

  it("loads, toggles and saves with the keyboard alone", async () => {
    // The local stage's dev sign-in sets the session cookie for this origin.
    const signedIn = await page.evaluate(async () => (await fetch("/auth/dev", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ login: "alice" }) })).status);
    expect(signedIn).toBe(200);
    await page.goto(`${stack.url}/index.html`);

    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.getAttribute("name"))).toBe("repo");
    await page.keyboard.type("alice/project");
    await page.keyboard.press("Enter");
    await expect.poll(() => page.locator('[data-role="summary"]').textContent()).toBe("alice/project: auto-build is off");
    expect(await page.locator('[data-role="default-branch"]').textContent()).toBe("trunk");

    await page.keyboard.press("Tab"); // Show settings
    await page.keyboard.press("Tab"); // the switch
    expect(await page.evaluate(() => document.activeElement?.getAttribute("role"))).toBe("switch");
    await page.keyboard.press("Space");
    await page.keyboard.press("Tab"); // branches
    await page.keyboard.type("trunk\nrelease/1.x\n");
    await page.keyboard.press("Tab"); // Save
    await page.keyboard.press("Enter");
    await expect.poll(() => status().textContent()).toBe("Saved.");
    expect(await page.locator('[data-role="summary"]').textContent()).toBe("alice/project: builds on push");

    expect(await api("/api/repos/alice/project/settings")).toMatchObject({ auto_build: true, branches: ["trunk", "release/1.x"], managed_by_you: true });
  });

  it("shows the API's refusal of a bad branch and keeps the saved settings", async () => {
    await page.getByLabel("Branches to build").fill("trunk\nfeature~1");
    await page.getByRole("button", { name: "Save settings" }).click();
    await expect.poll(() => status().textContent()).toMatch(/feature~1/);
    expect(await status().getAttribute("class")).toContain("error");
    expect((await api("/api/repos/alice/project/settings")).branches).toEqual(["trunk", "release/1.x"]);

    await page.getByLabel("Branches to build").fill("--upload-pack=touch /tmp/x");
    await page.getByRole("button", { name: "Save settings" }).click();
    await expect.poll(() => status().textContent()).toContain("is not a valid branch name");
  });

  it("says so when the repository cannot be read", async () => {
    await page.getByLabel("Repository").fill("alice/nothing-here");
    await page.getByRole("button", { name: "Show settings" }).click();
    await expect.poll(() => status().textContent()).toBe("Repository not found, or you cannot read it on GitHub.");
    expect(await page.locator('[data-role="settings"]').isHidden()).toBe(true);
  });
});
