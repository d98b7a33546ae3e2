/**
 * Links between docpack pages land on the heading their #anchor names, in Debian's Chromium: a
 * docpack the builder makes here from a repository made here (its type links, the overview's
 * symbol links and prose headings carry the builder's GitHub-style anchors), opened in the real
 * viewer served by the local gateway. The target heading is scrolled into view and focused, the
 * address keeps the anchor (back, forward and opening the address land there again), an unknown
 * anchor opens the page at its top, a page's link to its own heading works, and every heading
 * files.json names has the id of its anchor.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { unzipSync } from "fflate";
import type { BrowserContext, Page } from "playwright-core";
import { launchBrowser, type TestBrowser } from "./support/browser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildDocpack } from "@doctown/builder";
import { startGateway, type Gateway } from "@doctown/local/gateway";
import { makeRepo, type TestRepo } from "@doctown/testing/repos";
import { axeAtBothSizes, DESKTOP, watch } from "./support/browserChecks";
import { buildSite } from "./support/buildSite";


/** Enough definitions before Widget that its heading is far down a page the viewer cuts in two. */
const PARTS = 40;
const FILES: Record<string, string> = {
  "src/model/types.ts": [
    ...Array.from({ length: PARTS }, (_, i) => `/** Part ${i} of a widget, described at some length so that its section takes a few lines. */\nexport interface Part${i} {\n  size: number;\n}\n`),
    "/** What makeWidget makes. */\nexport interface Widget {\n  name: string;\n}\n",
  ].join("\n"),
  "src/make.ts": 'import type { Widget } from "./model/types";\n\n/** Makes a widget. */\nexport function makeWidget(name: string): Widget {\n  return { name };\n}\n',
  "docs/guide.md": [
    "# Guide",
    "",
    "[Jump to configuring](#configuring-widgets)",
    "",
    ...Array.from({ length: 40 }, (_, i) => [`## Step ${i}`, "", `Step ${i} of the guide, a paragraph long enough to take a line.`, ""]).flat(),
    "## Notes",
    "",
    "First notes.",
    "",
    "## Configuring widgets",
    "",
    "Widgets are configured here.",
    "",
    "## Notes",
    "",
    "Second notes, same heading.",
    "",
    "> ## Notes",
    "> Quoted notes: not listed, but numbered as the viewer numbers them.",
    "",
    "## Notes",
    "",
    "## get_user_name and `snake_case_code`",
    "",
    "## Caf&eacute; &amp; [the guide][ref]",
    "",
    "[ref]: #guide",
    "",
  ].join("\n"),
};

let repo: TestRepo;
let work: string;
let zip: Buffer;
let site: string;
let gateway: Gateway;
let browser: TestBrowser | undefined;
let context: BrowserContext;
let page: Page;
let problems: ReturnType<typeof watch>;

const text = (selector: string) => page.locator(selector).first().textContent();
const heading = () => text('[data-role="heading"]');
const body = () => page.locator('[data-role="body"]');

/** Opens the viewer at `hash` with the docpack chosen as a file (the page then shows what `hash` names). */
async function open(hash = "") {
  await page.goto(`${gateway.url}/viewer/${hash}`);
  await page.locator('[data-role="file"]').setInputFiles({ name: "anchors.zip", mimeType: "application/zip", buffer: zip });
  await page.locator('[data-role="layout"]').waitFor();
}

/** The focused element's id, and whether the element with `id` lies within the viewport. */
async function landedOn(id: string) {
  return page.evaluate((id) => {
    const target = document.getElementById(id);
    const box = target?.getBoundingClientRect();
    return {
      focused: document.activeElement?.id ?? null,
      inView: !!box && box.top >= 0 && box.bottom <= window.innerHeight,
      text: target?.textContent ?? null,
      scrolled: window.scrollY > 0,
    };
  }, id);
}

