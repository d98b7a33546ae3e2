/**
 * Security headers on every answer of the local gateway: pages (CSP without inline script or style,
 * the storage origin for the viewer, frame-ancestors 'none', nosniff, referrer policy), API answers
 * (a CSP that allows nothing), the gateway's own errors; no HSTS on plain-HTTP localhost. The API
 * edge adds HSTS on deployed stages.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { json } from "@doctown/functions/http";
import { startLocalStack, type LocalStack } from "../src/stack";

let stack: LocalStack;
let webRoot: string;
beforeAll(async () => {
  webRoot = mkdtempSync(join(tmpdir(), "doctown-web-"));
  writeFileSync(join(webRoot, "index.html"), "<h1>home</h1>");
  writeFileSync(join(webRoot, "404.html"), "<h1>not here</h1>");
  stack = await startLocalStack({ port: 0, webRoot });
});
afterAll(async () => {
  await stack?.stop();
  rmSync(webRoot, { recursive: true, force: true });
});

const COMMON = { "x-content-type-options": "nosniff", "referrer-policy": "same-origin", "x-frame-options": "DENY" };

function expectCommon(response: Response, what: string) {
  for (const [name, value] of Object.entries(COMMON)) expect(response.headers.get(name), `${what}: ${name}`).toBe(value);
  expect(response.headers.get("strict-transport-security"), `${what}: no HSTS on http://localhost`).toBeNull();
}

describe("security headers on the local gateway", () => {
  it("pages: a CSP with no inline script or style, frame-ancestors 'none', and the storage origin for the viewer", async () => {
    const answers: [string, Response][] = [["page", await fetch(`${stack.url}/`)], ["404 page", await fetch(`${stack.url}/nope/`)]];
    for (const [what, response] of answers) {
      await response.text();
      expectCommon(response, what);
      const csp = response.headers.get("content-security-policy") ?? "";
      expect(csp, what).toContain("script-src 'self';");
      expect(csp, what).toContain("style-src 'self';");
      expect(csp, what).toContain("frame-ancestors 'none'");
      expect(csp, what).not.toContain("unsafe-inline");
      expect(csp, what).toMatch(/connect-src 'self' http:\/\/127\.0\.0\.1:\d+;/);
    }
  });

  it("API answers and the gateway's own errors: a CSP that allows nothing", async () => {
    const answers: [string, Response][] = [
      ["401", await fetch(`${stack.url}/api/me`)],
      ["gateway 404", await fetch(`${stack.url}/api/nothing-here`)],
      ["redirect", await fetch(`${stack.url}/auth/github/login`, { redirect: "manual" })],
    ];
    for (const [what, response] of answers) {
      await response.text();
      expectCommon(response, what);
      expect(response.headers.get("content-security-policy"), what).toBe("default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
    }
    console.log(`security headers: ${answers.length + 2} answer kinds checked → all carry CSP, nosniff, frame DENY, referrer policy`);
  });

  it("deployed stages add HSTS to API answers", () => {
    const previous = process.env.DOCTOWN_STAGE;
    process.env.DOCTOWN_STAGE = "prod";
    try {
      expect(json(200, {}).headers).toMatchObject({ "strict-transport-security": "max-age=63072000; includeSubDomains" });
    } finally {
      process.env.DOCTOWN_STAGE = previous;
    }
    expect(json(200, {}).headers).not.toHaveProperty("strict-transport-security");
  });
});
