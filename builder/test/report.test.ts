import { afterEach, describe, expect, it, vi } from "vitest";
import { createReporter } from "../src/stages/report";
import { startCallbackServer, waitFor } from "./callbackServer";

const SECRET = "callback-secret-0123456789";
const servers: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function api(script?: Parameters<typeof startCallbackServer>[0]) {
  const server = await startCallbackServer(script);
  servers.push(server);
  return server;
}

const quiet = () => undefined;

describe("reporter", () => {
  it("sends a stage change at once and throttles updates within a stage (latest wins)", async () => {
    const server = await api();
    const reporter = createReporter({ callbackUrl: `${server.origin}/api/jobs/j1`, secret: SECRET, minIntervalMs: 200, heartbeatMs: 60_000, log: quiet });
    reporter.progress({ stage: "clone", percent: 0 });
    reporter.progress({ stage: "clone", percent: 10 });
    reporter.progress({ stage: "clone", percent: 20, message: "fetching" });
    await waitFor(() => server.progress().length === 2);
    reporter.progress({ stage: "scan", percent: 30 });
    await waitFor(() => server.progress().length === 3);
    expect(server.progress().map((call) => call.body)).toEqual([
      { stage: "clone", percent: 0 },
      { stage: "clone", percent: 20, message: "fetching" },
      { stage: "scan", percent: 30 },
    ]);
    expect(server.calls.every((call) => call.path === "/api/jobs/j1/progress")).toBe(true);
    expect(server.calls.every((call) => call.authorization === `Bearer ${SECRET}`)).toBe(true);
    expect(await reporter.complete({ status: "succeeded", size: 10, sha256: "a".repeat(64) })).toBe(true);
  });

  it("re-sends the latest progress as a heartbeat while a stage is quiet, and stops after complete", async () => {
    // The reporter's heartbeat clock (its interval, Date.now) is the test's: the beats' timing cannot
    // depend on the machine's load. Requests still go over real HTTP, and setTimeout stays real
    // (undici's own timers use it).
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval", "Date"] });
    const server = await api();
    const heartbeatMs = 1_000;
    const reporter = createReporter({ callbackUrl: `${server.origin}/api/jobs/j2`, secret: SECRET, heartbeatMs, log: quiet });
    reporter.progress({ stage: "extract", percent: 40 });
    await waitFor(() => server.progress().length === 1);
    for (let beat = 2; beat <= 4; beat++) {
      // Reports go out one after another: once beat N has arrived, an early beat would have too.
      vi.advanceTimersByTime(heartbeatMs - 1);
      vi.advanceTimersByTime(1);
      await waitFor(() => server.progress().length >= beat);
      expect(server.progress()).toHaveLength(beat);
    }
    // ...and not one beat earlier: 999 ms of silence send nothing, the next tick does.
    vi.advanceTimersByTime(heartbeatMs - 1);
    reporter.progress({ stage: "extract", percent: 41 }); // throttled: waits for minIntervalMs
    vi.advanceTimersByTime(1);
    await waitFor(() => server.progress().length === 5);
    expect(server.progress().map((call) => call.body.percent)).toEqual([40, 40, 40, 40, 41]);
    expect(server.progress().every((call) => call.body.stage === "extract")).toBe(true);

    await reporter.complete({ status: "failed", error: { code: "git_failed", message: "no such ref" } });
    reporter.progress({ stage: "pack", percent: 90 });
    // Positive signal: after complete no heartbeat interval is left that could send anything.
    expect(vi.getTimerCount()).toBe(0);
    expect(server.completes().map((call) => call.body)).toEqual([
      { status: "failed", error: { code: "git_failed", message: "no such ref" } },
    ]);
    expect(server.calls.at(-1)?.path).toBe("/api/jobs/j2/complete");
  });

  it("retries the completion on 503 until it is accepted", async () => {
    const server = await api((call) => (call.path.endsWith("/complete") && server.completes().length <= 2 ? 503 : 200));
    const reporter = createReporter({ callbackUrl: `${server.origin}/api/jobs/j3/`, secret: SECRET, backoffMs: 20, log: quiet });
    const accepted = await reporter.complete({ status: "succeeded", size: 123, sha256: "b".repeat(64) });
    expect(accepted).toBe(true);
    expect(server.completes()).toHaveLength(3);
    expect(server.completes()[2].path).toBe("/api/jobs/j3/complete");
  });

  it("never throws when the API cannot be reached, and gives up after its attempts", async () => {
    const server = await api();
    const origin = server.origin;
    await server.close();
    const logs: string[] = [];
    const reporter = createReporter({ callbackUrl: `${origin}/api/jobs/j4`, secret: SECRET, attempts: 2, backoffMs: 10, log: (m) => logs.push(m) });
    reporter.progress({ stage: "clone", percent: 1 });
    await expect(reporter.complete({ status: "failed", error: { code: "Bad Code!", message: "  " } })).resolves.toBe(false);
    expect(logs.some((line) => line.includes("complete failed (attempt 2/2)"))).toBe(true);
    expect(logs.join("\n")).not.toContain(SECRET);
  });

  it("does not retry a refusal, normalises bad codes, and signals a job that is no longer running (409)", async () => {
    const server = await api((call) => (call.path.endsWith("/progress") ? 409 : 401));
    let stopped = 0;
    const reporter = createReporter({ callbackUrl: `${server.origin}/api/jobs/j5`, secret: SECRET, onJobNotRunning: () => stopped++, log: quiet });
    reporter.progress({ stage: "scan", percent: 5 });
    await waitFor(() => stopped === 1);
    expect(await reporter.complete({ status: "failed", error: { code: "Bad Code!", message: "" } })).toBe(false);
    expect(server.completes()).toHaveLength(1);
    expect(server.completes()[0].body).toEqual({ status: "failed", error: { code: "build_failed", message: "The build failed." } });
  });
});
