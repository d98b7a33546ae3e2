/**
 * The dashboard's JavaScript budgets (web/scripts/size.mjs, also run by `npm run build -w web`),
 * checked on the site the browser tests build: every page within 30 KB gzipped; the viewer within
 * 30 KB up front and 70 KB loaded when a docpack is opened (the docpack reader with core's zod
 * schema is one of those lazy chunks, never part of the first load).
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildSite } from "./support/buildSite";

const SIZE = fileURLToPath(new URL("../scripts/size.mjs", import.meta.url));
let site: string;
let report: string;

beforeAll(async () => {
  site = mkdtempSync(join(tmpdir(), "doctown-size-"));
  await buildSite(site);
  // size.mjs exits non-zero (and execFile rejects) when a page is over its budget.
  report = (await promisify(execFile)(process.execPath, [SIZE, site])).stdout;
  console.log(report.trim());
});
afterAll(() => rmSync(site, { recursive: true, force: true }));

describe("JavaScript budgets", () => {
  it("keeps every page within its budget and loads the docpack reader only when a docpack is opened", () => {
    expect(report).not.toContain("OVER");
    const viewer = /viewer\/index\.html\s+([\d.]+) KB; ([\d.]+) KB lazy/.exec(report);
    expect(viewer, report).not.toBeNull();
    const [upFront, lazy] = [Number(viewer![1]), Number(viewer![2])];
    expect(upFront).toBeLessThanOrEqual(30);
    // zod alone is ~30 KB gzipped: were the reader in the first load, up front would be ~40 KB.
    expect(lazy).toBeGreaterThan(upFront);
  });
});
