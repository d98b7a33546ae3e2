/**
 * Plays the pipeline's and the builder's parts for API tests: records a dispatch the way the
 * dispatch task does (core's recordDispatch with a fresh callback secret), uploads a docpack through
 * the presigned PUT, and calls the complete callback over the real handler.
 */
import { createHash, randomBytes } from "node:crypto";
import { randomToken, sha256Hex } from "@doctown/core/crypto";
import { recordDispatch } from "@doctown/core/job";
import { docpackObjectKey, presignPut } from "@doctown/core/storage";
import { callApi } from "./api";

export async function dispatchJob(jobId: string): Promise<{ secret: string; taskToken: string }> {
  const secret = randomToken(32);
  const taskToken = `task-token-${jobId}`;
  const job = await recordDispatch(jobId, { taskToken, callbackSecretHash: sha256Hex(secret) });
  if (!job) throw new Error(`job ${jobId} could not be dispatched`);
  return { secret, taskToken };
}

export async function uploadDocpack(jobId: string, bytes: Buffer = randomBytes(2048)): Promise<{ size: number; sha256: string; bytes: Buffer }> {
  const response = await fetch(await presignPut(docpackObjectKey(jobId)), {
    method: "PUT",
    body: bytes,
    headers: { "content-type": "application/zip" },
  });
  if (!response.ok) throw new Error(`upload failed: HTTP ${response.status}`);
  return { size: bytes.length, sha256: createHash("sha256").update(bytes).digest("hex"), bytes };
}

export function callback(jobId: string, kind: "progress" | "complete", secret: string | undefined, body: unknown) {
  return callApi("POST", `/api/jobs/${jobId}/${kind}`, {
    body,
    headers: { origin: "", ...(secret === undefined ? {} : { authorization: `Bearer ${secret}` }) },
  });
}

/** Creates a job over the API and takes it all the way to completed; returns ids and the bytes. */
export async function buildDocpack(cookie: string, request: { repo: string; git_ref: string; public?: boolean }) {
  const created = await callApi("POST", "/api/jobs", { body: request, cookie });
  if (created.status !== 202) throw new Error(`job creation failed: ${created.body}`);
  const jobId: string = created.json.job_id;
  const { secret } = await dispatchJob(jobId);
  const upload = await uploadDocpack(jobId);
  const completed = await callback(jobId, "complete", secret, { status: "succeeded", size: upload.size, sha256: upload.sha256 });
  if (completed.status !== 200) throw new Error(`complete failed: ${completed.body}`);
  return { jobId, docpackId: completed.json.docpack_id as string, bytes: upload.bytes, secret };
}
