/**
 * Webhook deliveries over real HTTP through the local stack's gateway: the signature must still
 * match the bytes GitHub sent after the gateway turned the request into an API Gateway event.
 */
import { randomUUID } from "node:crypto";
import { sign } from "@octokit/webhooks-methods";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalStack, type LocalStack } from "../src/stack";
import { pushPayload, sha, WEBHOOK_SECRET } from "@doctown/functions/test/support/webhooks";

let stack: LocalStack;

beforeAll(async () => {
  stack = await startLocalStack({ port: 0, env: { GITHUB_WEBHOOK_SECRET: WEBHOOK_SECRET } });
}, 60_000);
afterAll(() => stack?.stop());

async function post(event: string, body: string, signature: string, contentType = "application/json") {
  const response = await fetch(`${stack.url}/api/github/webhook`, {
    method: "POST",
    headers: { "content-type": contentType, "x-github-event": event, "x-github-delivery": randomUUID(), "x-hub-signature-256": signature, "user-agent": "GitHub-Hookshot/test" },
    body,
  });
  return { status: response.status, json: (await response.json()) as any };
}

describe("POST /api/github/webhook over HTTP (local gateway)", () => {
  it("verifies pretty-printed, non-ASCII JSON byte for byte", async () => {
    const body = JSON.stringify({ zen: "Design for failure — ünïcödé ✓", hook_id: 1 }, null, 2) + "\n";
    const ping = await post("ping", body, await sign(WEBHOOK_SECRET, body));
    expect(ping).toEqual({ status: 200, json: { result: "pong" } });
  });

  it("answers a signed push for a repository the app is not installed on with 202, and a tampered one with 401", async () => {
    const body = JSON.stringify(pushPayload({ repo: "nobody/unknown", after: sha(900) }));
    const signature = await sign(WEBHOOK_SECRET, body);
    expect(await post("push", body, signature)).toEqual({ status: 202, json: { result: "ignored", reason: "not_installed" } });
    const tampered = await post("push", body.replace("nobody", "nobodx"), signature);
    expect(tampered.status).toBe(401);
    expect(tampered.json.error.code).toBe("invalid_signature");
  });

  it("refuses form-encoded deliveries with a hint to switch the content type", async () => {
    const body = `payload=${encodeURIComponent(JSON.stringify({ zen: "x" }))}`;
    const response = await post("ping", body, await sign(WEBHOOK_SECRET, body), "application/x-www-form-urlencoded");
    expect(response.status).toBe(415);
    expect(response.json.error.code).toBe("unsupported_content_type");
  });
});
