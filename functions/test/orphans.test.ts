/**
 * A build that fails leaves no docpack object behind: every failure path (a failure report, an
 * upload that does not match its report, MarkFailed, a cancel) deletes the uploaded object, and the
 * sweep deletes any left (a late upload for a finished job, a stray key), keeping recorded docpacks
 * and uploads of jobs still in flight.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sweepOrphanedDocpacks } from "@doctown/core/docpackSweep";
import { docpackObjectKey, headObject, putObject } from "@doctown/core/storage";
import { handler as markFailed } from "../src/pipeline/markFailed";
import { startTestEnvironment, type TestEnvironment } from "@doctown/core/test/support/testEnvironment";
import { callApi, signIn } from "./support/api";
import { buildDocpack, callback, dispatchJob, uploadDocpack } from "./support/builds";

const SHA = "1".repeat(40);
const users = [0, 1, 2].map((i) => ({ id: 401 + i, login: `orphan${i}`, token: `gho_orphan${i}` }));
let env: TestEnvironment;
const cookies: string[] = [];
beforeAll(async () => {
  env = await startTestEnvironment({ githubUsers: users, githubRepos: users.map((u) => ({ owner: u.login, name: "p", refs: { main: SHA } })) });
  for (const user of users) cookies.push(await signIn(user));
});
afterAll(() => env?.stop());

let next = 0;
/** A dispatched job (one of three users in turn, so the in-flight limit never interferes) with its docpack uploaded. */
async function uploadedJob() {
  const n = next++ % users.length;
  const created = await callApi("POST", "/api/jobs", { body: { repo: `${users[n].login}/p`, git_ref: "main" }, cookie: cookies[n] });
  expect(created.status).toBe(202);
  const jobId: string = created.json.job_id;
  const { secret } = await dispatchJob(jobId);
  const upload = await uploadDocpack(jobId);
  expect(await headObject(docpackObjectKey(jobId))).not.toBeNull();
  return { jobId, secret, upload, cookie: cookies[n] };
}
const stored = async (jobId: string) => (await headObject(docpackObjectKey(jobId))) !== null;

describe("no orphaned docpack object after a failed build", () => {
  it("a failure report after the upload deletes the object", async () => {
    const { jobId, secret } = await uploadedJob();
    expect((await callback(jobId, "complete", secret, { status: "failed", error: "boom" })).status).toBe(200);
    expect(await stored(jobId)).toBe(false);
  });

  it("a size or SHA-256 mismatch deletes the object", async () => {
    const { jobId, secret, upload } = await uploadedJob();
    expect((await callback(jobId, "complete", secret, { status: "succeeded", size: upload.size, sha256: "0".repeat(64) })).status).toBe(422);
    expect(await stored(jobId)).toBe(false);
  });

  it("MarkFailed (timeout, heartbeat lost) deletes the object", async () => {
    const { jobId } = await uploadedJob();
    expect(await markFailed({ jobId, error: { Error: "States.Timeout" } })).toMatchObject({ changed: true });
    expect(await stored(jobId)).toBe(false);
  });

  it("a cancel deletes the object", async () => {
    const { jobId, cookie } = await uploadedJob();
    expect((await callApi("POST", `/api/jobs/${jobId}/cancel`, { cookie })).status).toBe(200);
    expect(await stored(jobId)).toBe(false);
  });

  it("the sweep deletes what is left (late upload, stray key) and keeps recorded docpacks and uploads in flight", async () => {
    const { jobId: late, cookie } = await uploadedJob();
    await callApi("POST", `/api/jobs/${late}/cancel`, { cookie });
    await uploadDocpack(late); // the builder's presigned PUT after the cancel
    const stray = "docpacks/not-a-job.bin";
    await putObject(stray, "x");
    const { jobId: building } = await uploadedJob();
    const { jobId: completed } = await buildDocpack(cookies[next++ % users.length], { repo: `${users[(next - 1) % users.length].login}/p`, git_ref: "main" });

    // Within the grace period nothing is touched.
    expect((await sweepOrphanedDocpacks()).deleted).toEqual([]);
    const result = await sweepOrphanedDocpacks({ graceMs: 0 });
    console.log(`sweep: ${result.checked} objects checked → ${result.deleted.length} orphans deleted`);
    expect(result.deleted.sort()).toEqual([docpackObjectKey(late), stray].sort());
    expect(await stored(late)).toBe(false);
    expect(await stored(building)).toBe(true);
    expect(await stored(completed)).toBe(true);
  });
});
