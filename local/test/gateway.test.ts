/**
 * The local gateway: API Gateway v2 events for the real handlers, API errors as JSON, and the
 * dashboard's static files (content types, index/404 pages, nothing outside the root).
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROUTES } from "@doctown/functions/routes";
import { compileRoutes, matchRoute, toApiEvent } from "@doctown/testing/apiGateway";
import { startLocalStack, type LocalStack } from "../src/stack";
import { signIn } from "./support/client";

/** A raw GET whose path is sent exactly as written (fetch would normalise ".."). */
function rawGet(url: string, path: string): Promise<{ status: number; body: string; type?: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path, method: "GET" }, (res) => {
      let body = "";
      res.on("data", (chunk) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body, type: res.headers["content-type"] }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("routing like API Gateway", () => {
  const routes = compileRoutes(ROUTES);
  it("matches templates, decodes path parameters, and prefers literal segments", () => {
    expect(matchRoute(routes, "GET", "/api/jobs/abc-1")).toMatchObject({ route: { module: "jobs/get" }, pathParameters: { id: "abc-1" } });
    expect(matchRoute(routes, "GET", "/api/jobs/status/abc")).toMatchObject({ route: { routeKey: "GET /api/jobs/status/{id}" }, pathParameters: { id: "abc" } });
    expect(matchRoute(routes, "GET", "/api/docpacks/public")?.route.module).toBe("docpacks/listPublic");
    expect(matchRoute(routes, "GET", "/api/repos/o%2Dx/n/settings")?.pathParameters).toEqual({ owner: "o-x", name: "n" });
    expect(matchRoute(routes, "DELETE", "/api/jobs/abc")).toBeNull();
    expect(matchRoute(routes, "GET", "/api/jobs/a/b/c")).toBeNull();
    expect(matchRoute(routes, "GET", "/api/jobs/%E0%A4%A")).toBeNull();
  });

  it("builds a version 2.0 event from a real HTTP request", async () => {
    const server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const url = new URL(req.url!, "http://x");
      const event = toApiEvent(req, url, matchRoute(routes, req.method!, url.pathname)!, Buffer.concat(chunks));
      res.end(JSON.stringify(event));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const text = await (
        await fetch(`${base}/api/jobs/j%201/cancel?a=1&b=two&a=3`, {
          method: "POST",
          headers: { "X-Custom": "Yes", cookie: "one=1; two=2", "content-type": "application/json" },
          body: '{"x":1}',
        })
      ).json();
      expect(text).toMatchObject({
        version: "2.0",
        routeKey: "POST /api/jobs/{id}/cancel",
        rawPath: "/api/jobs/j%201/cancel",
        rawQueryString: "a=1&b=two&a=3",
        cookies: ["one=1", "two=2"],
        queryStringParameters: { a: "1,3", b: "two" },
        pathParameters: { id: "j 1" },
        requestContext: { http: { method: "POST", path: "/api/jobs/j%201/cancel", sourceIp: "127.0.0.1" }, routeKey: "POST /api/jobs/{id}/cancel" },
        body: '{"x":1}',
        isBase64Encoded: false,
      });
      expect(text.headers["x-custom"]).toBe("Yes");
      expect(text.headers.cookie).toBeUndefined();
      const binary = await (
        await fetch(`${base}/api/jobs`, { method: "POST", headers: { "content-type": "application/octet-stream" }, body: new Uint8Array([0, 255, 1]) })
      ).json();
      expect(binary).toMatchObject({ isBase64Encoded: true, body: Buffer.from([0, 255, 1]).toString("base64") });
    } finally {
      server.close();
    }
  });
});