beforeAll(async () => {
  repo = makeRepo(FILES);
  work = mkdtempSync(join(tmpdir(), "doctown-anchors-"));
  site = join(work, "site");
  const outFile = join(work, "anchors.zip");
  await Promise.all([buildDocpack({ source: repo.path, outFile, allowLocal: true, llm: false, env: {} }), buildSite(site)]);
  zip = readFileSync(outFile);
  gateway = await startGateway({ port: 0, webRoot: site });
  browser = await launchBrowser({ viewport: DESKTOP });
  ({ context } = browser);
  page = browser.page;
  problems = watch(page);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await gateway?.close();
  repo?.remove();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("links with an #anchor", () => {
  it("follows the overview's symbol link and a type link to the definition's heading", async () => {
    await open();
    expect(await heading()).toBe("Overview");
    await body().locator(".doc a", { hasText: /^makeWidget$/ }).click();
    await expect.poll(heading).toBe("src/make.ts");
    expect(new URL(page.url()).hash).toBe("#file/src/make.ts%23makewidget");
    expect(await landedOn("doc-makewidget")).toMatchObject({ focused: "doc-makewidget", inView: true, text: "makeWidget" });

    // The type link under the signature: Widget is far down a long page, past its first part.
    await body().locator(".doc a", { hasText: /^Widget$/ }).click();
    await expect.poll(heading).toBe("src/model/types.ts");
    expect(new URL(page.url()).hash).toBe("#file/src/model/types.ts%23widget");
    expect(await landedOn("doc-widget")).toEqual({ focused: "doc-widget", inView: true, text: "Widget", scrolled: true });
    expect(await body().locator(".targeted").count()).toBe(1);
  }, 120_000);

  it("lands there again on back and forward, and when the address is opened anew", async () => {
    await page.goBack();
    await expect.poll(heading).toBe("src/make.ts");
    await page.goForward();
    await expect.poll(heading).toBe("src/model/types.ts");
    expect(await landedOn("doc-widget")).toMatchObject({ focused: "doc-widget", inView: true, scrolled: true });

    // As after a reload: the page opens with the address it had.
    await page.evaluate(() => window.scrollTo(0, 0));
    await open("#file/src/model/types.ts%23widget");
    expect(await heading()).toBe("src/model/types.ts");
    expect(await landedOn("doc-widget")).toMatchObject({ focused: "doc-widget", inView: true, scrolled: true });
  }, 120_000);

  it("opens the page at its top for an anchor it does not have", async () => {
    problems.clear();
    await page.evaluate(() => (location.hash = "#file/src/make.ts%23no-such-heading"));
    await expect.poll(heading).toBe("src/make.ts");
    expect(await body().locator(".targeted").count()).toBe(0);
    const top = await page.locator('[data-role="heading"]').boundingBox();
    expect(top!.y).toBeGreaterThanOrEqual(0);
    expect(top!.y).toBeLessThan(DESKTOP.height);
    expect(problems.console).toEqual([]);
  }, 60_000);

  it("gives every prose heading the id of the anchor files.json names (repeats numbered), and search opens it there", async () => {
    const files = JSON.parse(new TextDecoder().decode(unzipSync(new Uint8Array(zip), { filter: (file) => file.name === "files.json" })["files.json"])) as Array<{ path: string; headings?: Array<{ text: string; anchor: string }> }>;
    const guide = files.find((file) => file.path === "docs/guide.md")!.headings!;
    expect(guide.map((h) => h.anchor)).toEqual(expect.arrayContaining(["configuring-widgets", "notes", "notes-1"]));

    const search = page.getByRole("combobox", { name: "Search names, files and headings" });
    await search.fill("Configuring widgets");
    await search.press("Enter");
    await expect.poll(heading).toBe("docs/guide.md");
    expect(new URL(page.url()).hash).toBe("#file/docs/guide.md%23configuring-widgets");
    expect(await landedOn("doc-configuring-widgets")).toMatchObject({ focused: "doc-configuring-widgets", inView: true, scrolled: true });

    expect(guide.map((h) => h.anchor)).toEqual(expect.arrayContaining(["notes-3", "get_user_name-and-snake_case_code", "café--the-guide"]));
    // Every heading has an id; those outside quotes are the ones files.json lists, with its anchors.
    const rendered = await body()
      .locator(".doc :is(h1, h2, h3, h4, h5, h6)")
      .evaluateAll((headings) => headings.map((h) => ({ id: h.id, text: h.textContent?.trim(), quoted: !!h.closest("blockquote") })));
    expect(rendered.filter((h) => h.quoted).map((h) => h.id)).toEqual(["doc-notes-2"]);
    expect(rendered.filter((h) => !h.quoted).map((h) => [h.id, h.text])).toEqual(guide.map((h) => [`doc-${h.anchor}`, h.text]));
    expect(problems.console).toEqual([]);
  }, 60_000);

  it("follows a page's link to its own heading ([…](#anchor)), the marked heading accessible", async () => {
    await page.evaluate(() => (location.hash = "#file/docs/guide.md"));
    await expect.poll(() => body().locator(".targeted").count()).toBe(0);
    await page.evaluate(() => window.scrollTo(0, 0));
    await body().locator(".doc a", { hasText: "Jump to configuring" }).click();
    await expect.poll(() => new URL(page.url()).hash).toBe("#file/docs/guide.md%23configuring-widgets");
    expect(await landedOn("doc-configuring-widgets")).toMatchObject({ focused: "doc-configuring-widgets", inView: true, scrolled: true });
    expect(await axeAtBothSizes(page, "anchor-target")).toEqual([]);
  }, 60_000);
});
