/**
 * Forged Host / X-Forwarded-Host on job creation must not choose where the builder sends its
 * callbacks (with their bearer secret): the callback base comes from configuration only.
 * Deployed stages take it from DOCTOWN_SITE_URL or the Web stack's SITE_URL parameter; the local
 * stack derives it from Host only for the gateway's own names (DOCTOWN_SITE_HOSTS).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { signIn } from "../support/client";
import { figure, useAbuseStack } from "./support";

const abuse = useAbuseStack();
beforeAll(() => abuse.ready());

describe("forged hosts", () => {
  it("job creation with a forged Host or X-Forwarded-Host → callbacks still go to the site", async () => {
    const { stack, repo, runpod } = abuse();
    const client = await signIn(stack.url, "forger");
    const forgeries: Record<string, string>[] = [
      { host: "evil.example:9", origin: "http://evil.example:9" },
      { "x-forwarded-host": "evil.example:9", origin: "http://evil.example:9" },
    ];
    const callbackHosts: string[] = [];
    for (const headers of forgeries) {
      const response = await fetch(`${stack.url}/api/jobs`, {
        method: "POST",
        headers: { cookie: client.cookie, "content-type": "application/json", ...headers },
        body: JSON.stringify({ repo: repo.path, git_ref: "main" }),
      });
      if (response.status !== 202) continue; // refused outright: also fine
      const jobId = (await response.json()).job_id as string;
      await expect.poll(() => runpod.runs.find((run) => run.job_id === jobId), { timeout: 20_000 }).toBeTruthy();
      callbackHosts.push(new URL(runpod.runs.find((run) => run.job_id === jobId)!.callback_url).host);
      await client.post(`/api/jobs/${jobId}/cancel`);
    }
    figure(`${forgeries.length} creates with forged hosts → callbacks to ${callbackHosts.join(", ") || "none (refused)"}`);
    for (const host of callbackHosts) expect(host).toBe(new URL(stack.url).host);
  });
});