describe("the gateway on a running stack", () => {
  let stack: LocalStack;
  let webRoot: string;
  let outside: string;

  beforeAll(async () => {
    webRoot = mkdtempSync(join(tmpdir(), "doctown-web-"));
    outside = mkdtempSync(join(tmpdir(), "doctown-outside-"));
    writeFileSync(join(outside, "secret.txt"), "SECRET");
    writeFileSync(join(webRoot, "index.html"), "<h1>home</h1>");
    writeFileSync(join(webRoot, "404.html"), "<h1>not here</h1>");
    writeFileSync(join(webRoot, "commons.html"), "<h1>commons</h1>");
    mkdirSync(join(webRoot, "dashboard"));
    writeFileSync(join(webRoot, "dashboard", "index.html"), "<h1>dashboard</h1>");
    mkdirSync(join(webRoot, "_astro"));
    writeFileSync(join(webRoot, "_astro", "app.abc123.js"), "console.log(1)");
    writeFileSync(join(webRoot, "_astro", "style.css"), "body{}");
    symlinkSync(join(outside, "secret.txt"), join(webRoot, "leak.txt"));
    stack = await startLocalStack({ port: 0, webRoot });
  });
  afterAll(async () => {
    await stack?.stop();
    rmSync(webRoot, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });

  it("serves the dashboard's pages and assets with their content types", async () => {
    const home = await fetch(`${stack.url}/`);
    expect([home.status, home.headers.get("content-type"), await home.text()]).toEqual([200, "text/html; charset=utf-8", "<h1>home</h1>"]);
    expect(await (await fetch(`${stack.url}/dashboard/`)).text()).toBe("<h1>dashboard</h1>");
    expect(await (await fetch(`${stack.url}/dashboard`)).text()).toBe("<h1>dashboard</h1>");
    expect(await (await fetch(`${stack.url}/commons`)).text()).toBe("<h1>commons</h1>");
    const script = await fetch(`${stack.url}/_astro/app.abc123.js`);
    expect(script.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(script.headers.get("cache-control")).toContain("immutable");
    expect((await fetch(`${stack.url}/_astro/style.css`)).headers.get("content-type")).toBe("text/css; charset=utf-8");
    const missing = await fetch(`${stack.url}/no/such/page`);
    expect([missing.status, await missing.text()]).toEqual([404, "<h1>not here</h1>"]);
  });

  it("never serves anything outside the web root", async () => {
    for (const path of ["/../secret.txt", "/%2e%2e/secret.txt", "/..%2fsecret.txt", "/leak.txt", "/%2e%2e%2f%2e%2e%2fetc%2fpasswd", "/..\\secret.txt"]) {
      const response = await rawGet(stack.url, path);
      expect(response.body, path).not.toContain("SECRET");
      expect(response.body, path).not.toContain("root:");
      expect(response.status, path).toBe(404);
    }
  });

  it("answers unknown API paths and methods with a JSON 404", async () => {
    for (const [method, path] of [["GET", "/api/nope"], ["DELETE", "/api/jobs/x"], ["GET", "/auth/unknown"], ["GET", "/api/jobs/"]]) {
      const response = await fetch(`${stack.url}${path}`, { method });
      expect(response.status, `${method} ${path}`).toBe(404);
      expect((await response.json()).error.code).toBe("not_found");
    }
  });

  it("passes cookies, query strings and path parameters to the handlers and sends Set-Cookie back", async () => {
    const client = await signIn(stack.url, "erin");
    expect(await client.getJson("/api/me")).toMatchObject({ user: { login: "erin" } });
    expect((await client.getJson("/api/jobs?limit=5")).jobs).toEqual([]);
    const missing = await client.get("/api/jobs/00000000-0000-0000-0000-000000000000");
    expect(missing.status).toBe(404);
    const logout = await client.post("/auth/logout");
    expect(logout.status).toBe(204);
    expect(logout.headers.getSetCookie()[0]).toMatch(/^doctown_session=; .*Max-Age=0/);
    expect((await client.get("/api/me")).status).toBe(401);
  });

  it("caps request bodies", async () => {
    const client = await signIn(stack.url, "frank");
    const huge = await client.post("/api/jobs", { repo: "x".repeat(2 * 1024 * 1024), git_ref: "main" });
    expect(huge.status).toBe(413);
    expect((await huge.json()).error.code).toBe("payload_too_large");
  });

  it("dev sign-in validates the login and exists only without a GitHub OAuth app", async () => {
    const bad = await fetch(`${stack.url}/auth/dev`, { method: "POST", headers: { origin: stack.url, "content-type": "application/json" }, body: JSON.stringify({ login: "-bad--login-" }) });
    expect(bad.status).toBe(400);
    const foreign = await fetch(`${stack.url}/auth/dev`, { method: "POST", headers: { origin: "http://evil.example", "content-type": "application/json" }, body: JSON.stringify({ login: "ok" }) });
    expect(foreign.status).toBe(403);
    process.env.GITHUB_CLIENT_ID = "an-oauth-app";
    process.env.GITHUB_CLIENT_SECRET = "its-secret"; // half an app is refused as ambiguous (config.ts)
    try {
      const hidden = await fetch(`${stack.url}/auth/dev`, { method: "POST", headers: { origin: stack.url, "content-type": "application/json" }, body: JSON.stringify({ login: "ok" }) });
      expect(hidden.status).toBe(404);
    } finally {
      delete process.env.GITHUB_CLIENT_ID;
      delete process.env.GITHUB_CLIENT_SECRET;
    }
  });
});
