/**
 * Oversized and malformed bodies (and junk query strings) on every route of functions/src/routes.ts,
 * through the real gateway: each answer is a 4xx with `{ error: { code, message } }`, never a 5xx.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { LOCAL_ONLY_ROUTES, ROUTES } from "@doctown/functions/routes";
import { signIn, type ApiClient } from "../support/client";
import { figure, useAbuseStack } from "./support";

const abuse = useAbuseStack();
let client: ApiClient;
let jobId: string;
beforeAll(async () => {
  await abuse.ready();
  client = await signIn(abuse().stack.url, "fuzzer");
  const created = await client.post("/api/jobs", { repo: abuse().repo.path, git_ref: "main" });
  jobId = (await created.json()).job_id;
});

const deep = (depth: number) => "[".repeat(depth) + "]".repeat(depth);
const BODIES: [string, string | Buffer, string][] = [
  ["malformed JSON", "{", "application/json"],
  ["truncated JSON", '{"repo": "a', "application/json"],
  ["JSON null", "null", "application/json"],
  ["JSON array", "[]", "application/json"],
  ["JSON string", '"x"', "application/json"],
  ["wrong field types", JSON.stringify({ repo: 5, git_ref: ["main"], public: "yes", auto_build: "on", branches: "main", login: {}, stage: 1, percent: "x", status: 7 }), "application/json"],
  ["deeply nested JSON", deep(20_000), "application/json"],
  ["prototype keys", '{"__proto__": {"admin": true}, "constructor": {"prototype": {}}}', "application/json"],
  ["binary body", Buffer.from([0, 255, 1, 254, 0x1f, 0x8b]), "application/octet-stream"],
  ["100 KB body", JSON.stringify({ repo: "a".repeat(100 * 1024), git_ref: "main" }), "application/json"],
  ["2 MB body", Buffer.alloc(2 * 1024 * 1024, 0x61), "application/json"],
];

function pathOf(template: string): string {
  return template.replace("{id}", jobId).replace("{owner}", "fuzzer").replace("{name}", "repo");
}

describe("malformed and oversized bodies on every route", () => {
  it("never answer 5xx", async () => {
    const { stack } = abuse();
    // Logout last: it ends the session the other requests are made with.
    const routes = Object.keys({ ...ROUTES, ...LOCAL_ONLY_ROUTES }).sort((a, b) => Number(a.endsWith("/logout")) - Number(b.endsWith("/logout")));
    const statuses = new Map<number, number>();
    let requests = 0;
    for (const routeKey of routes) {
      const [method, template] = routeKey.split(" ");
      const path = pathOf(template);
      const attempts: { name: string; init: RequestInit; url: string }[] = [];
      if (method === "GET") {
        attempts.push({ name: "junk query", url: `${stack.url}${path}?limit=abc&cursor=%25%25%25&code=${"x".repeat(3000)}&state=%00`, init: {} });
        attempts.push({ name: "forged cursor", url: `${stack.url}${path}?cursor=${Buffer.from('{"pk":{"S":"x"},"extra":1}').toString("base64url")}`, init: {} });
      } else {
        for (const [name, body, type] of BODIES) attempts.push({ name, url: `${stack.url}${path}`, init: { method, body, headers: { "content-type": type } } });
      }
      for (const attempt of attempts) {
        const headers = { origin: stack.url, cookie: client.cookie, ...(attempt.init.headers as Record<string, string>) };
        const response = await fetch(attempt.url, { ...attempt.init, headers, redirect: "manual" });
        const text = await response.text();
        requests++;
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        expect(response.status, `${routeKey} with ${attempt.name}: ${text.slice(0, 200)}`).toBeLessThan(500);
        if (response.status >= 400) expect(JSON.parse(text), `${routeKey} with ${attempt.name}`).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });
      }
    }
    const summary = [...statuses.entries()].sort(([a], [b]) => a - b).map(([status, n]) => `${n}×${status}`).join(" ");
    figure(`${routes.length} routes, ${requests} malformed/oversized requests → 0 × 5xx (${summary})`);
  });
});
