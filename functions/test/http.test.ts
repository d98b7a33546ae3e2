import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import * as z from "zod";
import { Conflict } from "@doctown/core/errors";
import { json, jsonBody, MAX_BODY_BYTES, route, type HttpRequest } from "../src/http";
import { apiEvent } from "./support/apiEvent";

const saved = { stage: process.env.DOCTOWN_STAGE, site: process.env.DOCTOWN_SITE_URL };
beforeEach(() => {
  process.env.DOCTOWN_STAGE = "test";
  delete process.env.DOCTOWN_SITE_URL;
});
afterEach(() => {
  for (const [name, value] of [["DOCTOWN_STAGE", saved.stage], ["DOCTOWN_SITE_URL", saved.site]] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  vi.restoreAllMocks();
});

const echo = route(async (req: HttpRequest) => json(200, { origin: req.siteOrigin, body: jsonBody(req, z.object({ n: z.number() })) }));
const post = (headers: Record<string, string>, body: unknown = { n: 1 }, extra: { isBase64Encoded?: boolean } = {}) =>
  echo(apiEvent({ method: "POST", path: "/api/jobs", headers, body, ...extra }));
const parse = (result: Awaited<ReturnType<typeof echo>>) => ({ status: result.statusCode, body: JSON.parse(result.body ?? "null") });

describe("the HTTP edge", () => {
  it("outside Lambda (local stack, tests) takes the site origin from x-forwarded-host before host, and checks Origin against it", async () => {
    const ok = parse(await post({ host: "abc.execute-api.aws", "x-forwarded-host": "doctown.example", origin: "https://doctown.example" }));
    expect(ok).toEqual({ status: 200, body: { origin: "https://doctown.example", body: { n: 1 } } });
    const apiHost = parse(await post({ host: "abc.execute-api.aws", "x-forwarded-host": "doctown.example", origin: "https://abc.execute-api.aws" }));
    expect(apiHost.status).toBe(403);
  });

  it("prefers DOCTOWN_SITE_URL when set", async () => {
    process.env.DOCTOWN_SITE_URL = "https://docs.example.org/some/path";
    expect(parse(await post({ host: "whatever", origin: "https://docs.example.org" })).status).toBe(200);
    expect(parse(await post({ host: "whatever", origin: "https://whatever" })).status).toBe(403);
  });

  it("falls back to Referer when Origin is missing, and refuses when both are", async () => {
    expect(parse(await post({ host: "doctown.example", referer: "https://doctown.example/dashboard/" })).status).toBe(200);
    const none = parse(await post({ host: "doctown.example" }));
    expect(none).toEqual({ status: 403, body: { error: { code: "origin_mismatch", message: expect.any(String) } } });
  });

  it("decodes base64 bodies and limits bodies to 64 KB (declared or actual)", async () => {
    const headers = { host: "d.example", origin: "https://d.example" };
    const encoded = Buffer.from(JSON.stringify({ n: 7 })).toString("base64");
    expect(parse(await post(headers, encoded, { isBase64Encoded: true })).body.body).toEqual({ n: 7 });
    const big = parse(await post(headers, JSON.stringify({ n: 1, pad: "x".repeat(MAX_BODY_BYTES) })));
    expect(big.status).toBe(413);
    const declared = parse(await post({ ...headers, "content-length": String(MAX_BODY_BYTES + 1) }));
    expect(declared.status).toBe(413);
  });

  it("rejects a malformed Host with 400", async () => {
    expect(parse(await post({ host: "evil.example/\r\nx", origin: "https://evil.example" })).body.error.code).toBe("invalid_host");
  });

  it("maps typed errors to their status and hides everything else behind a 500 without details", async () => {
    const conflict = route(async () => {
      throw new Conflict("job_finished", "Already done.");
    });
    expect(parse(await conflict(apiEvent({ method: "GET", path: "/api/me", headers: { host: "d.example" } })))).toEqual({
      status: 409,
      body: { error: { code: "job_finished", message: "Already done." } },
    });
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    const crash = route(async () => {
      throw new Error("secret internals at /var/task/index.js:10");
    });
    const result = await crash(apiEvent({ method: "GET", path: "/api/me", headers: { host: "d.example" } }));
    expect(parse(result)).toEqual({ status: 500, body: { error: { code: "internal_error", message: "Something went wrong on our side." } } });
    expect(result.body).not.toContain("internals");
    expect(logged).toHaveBeenCalled();
  });

  it("does not check Origin on safe methods", async () => {
    const get = route(async (req) => json(200, { path: req.path, query: req.query }));
    const result = parse(await get(apiEvent({ method: "GET", path: "/api/jobs?limit=5", headers: { host: "d.example", origin: "https://elsewhere.example" } })));
    expect(result).toEqual({ status: 200, body: { path: "/api/jobs", query: { limit: "5" } } });
  });

  it("sees a repeated query parameter as API Gateway sends it: the values joined with commas", async () => {
    const get = route(async (req) => json(200, { query: req.query }));
    const result = parse(await get(apiEvent({ method: "GET", path: "/api/jobs?limit=5&cursor=a&limit=6", headers: { host: "d.example" } })));
    expect(result).toEqual({ status: 200, body: { query: { limit: "5,6", cursor: "a" } } });
  });
});
