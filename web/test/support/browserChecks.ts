/**
 * What every browser test checks on every page: no console errors, no failed requests (network
 * failures or HTTP 4xx/5xx), and no axe-core violations at desktop and phone size.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Page } from "playwright-core";

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

export type Problems = { console: string[]; failed: string[]; requests: string[] };

/** Starts recording console errors, failed requests and every request's method and path. */
export function watch(page: Page): Problems & { clear(): void } {
  const problems = { console: [] as string[], failed: [] as string[], requests: [] as string[] };
  page.on("console", (message) => {
    if (message.type() === "error") problems.console.push(`${message.type()}: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.console.push(`pageerror: ${error.message}`));
  page.on("requestfailed", (request) => {
    // A navigation away aborts what the old page still had in flight; that is not a failure.
    if (request.failure()?.errorText !== "net::ERR_ABORTED") problems.failed.push(`${request.method()} ${request.url()} ${request.failure()?.errorText}`);
  });
  page.on("response", (response) => {
    if (response.status() >= 400) problems.failed.push(`${response.request().method()} ${response.url()} ${response.status()}`);
  });
  page.on("request", (request) => {
    const url = new URL(request.url());
    problems.requests.push(`${request.method()} ${url.pathname}${url.search}`);
  });
  return {
    ...problems,
    clear() {
      problems.console.length = 0;
      problems.failed.length = 0;
      problems.requests.length = 0;
    },
  };
}

/** axe-core's violations on the page as it is now (rule id, impact, first targets). */
export async function axeViolations(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol, so a Content-Security-Policy cannot block it.
  if (!(await page.evaluate(() => "axe" in window))) await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: Document, options: object): Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }> } }).axe;
    const result = await axe.run(document, { resultTypes: ["violations"] });
    return result.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`);
  });
  return violations;
}

/** axe at both sizes; the viewport is left at desktop size. */
export async function axeAtBothSizes(page: Page, label: string): Promise<string[]> {
  const found: string[] = [];
  for (const size of [PHONE, DESKTOP]) {
    await page.setViewportSize(size);
    for (const violation of await axeViolations(page)) found.push(`${label} @${size.width}: ${violation}`);
  }
  return found;
}
