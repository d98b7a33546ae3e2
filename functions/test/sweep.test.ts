/**
 * The scheduled sweeper fails jobs stuck in flight past the pipeline's limit (core's rule), and
 * cancels their RunPod builds; fresh jobs and finished ones are left alone.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createJob, findJob, recordDispatch } from "@doctown/core/job";
import { STALE_AFTER_SECONDS, STALE_JOB } from "@doctown/core/jobSweep";
import { createRunpodClient } from "@doctown/core/runpod";
import { provideServices } from "@doctown/core/services";
import { startTestEnvironment, type TestEnvironment } from "@doctown/core/test/support/testEnvironment";
import { handler } from "../src/pipeline/sweep";

let env: TestEnvironment;
let runpod: Server;
const cancelled: string[] = [];

beforeAll(async () => {
  env = await startTestEnvironment();
  // RunPod's API at its HTTP boundary: POST /v2/{endpoint}/cancel/{id}.
  runpod = createServer((req, res) => {
    const match = /^\/v2\/ep\/cancel\/([^/]+)$/.exec(req.url ?? "");
    if (req.method === "POST" && match) cancelled.push(decodeURIComponent(match[1]!));
    res.writeHead(match ? 200 : 404, { "content-type": "application/json" });
    res.end(JSON.stringify({ id: match?.[1] ?? "x", status: "CANCELLED" }));
  });
  await new Promise<void>((resolve) => runpod.listen(0, "127.0.0.1", resolve));
  provideServices({ runpod: createRunpodClient({ apiUrl: `http://127.0.0.1:${(runpod.address() as AddressInfo).port}/v2`, apiKey: "k", endpointId: "ep" }) });
});
afterAll(async () => {
  runpod?.close();
  await env?.stop();
});

const at = (date: Date) => provideServices({ clock: { now: () => date } });
const newJob = () =>
  createJob({ userId: "sweep-user", repo: "octo/repo", repoKind: "github", gitRef: "main", commit: "d".repeat(40), callbackBaseUrl: "https://doctown.test" });

describe("the stale-job sweeper", () => {
  it("fails jobs in flight past the pipeline's limit with core's reason, and cancels their builds", async () => {
    const now = new Date();
    at(new Date(now.getTime() - (STALE_AFTER_SECONDS + 60) * 1000));
    const stalePending = await newJob();
    const staleBuilding = await newJob();
    await recordDispatch(staleBuilding.id, { taskToken: "t", callbackSecretHash: "a".repeat(64), runpodJobId: "rp-stale" });
    at(new Date(now.getTime() - (STALE_AFTER_SECONDS - 60) * 1000));
    const recent = await newJob();
    at(now);

    const result = await handler();
    expect(result.failed.sort()).toEqual([stalePending.id, staleBuilding.id].sort());
    expect(await findJob(stalePending.id)).toMatchObject({ status: "failed", error: STALE_JOB });
    expect(await findJob(staleBuilding.id)).toMatchObject({ status: "failed", error: STALE_JOB });
    expect(await findJob(recent.id)).toMatchObject({ status: "pending", error: null });
    expect(cancelled).toEqual(["rp-stale"]);

    // Nothing left to do: a second run changes nothing.
    expect((await handler()).failed).toEqual([]);
  });
});
