/**
 * Replayed and reordered builder callbacks: progress never goes backwards, a report after the job
 * finished is a 409 and changes nothing, a repeated complete answers as the first, a complete for
 * another job's secret is a 401, and an upload after a cancel is not kept.
 */
import { createHash, randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { docpackObjectKey, headObject } from "@doctown/core/storage";
import { signIn, waitForJob, type ApiClient } from "../support/client";
import type { RunInput } from "../support/runpodStandIn";
import { figure, useAbuseStack } from "./support";

const abuse = useAbuseStack();
let client: ApiClient;
beforeAll(async () => {
  await abuse.ready();
  client = await signIn(abuse().stack.url, "replayer");
});

/** A job the silent builder took: its callback URL, secret and upload URL. */
async function dispatched(): Promise<RunInput> {
  const { repo, runpod } = abuse();
  const created = await client.post("/api/jobs", { repo: repo.path, git_ref: "main" });
  expect(created.status).toBe(202);
  const jobId = (await created.json()).job_id as string;
  await waitForJob(client, jobId, (job) => job.status === "building");
  // The job is building once dispatched; the stand-in records the run when /run arrives.
  await expect.poll(() => runpod.runs.find((run) => run.job_id === jobId), { timeout: 20_000 }).toBeTruthy();
  return runpod.runs.find((run) => run.job_id === jobId)!;
}

const call = (run: RunInput, kind: "progress" | "complete", body: unknown, secret = run.callback_secret) =>
  fetch(`${run.callback_url}/${kind}`, { method: "POST", headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" }, body: JSON.stringify(body) });
const upload = async (run: RunInput, bytes: Buffer) => {
  const response = await fetch(run.upload_url, { method: "PUT", body: bytes, headers: { "content-type": "application/zip" } });
  expect(response.status).toBe(200);
  return { size: bytes.length, sha256: createHash("sha256").update(bytes).digest("hex") };
};

describe("replayed and reordered callbacks", () => {
  it("hold: progress only forward, late and repeated reports change nothing", async () => {
    const run = await dispatched();
    const other = await dispatched();
    let attempts = 0;
    const statuses: number[] = [];
    const send = async (response: Promise<Response>) => {
      attempts++;
      const answer = await response;
      statuses.push(answer.status);
      return answer;
    };
    // Reordered progress: 60 then 20 → stays at 60.
    await send(call(run, "progress", { stage: "extract", percent: 60 }));
    expect((await send(call(run, "progress", { stage: "scan", percent: 20 }))).status).toBe(200);
    expect((await client.getJson(`/api/jobs/${run.job_id}`)).progress).toBe(60);
    // Another job's secret does not authorise this job.
    expect((await send(call(run, "complete", { status: "failed", error: "x" }, other.callback_secret))).status).toBe(401);
    // Complete, then the same complete replayed, then a contradicting one.
    const bytes = randomBytes(4096);
    const { size, sha256 } = await upload(run, bytes);
    const first = await send(call(run, "complete", { status: "succeeded", size, sha256 }));
    expect(first.status).toBe(200);
    const firstBody = await first.json();
    const replay = await send(call(run, "complete", { status: "succeeded", size, sha256 }));
    expect(await replay.json()).toEqual(firstBody);
    expect((await send(call(run, "complete", { status: "failed", error: "late" }))).status).toBe(409);
    expect((await send(call(run, "progress", { stage: "scan", percent: 99 }))).status).toBe(409);
    const after = await client.getJson(`/api/jobs/${run.job_id}`);
    expect(after).toMatchObject({ status: "completed", progress: 100, docpack_id: firstBody.docpack_id });
    figure(`${attempts} replayed, reordered or foreign callbacks → job ended completed once (answers ${statuses.join(",")})`);
  });

  it("an upload and a success report after a cancel are not kept", async () => {
    const run = await dispatched();
    expect((await client.post(`/api/jobs/${run.job_id}/cancel`)).status).toBe(200);
    const { size, sha256 } = await upload(run, randomBytes(1024));
    expect((await call(run, "complete", { status: "succeeded", size, sha256 })).status).toBe(409);
    expect(await client.getJson(`/api/jobs/${run.job_id}`)).toMatchObject({ status: "cancelled", docpack_id: null });
    expect((await client.getJson("/api/docpacks?limit=100")).docpacks.some((d: { job_id: string }) => d.job_id === run.job_id)).toBe(false);
    expect(await headObject(docpackObjectKey(run.job_id))).toBeNull();
    figure("success report after cancel → 409, no docpack recorded, upload deleted");
  });
});
