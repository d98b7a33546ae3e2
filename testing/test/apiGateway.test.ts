import { describe, expect, it } from "vitest";
import { apiGatewayEvent, compileRoutes, matchRoute } from "../src/apiGateway";

const routes = compileRoutes({ "GET /api/jobs": "jobs/list", "GET /api/jobs/{id}": "jobs/get", "POST /api/hook": "hook" });
const request = (path: string, init: { method?: string; headers?: Record<string, string | string[]>; body?: Buffer; bodyEncoding?: "auto" | "base64" } = {}) => {
  const url = new URL(path, "http://doctown.test");
  const method = init.method ?? "GET";
  return apiGatewayEvent({ method, url, headers: init.headers ?? {}, body: init.body ?? Buffer.alloc(0), bodyEncoding: init.bodyEncoding }, matchRoute(routes, method, url.pathname));
};

describe("the API Gateway v2 emulation", () => {
  it("joins repeated query parameters with commas, as payload format 2.0 does, and keeps the raw query string", () => {
    const event = request("/api/jobs?status=failed&limit=2&status=cancelled");
    expect(event.queryStringParameters).toEqual({ status: "failed,cancelled", limit: "2" });
    expect(event.rawQueryString).toBe("status=failed&limit=2&status=cancelled");
    expect(event.routeKey).toBe("GET /api/jobs");
  });

  it("moves cookies out of the headers, lower-cases header names and joins repeated values", () => {
    const event = request("/api/jobs/j%201", { headers: { Cookie: "a=1; b=2", "X-Forwarded-For": ["1.1.1.1", "2.2.2.2"] } });
    expect(event.cookies).toEqual(["a=1", "b=2"]);
    expect(event.headers).toEqual({ "x-forwarded-for": "1.1.1.1,2.2.2.2" });
    expect(event.pathParameters).toEqual({ id: "j 1" });
  });

  it("sends textual bodies as text and others (or when asked) base64-encoded", () => {
    const bytes = Buffer.from([0xff, 0x00, 0x41]);
    const json = request("/api/hook", { method: "POST", headers: { "content-type": "application/json" }, body: Buffer.from('{"a":1}') });
    expect(json).toMatchObject({ body: '{"a":1}', isBase64Encoded: false });
    const binary = request("/api/hook", { method: "POST", headers: { "content-type": "application/octet-stream" }, body: bytes });
    expect(binary).toMatchObject({ body: bytes.toString("base64"), isBase64Encoded: true });
    const forced = request("/api/hook", { method: "POST", headers: { "content-type": "application/json" }, body: Buffer.from("{}"), bodyEncoding: "base64" });
    expect(forced).toMatchObject({ body: Buffer.from("{}").toString("base64"), isBase64Encoded: true });
  });

  it("gives an unmatched request the $default route key", () => {
    expect(request("/nowhere").routeKey).toBe("$default");
  });
});
